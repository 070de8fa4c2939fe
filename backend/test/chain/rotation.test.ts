// Rotating a relayer lane's key without downtime: while tills keep paying, a new key joins the payments
// lanes and the old one is retired; the old lane finishes what it has in flight (drains) and takes no
// new payment, the new one takes over, and not one payment fails.
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FundClient } from "../../src/chain/fund-client.ts";
import { RelayerSet } from "../../src/chain/lanes.ts";
import { Relayer } from "../../src/chain/relayer.ts";
import { activeBudgets, approvedShop, devKey, signPermit, startTestChain, type TestChain } from "./harness.ts";

describe("rotating the payments lane on anvil", () => {
  let t: TestChain;
  let payments: Relayer;

  beforeAll(async () => {
    t = await startTestChain("anvil");
    payments = new Relayer({ provider: t.relayer.provider, keys: [devKey(7)], pollIntervalMs: 20 });
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  it("moves payments to the new key mid-traffic with no failed payment, after the old one drained", async () => {
    const fund = new FundClient(new RelayerSet({ payments, refunds: t.relayer, settle: t.relayer, staff: t.relayer }), t.fundAddress);
    const budgets = await activeBudgets(t, 40);
    const shop = await approvedShop(t.fund);
    const oldLane = new Wallet(devKey(7)).address;
    const pay = async (b: (typeof budgets)[number]) => {
      const qr = await signPermit(t, b.family, fund, b.budgetId);
      return fund.pay(qr.permit, qr.signature, shop, 1_00n);
    };
    const qrs = await Promise.all(budgets.slice(0, 20).map((b) => signPermit(t, b.family, fund, b.budgetId)));

    const first = qrs.map((qr) => fund.pay(qr.permit, qr.signature, shop, 1_00n));
    while (!payments.load.some((l) => l.lane === oldLane && l.inFlight > 0)) await new Promise((r) => setTimeout(r, 1));
    // Rotation while the old lane has payments in flight: the new key in, the old one out once drained.
    const newLane = payments.addLane(devKey(9));
    const retired = payments.retireLane(oldLane);
    const second = budgets.slice(20).map(pay);
    const results = await Promise.allSettled([...first, ...second, retired]);

    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(payments.addresses).toEqual([newLane]);
    expect(payments.load).toEqual([{ lane: newLane, inFlight: 0, retired: false }]);
    const paid = (await Promise.all([...first, ...second])).map((p) => p.txHash);
    const senders = await Promise.all([...new Set(paid)].map(async (hash) => (await t.provider.getTransaction(hash))!.from));
    expect(senders).toContain(oldLane);
    expect(senders).toContain(newLane);
    // Nothing goes out from the old key after its drain.
    const oldCount = await t.provider.getTransactionCount(oldLane, "pending");
    const late = await pay((await activeBudgets(t, 1))[0]!);
    expect((await t.provider.getTransaction(late.txHash))!.from).toBe(newLane);
    expect(await t.provider.getTransactionCount(oldLane, "pending")).toBe(oldCount);
    for (const b of budgets) expect((await t.fund.budgetOf(b.budgetId)).balance).toBe(299_00n);
  });

  it("refuses to retire the last active lane", async () => {
    await expect(payments.retireLane(payments.addresses[0]!)).rejects.toThrow("last active lane");
  });
});
