// The payouts service on a real Hardhat node and both database engines, with the simulated bank:
// shops are paid what the fund owes them, once; a crash at each step of a payout, a failing bank and a
// bank that times out after paying are finished by reconciliation with no double and no lost payout,
// and chain and database agree afterwards. Four eyes, minimum amounts and schedules.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { bankRefOf } from "../../../src/chain/fund-client.ts";
import { auditLogRepository } from "../../../src/db/audit-log.repository.ts";
import {
  InjectedCrash, approveRun, getRun, merchantPayouts, owedPerShop, paidPerShop, processRun, reconcilePayouts, rejectRun, startAndProcess,
  startRun, getPayoutSchedule, setPayoutSchedule, runDuePayouts, type CrashPoint, type PayoutDeps,
} from "../../../src/domain/payouts/index.ts";
import type { Merchant } from "../../../src/domain/merchants/merchants.service.ts";
import type { BankAdapter, TransferBank } from "../../../src/bank/index.ts";
import { simulatedBank } from "../../../src/bank/simulated.ts";
import { ENGINES, useDatabase } from "../../support/engines.ts";
import { createIndexer } from "../../../src/domain/indexer/index.ts";
import { type TestChain, startTestChain } from "../../chain/harness.ts";
import { CHAIN_ENGINE, type ChainFunds, refusal, seedChainFunds } from "../payments/support.ts";
import { bankTransfers, crashOnceAt, owedShop, pay, payoutDeps, payoutsOf } from "./support.ts";
import type { Db } from "../../../src/db/transaction.ts";

let t: TestChain;
beforeAll(async () => {
  t = await startTestChain(CHAIN_ENGINE);
});
afterAll(async () => {
  await t?.stop();
});

/** No double payout, no lost payout, chain and database agree, for this shop. */
async function expectSettledOnce(db: Db, shop: Merchant, owedCents: bigint) {
  const payouts = (await payoutsOf(db, shop.id)).filter((p) => p.status !== "failed");
  const transfers = await bankTransfers(db, payouts.map((p) => p.reference));
  // Exactly one bank transfer per payout reference.
  for (const p of payouts) expect(transfers.filter((x) => x.reference === p.reference)).toHaveLength(1);
  expect(payouts.every((p) => p.status === "settled")).toBe(true);
  const paid = transfers.reduce((sum, x) => sum + x.amount_cents, 0n);
  expect(paid).toBe(owedCents);
  const onChain = await t.fund.merchantOf(shop.chainAddress!);
  expect(onChain.receivable).toBe(0n);
  expect(onChain.paidOut).toBe(paid);
  for (const p of payouts) expect(await t.fund.isBankRefUsed(bankRefOf(p.reference))).toBe(true);
}

describe.each(ENGINES)("payouts with the simulated bank on $name", (engine) => {
  const ctx = useDatabase(engine);
  let funds: ChainFunds;
  const deps = (extra: Parameters<typeof payoutDeps>[2] = {}) => payoutDeps(ctx.db, t, extra);
  beforeEach(async () => {
    funds ??= await seedChainFunds(ctx.db, t);
  });

  it("pays each owed shop once, records it on chain with the reference, and describes the period on the statement", async () => {
    const shop = await owedShop(ctx.db, t, funds, 42_50n);
    const owed = (await owedPerShop(deps(), funds.fundId)).find((l) => l.merchantId === shop.id);
    expect(owed).toMatchObject({ receivableCents: 42_50n, openCents: 0n, owedCents: 42_50n });

    const staff = randomUUID();
    const run = await startAndProcess(deps(), { fundId: funds.fundId, trigger: "manual", staffUserId: staff });
    expect(run).toMatchObject({ status: "completed", bank: "simulated", bankLabel: "simulated bank (no real money)" });
    expect(run.progress.settled).toBeGreaterThanOrEqual(1);

    const [payout] = await merchantPayouts({ db: ctx.db }, shop.id);
    expect(payout).toMatchObject({ amountCents: 42_50n, status: "settled", reference: expect.stringMatching(/^TGD-\d{8}-[A-Z0-9]{10}$/) });
    expect(payout!.settleTxHash).toMatch(/^0x[0-9a-f]{64}$/);
    const [transfer] = await bankTransfers(ctx.db, [payout!.reference]);
    expect(transfer!.description).toContain(payout!.reference);
    expect(transfer!.description).toMatch(/periode \d{4}-\d{2}-\d{2} t\/m \d{4}-\d{2}-\d{2}/);
    expect(transfer!.iban).toBe("NL91ABNA0417164300");
    await expectSettledOnce(ctx.db, shop, 42_50n);

    const paid = await paidPerShop({ db: ctx.db }, { fundId: funds.fundId, from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 3_600_000) });
    expect(paid.find((p) => p.merchantId === shop.id)).toMatchObject({ payoutCount: 1, paidCents: 42_50n });
    const [audit] = await auditLogRepository(ctx.db).list({ subjectId: run.id, action: "payout.run.start" });
    expect(audit).toMatchObject({ actorType: "staff", actorId: staff });
  });

  it("pays only what is new the next time: the shop owed again after a payout gets one more payout of the new amount", async () => {
    const shop = await owedShop(ctx.db, t, funds, 10_00n);
    await startAndProcess(deps(), { fundId: funds.fundId, trigger: "manual", staffUserId: null });
    await pay(t, shop.chainAddress!, 7_25n);
    await startAndProcess(deps(), { fundId: funds.fundId, trigger: "manual", staffUserId: null });
    const payouts = await merchantPayouts({ db: ctx.db }, shop.id);
    expect(payouts.map((p) => p.amountCents).sort()).toEqual([10_00n, 7_25n].sort());
    // The second period starts where the first ended.
    const [second, first] = payouts;
    expect(second!.periodFrom.getTime()).toBe(first!.periodTo.getTime());
    await expectSettledOnce(ctx.db, shop, 17_25n);
  });

  describe("a crash at each step, then reconciliation at start-up", () => {
    const points: CrashPoint[] = ["after-run-created", "before-bank", "after-bank", "after-confirm", "after-chain"];
    it.each(points)("crash %s: 0 double payouts, 0 lost payouts, chain and database agree", async (point) => {
      const a = await owedShop(ctx.db, t, funds, 25_00n);
      const b = await owedShop(ctx.db, t, funds, 13_37n);
      const crashed = await startAndProcess(deps({ crashAt: crashOnceAt(point) }), { fundId: funds.fundId, trigger: "manual", staffUserId: null })
        .then(() => null, (e: unknown) => e);
      expect(crashed).toBeInstanceOf(InjectedCrash);

      // The restarted process: reconcile, then a later scheduled run finds nothing more to pay.
      await reconcilePayouts(deps());
      await expectSettledOnce(ctx.db, a, 25_00n);
      await expectSettledOnce(ctx.db, b, 13_37n);
      const again = await startRun(deps(), { fundId: funds.fundId, trigger: "manual", staffUserId: null }).then(() => null, (e: unknown) => e);
      expect((again as { code?: string })?.code).toBe("PAYOUT_NOTHING_OWED");
    });

    it("crash after the bank paid and the reconciliation crashes too: still paid once", async () => {
      const shop = await owedShop(ctx.db, t, funds, 9_99n);
      await expect(startAndProcess(deps({ crashAt: crashOnceAt("after-bank") }), { fundId: funds.fundId, trigger: "manual", staffUserId: null }))
        .rejects.toBeInstanceOf(InjectedCrash);
      // The bank paid, then the process died: nothing after the transfer was written.
      const [crashed] = await payoutsOf(ctx.db, shop.id);
      expect((await bankTransfers(ctx.db, [crashed!.reference])).map((x) => x.amount_cents)).toEqual([9_99n]);
      expect(crashed!.status).not.toMatch(/confirmed|settled/);
      await expect(reconcilePayouts(deps({ crashAt: crashOnceAt("after-confirm") }))).rejects.toBeInstanceOf(InjectedCrash);
      expect((await payoutsOf(ctx.db, shop.id)).map((p) => p.status)).toEqual(["confirmed"]);
      await reconcilePayouts(deps());
      await expectSettledOnce(ctx.db, shop, 9_99n);
    });
  });

  it("the indexer marks a payout the chain recorded as settled, with its transaction, when a crash kept us from writing it", async () => {
    const shop = await owedShop(ctx.db, t, funds, 6_66n);
    await expect(startAndProcess(deps({ crashAt: crashOnceAt("after-chain") }), { fundId: funds.fundId, trigger: "manual", staffUserId: null }))
      .rejects.toBeInstanceOf(InjectedCrash);
    const [before] = await payoutsOf(ctx.db, shop.id);
    expect(before).toMatchObject({ status: "confirmed", settle_tx_hash: null });
    await createIndexer({ db: ctx.db, dbKind: ctx.kind, provider: t.provider, onError: () => {} }).catchUp();
    const [after] = await payoutsOf(ctx.db, shop.id);
    expect(after).toMatchObject({ status: "settled", settle_tx_hash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    const receipt = await t.provider.getTransactionReceipt(after!.settle_tx_hash!);
    expect(receipt?.status).toBe(1);
    await reconcilePayouts(deps());
    await expectSettledOnce(ctx.db, shop, 6_66n);
  });

  it("two payers on the same run at once (a hand-started run and the scheduler's reconciliation) pay each shop once", async () => {
    const a = await owedShop(ctx.db, t, funds, 5_55n);
    const b = await owedShop(ctx.db, t, funds, 6_00n);
    const d = deps({ dbKind: ctx.kind });
    const run = await startRun(d, { fundId: funds.fundId, trigger: "manual", staffUserId: null });
    await Promise.all([processRun(d, run.id), processRun(deps({ dbKind: ctx.kind }), run.id), reconcilePayouts(deps({ dbKind: ctx.kind }))]);
    await reconcilePayouts(d);
    await expectSettledOnce(ctx.db, a, 5_55n);
    await expectSettledOnce(ctx.db, b, 6_00n);
  });

  it("a bank that cannot be reached leaves the payout pending with the reason; the retry asks the bank first and pays once", async () => {
    const shop = await owedShop(ctx.db, t, funds, 20_00n);
    const run = await startAndProcess(deps({ bankOptions: { beforeTransfer: () => { throw new Error("connect ECONNREFUSED"); } } }), {
      fundId: funds.fundId, trigger: "manual", staffUserId: null,
    });
    expect(run.status).toBe("processing");
    const [pending] = await payoutsOf(ctx.db, shop.id);
    expect(pending).toMatchObject({ status: "pending", bank_attempts: 1, last_error: expect.stringContaining("ECONNREFUSED") });
    expect(await bankTransfers(ctx.db, [pending!.reference])).toHaveLength(0);
    expect((await t.fund.merchantOf(shop.chainAddress!)).receivable).toBe(20_00n);

    await reconcilePayouts(deps());
    await expectSettledOnce(ctx.db, shop, 20_00n);
    expect((await getRun(deps(), run.id)).status).toBe("completed");
  });

  it("a bank that times out after booking the transfer is asked by reference: no second transfer", async () => {
    const shop = await owedShop(ctx.db, t, funds, 31_00n);
    const real = simulatedBank(ctx.db);
    const timingOut: TransferBank = { ...real, transfer: async (x) => { await real.transfer(x); throw new Error("timeout"); } };
    await startAndProcess(deps({ bank: timingOut as BankAdapter }), { fundId: funds.fundId, trigger: "manual", staffUserId: null });
    // The same process retries (next tick): it asks first.
    await reconcilePayouts(deps({ bank: timingOut as BankAdapter }));
    await expectSettledOnce(ctx.db, shop, 31_00n);
  });

  describe("four eyes", () => {
    it("a run above the threshold waits for a second finance user; the starter cannot approve it", async () => {
      const shop = await owedShop(ctx.db, t, funds, 500_00n);
      const starter = randomUUID();
      const d = deps({ fourEyesCents: 100_00n });
      const run = await startRun(d, { fundId: funds.fundId, trigger: "manual", staffUserId: starter });
      expect(run.status).toBe("awaiting_approval");
      expect(await processRun(d, run.id)).toMatchObject({ status: "awaiting_approval" });
      expect(await bankTransfers(ctx.db, (await payoutsOf(ctx.db, shop.id)).map((p) => p.reference))).toHaveLength(0);

      expect((await refusal(approveRun(d, run.id, starter))).code).toBe("PAYOUT_FOUR_EYES");
      const second = randomUUID();
      expect(await approveRun(d, run.id, second)).toMatchObject({ status: "processing", approvedBy: second });
      expect((await refusal(approveRun(d, run.id, randomUUID()))).code).toBe("PAYOUT_RUN_STATE");
      expect(await processRun(d, run.id)).toMatchObject({ status: "completed" });
      await expectSettledOnce(ctx.db, shop, 500_00n);
    });

    it("a rejected run pays nothing and the money stays owed", async () => {
      const shop = await owedShop(ctx.db, t, funds, 300_00n);
      const d = deps({ fourEyesCents: 100_00n });
      const run = await startRun(d, { fundId: funds.fundId, trigger: "manual", staffUserId: randomUUID() });
      expect(await rejectRun(d, run.id, randomUUID())).toMatchObject({ status: "rejected" });
      const owed = (await owedPerShop(d, funds.fundId)).find((l) => l.merchantId === shop.id);
      expect(owed).toMatchObject({ owedCents: 300_00n, openCents: 0n });
      await startAndProcess(deps(), { fundId: funds.fundId, trigger: "manual", staffUserId: null });
      await expectSettledOnce(ctx.db, shop, 300_00n);
    });
  });

  it("an open payout keeps a second run from paying the same shop again", async () => {
    const shop = await owedShop(ctx.db, t, funds, 15_00n);
    const d = deps({ fourEyesCents: 0n });
    const first = await startRun(d, { fundId: funds.fundId, trigger: "manual", staffUserId: randomUUID() });
    expect((await owedPerShop(d, funds.fundId)).find((l) => l.merchantId === shop.id)).toMatchObject({ openCents: 15_00n, owedCents: 0n });
    expect((await refusal(startRun(d, { fundId: funds.fundId, trigger: "manual", staffUserId: null }))).code).toBe("PAYOUT_NOTHING_OWED");
    await approveRun(d, first.id, randomUUID());
    await processRun(d, first.id);
    await expectSettledOnce(ctx.db, shop, 15_00n);
  });

  describe("schedules", () => {
    it("a minimum amount leaves small amounts owed for later", async () => {
      const shop = await owedShop(ctx.db, t, funds, 4_00n);
      expect((await refusal(startRun(deps(), { fundId: funds.fundId, trigger: "manual", staffUserId: null, minimumCents: 5_00n }))).code).toBe("PAYOUT_NOTHING_OWED");
      expect((await owedPerShop(deps(), funds.fundId)).find((l) => l.merchantId === shop.id)?.owedCents).toBe(4_00n);
      await startAndProcess(deps(), { fundId: funds.fundId, trigger: "manual", staffUserId: null });
    });

    it("instant: the scheduler's next tick pays what was just paid at the till", async () => {
      const staff = randomUUID();
      await setPayoutSchedule({ db: ctx.db }, { fundId: funds.fundId, schedule: { kind: "instant" }, minimumCents: 0n, staffUserId: staff });
      expect(await getPayoutSchedule({ db: ctx.db }, funds.fundId)).toMatchObject({ schedule: { kind: "instant" }, minimumCents: 0n });
      const shop = await owedShop(ctx.db, t, funds, 3_50n);
      const started = await runDuePayouts(deps());
      expect(started).toHaveLength(1);
      expect((await getRun(deps(), started[0]!)).trigger).toBe("instant");
      await expectSettledOnce(ctx.db, shop, 3_50n);
      expect(await runDuePayouts(deps())).toEqual([]);
    });

    it("daily: nothing before its time, one run at or after it, never twice the same day", async () => {
      await setPayoutSchedule({ db: ctx.db }, { fundId: funds.fundId, schedule: { kind: "daily", at: "17:00" }, minimumCents: 0n, staffUserId: randomUUID() });
      const shop = await owedShop(ctx.db, t, funds, 8_00n);
      // 15:59 UTC is 16:59 in Amsterdam in winter; 16:00 UTC is 17:00.
      const day = "2031-01-15";
      expect(await runDuePayouts(deps({ clock: () => new Date(`${day}T15:59:00Z`) }))).toEqual([]);
      expect(await runDuePayouts(deps({ clock: () => new Date(`${day}T16:00:00Z`) }))).toHaveLength(1);
      await expectSettledOnce(ctx.db, shop, 8_00n);
      const later = await owedShop(ctx.db, t, funds, 2_00n);
      expect(await runDuePayouts(deps({ clock: () => new Date(`${day}T20:00:00Z`) }))).toEqual([]);
      expect(await runDuePayouts(deps({ clock: () => new Date("2031-01-16T16:30:00Z") }))).toHaveLength(1);
      await expectSettledOnce(ctx.db, later, 2_00n);
    });

    it("daily runs at its time on the fund's own clock, and the reference carries the fund's day", async () => {
      await setPayoutSchedule({ db: ctx.db }, { fundId: funds.fundId, schedule: { kind: "daily", at: "17:00" }, minimumCents: 0n, staffUserId: randomUUID() });
      await ctx.db.updateTable("funds").set({ time_zone: "America/Kralendijk" }).where("id", "=", funds.fundId).execute();
      try {
        const shop = await owedShop(ctx.db, t, funds, 6_00n);
        // Bonaire keeps UTC-4 all year: 17:00 there is 21:00 UTC, long after 17:00 in Amsterdam.
        const day = "2031-02-20";
        expect(await runDuePayouts(deps({ clock: () => new Date(`${day}T16:00:00Z`) }))).toEqual([]);
        expect(await runDuePayouts(deps({ clock: () => new Date(`${day}T20:59:00Z`) }))).toEqual([]);
        const [runId] = await runDuePayouts(deps({ clock: () => new Date(`${day}T21:00:00Z`) }));
        expect(runId).toBeDefined();
        await expectSettledOnce(ctx.db, shop, 6_00n);
        // 23:30 UTC is already the 21st in Amsterdam, still the 20th on Bonaire.
        const late = await owedShop(ctx.db, t, funds, 1_00n);
        const run = await startAndProcess(deps({ clock: () => new Date(`${day}T23:30:00Z`) }), { fundId: funds.fundId, trigger: "manual", staffUserId: null });
        const [payout] = await ctx.db.selectFrom("payouts").select("reference").where("run_id", "=", run.id).where("merchant_id", "=", late.id).execute();
        expect(payout?.reference).toMatch(/^TGD-20310220-/);
      } finally {
        await ctx.db.updateTable("funds").set({ time_zone: "Europe/Amsterdam" }).where("id", "=", funds.fundId).execute();
      }
    });
  });
});
