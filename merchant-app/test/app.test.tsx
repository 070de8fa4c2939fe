import { beforeEach, describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { App } from "../src/app/app.tsx";
import { fakeApi, refusal, renderWith } from "./support/render.tsx";

const ME = {
  user: { id: "5a0c8f52-64d5-4c8e-a7c4-2f1b3b8c9d10", merchantId: "3d6f0a2b-8c1e-4f5a-9b7d-2e4c6a8b0d1f", email: "kassa@debal.example", createdAt: "2026-11-01T10:00:00.000Z" },
  merchant: { id: "3d6f0a2b-8c1e-4f5a-9b7d-2e4c6a8b0d1f", name: "Sportwinkel De Bal", status: "approved", categories: ["sport"], funds: [] },
  csrfToken: "csrf",
  expiresAt: "2026-11-23T20:00:00.000Z",
};

beforeEach(() => {
  localStorage.clear();
  window.history.replaceState(null, "", "/");
});

describe("App", () => {
  it("without a session shows the login; logging in opens the till with the shop's name", async () => {
    const api = fakeApi();
    api.merchant.me!.mockRejectedValueOnce(refusal("UNAUTHENTICATED")).mockResolvedValue(ME);
    api.merchant.login!.mockResolvedValue({ user: ME.user, csrfToken: "csrf", expiresAt: ME.expiresAt });
    renderWith(<App />, { api });
    const user = userEvent.setup();
    await screen.findByRole("heading", { name: "Inloggen", level: 1 });
    await user.type(screen.getByLabelText("E-mailadres"), "kassa@debal.example");
    await user.type(screen.getByLabelText("Wachtwoord"), "geheim wachtwoord");
    await user.click(screen.getByRole("button", { name: "Inloggen" }));
    expect(api.merchant.login).toHaveBeenCalledWith({ email: "kassa@debal.example", password: "geheim wachtwoord" });
    await screen.findByRole("heading", { name: "Afrekenen", level: 1 });
    expect(await screen.findByText("Sportwinkel De Bal")).toBeInTheDocument();
  });

  it("a wrong password is said in words", async () => {
    const api = fakeApi();
    api.merchant.me!.mockRejectedValue(refusal("UNAUTHENTICATED"));
    api.merchant.login!.mockRejectedValue(refusal("UNAUTHENTICATED"));
    renderWith(<App />, { api });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("E-mailadres"), "kassa@debal.example");
    await user.type(screen.getByLabelText("Wachtwoord"), "fout");
    await user.click(screen.getByRole("button", { name: "Inloggen" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("E-mailadres of wachtwoord klopt niet.");
  });

  it("restores the session after a reload, moves between screens and logs out", async () => {
    const api = fakeApi();
    api.merchant.me!.mockResolvedValue(ME);
    api.merchant.payments!.mockResolvedValue({ payments: [], totals: { count: 0, amountCents: 0, refundedCents: 0, netCents: 0 } });
    api.merchant.payouts!.mockResolvedValue({ bank: { name: "simulated", label: "simulated" }, payouts: [], owed: [] });
    renderWith(<App />, { api });
    const user = userEvent.setup();
    await screen.findByRole("heading", { name: "Afrekenen", level: 1 });
    const nav = screen.getByRole("navigation", { name: "Hoofdmenu" });
    expect(within(nav).getAllByRole("link").map((a) => a.textContent)).toEqual(["Afrekenen", "Betalingen", "Uitbetalingen", "Collega's"]);
    expect(within(nav).getByRole("link", { name: "Afrekenen" })).toHaveAttribute("aria-current", "page");

    await user.click(within(nav).getByRole("link", { name: "Betalingen" }));
    await screen.findByText("Geen betalingen in deze periode.");
    expect(window.location.pathname).toBe("/payments");
    await user.click(within(nav).getByRole("link", { name: "Uitbetalingen" }));
    await screen.findByText("Nog geen uitbetalingen.");
    await user.click(within(nav).getByRole("link", { name: "Collega's" }));
    await screen.findByRole("heading", { name: "Collega toevoegen" });

    await user.click(screen.getByRole("button", { name: "Uitloggen" }));
    expect(api.merchant.logout).toHaveBeenCalled();
    await screen.findByRole("heading", { name: "Inloggen", level: 1 });
  });

  it("shows the payments on the clock of the shop's fund (Bonaire's, UTC-4)", async () => {
    const api = fakeApi();
    const link = { fundId: "0b8f5f3e-7c1d-4a43-9b1e-5a7c3d2e1f00", categoriesMask: 1, approvedAt: "2026-11-01T10:00:00.000Z", approveTxHash: "0xaa", suspendedAt: null, timeZone: "America/Kralendijk" };
    api.merchant.me!.mockResolvedValue({ ...ME, merchant: { ...ME.merchant, funds: [link] } });
    api.merchant.payments!.mockResolvedValue({
      payments: [{ paymentId: `0x${"11".repeat(32)}`, fundId: link.fundId, amountCents: 12_00, refundedCents: 0, txHash: "0xbb", paidAt: "2026-11-23T10:15:00.000Z", confirmed: true }],
      totals: { count: 1, amountCents: 12_00, refundedCents: 0, netCents: 12_00 },
    });
    window.history.replaceState(null, "", "/payments");
    renderWith(<App />, { api });
    const [item] = within(await screen.findByRole("list", { name: "Betalingen" })).getAllByRole("listitem");
    expect(item).toHaveTextContent("06:15");
    expect(api.merchant.payments!.mock.calls[0]![0].from).toMatch(/T04:00:00\.000Z$/);
  });

  it("switches to English and remembers it; the page language follows", async () => {
    const api = fakeApi();
    api.merchant.me!.mockResolvedValue(ME);
    renderWith(<App />, { api });
    const user = userEvent.setup();
    await screen.findByRole("heading", { name: "Afrekenen", level: 1 });
    // Signed in, the header names the current language; the list opens from it.
    expect(screen.queryByRole("group", { name: "Taal" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Taal: Nederlands" }));
    await user.click(within(screen.getByRole("group", { name: "Taal" })).getByRole("button", { name: "English" }));
    await screen.findByRole("heading", { name: "Charge", level: 1 });
    expect(document.documentElement.lang).toBe("en");
    expect(localStorage.getItem("tegoed.till.language")).toBe("en");
    await user.click(screen.getByRole("button", { name: "Language: English" }));
    expect(within(screen.getByRole("group", { name: "Language" })).getByRole("button", { name: "English" })).toHaveAttribute("aria-pressed", "true");
    // Left open, the list closes on another screen.
    await user.click(within(screen.getByRole("navigation")).getByRole("link", { name: "Payments" }));
    expect(screen.queryByRole("group", { name: "Language" })).toBeNull();
  });
});
