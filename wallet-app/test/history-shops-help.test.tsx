import { describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { HistoryPage } from "../src/features/history/history-page.tsx";
import { HelpPage } from "../src/features/help/help-page.tsx";
import { ShopsPage } from "../src/features/shops/shops-page.tsx";
import { apiError, child, fakeApi, plain, renderWithI18n } from "./fixtures.tsx";

describe("history", () => {
  it("lists payments and refunds with date, shop and amount, newest first", () => {
    renderWithI18n(<HistoryPage back={<a href="/">terug</a>} child={child({
      balanceCents: 267_50,
      history: [
        { type: "refund", paymentId: "p1", merchant: "0x1", merchantName: "Sportwinkel De Bal", amountCents: 10_00, at: "2026-11-21T10:15:00Z", txHash: "0xb" },
        { type: "payment", paymentId: "p1", merchant: "0x1", merchantName: "Sportwinkel De Bal", amountCents: 42_50, at: "2026-11-20T09:00:00Z", txHash: "0xa" },
        { type: "payment", paymentId: "p0", merchant: "0x2", merchantName: null, amountCents: 50, at: "2026-11-19T09:00:00Z", txHash: "0x9" },
      ],
    })} />);
    expect(screen.getByRole("heading", { name: "Bestedingen van Anna" })).toBeInTheDocument();
    const items = screen.getAllByRole("listitem").map((li) => plain(li.textContent));
    expect(items[0]).toMatch(/^Sportwinkel De Bal21 november 2026 om 11:15( CET)?Terugbetaling\+ € 10,00$/);
    expect(items[1]).toMatch(/^Sportwinkel De Bal20 november 2026 om 10:00( CET)?Betaling− € 42,50$/);
    expect(items[2]).toContain("Winkel (naam onbekend)");
  });

  it("shows each payment on the fund's own clock: a fund on Bonaire, a late evening there", () => {
    renderWithI18n(<HistoryPage back={null} child={child({
      fund: { ...child().fund, timeZone: "America/Kralendijk" },
      history: [{ type: "payment", paymentId: "p1", merchant: "0x1", merchantName: "Snoa", amountCents: 5_00, at: "2027-03-01T02:30:00Z", txHash: "0xa" }],
    })} />);
    // 02:30 UTC is 28 February, 22:30 on Bonaire (and already 1 March, 03:30 in Amsterdam).
    expect(plain(screen.getByRole("listitem").textContent)).toMatch(/28 februari 2027 om 22:30/);
  });

  it("says when nothing was spent yet", () => {
    renderWithI18n(<HistoryPage back={null} child={child()} />);
    expect(screen.getByText("Nog niets besteed.")).toBeInTheDocument();
  });
});

describe("shops", () => {
  it("groups the shops by category and finds them by name, place or kind", async () => {
    const api = fakeApi();
    renderWithI18n(<ShopsPage api={api} fundId="f1" />);
    expect(await screen.findByText("3 winkels")).toBeInTheDocument();
    expect(api.shops).toHaveBeenCalledWith("f1");
    const sport = screen.getByRole("region", { name: "Sport" });
    expect(within(sport).getByText("Sportwinkel De Bal")).toBeInTheDocument();
    expect(within(screen.getByRole("region", { name: "Speelgoed" })).getByText("Boekhandel Lees")).toBeInTheDocument();

    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Zoek een winkel, plaats of soort"), "grijpskerk");
    expect(screen.getByText("1 winkel")).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Fietsen" })).toBeInTheDocument();
    expect(screen.queryByText("Sportwinkel De Bal")).toBeNull();
    await user.clear(screen.getByLabelText("Zoek een winkel, plaats of soort"));
    await user.type(screen.getByLabelText("Zoek een winkel, plaats of soort"), "boeken");
    expect(screen.getByText("1 winkel")).toBeInTheDocument();
  });

  it("offline: a translated error and a retry that works", async () => {
    const shops = vi.fn().mockRejectedValueOnce(apiError("NETWORK", 0)).mockResolvedValue([]);
    renderWithI18n(<ShopsPage api={fakeApi({ shops })} />, "en");
    expect(await screen.findByRole("alert")).toHaveTextContent("No internet connection. Try again when you are online.");
    await userEvent.setup().click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("No shops found.")).toBeInTheDocument();
  });
});

describe("help", () => {
  it("explains a lost phone: ask the municipality, activate the new phone, the old one stops working", () => {
    renderWithI18n(<HelpPage />);
    expect(screen.getByRole("heading", { name: "Telefoon kwijt of kapot?" })).toBeInTheDocument();
    expect(screen.getByText(/de oude telefoon niet meer/)).toBeInTheDocument();
  });
});
