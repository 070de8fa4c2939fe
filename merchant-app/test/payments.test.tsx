import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { PaymentsScreen } from "../src/features/payments/payments-screen.tsx";
import { paymentsCsv } from "../src/features/payments/csv.ts";
import { periodQuery, today } from "../src/features/payments/period.ts";
import { shopTimeZone, type ShopMe } from "../src/lib/shop-api.ts";
import { fakeApi, refusal, renderWith } from "./support/render.tsx";

const P1 = `0x${"11".repeat(32)}`;
const P2 = `0x${"22".repeat(32)}`;
const LIST = {
  payments: [
    { paymentId: P1, fundId: "0b8f5f3e-7c1d-4a43-9b1e-5a7c3d2e1f00", amountCents: 20_00, refundedCents: 0, txHash: "0xaa", paidAt: "2026-11-23T10:15:00.000Z", confirmed: true },
    { paymentId: P2, fundId: "0b8f5f3e-7c1d-4a43-9b1e-5a7c3d2e1f00", amountCents: 5_05, refundedCents: 5_05, txHash: "0xbb", paidAt: "2026-11-23T09:00:00.000Z", confirmed: false },
  ],
  totals: { count: 2, amountCents: 25_05, refundedCents: 5_05, netCents: 20_00 },
};

describe("PaymentsScreen", () => {
  it("shows today's payments with totals; a fully refunded one has no refund button", async () => {
    const api = fakeApi();
    api.merchant.payments!.mockResolvedValue(LIST);
    renderWith(<PaymentsScreen />, { api });
    expect(await screen.findByTestId("net-total")).toHaveTextContent("€ 20,00");
    expect(screen.getByText("€ 25,05")).toBeInTheDocument();
    const items = within(screen.getByRole("list", { name: "Betalingen" })).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    expect(within(items[0]!).getByRole("button", { name: /Terugbetalen: €\u00a020,00/ })).toBeInTheDocument();
    expect(within(items[1]!).queryByRole("button")).toBeNull();
    expect(items[1]).toHaveTextContent("Helemaal terugbetaald");
    const [query] = api.merchant.payments!.mock.calls[0]!;
    expect(new Date(query.to).getTime() - new Date(query.from).getTime()).toBe(24 * 3600_000);
  });

  it("refunds part of a payment, refuses more than is left, and reloads the list", async () => {
    const api = fakeApi();
    api.merchant.payments!.mockResolvedValue(LIST);
    api.merchant.refund!.mockResolvedValue({ paymentId: P1, amountCents: 2_50, refundableCents: 17_50, txHash: "0xcc" });
    renderWith(<PaymentsScreen />, { api });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: /Terugbetalen: €\u00a020,00/ }));
    const amount = screen.getByLabelText("Bedrag terug in euro");
    await user.type(amount, "20,01");
    await user.click(screen.getByRole("button", { name: "Terugbetalen" }));
    expect(screen.getByRole("alert")).toHaveTextContent("Meer dan nog terug kan: maximaal € 20,00.");
    expect(api.merchant.refund).not.toHaveBeenCalled();
    await user.clear(amount);
    await user.type(amount, "2.5");
    await user.click(screen.getByRole("button", { name: "Terugbetalen" }));
    // Nothing goes back before the shop confirms the amount.
    expect(screen.getByText("€ 2,50 terugbetalen aan dit tegoed?")).toBeInTheDocument();
    expect(api.merchant.refund).not.toHaveBeenCalled();
    api.merchant.payments!.mockResolvedValue({
      ...LIST, payments: [{ ...LIST.payments[0]!, refundedCents: 2_50 }, LIST.payments[1]!],
    });
    await user.keyboard("{Enter}"); // the focus is on "Ja, € 2,50 terugbetalen"
    expect(await screen.findByText("€ 2,50 is teruggezet op het budget.")).toBeInTheDocument();
    expect(api.merchant.refund).toHaveBeenCalledExactlyOnceWith(P1, { amountCents: 2_50 });
    expect(api.merchant.payments).toHaveBeenCalledTimes(2);
    // The payment now says what went back and what still can.
    const first = within(screen.getByRole("list", { name: "Betalingen" })).getAllByRole("listitem")[0]!;
    expect(await within(first).findByTestId("refund-state")).toHaveTextContent("Terugbetaald: € 2,50 · nog terug te betalen: € 17,50");
    expect(within(first).getByRole("button", { name: /Terugbetalen \(nog €\u00a017,50\)/ })).toBeInTheDocument();
  });

  it("refunds the whole rest when the amount is left empty, and shows a refusal in words", async () => {
    const api = fakeApi();
    api.merchant.payments!.mockResolvedValue(LIST);
    api.merchant.refund!.mockRejectedValue(refusal("RECEIVABLE_INSUFFICIENT"));
    renderWith(<PaymentsScreen />, { api, language: "en" });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: /Refund: €20.00/ }));
    await user.click(screen.getByRole("button", { name: "Refund" }));
    expect(screen.getByText("Refund €20.00 to this budget?")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "No, do not refund" }));
    expect(api.merchant.refund).not.toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Refund" }));
    await user.click(screen.getByRole("button", { name: "Yes, refund €20.00" }));
    expect(api.merchant.refund).toHaveBeenCalledWith(P1, { amountCents: 20_00 });
    expect(await screen.findByRole("alert")).toHaveTextContent("already been paid out to you");
  });

  it("asks for another period", async () => {
    const api = fakeApi();
    api.merchant.payments!.mockResolvedValue(LIST);
    renderWith(<PaymentsScreen />, { api });
    const user = userEvent.setup();
    await screen.findByTestId("net-total");
    const from = screen.getByLabelText("Van");
    await user.clear(from);
    await user.type(from, "2026-11-01");
    await user.click(screen.getByRole("button", { name: "Toon periode" }));
    expect(await screen.findByRole("heading", { name: /2026-11-01 tot en met/ })).toBeInTheDocument();
    expect(api.merchant.payments!.mock.calls.at(-1)![0]).toEqual(periodQuery({ from: "2026-11-01", to: screen.getByLabelText<HTMLInputElement>("Tot en met").value }));
  });
});

describe("paymentsCsv", () => {
  it("writes one row per payment in plain decimals, then the totals", () => {
    expect(paymentsCsv(LIST)).toBe(
      "\uFEFFpaid_at,payment_id,amount_eur,refunded_eur,net_eur,confirmed,tx_hash\r\n" +
        `2026-11-23T10:15:00.000Z,${P1},20.00,0.00,20.00,yes,0xaa\r\n` +
        `2026-11-23T09:00:00.000Z,${P2},5.05,5.05,0.00,no,0xbb\r\n` +
        "total,2,25.05,5.05,20.00,,\r\n",
    );
  });
});

describe("periods on the fund's clock (Europe/Amsterdam), whatever zone the till's device keeps", () => {
  it("turns days into the API's [from, to): from the first day's midnight to the midnight after the last", () => {
    expect(periodQuery({ from: "2026-11-01", to: "2026-11-23" })).toEqual({ from: "2026-10-31T23:00:00.000Z", to: "2026-11-23T23:00:00.000Z" });
    // The night summer time starts: that day has 23 hours.
    expect(periodQuery({ from: "2026-03-29", to: "2026-03-29" })).toEqual({ from: "2026-03-28T23:00:00.000Z", to: "2026-03-29T22:00:00.000Z" });
  });

  it("today is Amsterdam's day: half past midnight there is already tomorrow in UTC terms", () => {
    expect(today(new Date("2026-11-23T23:30:00Z"))).toEqual({ from: "2026-11-24", to: "2026-11-24" });
    expect(today(new Date("2026-11-23T22:59:59Z"))).toEqual({ from: "2026-11-23", to: "2026-11-23" });
  });
});

describe("a shop of a fund that keeps another clock (Bonaire: America/Kralendijk, UTC-4)", () => {
  const BONAIRE = "America/Kralendijk";

  it("asks for that zone's day and shows the payments' times on it", async () => {
    const api = fakeApi();
    api.merchant.payments!.mockResolvedValue(LIST);
    renderWith(<PaymentsScreen timeZone={BONAIRE} />, { api });
    const items = within(await screen.findByRole("list", { name: "Betalingen" })).getAllByRole("listitem");
    // 10:15 UTC is 06:15 on Bonaire (in Amsterdam it would be 11:15).
    expect(items[0]).toHaveTextContent("06:15");
    expect(items[0]).not.toHaveTextContent("11:15");
    const [query] = api.merchant.payments!.mock.calls[0]!;
    expect(query.from).toMatch(/T04:00:00\.000Z$/);
    expect(new Date(query.to).getTime() - new Date(query.from).getTime()).toBe(24 * 3600_000);
  });

  it("turns days into that zone's midnights, and today is that zone's day", () => {
    expect(periodQuery({ from: "2026-11-01", to: "2026-11-23" }, BONAIRE)).toEqual({ from: "2026-11-01T04:00:00.000Z", to: "2026-11-24T04:00:00.000Z" });
    // 02:00 UTC is still the evening before on Bonaire, and already the next morning in Amsterdam.
    expect(today(new Date("2026-11-24T02:00:00Z"), BONAIRE)).toEqual({ from: "2026-11-23", to: "2026-11-23" });
    expect(today(new Date("2026-11-24T02:00:00Z"))).toEqual({ from: "2026-11-24", to: "2026-11-24" });
  });

  it("takes the clock of the first fund the shop may take payments from, else the default", () => {
    const link = (timeZone: string, suspendedAt: string | null) => ({
      fundId: "0b8f5f3e-7c1d-4a43-9b1e-5a7c3d2e1f00", categoriesMask: 1, approvedAt: "2026-01-01T00:00:00.000Z", approveTxHash: "0xaa", suspendedAt, timeZone,
    });
    const me = (funds: ReturnType<typeof link>[]) => ({ merchant: { funds } }) as unknown as ShopMe;
    expect(shopTimeZone(me([link("Europe/Amsterdam", "2026-02-01T00:00:00.000Z"), link(BONAIRE, null)]))).toBe(BONAIRE);
    expect(shopTimeZone(me([link(BONAIRE, "2026-02-01T00:00:00.000Z")]))).toBe(BONAIRE);
    expect(shopTimeZone(me([]))).toBe("Europe/Amsterdam");
    expect(shopTimeZone(null)).toBe("Europe/Amsterdam");
  });
});
