import { afterEach, describe, expect, it, vi } from "vitest";
import { act, render, screen, within } from "@testing-library/react";
import { I18nextProvider } from "react-i18next";
import { ApiError, ERROR_CODE_LIST, REJECTION_CODES, type PublicFund } from "@tegoed/sdk";
import nl from "../src/i18n/nl.json" with { type: "json" };
import en from "../src/i18n/en.json" with { type: "json" };
import { errorText } from "../src/lib/errors.ts";
import { createI18n } from "../src/i18n/index.ts";
import { PublicPage, fetchPublicFunds, fundIdInPath } from "../src/public/PublicPage.tsx";
import { Figures } from "../src/features/dashboard/DashboardPage.tsx";

const FUND_ID = "0b8f5f3e-7c1d-4a43-9b1e-5a7c3d2e1f00";
const fund = (overrides: Partial<PublicFund>): PublicFund => ({
  id: "0b8f5f3e-7c1d-4a43-9b1e-5a7c3d2e1f00", name: "Kindpakket 2027", currency: "EUR", budgetExpiry: "2027-12-31", amountPerChildCents: 300_00,
  children: 12, totalBudgetCents: 3600_00, spentCents: 150_00, paidToShopsCents: 100_00, shops: 3, byCategory: [{ category: "sport", spentCents: 150_00 }],
  contracts: { factory: "0x2222222222222222222222222222222222222222", fund: "0x1111111111111111111111111111111111111111" }, blockNumber: 1234,
  generatedAt: "2026-11-23T12:34:00.000Z", asOf: "2026-11-23T12:00:00.000Z", ...overrides,
});

describe("the public page", () => {
  it("shows the totals, the contracts and the block; a small fund only as 'fewer than 10' without amounts", async () => {
    const load = () => Promise.resolve({ funds: [fund({}), fund({ id: "1b8f5f3e-7c1d-4a43-9b1e-5a7c3d2e1f00", name: "Klein", children: "<10", totalBudgetCents: null, spentCents: null, paidToShopsCents: null, byCategory: [] })] });
    render(<I18nextProvider i18n={createI18n("en")}><PublicPage load={load} /></I18nextProvider>);
    const big = await screen.findByRole("region", { name: "Kindpakket 2027" });
    expect(big).toHaveTextContent("Total budget€3,600.00");
    // "Spent" here is net of refunds, and says so (the dashboard shows gross and net apart).
    expect(big).toHaveTextContent("Spent (net, after refunds)€150.00");
    expect(big).toHaveTextContent("0x1111111111111111111111111111111111111111");
    expect(big).toHaveTextContent("Read at block1,234");
    // Not real time: the page says the amounts are of the last full hour.
    expect(big).toHaveTextContent(/Amounts as of .*\b(12|13):00\b.*updated every full hour/);
    const small = screen.getByRole("region", { name: "Klein" });
    expect(small).toHaveTextContent("Children with a budgetfewer than 10");
    expect(small).toHaveTextContent("Total budgetnot shown");
  });
});

describe("spent, on the dashboard and the public page", () => {
  it("is gross and net apart on the dashboard, net on the public page: the same word means the same", async () => {
    const d = {
      fundId: FUND_ID, currency: "EUR", families: 12, familiesApproved: 12, familiesActivated: 10, children: 12, budgets: 12, budgetsFrozen: 0, budgetsPending: 0,
      issuedCents: 3600_00, spentCents: 160_00, refundedCents: 10_00, leftCents: 3450_00, paidOutCents: 100_00, owedToShopsCents: 50_00, shops: 3,
      interval: "day" as const, byCategory: [], byShop: [], otherShops: { shops: 0, payments: 0, spentCents: 0, refundedCents: 0 }, overTime: [], generatedAt: "2026-11-23T12:00:00.000Z",
    };
    render(<I18nextProvider i18n={createI18n("en")}><Figures d={d} /></I18nextProvider>);
    expect(document.querySelector('[data-figure="spent"]')).toHaveTextContent("Spent (gross)€160.00");
    expect(document.querySelector('[data-figure="net"]')).toHaveTextContent("Spent (net, after refunds)€150.00");
  });
});

describe("the public page's categories", () => {
  it("are shown by their label in the page's language, never as the stored key", async () => {
    const load = () => Promise.resolve({ funds: [fund({ byCategory: [{ category: "books", spentCents: 90_00 }, { category: "other", spentCents: 60_00 }] })] });
    render(<I18nextProvider i18n={createI18n("nl")}><PublicPage load={load} /></I18nextProvider>);
    const table = await screen.findByRole("table", { name: nl.public.byCategory });
    const rows = within(table).getAllByRole("rowheader").map((c) => c.textContent);
    expect(rows).toEqual(["Boeken", nl.public.other]);
    // The page says how many payments a category needs to be shown apart.
    expect(screen.getByText(/Een categorie staat hier apart zodra minstens 5 verschillende gezinnen erin betaalden/)).toBeInTheDocument();
  });
});

describe("the public page's refresh", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("reads the figures once, then every 30 s while shown and never while the tab is hidden", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "performance", "Date"] });
    let reads = 0;
    vi.stubGlobal("fetch", async () => {
      reads++;
      return new Response(JSON.stringify({ funds: [fund({})] }), { status: 200 });
    });
    let hidden = false;
    Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
    const setHidden = (value: boolean) => act(() => {
      hidden = value;
      document.dispatchEvent(new Event("visibilitychange"));
    });
    render(<I18nextProvider i18n={createI18n("en")}><PublicPage /></I18nextProvider>);
    await act(() => vi.advanceTimersByTimeAsync(29_000));
    expect(screen.getByRole("region", { name: "Kindpakket 2027" })).toBeInTheDocument();
    expect(reads).toBe(1);
    await act(() => vi.advanceTimersByTimeAsync(1_500));
    expect(reads).toBe(2);

    setHidden(true);
    await act(() => vi.advanceTimersByTimeAsync(10 * 60_000));
    expect(reads).toBe(2);
    // Shown again after a long while: read at once, then on the half-minute again.
    setHidden(false);
    await act(() => vi.advanceTimersByTimeAsync(100));
    expect(reads).toBe(3);
    // Hiding and showing the tab quickly does not read more often.
    setHidden(true);
    setHidden(false);
    await act(() => vi.advanceTimersByTimeAsync(29_000));
    expect(reads).toBe(3);
    delete (document as { hidden?: boolean }).hidden;
  });
});

describe("the public page's address", () => {
  it("/public/<fund id> asks for that fund only; /public/ for all", async () => {
    const id = "0b8f5f3e-7c1d-4a43-9b1e-5a7c3d2e1f00";
    expect([fundIdInPath(`/public/${id}`), fundIdInPath("/public/"), fundIdInPath("/public/x")]).toEqual([id, null, null]);
    const asked: string[] = [];
    const fetcher = (async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify(url.endsWith(id) ? fund({}) : { funds: [] }), { status: 200 });
    }) as unknown as typeof fetch;
    expect((await fetchPublicFunds(fetcher, `/public/${id}`)).funds).toHaveLength(1);
    expect((await fetchPublicFunds(fetcher, "/public/")).funds).toHaveLength(0);
    expect(asked).toEqual([`/api/public/funds/${id}`, "/api/public/funds"]);
  });
});

describe("error texts", () => {
  it("has our own Dutch and English words for every API error code", () => {
    for (const language of [nl, en] as const) {
      const errors = (language as { errors: Record<string, string> }).errors;
      expect(ERROR_CODE_LIST.filter((code) => !errors[code])).toEqual([]);
      // The reasons the backend gives for a rejected import row, too.
      const reasons = (language as { eligibility: { reasons: Record<string, string> } }).eligibility.reasons;
      expect(REJECTION_CODES.filter((code) => !reasons[code])).toEqual([]);
    }
    const t = createI18n("nl").t;
    expect(errorText(t, new ApiError("BUDGET_FROZEN", 422, "server words"))).toBe("Dit tegoed is bevroren.");
    expect(errorText(t, new Error("boom"))).toBe("Er ging bij ons iets mis. Probeer het later opnieuw.");
  });
});
