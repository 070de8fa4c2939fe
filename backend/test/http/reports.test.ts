// Reports over HTTP: a fund's dashboard adds up families, budgets, indexed payments, refunds and settled
// payouts; the audit log is filterable and paged for admin and auditor only; the public figures need no
// login and suppress small groups. Payments are seeded as the indexer stores them (chain-index repository).
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { STAFF_ROLES, type ApiClient } from "@tegoed/sdk";
import { auditLogRepository } from "../../src/db/audit-log.repository.ts";
import { chainIndexRepository } from "../../src/db/chain-index.repository.ts";
import { idempotencyRepository } from "../../src/db/idempotency.repository.ts";
import { paymentsRepository } from "../../src/domain/payments/payments.repository.ts";
import type { Db } from "../../src/db/transaction.ts";
import { ENGINES } from "../support/engines.ts";
import { paymentEvent, randomAddress, randomBytes32, refundEvent, seedBudget, seedFund } from "../support/fixtures.ts";
import { refusal, useApp } from "./harness.ts";

const YEAR = new Date().getUTCFullYear();

/** Families with one child each; `approved`/`activated` of them marked so. */
async function seedFamilies(db: Db, fundId: string, count: number, marks: { approved?: number; activated?: number } = {}) {
  const childIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const family = await db
      .insertInto("families")
      .values({
        fund_id: fundId, display_name: `Ouder ${i}`, address_lines: ["Hoofdstraat 1"],
        approved_at: i < (marks.approved ?? 0) ? new Date() : null, activated_at: i < (marks.activated ?? 0) ? new Date() : null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const child = await db.insertInto("children").values({ family_id: family.id, first_name: `Kind ${i}`, birth_year: YEAR - 8 }).returning("id").executeTakeFirstOrThrow();
    childIds.push(child.id);
  }
  return childIds;
}

/** An approved shop of the fund, with its categories in the fund as a bit mask (none: its own first category counts). */
async function seedShop(db: Db, fundId: string, name: string, mask: bigint, categories = ["sport"]) {
  const address = randomAddress();
  const shop = await db
    .insertInto("merchants")
    .values({
      name, kvk_number: String(10_000_000 + Math.floor(Math.random() * 89_999_999)), iban: "NL91ABNA0417164300", categories,
      address: "Hoofdstraat 12", contact_email: `${randomUUID().slice(0, 6)}@shop.example`, status: "approved", chain_address: address,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .withTables<{ merchant_funds: { merchant_id: string; fund_id: string; categories_mask: bigint; approved_at: Date; approve_tx_hash: string } }>()
    .insertInto("merchant_funds")
    .values({ merchant_id: shop.id, fund_id: fundId, categories_mask: mask, approved_at: new Date(), approve_tx_hash: randomBytes32() })
    .execute();
  return { id: shop.id, address };
}

async function seedSettledPayout(db: Db, fundId: string, merchantId: string, address: string, amountCents: bigint) {
  const typed = db.withTables<{
    payout_runs: { id: string; fund_id: string; trigger: string; bank: string; status: string; total_cents: bigint; payout_count: number };
    payouts: {
      reference: string; run_id: string; fund_id: string; merchant_id: string; merchant_address: string; amount_cents: bigint;
      creditor_name: string; iban: string; description: string; period_from: Date; period_to: Date; status: string; bank_ref: string;
    };
  }>();
  const runId = randomUUID();
  await typed.insertInto("payout_runs").values({ id: runId, fund_id: fundId, trigger: "manual", bank: "simulated", status: "completed", total_cents: amountCents, payout_count: 1 }).execute();
  await typed
    .insertInto("payouts")
    .values({
      reference: `TGD-${randomUUID().slice(0, 8).toUpperCase()}`, run_id: runId, fund_id: fundId, merchant_id: merchantId, merchant_address: address,
      amount_cents: amountCents, creditor_name: "Shop", iban: "NL91ABNA0417164300", description: "Tegoed", period_from: new Date(), period_to: new Date(), status: "settled",
      bank_ref: randomBytes32(),
    })
    .execute();
}

describe.each(ENGINES)("reports routes on $name", (engine) => {
  // The seeded payments are of March 2027; the public figures are as of the last full hour before this.
  let now = new Date("2027-06-01T12:30:00Z");
  const app = useApp(engine, { now: () => now });
  const byRole = new Map<string, ApiClient>();

  beforeAll(async () => {
    if (engine.skipReason) return;
    for (const role of STAFF_ROLES) byRole.set(role, (await app.loginAs([role])).client);
  });

  describe("GET /api/funds/:id/dashboard", () => {
    it("adds up families, children, budgets, payments, refunds, settled payouts and shops of that fund only", async () => {
      const fund = await seedFund(app.db);
      const other = await seedFund(app.db);
      const childIds = await seedFamilies(app.db, fund.id, 3, { approved: 3, activated: 2 });
      const budgets = [];
      for (const childId of childIds) budgets.push(await seedBudget(app.db, fund.id, childId, 300_00n));
      await app.db.updateTable("budgets").set({ status: "frozen" }).where("budget_id", "=", budgets[0]!.budget_id).execute();
      // A top-up counts in the issued total.
      await app.db.updateTable("budgets").set({ issued_cents: 350_00n }).where("budget_id", "=", budgets[1]!.budget_id).execute();
      // A budget being issued counts as pending only, not in the issued figures.
      const [waiting] = await seedFamilies(app.db, fund.id, 1, { approved: 1 });
      const pending = await seedBudget(app.db, fund.id, waiting!, 0n);
      await app.db.updateTable("budgets").set({ status: "pending" }).where("budget_id", "=", pending.budget_id).execute();
      const sport = await seedShop(app.db, fund.id, "Sportwinkel De Bal", 0b01n); // fund categories: sport, school
      const books = await seedShop(app.db, fund.id, "Boekhandel Lees", 0b10n);
      const index = chainIndexRepository(app.db);
      const day1 = new Date("2027-03-06T14:00:00Z");
      const day2 = new Date("2027-03-08T09:00:00Z");
      const p1 = paymentEvent(fund.chain_address, { budgetId: budgets[0]!.budget_id, merchant: sport.address, amountCents: 40_00n, blockNumber: 3, blockTime: day1 });
      const p2 = paymentEvent(fund.chain_address, { budgetId: budgets[1]!.budget_id, merchant: sport.address, amountCents: 20_00n, blockNumber: 4, blockTime: day1 });
      const p3 = paymentEvent(fund.chain_address, { budgetId: budgets[2]!.budget_id, merchant: books.address, amountCents: 15_00n, blockNumber: 5, blockTime: day2 });
      const r1 = refundEvent(p2, { amountCents: 5_00n, blockNumber: 6 });
      const elsewhere = paymentEvent(other.chain_address, { amountCents: 99_00n, blockNumber: 6 });
      await index.applyChainEvents(`funds:${randomUUID()}`, 10, [p1, p2, p3, r1, elsewhere]);
      await seedSettledPayout(app.db, fund.id, sport.id, sport.address, 30_00n);

      const dashboard = await byRole.get("auditor")!.reports.dashboard(fund.id);

      expect(dashboard).toMatchObject({
        fundId: fund.id, families: 4, familiesApproved: 4, familiesActivated: 2, children: 4, budgets: 3, budgetsFrozen: 1, budgetsPending: 1,
        issuedCents: 950_00, spentCents: 75_00, refundedCents: 5_00, leftCents: 950_00 - 75_00 + 5_00,
        paidOutCents: 30_00, owedToShopsCents: 75_00 - 5_00 - 30_00, shops: 2, interval: "day",
      });
      expect(dashboard.byCategory).toEqual([
        { category: "sport", payments: 2, spentCents: 60_00, refundedCents: 5_00 },
        { category: "school", payments: 1, spentCents: 15_00, refundedCents: 0 },
      ]);
      expect(dashboard.byShop.map((s) => [s.name, s.payments, s.spentCents, s.refundedCents])).toEqual([
        ["Sportwinkel De Bal", 2, 60_00, 5_00],
        ["Boekhandel Lees", 1, 15_00, 0],
      ]);
      expect(dashboard.overTime).toEqual([
        { period: "2027-03-06", payments: 2, spentCents: 60_00, refundedCents: 5_00, categories: { sport: 55_00 } },
        { period: "2027-03-08", payments: 1, spentCents: 15_00, refundedCents: 0, categories: { school: 15_00 } },
      ]);
      const weekly = await byRole.get("validator")!.reports.dashboard(fund.id, { interval: "week" });
      // 6 March 2027 is a Saturday: its ISO week starts Monday 1 March; the 8th starts the next.
      expect(weekly.overTime.map((p) => [p.period, p.spentCents])).toEqual([["2027-03-01", 60_00], ["2027-03-08", 15_00]]);
    });

    it("counts a payment and a refund once when the charge and the indexer both recorded them", async () => {
      const fund = await seedFund(app.db);
      const shop = await seedShop(app.db, fund.id, "Zwembad", 0b01n);
      const pay = paymentEvent(fund.chain_address, { merchant: shop.address, amountCents: 25_00n, blockNumber: 2, blockTime: new Date("2027-04-01T10:00:00Z") });
      const back = refundEvent(pay, { amountCents: 10_00n, blockNumber: 3 });
      const recorded = paymentsRepository(app.db);
      const charge = async () => {
        const key = { scope: `charge:${randomUUID()}`, key: randomUUID() };
        await idempotencyRepository(app.db).claim(key.scope, key.key, "request");
        expect(await recorded.recordCharge({ ...pay, fundId: fund.id }, { ...key, response: {} }, { actorId: null, details: {} })).toBe(true);
      };
      await charge();
      await recorded.recordRefund(back);
      await chainIndexRepository(app.db).applyChainEvents(`funds:${randomUUID()}`, 5, [pay, back]);
      await charge();

      const dashboard = await byRole.get("finance")!.reports.dashboard(fund.id);

      expect(dashboard).toMatchObject({ spentCents: 25_00, refundedCents: 10_00, leftCents: 0, owedToShopsCents: 15_00 });
      expect(dashboard.byShop.map((s) => [s.name, s.payments, s.spentCents, s.refundedCents])).toEqual([["Zwembad", 1, 25_00, 10_00]]);
      expect(dashboard.overTime).toEqual([{ period: "2027-04-01", payments: 1, spentCents: 25_00, refundedCents: 10_00, categories: { sport: 15_00 } }]);
    });

    it("answers an empty fund with zeros", async () => {
      const fund = await seedFund(app.db);
      const dashboard = await byRole.get("finance")!.reports.dashboard(fund.id);
      expect(dashboard).toMatchObject({ families: 0, children: 0, issuedCents: 0, spentCents: 0, leftCents: 0, paidOutCents: 0, shops: 0, byShop: [], overTime: [] });
    });

    it.each(STAFF_ROLES.map((r) => [r]))("is open to %s", async (role) => {
      const fund = await seedFund(app.db);
      await expect(byRole.get(role)!.reports.dashboard(fund.id)).resolves.toMatchObject({ fundId: fund.id });
    });

    it("is refused without a session (401 UNAUTHENTICATED) and for an unknown fund (404 FUND_UNKNOWN)", async () => {
      const fund = await seedFund(app.db);
      expect(await refusal(app.client().reports.dashboard(fund.id))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
      expect(await refusal(byRole.get("admin")!.reports.dashboard(randomUUID()))).toMatchObject({ status: 404, code: "FUND_UNKNOWN" });
      expect(await refusal(byRole.get("admin")!.request("GET", `/api/funds/${fund.id}/dashboard?interval=year`))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    });
  });

  describe("GET /api/funds/:id/spending-by-shop", () => {
    it("lists every shop the fund paid, most first, beside a dashboard that names ten", async () => {
      const fund = await seedFund(app.db);
      const events = [];
      for (let i = 0; i < 12; i++) {
        const shop = await seedShop(app.db, fund.id, `Winkel ${String(i).padStart(2, "0")}`, 0b01n);
        events.push(paymentEvent(fund.chain_address, { merchant: shop.address, amountCents: BigInt((i + 1) * 1_00), blockNumber: 2, logIndex: i }));
      }
      await chainIndexRepository(app.db).applyChainEvents(`funds:${randomUUID()}`, 5, events);
      const finance = byRole.get("finance")!;

      const all = await finance.reports.spendingByShop(fund.id);
      const dashboard = await finance.reports.dashboard(fund.id);

      expect(all).toMatchObject({ fundId: fund.id, currency: "EUR" });
      expect(all.shops.map((s) => [s.name, s.spentCents])).toEqual(Array.from({ length: 12 }, (_, i) => [`Winkel ${String(11 - i).padStart(2, "0")}`, (12 - i) * 1_00]));
      expect(dashboard.byShop).toEqual(all.shops.slice(0, 10));
      expect(dashboard.otherShops).toEqual({ shops: 2, payments: 2, spentCents: 3_00, refundedCents: 0 });
    });

    it("is refused without a session (401 UNAUTHENTICATED) and for an unknown fund (404 FUND_UNKNOWN)", async () => {
      const fund = await seedFund(app.db);
      expect(await refusal(app.client().reports.spendingByShop(fund.id))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
      expect(await refusal(byRole.get("validator")!.reports.spendingByShop(randomUUID()))).toMatchObject({ status: 404, code: "FUND_UNKNOWN" });
    });
  });

  describe("GET /api/audit-log", () => {
    it("lists newest first, filters by action prefix and actor (id or email), and pages with the cursor", async () => {
      const actor = await app.loginAs(["validator"]);
      const log = auditLogRepository(app.db);
      const subject = randomUUID();
      for (let i = 0; i < 5; i++) {
        await log.append({ actorType: "staff", actorId: actor.id, action: i % 2 ? "budget.freeze" : "report.test", subjectType: "fund", subjectId: subject, details: { i } });
      }
      const auditor = byRole.get("auditor")!;

      const mine = await auditor.reports.auditLog({ actor: actor.email.toUpperCase().slice(0, 12) });
      // Their login is logged too, before these five.
      expect(mine.entries.slice(0, 5).map((e) => e.details.i)).toEqual([4, 3, 2, 1, 0]);
      expect(mine.entries.every((e) => e.actorId === actor.id)).toBe(true);
      expect(mine.entries[0]).toMatchObject({ actorType: "staff", actorId: actor.id, actorEmail: actor.email, subjectId: subject });

      const freezes = await auditor.reports.auditLog({ actor: actor.id, action: "budget." });
      expect(freezes.entries.map((e) => [e.action, e.details.i])).toEqual([["budget.freeze", 3], ["budget.freeze", 1]]);

      const first = await auditor.reports.auditLog({ actor: actor.id, action: "budget.", limit: 1 });
      expect(first.entries.map((e) => e.details.i)).toEqual([3]);
      expect(first.nextCursor).not.toBeNull();
      const second = await auditor.reports.auditLog({ actor: actor.id, action: "budget.", limit: 1, cursor: first.nextCursor! });
      expect(second.entries.map((e) => e.details.i)).toEqual([1]);
      expect(second.nextCursor).toBeNull();

      const future = await auditor.reports.auditLog({ actor: actor.id, from: new Date(Date.now() + 3_600_000).toISOString() });
      expect(future.entries).toEqual([]);
    });

    it("names the shop a shop user acted for and the shop or fund an entry is about, not their ids", async () => {
      const fund = await seedFund(app.db);
      const shop = await seedShop(app.db, fund.id, "Boekhandel Het Leesteken", 0b01n);
      const user = await app.db.insertInto("merchant_users").values({ merchant_id: shop.id, email: `kassa-${randomUUID().slice(0, 6)}@shop.example`, password_hash: "x" })
        .returning("id").executeTakeFirstOrThrow();
      const log = auditLogRepository(app.db);
      const action = `test.names.${randomUUID().slice(0, 6)}`;
      await log.append({ actorType: "merchant", actorId: user.id, action, subjectType: "payment", subjectId: randomBytes32(), details: {} });
      await log.append({ actorType: "staff", actorId: app.admin.id, action, subjectType: "merchant", subjectId: shop.id, details: {} });
      await log.append({ actorType: "staff", actorId: app.admin.id, action, subjectType: "fund", subjectId: fund.id, details: {} });
      await log.append({ actorType: "staff", actorId: app.admin.id, action, subjectType: "family", subjectId: randomUUID(), details: {} });

      const { entries } = await byRole.get("auditor")!.reports.auditLog({ action });
      expect(entries.map((e) => [e.actorName, e.subjectType, e.subjectName])).toEqual([
        [null, "family", null], // a family is a person: no name in the log
        [null, "fund", "Kindpakket Westerkwartier 2027"],
        [null, "merchant", "Boekhandel Het Leesteken"],
        ["Boekhandel Het Leesteken", "payment", null],
      ]);
    });

    it("is for admin and auditor only (403 FORBIDDEN for the others, 401 without a session)", async () => {
      for (const role of STAFF_ROLES) {
        const answer = byRole.get(role)!.reports.auditLog({ limit: 1 });
        if (role === "admin" || role === "auditor") await expect(answer).resolves.toHaveProperty("entries");
        else expect(await refusal(answer)).toMatchObject({ status: 403, code: "FORBIDDEN" });
      }
      expect(await refusal(app.client().reports.auditLog())).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    });

    it("offers no way to change the log", async () => {
      const admin = byRole.get("admin")!;
      for (const method of ["POST", "DELETE", "PATCH"] as const) {
        expect(await refusal(admin.request(method, "/api/audit-log", { body: {} }))).toMatchObject({ status: 404 });
      }
    });
  });

  describe("GET /api/public/funds(/:id)", () => {
    it("needs no login, shows fewer than 10 children as \"<10\" and withholds the money sums then", async () => {
      const fund = await seedFund(app.db);
      const childIds = await seedFamilies(app.db, fund.id, 3);
      for (const childId of childIds) await seedBudget(app.db, fund.id, childId);
      const figures = await app.client().public.fund(fund.id);
      expect(figures).toMatchObject({
        id: fund.id, children: "<10", totalBudgetCents: null, spentCents: null, paidToShopsCents: null, byCategory: [],
        contracts: { fund: fund.chain_address, factory: null }, blockNumber: null,
      });
      const text = JSON.stringify(figures);
      expect(text).not.toContain("Ouder");
      expect(text).not.toContain("Kind 0");
    });

    it("shows the totals from 10 children on; a small group merged into other takes the smallest category with it", async () => {
      const fund = await seedFund(app.db);
      const childIds = await seedFamilies(app.db, fund.id, 12);
      const budgets = [];
      for (const childId of childIds) budgets.push(await seedBudget(app.db, fund.id, childId, 300_00n));
      const sport = await seedShop(app.db, fund.id, "Sportwinkel", 0b01n);
      const school = await seedShop(app.db, fund.id, "Schoolspullen", 0b10n);
      const events = [];
      for (let i = 0; i < 12; i++) events.push(paymentEvent(fund.chain_address, { budgetId: budgets[i]!.budget_id, merchant: sport.address, amountCents: 10_00n, blockNumber: 2, logIndex: i }));
      for (let i = 0; i < 3; i++) events.push(paymentEvent(fund.chain_address, { budgetId: budgets[i]!.budget_id, merchant: school.address, amountCents: 7_00n, blockNumber: 3, logIndex: i }));
      await chainIndexRepository(app.db).applyChainEvents(`funds:${randomUUID()}`, 5, events);
      await seedSettledPayout(app.db, fund.id, sport.id, sport.address, 50_00n);

      const { funds } = await app.client().public.funds();
      const figures = funds.find((f) => f.id === fund.id)!;

      expect(figures).toMatchObject({
        children: 12, totalBudgetCents: 12 * 300_00, spentCents: 12 * 10_00 + 3 * 7_00, paidToShopsCents: 50_00, shops: 2,
        amountPerChildCents: 300_00,
      });
      // School's 3 families are too few; shown beside sport, the total minus sport would give their €21 away.
      expect(figures.byCategory).toEqual([{ category: "other", spentCents: 12 * 10_00 + 3 * 7_00 }]);
    });

    it("shows a category apart once 5 families paid in it (families, not payments) and merges the rest into other", async () => {
      const fund = await seedFund(app.db);
      const childIds = await seedFamilies(app.db, fund.id, 12);
      const budgets: Awaited<ReturnType<typeof seedBudget>>[] = [];
      for (const childId of childIds) budgets.push(await seedBudget(app.db, fund.id, childId, 300_00n));
      const sport = await seedShop(app.db, fund.id, "Sportwinkel", 0b01n);
      const school = await seedShop(app.db, fund.id, "Schoolspullen", 0b10n);
      const books = await seedShop(app.db, fund.id, "Boekhandel", 0n, ["books"]);
      const pay = (i: number, merchant: string, amountCents: bigint, logIndex: number) =>
        paymentEvent(fund.chain_address, { budgetId: budgets[i]!.budget_id, merchant, amountCents, blockNumber: 2, logIndex });
      const events = [
        ...Array.from({ length: 6 }, (_, i) => pay(i, sport.address, 10_00n, i)), // 6 families, 6 payments
        ...Array.from({ length: 10 }, (_, n) => pay(6, school.address, 3_00n, 10 + n)), // 1 family, 10 payments
        ...Array.from({ length: 4 }, (_, n) => pay(7 + n, books.address, 7_00n, 20 + n)), // 4 families
      ];
      await chainIndexRepository(app.db).applyChainEvents(`funds:${randomUUID()}`, 5, events);

      const figures = await app.client().public.fund(fund.id);
      expect(figures.byCategory).toEqual([
        { category: "sport", spentCents: 6 * 10_00 },
        { category: "other", spentCents: 10 * 3_00 + 4 * 7_00 }, // school and books: 5 families together
      ]);
    });

    it("are as of the last full hour, and say so: a purchase after it counts from the next hour on", async () => {
      const fund = await seedFund(app.db);
      const childIds = await seedFamilies(app.db, fund.id, 10);
      const budgets: Awaited<ReturnType<typeof seedBudget>>[] = [];
      for (const childId of childIds) budgets.push(await seedBudget(app.db, fund.id, childId, 300_00n));
      const sport = await seedShop(app.db, fund.id, "Sportwinkel", 0b01n);
      const at = (time: string, i: number, amountCents: bigint) =>
        paymentEvent(fund.chain_address, { budgetId: budgets[i]!.budget_id, merchant: sport.address, amountCents, blockNumber: 10 + i, blockTime: new Date(time) });
      const events = Array.from({ length: 10 }, (_, i) => at("2027-06-01T11:15:00Z", i, 10_00n));
      const late = at("2027-06-01T12:10:00Z", 0, 37_45n); // after 12:00, before "now" (12:30)
      await chainIndexRepository(app.db).applyChainEvents(`funds:${randomUUID()}`, 30, [...events, late]);
      await chainIndexRepository(app.db).applyChainEvents(`funds:${randomUUID()}`, 31, [refundEvent(late, { amountCents: 5_00n, blockNumber: 31, blockTime: new Date("2027-06-01T12:20:00Z") })]);

      const before = await app.client().public.fund(fund.id);
      expect(before).toMatchObject({ asOf: "2027-06-01T12:00:00.000Z", spentCents: 10 * 10_00, byCategory: [{ category: "sport", spentCents: 10 * 10_00 }] });

      now = new Date("2027-06-01T13:00:05Z");
      try {
        const after = await app.client().public.fund(fund.id);
        expect(after).toMatchObject({ asOf: "2027-06-01T13:00:00.000Z", spentCents: 10 * 10_00 + 37_45 - 5_00 });
      } finally {
        now = new Date("2027-06-01T12:30:00Z");
      }
    });

    it("answers 404 FUND_UNKNOWN for an unknown fund", async () => {
      expect(await refusal(app.client().public.fund(randomUUID()))).toMatchObject({ status: 404, code: "FUND_UNKNOWN" });
    });
  });
});

describe.each(ENGINES)("the public figures, shared between visitors, on $name", (engine) => {
  let now = new Date("2027-03-01T10:00:00Z");
  const app = useApp(engine, { now: () => now });

  it("answers with Cache-Control public, max-age=5 and the same figures for 5 seconds, then fresh ones", async () => {
    const first = await app.fetch("/api/public/funds");
    expect(first.headers.get("cache-control")).toBe("public, max-age=5");
    const before = ((await first.json()) as { funds: { id: string }[] }).funds.map((f) => f.id);

    const fund = await seedFund(app.db);
    now = new Date(now.getTime() + 4_000);
    const shared = (await (await app.fetch("/api/public/funds")).json()) as { funds: { id: string }[] };
    expect(shared.funds.map((f) => f.id)).toEqual(before);

    now = new Date(now.getTime() + 2_000);
    const fresh = (await (await app.fetch("/api/public/funds")).json()) as { funds: { id: string }[] };
    expect(fresh.funds.map((f) => f.id)).toContain(fund.id);
  });

  it("shares one fund's figures the same way, and does not keep a refusal", async () => {
    const fund = await seedFund(app.db);
    const one = await app.fetch(`/api/public/funds/${fund.id}`);
    expect(one.headers.get("cache-control")).toBe("public, max-age=5");
    expect(((await one.json()) as { children: unknown }).children).toBe("<10");
    const childIds = await seedFamilies(app.db, fund.id, 10);
    for (const childId of childIds) await seedBudget(app.db, fund.id, childId);
    expect(((await (await app.fetch(`/api/public/funds/${fund.id}`)).json()) as { children: unknown }).children).toBe("<10");
    now = new Date(now.getTime() + 5_000);
    expect(((await (await app.fetch(`/api/public/funds/${fund.id}`)).json()) as { children: unknown }).children).toBe(10);

    // A fund that did not exist yet is found as soon as it does: the 404 was not kept.
    const later = randomUUID();
    expect((await app.fetch(`/api/public/funds/${later}`)).status).toBe(404);
    await app.db.updateTable("funds").set({ id: later }).where("id", "=", (await seedFund(app.db)).id).execute();
    expect((await app.fetch(`/api/public/funds/${later}`)).status).toBe(200);
  });
});
