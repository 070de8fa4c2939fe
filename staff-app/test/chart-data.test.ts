import { describe, expect, it } from "vitest";
import type { Dashboard } from "@tegoed/sdk";
import { allShopPoints, categoryPoints, centsCell, pointsTable, shopPoints, timeCategories, timePoints } from "../src/features/dashboard/chart-data.ts";

const line = (payments: number, spentCents: number, refundedCents = 0) => ({ payments, spentCents, refundedCents });

function dashboard(overrides: Partial<Dashboard> = {}): Dashboard {
  return {
    fundId: "0b8f5f3e-7c1d-4a43-9b1e-5a7c3d2e1f00", currency: "EUR", families: 3, familiesApproved: 3, familiesActivated: 2, children: 4, budgets: 4,
    budgetsFrozen: 0, budgetsPending: 0, issuedCents: 1200_00, spentCents: 0, refundedCents: 0, leftCents: 1200_00, paidOutCents: 0, owedToShopsCents: 0, shops: 2,
    interval: "day", byCategory: [], byShop: [], otherShops: { shops: 0, ...line(0, 0) }, overTime: [], generatedAt: "2026-11-23T12:00:00.000Z", ...overrides,
  };
}

describe("categoryPoints", () => {
  it("nets refunds out and puts the largest first", () => {
    const points = categoryPoints(dashboard({ byCategory: [{ category: "books", ...line(2, 30_00) }, { category: "sport", ...line(3, 60_00, 5_00) }] }));
    expect(points.map((p) => [p.label, p.netCents, p.payments])).toEqual([["sport", 55_00, 3], ["books", 30_00, 2]]);
  });
});

describe("shopPoints", () => {
  const shops = [10, 50, 30, 20].map((euros, i) => ({ merchantId: null, name: `Shop ${i}`, address: `0x${i}`, ...line(1, euros * 100, i === 2 ? 5_00 : 0) }));

  it("shows the named shops by net spending and the other shops as one line", () => {
    const points = shopPoints(dashboard({ byShop: shops.slice(1, 3), otherShops: { shops: 2, ...line(2, 30_00) } }), "2 other shops");
    expect(points.map((p) => [p.label, p.netCents, p.payments])).toEqual([["Shop 1", 50_00, 1], ["Shop 2", 25_00, 1], ["2 other shops", 30_00, 2]]);
  });

  it("has no line for other shops when the dashboard named every shop", () => {
    expect(shopPoints(dashboard({ byShop: shops })).map((p) => p.label)).toEqual(["Shop 1", "Shop 2", "Shop 3", "Shop 0"]);
  });

  it("lists every shop of the export, the largest net spending first", () => {
    expect(allShopPoints(shops).map((p) => [p.label, p.netCents])).toEqual([["Shop 1", 50_00], ["Shop 2", 25_00], ["Shop 3", 20_00], ["Shop 0", 10_00]]);
  });
});

describe("timePoints", () => {
  it("fills days without payments with zero and adds a running total", () => {
    const d = dashboard({
      overTime: [
        { period: "2027-03-06", ...line(3, 60_00, 5_00), categories: { sport: 40_00, books: 15_00 } },
        { period: "2027-03-08", ...line(1, 15_00), categories: { books: 15_00 } },
      ],
    });
    const points = timePoints(d);
    expect(points.map((p) => [p.label, p.netCents, p.cumulativeCents])).toEqual([
      ["2027-03-06", 55_00, 55_00],
      ["2027-03-07", 0, 55_00],
      ["2027-03-08", 15_00, 70_00],
    ]);
    // Every period names every category, so stacked bars line up; the largest category comes first.
    expect(timeCategories(d)).toEqual(["sport", "books"]);
    expect(points.map((p) => p.categories)).toEqual([{ sport: 40_00, books: 15_00 }, { sport: 0, books: 0 }, { sport: 0, books: 15_00 }]);
  });

  it("steps by weeks for a weekly dashboard, and is empty without payments", () => {
    const weekly = timePoints(dashboard({ interval: "week", overTime: [{ period: "2027-03-01", ...line(1, 1_00), categories: {} }, { period: "2027-03-15", ...line(1, 2_00), categories: {} }] }));
    expect(weekly.map((p) => p.label)).toEqual(["2027-03-01", "2027-03-08", "2027-03-15"]);
    expect(timePoints(dashboard())).toEqual([]);
  });
});

describe("CSV cells", () => {
  it("writes cents as plain decimals without floats", () => {
    expect([centsCell(0), centsCell(5), centsCell(12_50), centsCell(123_456_789_01), centsCell(-2_50)]).toEqual(["0.00", "0.05", "12.50", "123456789.01", "-2.50"]);
    expect(pointsTable(categoryPoints(dashboard({ byCategory: [{ category: "sport", ...line(3, 60_00, 5_00) }] })))).toEqual([["sport", 3, "60.00", "5.00", "55.00"]]);
  });
});
