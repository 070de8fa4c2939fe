// A payout run with the `sepa` adapter on a real Hardhat node and both database engines: the run writes
// one pain.001 file (XSD-valid, the payouts' references in it), nothing is recorded on chain until staff
// mark the file sent; then every payout is settled on chain once (side by side, the rows written in
// groups), also after a crash right after marking or before the settled rows were written. A payout the
// database lost (an older backup restored) comes back from its settle and is named by the statement.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { id } from "ethers";
import { sepaFileBank } from "../../../src/bank/index.ts";
import { euros } from "../../../src/bank/sepa/pain001.ts";
import {
  InjectedCrash, getRun, importStatement, markRunSent, merchantPayouts, reconcilePayouts, runFile, startAndProcess, type CrashPoint, type PayoutDeps,
} from "../../../src/domain/payouts/index.ts";
import { newPayoutReference } from "../../../src/domain/payouts/payouts.service.ts";
import { bankRefOf } from "../../../src/chain/fund-client.ts";
import { createIndexer } from "../../../src/domain/indexer/indexer.ts";
import { ENGINES, useDatabase } from "../../support/engines.ts";
import { type TestChain, startTestChain } from "../../chain/harness.ts";
import { CHAIN_ENGINE, type ChainFunds, refusal, seedChainFunds } from "../payments/support.ts";
import { camt053, crashOnceAt, owedShop, payoutDeps, payoutsOf, xmllint } from "./support.ts";

let t: TestChain;
beforeAll(async () => {
  t = await startTestChain(CHAIN_ENGINE);
});
afterAll(async () => {
  await t?.stop();
});

const SETTLED_TOPIC = id("MerchantSettled(address,uint256,bytes32)");
const DEBTOR = { name: "Gemeente Westerkwartier", iban: "NL02ABNA0123456789", bic: "ABNANL2A" };

describe.each(ENGINES)("a SEPA payout run on $name", (engine) => {
  const ctx = useDatabase(engine);
  let funds: ChainFunds;
  const deps = (extra: Partial<PayoutDeps> = {}) => payoutDeps(ctx.db, t, { bank: sepaFileBank(DEBTOR), ...extra });
  beforeEach(async () => {
    funds ??= await seedChainFunds(ctx.db, t);
  });

  it("writes one valid file, records nothing on chain until staff mark it sent, then settles each payout once", async () => {
    const a = await owedShop(ctx.db, t, funds, 12_50n);
    const b = await owedShop(ctx.db, t, funds, 99_95n);
    const run = await startAndProcess(deps(), { fundId: funds.fundId, trigger: "manual", staffUserId: randomUUID() });
    expect(run).toMatchObject({ status: "awaiting_sent", bank: "sepa", hasFile: true, progress: { pending: run.payoutCount } });

    const file = await runFile(deps(), run.id);
    expect(file.fileName).toBe(`${file.messageId}.xml`);
    expect(xmllint(file.xml).valid).toBe(true);
    const [pa] = await merchantPayouts({ db: ctx.db }, a.id);
    const [pb] = await merchantPayouts({ db: ctx.db }, b.id);
    expect(file.xml).toContain(`<EndToEndId>${pa!.reference}</EndToEndId>`);
    expect(file.xml).toContain(`<Ustrd>${pb!.description}</Ustrd>`);
    expect(file.xml).toContain('<InstdAmt Ccy="EUR">99.95</InstdAmt>');
    expect(file.xml).toContain(`<CtrlSum>${euros(run.totalCents)}</CtrlSum>`);
    // Downloading again gives the very same file (same MsgId: the bank refuses a second upload).
    expect(await runFile(deps(), run.id)).toEqual(file);
    expect((await t.fund.merchantOf(a.chainAddress!)).receivable).toBe(12_50n);

    const done = await markRunSent(deps(), run.id, randomUUID());
    expect(done).toMatchObject({ status: "completed", progress: { settled: run.payoutCount, pending: 0 } });
    expect(await t.fund.merchantOf(a.chainAddress!)).toMatchObject({ receivable: 0n, paidOut: 12_50n });
    expect(await t.fund.merchantOf(b.chainAddress!)).toMatchObject({ receivable: 0n, paidOut: 99_95n });
    expect((await refusal(markRunSent(deps(), run.id, randomUUID()))).code).toBe("PAYOUT_RUN_STATE");
  });

  it("a camt.053 statement confirms the booked payouts (recorded on chain once); another amount is left for a person", async () => {
    const a = await owedShop(ctx.db, t, funds, 12_00n);
    const b = await owedShop(ctx.db, t, funds, 3_45n);
    const run = await startAndProcess(deps(), { fundId: funds.fundId, trigger: "manual", staffUserId: null });
    const [pa] = await merchantPayouts({ db: ctx.db }, a.id);
    const [pb] = await merchantPayouts({ db: ctx.db }, b.id);
    const statement = camt053([{ transactions: [{ endToEndId: pa!.reference, amount: "12.00" }, { endToEndId: pb!.reference, amount: "3.46" }, { endToEndId: "SOMETHING-ELSE", amount: "1.00" }] }]);
    const staff = randomUUID();
    const result = await importStatement(deps(), statement, staff);
    expect(result).toEqual({ confirmed: [pa!.reference], mismatched: [pb!.reference], ignored: 1 });
    expect(await t.fund.merchantOf(a.chainAddress!)).toMatchObject({ receivable: 0n, paidOut: 12_00n });
    expect((await t.fund.merchantOf(b.chainAddress!)).receivable).toBe(3_45n);
    // The same statement again changes nothing.
    expect(await importStatement(deps(), statement, staff)).toEqual({ confirmed: [], mismatched: [pb!.reference], ignored: 2 });
    expect((await t.fund.merchantOf(a.chainAddress!)).paidOut).toBe(12_00n);
    // Marking the file sent settles the rest.
    expect(await markRunSent(deps(), run.id, staff)).toMatchObject({ status: "completed" });
    expect(await t.fund.merchantOf(b.chainAddress!)).toMatchObject({ receivable: 0n, paidOut: 3_45n });
  });

  it("a payout the database does not know (a restored backup) is rebuilt from its settle and named by the statement line whose reference hashes to it", async () => {
    const shop = await owedShop(ctx.db, t, funds, 25_00n);
    const reference = newPayoutReference(new Date());
    await t.fund.settle(shop.chainAddress!, 25_00n, bankRefOf(reference));
    const indexer = createIndexer({ db: ctx.db, dbKind: engine.name, provider: t.provider, onError: () => {}, payoutBank: "sepa" });
    await indexer.catchUp();
    const [rebuilt] = await merchantPayouts({ db: ctx.db }, shop.id);
    expect(rebuilt).toMatchObject({ status: "settled", amountCents: 25_00n, reference: expect.stringMatching(/^CHAIN-/), bankRef: bankRefOf(reference).toLowerCase() });

    const result = await importStatement(deps(), camt053([{ transactions: [{ endToEndId: reference, amount: "25.00" }] }]), randomUUID());
    expect(result).toEqual({ confirmed: [reference], mismatched: [], ignored: 0 });
    expect((await merchantPayouts({ db: ctx.db }, shop.id)).map((p) => [p.reference, p.status])).toEqual([[reference, "settled"]]);
    expect(await t.fund.merchantOf(shop.chainAddress!)).toMatchObject({ receivable: 0n, paidOut: 25_00n });
  });

  it("a crash right after marking sent is finished by reconciliation: settled once", async () => {
    const shop = await owedShop(ctx.db, t, funds, 40_00n);
    const run = await startAndProcess(deps(), { fundId: funds.fundId, trigger: "manual", staffUserId: null });
    const crashed = await markRunSent(deps({ crashAt: crashOnceAt("after-marked-sent") }), run.id, randomUUID()).then(() => null, (e: unknown) => e);
    expect(crashed).toBeInstanceOf(InjectedCrash);
    expect((await getRun(deps(), run.id)).progress.sent).toBe(run.payoutCount);
    await reconcilePayouts(deps());
    expect((await getRun(deps(), run.id)).status).toBe("completed");
    expect(await t.fund.merchantOf(shop.chainAddress!)).toMatchObject({ receivable: 0n, paidOut: 40_00n });
  });

  it("settles a sent file's payouts in batches side by side, each row with the transaction that recorded it (rows written in groups)", async () => {
    const amounts = [1_01n, 2_02n, 3_03n, 4_04n, 5_05n];
    const shops = [];
    for (const cents of amounts) shops.push(await owedShop(ctx.db, t, funds, cents));
    const run = await startAndProcess(deps(), { fundId: funds.fundId, trigger: "manual", staffUserId: null });
    const done = await markRunSent(deps({ settleConcurrency: 3, chainConcurrency: 2 }), run.id, randomUUID());
    expect(done).toMatchObject({ status: "completed", progress: { settled: run.payoutCount, sent: 0, confirmed: 0, failed: 0 } });
    const rows = (await Promise.all(shops.map((s) => payoutsOf(ctx.db, s.id)))).flat();
    expect(rows).toHaveLength(amounts.length);
    for (const row of rows) {
      expect(row).toMatchObject({ status: "settled", last_error: null, settled_at: expect.any(Date), settle_tx_hash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
      const receipt = await t.provider.getTransactionReceipt(row.settle_tx_hash!);
      expect(receipt?.status).toBe(1);
      // The row's transaction is the one whose MerchantSettled carries the row's bankRef.
      expect(receipt!.logs.some((l) => l.topics[0] === SETTLED_TOPIC && l.topics[2]?.toLowerCase() === row.bank_ref.toLowerCase())).toBe(true);
    }
    // 5 payouts, 3 transactions at once: batches of 2, 2 and 1 (one multicall of settles per transaction).
    expect(new Set(rows.map((r) => r.settle_tx_hash)).size).toBe(3);
    for (const [i, shop] of shops.entries()) expect(await t.fund.merchantOf(shop.chainAddress!)).toMatchObject({ receivable: 0n, paidOut: amounts[i] });
  });

  it("a payout the chain recorded before its row was written is written settled by reconciliation, not settled twice", async () => {
    const shops = [await owedShop(ctx.db, t, funds, 6_00n), await owedShop(ctx.db, t, funds, 7_00n), await owedShop(ctx.db, t, funds, 8_00n)];
    const run = await startAndProcess(deps(), { fundId: funds.fundId, trigger: "manual", staffUserId: null });
    // The process "dies" right after the chain recorded the last payout: its row (and any still waiting for
    // its group) was not written.
    let settled = 0;
    const crashAt = (point: CrashPoint) => {
      if (point === "after-chain" && ++settled === shops.length) throw new InjectedCrash(point);
    };
    expect(await markRunSent(deps({ crashAt, settleConcurrency: 1 }), run.id, randomUUID()).then(() => null, (e: unknown) => e)).toBeInstanceOf(InjectedCrash);
    const before = (await Promise.all(shops.map((s) => payoutsOf(ctx.db, s.id)))).flat();
    expect(before.filter((p) => p.status === "sent").length).toBeGreaterThanOrEqual(1);
    expect(before.every((p) => p.status === "sent" || p.status === "settled")).toBe(true);
    for (const p of before) expect(await t.fund.isBankRefUsed(p.bank_ref)).toBe(true);

    await reconcilePayouts(deps());
    expect((await getRun(deps(), run.id)).status).toBe("completed");
    const after = (await Promise.all(shops.map((s) => payoutsOf(ctx.db, s.id)))).flat();
    expect(after.map((p) => p.status)).toEqual(["settled", "settled", "settled"]);
    for (const [i, shop] of shops.entries()) expect(await t.fund.merchantOf(shop.chainAddress!)).toMatchObject({ receivable: 0n, paidOut: [6_00n, 7_00n, 8_00n][i] });
  });

  it("a crash in the middle of settling the sent file: reconciliation settles the rest, the chain records each once", async () => {
    const a = await owedShop(ctx.db, t, funds, 1_00n);
    const b = await owedShop(ctx.db, t, funds, 2_00n);
    const run = await startAndProcess(deps(), { fundId: funds.fundId, trigger: "manual", staffUserId: null });
    await markRunSent(deps({ crashAt: crashOnceAt("after-chain") }), run.id, randomUUID()).catch(() => {});
    await reconcilePayouts(deps());
    expect((await getRun(deps(), run.id)).status).toBe("completed");
    expect(await t.fund.merchantOf(a.chainAddress!)).toMatchObject({ receivable: 0n, paidOut: 1_00n });
    expect(await t.fund.merchantOf(b.chainAddress!)).toMatchObject({ receivable: 0n, paidOut: 2_00n });
  });
});
