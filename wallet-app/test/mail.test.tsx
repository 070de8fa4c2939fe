// The email screen: give an address, choose the optional mails, remove the address again.
import { describe, expect, it, vi } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { MailPage } from "../src/features/mail/mail-page.tsx";
import type { MailSettings } from "../src/lib/api.ts";
import { renderWithI18n } from "./fixtures.tsx";

const OFF: MailSettings = {
  email: null,
  optional: [{ kind: "budget_topped_up", on: true }, { kind: "budget_expiring", on: true }, { kind: "payment_receipt", on: false }],
  language: "nl",
};

describe("MailPage", () => {
  it("saves an address with receipts switched on, and says where mails go", async () => {
    const api = {
      mailSettings: vi.fn(async () => OFF),
      updateMailSettings: vi.fn(async (change: { email?: string | null; optional?: Record<string, boolean> }) => ({
        email: change.email ?? null, optional: OFF.optional.map((o) => ({ ...o, on: change.optional?.[o.kind] ?? o.on })), language: OFF.language,
      })),
    };
    renderWithI18n(<MailPage api={api} />, "en");
    const receipt = await screen.findByRole("checkbox", { name: "a receipt for every payment" });
    expect(receipt).toBeDisabled(); // no address yet
    await userEvent.type(screen.getByLabelText("Email address (optional)"), "ouder@example.org");
    await userEvent.click(receipt);
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Saved. Mails go to ouder@example.org.");
    expect(api.updateMailSettings).toHaveBeenCalledWith({
      email: "ouder@example.org", optional: { budget_topped_up: true, budget_expiring: true, payment_receipt: true },
    });
    expect(screen.getByRole("checkbox", { name: "a receipt for every payment" })).toBeChecked();
    expect(screen.getByText(/we always tell you by email/)).toBeInTheDocument();
  });

  it("removes the address when the field is emptied (in Dutch)", async () => {
    const api = {
      mailSettings: vi.fn(async () => ({ ...OFF, email: "ouder@example.org" })),
      updateMailSettings: vi.fn(async () => OFF),
    };
    renderWithI18n(<MailPage api={api} />, "nl");
    const field = await screen.findByLabelText("E-mailadres (niet verplicht)");
    await waitFor(() => expect(field).toHaveValue("ouder@example.org"));
    await userEvent.clear(field);
    await userEvent.click(screen.getByRole("button", { name: "Opslaan" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Opgeslagen. U krijgt geen e-mail.");
    expect(api.updateMailSettings).toHaveBeenCalledWith(expect.objectContaining({ email: null }));
  });
});
