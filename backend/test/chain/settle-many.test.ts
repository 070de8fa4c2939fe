// Settles recorded in batches on a real node: many payouts in one multicall transaction, the shops'
// receivables and paidOut right, and a batch with one bankRef already used falls back to one settle at
// a time, so the used one alone is refused (BANK_REF_USED) and the others are still recorded. And the
// bulk reads a payout run makes, as one by one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "@tegoed/sdk";
import { randomBytes } from "node:crypto";
import { getAddress, hexlify } from "ethers";
import { READS_PER_CALL, bankRefOf } from "../../src/chain/fund-client.ts";
import { ENGINES, activeBudgets, approvedShop, laneTxCount, randomId, signPermit, startTestChain, type TestChain } from "./harness.ts";

/** `count` shops, each owed `cents` after a family paid it. */
async function owedShops(t: TestChain, count: number, cents: bigint): Promise<string[]> {
  const budgets = await activeBudgets(t, count, cents);
  const shops = await Promise.all(budgets.map(() => approvedShop(t.fund)));
  const qrs = await Promise.all(budgets.map((b) => signPermit(t, b.family, t.fund, b.budgetId, { maxAmount: cents })));
  await Promise.all(qrs.map((qr, i) => t.fund.pay(qr.permit, qr.signature, shops[i]!, cents)));
  return shops;
}

describe.each(ENGINES)("FundClient.settleMany on %s", (engine) => {
  let t: TestChain;

  beforeAll(async () => {
    t = await startTestChain(engine);
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  it("records 25 payouts in one transaction, each shop's receivable and paidOut right", async () => {
    const shops = await owedShops(t, 25, 50_00n);
    const items = shops.map((merchant, i) => ({ merchant, amountCents: BigInt(10_00 + i), bankRef: bankRefOf(`TGD-TEST-${randomId()}`) }));
    const totalsBefore = await t.fund.totals();
    const txsBefore = await laneTxCount(t);

    const outcomes = await t.fund.settleMany(items);

    expect(await laneTxCount(t) - txsBefore).toBe(1);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const hashes = new Set(outcomes.map((o) => (o.ok ? o.txHash : "")));
    expect(hashes.size).toBe(1);
    const receipt = await t.provider.getTransactionReceipt([...hashes][0]!);
    expect(receipt?.status).toBe(1);
    for (const o of outcomes) expect(o).toMatchObject({ ok: true, blockNumber: receipt!.blockNumber, batchSize: 25 });
    for (const [i, item] of items.entries()) {
      expect(await t.fund.isBankRefUsed(item.bankRef)).toBe(true);
      expect(await t.fund.merchantOf(shops[i]!)).toMatchObject({ receivable: 50_00n - item.amountCents, paidOut: item.amountCents });
    }
    const totalsAfter = await t.fund.totals();
    expect(totalsAfter.paidOut - totalsBefore.paidOut).toBe(items.reduce((sum, item) => sum + item.amountCents, 0n));
    expect(totalsAfter.deposited - totalsAfter.withdrawn).toBe(totalsAfter.reserve + totalsAfter.outstanding + totalsAfter.paidOut);
  });

  it("reads receivables and used bank references in bulk, across eth_calls of READS_PER_CALL, as one by one", async () => {
    const shops = await owedShops(t, 3, 7_00n);
    const recorded = bankRefOf(`TGD-TEST-${randomId()}`);
    await t.fund.settle(shops[1]!, 2_00n, recorded);
    const count = 2 * READS_PER_CALL + 1;
    const strangers = Array.from({ length: count }, () => getAddress(hexlify(randomBytes(20))));
    const at = [0, READS_PER_CALL, count - 1];
    at.forEach((i, k) => (strangers[i] = shops[k]!));
    const receivables = await t.fund.receivablesOf(strangers);
    expect(receivables).toHaveLength(count);
    expect(at.map((i) => receivables[i])).toEqual([7_00n, 5_00n, 7_00n]);
    expect(receivables.filter((r) => r !== 0n)).toHaveLength(3);
    const refs = Array.from({ length: count }, () => bankRefOf(`TGD-TEST-${randomId()}`));
    refs[READS_PER_CALL - 1] = recorded;
    const used = await t.fund.bankRefsUsed(refs, 2);
    expect(used.flatMap((u, i) => (u ? [i] : []))).toEqual([READS_PER_CALL - 1]);
    expect(await t.fund.bankRefsUsed([])).toEqual([]);
  });

  it("splits into transactions of at most maxBatch", async () => {
    const shops = await owedShops(t, 7, 5_00n);
    const items = shops.map((merchant) => ({ merchant, amountCents: 5_00n, bankRef: bankRefOf(`TGD-TEST-${randomId()}`) }));
    const outcomes = await t.fund.settleMany(items, { maxBatch: 3 });
    expect(outcomes.map((o) => (o.ok ? o.batchSize : 0))).toEqual([3, 3, 3, 3, 3, 3, 1]);
    expect(new Set(outcomes.map((o) => (o.ok ? o.txHash : ""))).size).toBe(3);
    for (const shop of shops) expect(await t.fund.merchantOf(shop)).toMatchObject({ receivable: 0n, paidOut: 5_00n });
  });

  it("a batch with one bankRef already used falls back to one by one: only that one is refused", async () => {
    const shops = await owedShops(t, 5, 20_00n);
    const items = shops.map((merchant) => ({ merchant, amountCents: 20_00n, bankRef: bankRefOf(`TGD-TEST-${randomId()}`) }));
    // The third payout was recorded already (a crash after the chain, before its row was written).
    await t.fund.settle(items[2]!.merchant, items[2]!.amountCents, items[2]!.bankRef);

    const outcomes = await t.fund.settleMany(items);

    const refused = outcomes[2]!;
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error).toBeInstanceOf(DomainError);
    expect(!refused.ok && (refused.error as DomainError).code).toBe("BANK_REF_USED");
    const others = outcomes.filter((_, i) => i !== 2);
    expect(others.every((o) => o.ok && o.batchSize === 1)).toBe(true);
    // Each sent alone: its own transaction.
    expect(new Set(others.map((o) => (o.ok ? o.txHash : ""))).size).toBe(4);
    // Recorded once each: the used one was not recorded twice.
    for (const shop of shops) expect(await t.fund.merchantOf(shop)).toMatchObject({ receivable: 0n, paidOut: 20_00n });
  });

  it("an item refused before sending (bad input) gets its own error; the rest are recorded", async () => {
    const shops = await owedShops(t, 2, 3_00n);
    const outcomes = await t.fund.settleMany([
      { merchant: shops[0]!, amountCents: 3_00n, bankRef: bankRefOf(`TGD-TEST-${randomId()}`) },
      { merchant: "not an address", amountCents: 3_00n, bankRef: bankRefOf(`TGD-TEST-${randomId()}`) },
      { merchant: shops[1]!, amountCents: 3_00n, bankRef: bankRefOf(`TGD-TEST-${randomId()}`) },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(!outcomes[1]!.ok && (outcomes[1]!.error as DomainError).code).toBe("INVALID_INPUT");
    for (const shop of shops) expect(await t.fund.merchantOf(shop)).toMatchObject({ receivable: 0n, paidOut: 3_00n });
  });
});
