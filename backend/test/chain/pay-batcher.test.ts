// Payments sent together: on a real node, many tills paying at once share transactions, every
// charge still gets its own payment (id, nonce, log position), and a batch with one payment that
// lost a race is sent again one by one, so only that payment is refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "@tegoed/sdk";
import { FundClient } from "../../src/chain/fund-client.ts";
import { ENGINES, activeBudgets, approvedShop, laneTxCount, signPermit, startTestChain, type TestChain } from "./harness.ts";

describe.each(ENGINES)("PayBatcher on %s", (engine) => {
  let t: TestChain;

  beforeAll(async () => {
    t = await startTestChain(engine);
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  it("sends 30 payments at once in fewer transactions than payments, each with its own receipt", async () => {
    const budgets = await activeBudgets(t, 30);
    const shop = await approvedShop(t.fund);
    const qrs = await Promise.all(budgets.map((b) => signPermit(t, b.family, t.fund, b.budgetId)));
    const before = await laneTxCount(t);

    const paid = await Promise.all(qrs.map((qr, i) => t.fund.pay(qr.permit, qr.signature, shop, BigInt(100 + i))));

    const transactions = (await laneTxCount(t)) - before;
    expect(transactions).toBeLessThan(30);
    expect(new Set(paid.map((p) => p.paymentId)).size).toBe(30);
    expect(new Set(paid.map((p) => `${p.txHash}:${p.logIndex}`)).size).toBe(30);
    paid.forEach((p, i) => {
      expect(p.budgetId).toBe(budgets[i]!.budgetId.toLowerCase());
      expect(p.amountCents).toBe(BigInt(100 + i));
      expect(p.nonce).toBe(0n);
    });
    // The block's time comes with the receipt (the logs' blockTimestamp): the same the block holds.
    for (const p of paid) expect(p.blockTime).toEqual(new Date((await t.provider.getBlock(p.blockNumber))!.timestamp * 1000));
    const balances = await Promise.all(budgets.map((b) => t.fund.budgetOf(b.budgetId)));
    balances.forEach((b, i) => expect(b.balance).toBe(300_00n - BigInt(100 + i)));
    expect((await t.fund.merchantOf(shop)).receivable).toBe(BigInt(30 * 100 + (29 * 30) / 2));
  });

  it("beyond the eager transactions in flight, a burst goes out in full batches only", async () => {
    const fund = new FundClient(t.relayer, t.fundAddress, { eagerInFlight: 1, maxInFlight: 4, maxBatch: 5 });
    const budgets = await activeBudgets(t, 18, 300_00n, fund);
    const shop = await approvedShop(fund);
    const qrs = await Promise.all(budgets.map((b) => signPermit(t, b.family, fund, b.budgetId)));
    const simulated = await Promise.all(qrs.map((qr) => fund.simulatePay(qr.permit, qr.signature, shop, 1_00n)));
    const before = await laneTxCount(t);

    // All 18 ready in the same moment: the first goes alone, three full batches of 5 take the other
    // lanes, and the last 2 wait until the transactions in flight are mined.
    const paid = await Promise.all(simulated.map((payment) => fund.paySimulated(payment)));

    expect((await laneTxCount(t)) - before).toBe(5);
    const sizes = new Map<string, number>();
    for (const p of paid) sizes.set(p.txHash, (sizes.get(p.txHash) ?? 0) + 1);
    expect([...sizes.values()]).toEqual([1, 5, 5, 5, 2]);
    expect(new Set(paid.map((p) => p.paymentId)).size).toBe(18);
  });

  it("on a chain that mines a block at a time, payments that waited lingerMs go out on a free lane and make the same block", async () => {
    const fund = new FundClient(t.relayer, t.fundAddress, { eagerInFlight: 1, maxInFlight: 2, lingerMs: 50 });
    const budgets = await activeBudgets(t, 4, 300_00n, fund);
    const shop = await approvedShop(fund);
    const qrs = await Promise.all(budgets.map((b) => signPermit(t, b.family, fund, b.budgetId)));
    const [first, ...others] = await Promise.all(qrs.map((qr) => fund.simulatePay(qr.permit, qr.signature, shop, 1_00n)));
    const before = await laneTxCount(t);
    await t.provider.send("evm_setAutomine", [false]);
    let mining: ReturnType<typeof setInterval> | undefined;
    try {
      // The first goes out at once and waits for its block; the other three wait behind it only lingerMs.
      const paying = [fund.paySimulated(first!)];
      await new Promise((r) => setTimeout(r, 20));
      paying.push(...others.map((payment) => fund.paySimulated(payment!)));
      await new Promise((r) => setTimeout(r, 400));
      // The next block (and more, so that a payment left behind is mined too, in a later block).
      mining = setInterval(() => void t.provider.send("evm_mine", []).catch(() => {}), 300);
      await t.provider.send("evm_mine", []);
      const paid = await Promise.all(paying);

      expect(new Set(paid.map((p) => p.blockNumber)).size).toBe(1);
      expect((await laneTxCount(t)) - before).toBe(2);
      expect(new Set(paid.map((p) => p.paymentId)).size).toBe(4);
    } finally {
      clearInterval(mining);
      await t.provider.send("evm_setAutomine", [true]);
    }
  });

  it("when one payment of a batch lost its race, the others still pay and only that one is refused", async () => {
    // One lane, so the payments queue behind a first one and go out together.
    const fund = new FundClient(t.relayer, t.fundAddress, { maxInFlight: 1 });
    const budgets = await activeBudgets(t, 6, 300_00n, fund);
    const shop = await approvedShop(fund);
    const qrs = await Promise.all(budgets.map((b) => signPermit(t, b.family, fund, b.budgetId)));
    // The same QR twice: both pass their own simulation, only one can use the nonce.
    const orders = [...qrs, qrs[3]!];

    const simulated = await Promise.all(orders.map((qr) => fund.simulatePay(qr.permit, qr.signature, shop, 10_00n)));
    const outcomes = await Promise.allSettled(simulated.map((payment) => fund.paySimulated(payment)));

    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toBeInstanceOf(DomainError);
    expect((refused[0]!.reason as DomainError).code).toBe("PERMIT_USED");
    const balances = await Promise.all(budgets.map((b) => fund.budgetOf(b.budgetId)));
    for (const b of balances) expect(b.balance).toBe(290_00n);
    expect((await fund.merchantOf(shop)).receivable).toBe(60_00n);
  });

  it("drops a payment whose permit will have expired by the time it is mined: PERMIT_EXPIRED, and it is never sent", async () => {
    // One lane: the second payment waits behind the first, and its deadline passes meanwhile.
    let clock = Date.now();
    const fund = new FundClient(t.relayer, t.fundAddress, { maxInFlight: 1, now: () => clock, deadlineMarginMs: 3_000 });
    const budgets = await activeBudgets(t, 2, 300_00n, fund);
    const shop = await approvedShop(fund);
    const qrs = await Promise.all(budgets.map((b) => signPermit(t, b.family, fund, b.budgetId)));
    const [first, late] = await Promise.all(qrs.map((qr) => fund.simulatePay(qr.permit, qr.signature, shop, 1_00n)));
    const before = await laneTxCount(t);

    const paying = fund.paySimulated(first!);
    clock = Number(late!.deadline) * 1000 - 1_000; // a second before its deadline: it cannot be mined in time
    const outcome = await Promise.allSettled([fund.paySimulated(late!), paying]);

    expect(outcome[0]).toMatchObject({ status: "rejected", reason: { code: "PERMIT_EXPIRED" } });
    expect(outcome[1]!.status).toBe("fulfilled");
    expect((await laneTxCount(t)) - before).toBe(1);
    expect((await fund.budgetOf(budgets[1]!.budgetId)).nonce).toBe(0n);
  });
});
