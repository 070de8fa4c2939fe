import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { I18nextProvider } from "react-i18next";
import { ApiError, ERROR_CODE_LIST, type PublicFund } from "@tegoed/sdk";
import nl from "../src/i18n/nl.json" with { type: "json" };
import en from "../src/i18n/en.json" with { type: "json" };
import { errorText } from "../src/lib/errors.ts";
import { centsToDecimal, formatCents, parseEuros } from "../src/lib/money.ts";
import { createI18n } from "../src/lib/i18n.ts";
import { PublicPage, fetchPublicFunds, fundIdInPath } from "../src/public/PublicPage.tsx";

describe("money", () => {
  it("reads amounts as staff type them, in whole cents", () => {
    expect(["12,50", "12.50", "€ 1.234,56", "1,234.56", "300", "0,5", "10.000,00"].map(parseEuros)).toEqual([1250, 1250, 123456, 123456, 30000, 50, 1000000]);
    expect(["", "abc", "1,2,3", "-5"].map(parseEuros)).toEqual([null, null, null, null]);
  });

  it("formats cents exactly, per language", () => {
    expect(centsToDecimal(9_007_199_254_740_991)).toBe("90071992547409.91");
    expect(formatCents(123456, "nl")).toBe("€\u00a01.234,56"); // Intl puts a no-break space after the sign
    expect(formatCents(123456, "en")).toBe("€1,234.56");
  });
});

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
    expect(big).toHaveTextContent("0x1111111111111111111111111111111111111111");
    expect(big).toHaveTextContent("Read at block1,234");
    // Not real time: the page says the amounts are of the last full hour.
    expect(big).toHaveTextContent(/Amounts as of .*\b(12|13):00\b.*updated every full hour/);
    const small = screen.getByRole("region", { name: "Klein" });
    expect(small).toHaveTextContent("Children with a budgetfewer than 10");
    expect(small).toHaveTextContent("Total budgetnot shown");
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
    }
    const t = createI18n("nl").t;
    expect(errorText(t, new ApiError("BUDGET_FROZEN", 422, "server words"))).toBe("Dit tegoed is bevroren.");
    expect(errorText(t, new Error("boom"))).toBe("Er ging bij ons iets mis. Probeer het later opnieuw.");
  });
});
