// Funds and budgets on a real local chain: create a fund through the factory, deposit, issue budgets
// in batches (and retry after a crash without issuing twice), top up, freeze, pause.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDomainError } from "@tegoed/sdk";
import { FundClient, type BudgetGrant } from "../../../src/chain/fund-client.ts";
import type { RelayedTx } from "../../../src/chain/relayer.ts";
import { auditLogRepository } from "../../../src/db/audit-log.repository.ts";
import { issueBudgets, freezeBudget, previewTopUp, topUp, unfreezeBudget } from "../../../src/domain/eligibility/budgets.service.ts";
import { approveFamilies, importFamilies } from "../../../src/domain/eligibility/families.service.ts";
import { createFund, getFund, pauseFund, recordDeposit, unpauseFund, type Fund } from "../../../src/domain/funds/funds.service.ts";
import { ENGINES, useDatabase } from "../../support/engines.ts";
import { HEADER, STAFF, csvOf, depsFor, startDomainChain, validRows, type DomainChain } from "./support.ts";

const AMOUNT = 300_00n;

let chain: DomainChain;
beforeAll(async () => {
  chain = await startDomainChain();
});
afterAll(async () => {
  await chain?.t.stop();
});

/** Throws where a crash would stop the process: before or after the chain call. */
class CrashingFundClient extends FundClient {
  crash: "before-chain" | "after-chain";
  constructor(base: FundClient, crash: "before-chain" | "after-chain") {
    super(base.relayer, base.address);
    this.crash = crash;
  }
  override async issueBudgets(sponsor: string, grants: readonly BudgetGrant[]): Promise<RelayedTx[]> {
    if (this.crash === "before-chain") throw new Error("crash before the chain call");
    await super.issueBudgets(sponsor, grants);
    throw new Error("crash after the chain call");
  }
}

describe.each(ENGINES)("funds and budgets on $name", (engine) => {
  const ctx = useDatabase(engine);
  const deps = () => depsFor(ctx.db, chain);
  const sponsor = () => chain.t.relayer.addresses[0]!;

  async function newFund(): Promise<Fund> {
    return createFund(deps(), {
      actorId: STAFF, name: "Kindpakket Westerkwartier 2027", amountPerChildCents: AMOUNT, budgetExpiry: "2027-12-31",
      categories: ["sport", "school"], payoutSchedule: { kind: "daily", at: "17:00" },
    });
  }

  /** A fund with `families` approved families of `childrenEach` children and enough reserve for them. */
  async function fundWithChildren(families: number, childrenEach: number, extraCents = 0n) {
    const fund = await newFund();
    await recordDeposit(deps(), {
      actorId: STAFF, fundId: fund.id, sponsor: sponsor(), amountCents: AMOUNT * BigInt(families * childrenEach) + extraCents,
      bankReference: `NL-DEP-${fund.id}`,
    });
    await importFamilies(deps(), { actorId: STAFF, fundId: fund.id, csv: csvOf(HEADER, validRows(families, childrenEach)) });
    await approveFamilies(deps(), { actorId: STAFF, fundId: fund.id });
    return { fund, client: chain.fundClient(fund.chainAddress) };
  }

  async function budgetRows(fundId: string) {
    return ctx.db.selectFrom("budgets").selectAll().where("fund_id", "=", fundId).execute();
  }

  describe("createFund", () => {
    it("deploys a clone through the factory, gives the relayer its roles, stores the settings and audits", async () => {
      const fund = await newFund();
      expect(await getFund(deps(), fund.id)).toEqual(fund);
      expect(fund).toMatchObject({
        amountPerChildCents: AMOUNT, budgetExpiry: "2027-12-31", categories: ["sport", "school"],
        payoutSchedule: { kind: "daily", at: "17:00" }, paused: false, currency: "EUR",
      });
      const client = chain.fundClient(fund.chainAddress);
      expect(await client.hasRole("VALIDATOR", chain.t.relayer.addresses[1]!)).toBe(true);
      expect(await client.hasRole("DEFAULT_ADMIN", chain.t.relayer.addresses[0]!)).toBe(true);
      const [entry] = await auditLogRepository(ctx.db).list({ subjectId: fund.id, action: "fund.create" });
      expect(entry).toMatchObject({ actorId: STAFF, details: { chainAddress: fund.chainAddress, factoryIndex: fund.factoryIndex } });
    });

    it("refuses an expiry in the past and a negative amount", async () => {
      const past = await createFund(deps(), { actorId: STAFF, name: "Old", amountPerChildCents: AMOUNT, budgetExpiry: "2001-01-01" }).catch((e: unknown) => e);
      expect(isDomainError(past, "EXPIRY_IN_PAST")).toBe(true);
      const negative = await createFund(deps(), { actorId: STAFF, name: "Neg", amountPerChildCents: -1n, budgetExpiry: "2027-12-31" }).catch((e: unknown) => e);
      expect(isDomainError(negative, "INVALID_INPUT")).toBe(true);
    });
  });

  describe("recordDeposit", () => {
    it("credits the sponsor's reserve once per bank reference", async () => {
      const fund = await newFund();
      const receipt = await recordDeposit(deps(), { actorId: STAFF, fundId: fund.id, sponsor: sponsor(), amountCents: 1000_00n, bankReference: "NL-2027-0001" });
      expect(receipt.reserveCents).toBe(1000_00n);
      const again = await recordDeposit(deps(), { actorId: STAFF, fundId: fund.id, sponsor: sponsor(), amountCents: 1000_00n, bankReference: "NL-2027-0001" }).catch((e: unknown) => e);
      expect(isDomainError(again, "BANK_REF_USED")).toBe(true);
      expect(await chain.fundClient(fund.chainAddress).reserveOf(sponsor())).toBe(1000_00n);
      const entries = await auditLogRepository(ctx.db).list({ subjectId: fund.id, action: "fund.deposit" });
      expect(entries).toHaveLength(1);
    });
  });

  describe("issueBudgets", () => {
    it("issues the fund's amount to every approved child, in batches of 100, and never again", async () => {
      const { fund, client } = await fundWithChildren(125, 2);
      const report = await issueBudgets(deps(), { actorId: STAFF, fundId: fund.id, sponsor: sponsor() });
      expect(report).toMatchObject({ issued: 250, reconciled: 0, totalCents: AMOUNT * 250n });
      expect(report.txHashes).toHaveLength(3);
      const rows = await budgetRows(fund.id);
      expect(rows).toHaveLength(250);
      expect(rows.every((r) => r.status === "issued" && r.issued_cents === AMOUNT)).toBe(true);
      const states = await Promise.all(rows.map((r) => client.budgetOf(r.budget_id)));
      expect(states.every((s) => s.exists && s.balance === AMOUNT && s.expiry === BigInt(Date.parse("2028-01-01T00:00:00Z") / 1000))).toBe(true);
      expect(await client.reserveOf(sponsor())).toBe(0n);

      const again = await issueBudgets(deps(), { actorId: STAFF, fundId: fund.id, sponsor: sponsor() });
      expect(again).toMatchObject({ issued: 0, reconciled: 0, totalCents: 0n });
    });

    it("refuses with RESERVE_INSUFFICIENT before sending anything when the reserve is short", async () => {
      const { fund, client } = await fundWithChildren(2, 1);
      await importFamilies(deps(), { actorId: STAFF, fundId: fund.id, csv: csvOf(HEADER, validRows(1, 1, "X")) });
      await approveFamilies(deps(), { actorId: STAFF, fundId: fund.id });
      const error = await issueBudgets(deps(), { actorId: STAFF, fundId: fund.id, sponsor: sponsor() }).catch((e: unknown) => e);
      expect(isDomainError(error, "RESERVE_INSUFFICIENT")).toBe(true);
      expect(await client.reserveOf(sponsor())).toBe(AMOUNT * 2n);
    });

    it.each(["before-chain", "after-chain"] as const)(
      "after a crash %s, a retry issues every child exactly once", async (crash) => {
        const { fund, client } = await fundWithChildren(3, 2, AMOUNT * 10n);
        const crashing = { ...deps(), fundClient: (address: string) => new CrashingFundClient(chain.fundClient(address), crash) };
        await expect(issueBudgets(crashing, { actorId: STAFF, fundId: fund.id, sponsor: sponsor() })).rejects.toThrow(`crash ${crash.replace("-", " the ")} call`);
        const pending = await budgetRows(fund.id);
        expect(pending.map((r) => r.status)).toEqual(Array(6).fill("pending"));

        const retry = await issueBudgets(deps(), { actorId: STAFF, fundId: fund.id, sponsor: sponsor() });
        expect(retry).toMatchObject(crash === "before-chain" ? { issued: 6, reconciled: 0 } : { issued: 0, reconciled: 6 });
        const rows = await budgetRows(fund.id);
        expect(rows.map((r) => r.budget_id).sort()).toEqual(pending.map((r) => r.budget_id).sort());
        expect(rows.every((r) => r.status === "issued")).toBe(true);
        for (const row of rows) expect((await client.budgetOf(row.budget_id)).balance).toBe(AMOUNT);
        // Six budgets paid from the reserve, not twelve.
        expect(await client.reserveOf(sponsor())).toBe(AMOUNT * 10n);
      },
    );
  });

  describe("topUp", () => {
    it("tops up every budget of the fund, and returns the total that was shown for confirmation", async () => {
      const { fund, client } = await fundWithChildren(2, 2, 4n * 25_00n);
      await issueBudgets(deps(), { actorId: STAFF, fundId: fund.id, sponsor: sponsor() });
      const preview = await previewTopUp(deps(), { fundId: fund.id, target: { all: true }, amountCents: 25_00n });
      expect(preview).toEqual({ budgets: 4, amountCents: 25_00n, totalCents: 100_00n });
      const done = await topUp(deps(), { actorId: STAFF, fundId: fund.id, target: { all: true }, amountCents: 25_00n });
      expect(done).toMatchObject(preview);
      for (const row of await budgetRows(fund.id)) {
        expect((await client.budgetOf(row.budget_id)).balance).toBe(AMOUNT + 25_00n);
        expect(row.issued_cents).toBe(AMOUNT + 25_00n);
      }
      expect(await client.reserveOf(sponsor())).toBe(0n);
    });

    it("tops up one child only", async () => {
      const { fund, client } = await fundWithChildren(1, 2, 10_00n);
      await issueBudgets(deps(), { actorId: STAFF, fundId: fund.id, sponsor: sponsor() });
      const [one, other] = await budgetRows(fund.id);
      const done = await topUp(deps(), { actorId: STAFF, fundId: fund.id, target: { childIds: [one!.child_id!] }, amountCents: 10_00n });
      expect(done.totalCents).toBe(10_00n);
      expect((await client.budgetOf(one!.budget_id)).balance).toBe(AMOUNT + 10_00n);
      expect((await client.budgetOf(other!.budget_id)).balance).toBe(AMOUNT);
    });
  });

  describe("freeze and unfreeze", () => {
    it("freezes the budget on chain and records it; unfreezing undoes it", async () => {
      const { fund, client } = await fundWithChildren(1, 1);
      await issueBudgets(deps(), { actorId: STAFF, fundId: fund.id, sponsor: sponsor() });
      const [row] = await budgetRows(fund.id);
      const frozen = await freezeBudget(deps(), { actorId: STAFF, budgetId: row!.budget_id, reason: "reported lost" });
      expect(frozen.status).toBe("frozen");
      expect((await client.budgetOf(row!.budget_id)).frozen).toBe(true);
      const twice = await freezeBudget(deps(), { actorId: STAFF, budgetId: row!.budget_id, reason: "again" }).catch((e: unknown) => e);
      expect(isDomainError(twice, "BUDGET_FROZEN")).toBe(true);
      await unfreezeBudget(deps(), { actorId: STAFF, budgetId: row!.budget_id, reason: "found" });
      expect((await client.budgetOf(row!.budget_id)).frozen).toBe(false);
      const actions = (await auditLogRepository(ctx.db).list({ subjectId: row!.budget_id })).map((e) => e.action);
      expect(actions).toEqual(["budget.unfreeze", "budget.freeze"]);
    });
  });

  describe("pauseFund and unpauseFund", () => {
    it("pauses the fund on chain with the reason, and unpauses it", async () => {
      const fund = await newFund();
      const paused = await pauseFund(deps(), { actorId: STAFF, fundId: fund.id, reason: "suspected fraud" });
      expect(paused).toMatchObject({ paused: true, pausedReason: "suspected fraud" });
      expect(await chain.fundClient(fund.chainAddress).paused()).toBe(true);
      const running = await unpauseFund(deps(), { actorId: STAFF, fundId: fund.id, reason: "checked" });
      expect(running).toMatchObject({ paused: false, pausedReason: null });
      expect(await chain.fundClient(fund.chainAddress).paused()).toBe(false);
      const actions = (await auditLogRepository(ctx.db).list({ subjectId: fund.id })).map((e) => e.action);
      expect(actions.slice(0, 2)).toEqual(["fund.unpause", "fund.pause"]);
    });
  });
});
