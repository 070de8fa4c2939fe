// A Tegoed card at the till: typed code → amount → the customer's PIN → whose budget → PAID with what
// is left; a wrong PIN may be typed again (the till is not told how many tries are left); a blocked
// card ends the turn with its own words.
import { describe, expect, it } from "vitest";
import { screen } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { ScanScreen } from "../src/features/scan/scan-screen.tsx";
import { RECEIPT, fakeApi, refusal, renderWith } from "./support/render.tsx";

const CARD = "TKAE UAKT BIKM ABCI RTIR KWM5 4ITG VLXT G553 7QM3 A";
const UNLOCKED = {
  fundId: "0b8f5f3e-7c1d-4a43-9b1e-5a7c3d2e1f00", fundName: "Kindpakket 2027", cardNumber: "171887568979",
  children: [
    { childId: "3d0f6a8e-1b2c-4d5e-8f90-a1b2c3d4e5f6", firstName: "Anna" },
    { childId: "4d0f6a8e-1b2c-4d5e-8f90-a1b2c3d4e5f6", firstName: "Bram" },
  ],
};

async function toPin(language: "nl" | "en" = "nl") {
  const api = fakeApi();
  renderWith(<ScanScreen camera={false} />, { api, language });
  const user = userEvent.setup();
  await user.type(screen.getByLabelText(language === "nl" ? "Code handmatig invoeren" : "Enter the code by hand"), CARD);
  await user.click(screen.getByRole("button", { name: language === "nl" ? "Code controleren" : "Check code" }));
  await user.type(screen.getByLabelText(language === "nl" ? "Bedrag in euro" : "Amount in euros"), "12,50");
  await user.click(screen.getByRole("button", { name: language === "nl" ? "€\u00a012,50 afrekenen" : "Charge €12.50" }));
  return { api, user };
}

describe("a Tegoed card at the till", () => {
  it("is recognised by its code: amount, PIN, then the children's first names; pays and tells what is left", async () => {
    const { api, user } = await toPin();
    expect(api.merchant.lookupQr).not.toHaveBeenCalled();
    expect(screen.getByText("Geef het apparaat aan de klant om de pincode in te typen.")).toBeInTheDocument();
    expect(screen.queryByText("Anna")).not.toBeInTheDocument();
    api.cards.unlock!.mockResolvedValue(UNLOCKED);
    await user.type(screen.getByLabelText("Pincode (5 cijfers)"), "12345");
    await user.click(screen.getByRole("button", { name: "Pincode bevestigen" }));
    expect(api.cards.unlock).toHaveBeenCalledWith({ card: CARD, pin: "12345" });
    api.cards.charge!.mockResolvedValue(RECEIPT);
    await user.click(await screen.findByRole("button", { name: "Betaal €\u00a012,50 van het tegoed van Bram" }));
    await screen.findByRole("heading", { name: "Betaald" });
    expect(screen.getByTestId("charge-result")).toHaveTextContent("Nog over op het budget: € 30,00");
    expect(api.cards.charge).toHaveBeenCalledExactlyOnceWith(
      { card: CARD, pin: "12345", amountCents: 12_50, childId: UNLOCKED.children[1]!.childId }, expect.stringMatching(/^[0-9a-f-]{36}$/),
    );
  });

  it("a wrong PIN may be typed again; a blocked card ends the turn with its own words (en)", async () => {
    const { api, user } = await toPin("en");
    api.cards.unlock!.mockRejectedValueOnce(refusal("CARD_PIN_WRONG")).mockRejectedValueOnce(refusal("CARD_BLOCKED"));
    await user.type(screen.getByLabelText("PIN (5 digits)"), "11111");
    await user.click(screen.getByRole("button", { name: "Confirm PIN" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong PIN — let the customer try again.");
    await user.clear(screen.getByLabelText("PIN (5 digits)"));
    await user.type(screen.getByLabelText("PIN (5 digits)"), "22222");
    await user.click(screen.getByRole("button", { name: "Confirm PIN" }));
    await screen.findByRole("heading", { name: "Refused" });
    expect(screen.getByRole("status")).toHaveTextContent("This card is blocked — the customer can call the municipality (number on the card).");
  });
});
