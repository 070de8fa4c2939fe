// Every CSV the staff app exports, with a shop name from the public application form that a spreadsheet
// would run as a formula: each file must show it as text.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { screen } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { ApiError, type AuditLogEntry, type Dashboard } from "@tegoed/sdk";
import { readCsv } from "@tegoed/sdk/csv";
import { AuditLogPage } from "../src/features/audit/AuditLogPage.tsx";
import { DashboardPage } from "../src/features/dashboard/DashboardPage.tsx";
import { RejectedRows } from "../src/features/eligibility/ImportFamilies.tsx";
import { FUND, renderScreen } from "./render.tsx";

const EVIL = "=cmd|' /C calc'!A0";

let files: Blob[] = [];
beforeEach(() => {
  files = [];
  URL.createObjectURL = vi.fn((blob: Blob) => {
    files.push(blob);
    return "blob:test";
  });
  URL.revokeObjectURL = vi.fn();
});
afterEach(() => vi.restoreAllMocks());

async function lastFile(): Promise<string> {
  expect(files.length).toBeGreaterThan(0);
  return files.at(-1)!.text();
}

/** No cell of the file starts with a character that makes a spreadsheet run it. */
function expectNoFormula(text: string): void {
  for (const line of text.replace(/^\uFEFF/, "").split("\r\n")) {
    for (const cell of line.split(",")) expect(cell.replace(/^"/, "")).not.toMatch(/^[=+\-@\t\r]/);
  }
}

const line = { payments: 12, spentCents: 120_00, refundedCents: 0 };
const DASHBOARD: Dashboard = {
  fundId: FUND.id, currency: "EUR", families: 12, familiesApproved: 12, familiesActivated: 12, children: 20, budgets: 20, budgetsFrozen: 0,
  budgetsPending: 0, issuedCents: 6000_00, spentCents: 120_00, refundedCents: 0, leftCents: 5880_00, paidOutCents: 0, owedToShopsCents: 120_00,
  shops: 1, interval: "day",
  byCategory: [{ category: EVIL, ...line }],
  byShop: [{ merchantId: "3d6f0a2b-8c1e-4f5a-9b7d-2e4c6a8b0d1f", name: EVIL, address: "@Dorpsstraat 1", ...line }],
  otherShops: { shops: 0, payments: 0, spentCents: 0, refundedCents: 0 },
  overTime: [{ period: "2027-01-04", categories: { [EVIL]: 120_00 }, ...line }],
  generatedAt: "2027-01-05T10:00:00.000Z",
};

describe("the dashboard's CSV exports", () => {
  for (const button of ["Export per shop (CSV)", "Export per category (CSV)", "Export over time (CSV)", "Export figures (CSV)"]) {
    it(`${button}: a formula from a shop's name is written as text`, async () => {
      const spendingByShop = vi.fn().mockResolvedValue({ fundId: FUND.id, currency: "EUR", shops: DASHBOARD.byShop, generatedAt: DASHBOARD.generatedAt });
      renderScreen(<DashboardPage />, { api: { reports: { dashboard: vi.fn().mockResolvedValue(DASHBOARD), spendingByShop } } });
      await userEvent.click(await screen.findByRole("button", { name: button }));
      const text = await lastFile();
      expectNoFormula(text);
      if (button !== "Export figures (CSV)" && button !== "Export over time (CSV)") expect(text).toContain(`"'${EVIL}"`);
      // The dashboard names the largest shops only: the shops' file is every shop, asked for when wanted.
      expect(spendingByShop).toHaveBeenCalledTimes(button === "Export per shop (CSV)" ? 1 : 0);
    });
  }
});

describe("the audit log's CSV export", () => {
  it("writes a formula in an entry's details as text", async () => {
    const entry: AuditLogEntry = {
      id: "1", at: "2027-01-05T10:00:00.000Z", actorType: "merchant", actorId: null, actorEmail: null, action: "merchant.apply",
      subjectType: "merchant", subjectId: "m1", actorName: null, subjectName: EVIL, details: { name: EVIL },
    };
    renderScreen(<AuditLogPage />, { api: { reports: { auditLog: vi.fn().mockResolvedValue({ entries: [entry], nextCursor: null }) } } });
    await screen.findByText("merchant.apply");
    await userEvent.click(screen.getByRole("button", { name: "Download as CSV" }));
    const text = await lastFile();
    expectNoFormula(text);
    expect(readCsv(text).records).toHaveLength(1);
  });
});

describe("the rejected rows' CSV export", () => {
  it("writes a reason that starts like a formula as text", async () => {
    renderScreen(<RejectedRows caption="Rejected" rows={[{ row: 2, field: "city", reason: "+SUM(A1:A9)" }]} />);
    await userEvent.click(screen.getByRole("button", { name: /csv/i }));
    const text = await lastFile();
    expectNoFormula(text);
    expect(text).toContain(`"'+SUM(A1:A9)"`);
  });
});

describe("the shops' export", () => {
  it("says why it failed beside the buttons and keeps the dashboard on screen", async () => {
    const spendingByShop = vi.fn().mockRejectedValue(new ApiError("SERVICE_UNAVAILABLE", 503, "server text"));
    renderScreen(<DashboardPage />, { api: { reports: { dashboard: vi.fn().mockResolvedValue(DASHBOARD), spendingByShop } } });
    await userEvent.click(await screen.findByRole("button", { name: "Export per shop (CSV)" }));
    expect(await screen.findByRole("alert")).toBeInTheDocument();
    expect(files).toHaveLength(0);
    expect(screen.getByRole("button", { name: "Export per category (CSV)" })).toBeEnabled();
  });
});
