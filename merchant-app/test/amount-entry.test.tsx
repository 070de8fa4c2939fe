import { describe, expect, it, vi } from "vitest";
import { screen } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { AmountEntry } from "../src/features/scan/components/amount-entry.tsx";
import { renderWith } from "./support/render.tsx";

function setup(spendableCents = 42_50, language: "nl" | "en" = "nl") {
  const onConfirm = vi.fn();
  renderWith(<AmountEntry spendableCents={spendableCents} busy={false} onConfirm={onConfirm} />, { language });
  return { onConfirm, user: userEvent.setup() };
}

describe("AmountEntry", () => {
  it.each([["12,5", 1250], ["12.5", 1250], ["12,50", 1250], ["0,99", 99], ["42,50", 4250]])("confirms %s as %i cents", async (typed, cents) => {
    const { onConfirm, user } = setup();
    await user.type(screen.getByLabelText("Bedrag in euro"), typed);
    await user.click(screen.getByRole("button", { name: /afrekenen/i }));
    expect(onConfirm).toHaveBeenCalledExactlyOnceWith(cents);
  });

  it("shows the typed amount on the confirm button", async () => {
    const { user } = setup();
    await user.type(screen.getByLabelText("Bedrag in euro"), "12,5");
    expect(screen.getByRole("button", { name: "€\u00a012,50 afrekenen" })).toBeInTheDocument();
  });

  it.each([
    ["1.2.3", "Dit is geen geldig bedrag"],
    ["-5", "niet negatief"],
    ["0", "meer dan € 0,00"],
    ["42,51", "Meer dan het budget: maximaal € 42,50"],
    ["12,345", "Dit is geen geldig bedrag"],
  ])("refuses %s and says why, without confirming", async (typed, words) => {
    const { onConfirm, user } = setup();
    const input = screen.getByLabelText("Bedrag in euro");
    await user.type(input, typed);
    await user.click(screen.getByRole("button", { name: /afrekenen/i }));
    expect(onConfirm).not.toHaveBeenCalled();
    expect(screen.getByRole("alert")).toHaveTextContent(words);
    expect(input).toHaveAttribute("aria-invalid", "true");
    const anySpace = new RegExp(words.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/ /g, "\\s")); // Intl's no-break space after €
    expect(input).toHaveAccessibleDescription(anySpace);
  });

  it("refuses an empty amount, in English too", async () => {
    const { onConfirm, user } = setup(42_50, "en");
    await user.click(screen.getByRole("button", { name: "Charge" }));
    expect(onConfirm).not.toHaveBeenCalled();
    expect(screen.getByRole("alert")).toHaveTextContent("Enter an amount.");
  });

  it("submits with Enter from the keyboard", async () => {
    const { onConfirm, user } = setup();
    await user.type(screen.getByLabelText("Bedrag in euro"), "7.05{Enter}");
    expect(onConfirm).toHaveBeenCalledExactlyOnceWith(705);
  });
});
