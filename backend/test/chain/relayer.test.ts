// The relayer on a real node, on Hardhat's node and on anvil: concurrent payments over two lanes,
// a stuck transaction re-sent with higher fees, a lane's nonce re-synced, a revert found after mining.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Interface, Wallet } from "ethers";
import { DomainError, fundAbi } from "@tegoed/sdk";
import { FundClient } from "../../src/chain/fund-client.ts";
import { Relayer, type RelayerEvent } from "../../src/chain/relayer.ts";
import {
  ENGINES, type TestChain, activeBudgets, approvedShop, devKey, laneTxCount, signPermit, startTestChain,
} from "./harness.ts";

const fundInterface = new Interface(fundAbi);

describe.each(ENGINES)("Relayer on %s", (engine) => {
  let t: TestChain;

  beforeAll(async () => {
    t = await startTestChain(engine);
  });

  afterAll(async () => {
    await t?.stop();
  });

  describe("when 100 payments with different permits of different budgets arrive at once", () => {
    it("pays every one through 2 lanes, each lane using each nonce once", async () => {
      const budgets = await activeBudgets(t, 100);
      const shop = await approvedShop(t.fund);
      const qrs = await Promise.all(
        budgets.map(async ({ budgetId, family }) => ({ budgetId, ...(await signPermit(t, family, t.fund, budgetId)) })),
      );
      const sentBefore = await laneTxCount(t);

      const started = performance.now();
      // One transaction per payment (no batching), all handed to the relayer at once.
      const fund = new FundClient(t.relayer, t.fundAddress, { maxInFlight: 100, maxBatch: 1 });
      const results = await Promise.allSettled(
        qrs.map(({ permit, signature }, i) => fund.pay(permit, signature, shop, BigInt(1_00 + i))),
      );
      const seconds = (performance.now() - started) / 1000;
      console.log(`[${engine}] 100 concurrent payments over 2 lanes: ${seconds.toFixed(2)} s, ${(100 / seconds).toFixed(0)} payments/s`);

      const failures = results.filter((r) => r.status === "rejected");
      expect(failures).toEqual([]);
      const paid = results.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof t.fund.pay>>>).value);
      expect(new Set(paid.map((p) => p.paymentId)).size).toBe(100);
      expect(new Set(paid.map((p) => p.txHash)).size).toBe(100);
      // Exactly 100 transactions left the lanes: no retry, no collision, no gap.
      expect((await laneTxCount(t)) - sentBefore).toBe(100);
      const txs = await Promise.all(paid.map((p) => t.provider.getTransaction(p.txHash)));
      const perLane = new Map<string, number[]>();
      for (const tx of txs) perLane.set(tx!.from, [...(perLane.get(tx!.from) ?? []), tx!.nonce]);
      expect([...perLane.keys()].sort()).toEqual([...t.relayer.addresses].sort());
      for (const nonces of perLane.values()) {
        const sorted = [...nonces].sort((a, b) => a - b);
        expect(new Set(sorted).size).toBe(sorted.length);
        expect(sorted.at(-1)! - sorted[0]! + 1).toBe(sorted.length); // contiguous
        expect(sorted.length).toBeGreaterThanOrEqual(40); // spread over both lanes
      }
      // The chain agrees: each budget paid once, the shop owed the sum.
      const states = await Promise.all(budgets.map(({ budgetId }) => t.fund.budgetOf(budgetId)));
      states.forEach((budget, i) => {
        expect(budget.nonce).toBe(1n);
        expect(budget.balance).toBe(300_00n - BigInt(1_00 + i));
      });
      expect((await t.fund.merchantOf(shop)).receivable).toBe(100n * 1_00n + (99n * 100n) / 2n);
    });
  });

  describe("when a transaction waits in the pool longer than stuckAfterMs", () => {
    it("re-sends it with the same nonce and higher fees, and returns the receipt once blocks are mined", async () => {
      const events: RelayerEvent[] = [];
      const key = devKey(7);
      const relayer = new Relayer({
        provider: t.provider, keys: [key], pollIntervalMs: 25, stuckAfterMs: 300, maxReplacements: 3, onEvent: (e) => events.push(e),
      });
      const lane = relayer.addresses[0]!;
      const nonceBefore = await t.provider.getTransactionCount(lane, "latest");
      // Anyone may relay a permit: the stranger lane needs no role for pay.
      const [budget] = await activeBudgets(t, 1);
      const shop = await approvedShop(t.fund);
      const { permit, signature } = await signPermit(t, budget!.family, t.fund, budget!.budgetId);
      const data = fundInterface.encodeFunctionData("pay", [
        [permit.fund, permit.budgetId, permit.maxAmount, permit.nonce, permit.deadline], signature, shop, 5_00n,
      ]);

      await t.provider.send("evm_setAutomine", [false]);
      let pending: Promise<Awaited<ReturnType<Relayer["send"]>>>;
      try {
        pending = relayer.send({ to: t.fundAddress, data, label: "pay" });
        pending.catch(() => {});
        await waitFor(() => events.some((e) => e.type === "replaced"), 10_000);
      } finally {
        await t.provider.send("evm_setAutomine", [true]);
      }
      await t.provider.send("evm_mine", []);
      const result = await pending;

      const sent = events.find((e) => e.type === "sent")!;
      const replaced = events.filter((e) => e.type === "replaced");
      expect(replaced.length).toBeGreaterThanOrEqual(1);
      expect(result.replacements).toBe(replaced.length);
      expect(result.txHash).toBe(replaced.at(-1)!.txHash);
      expect(result.nonce).toBe(nonceBefore);
      expect(await t.provider.getTransactionCount(lane, "latest")).toBe(nonceBefore + 1);
      // The first one never made it; the mined one pays more per gas.
      expect(await t.provider.getTransactionReceipt((sent as { txHash: string }).txHash)).toBeNull();
      const mined = await t.provider.getTransaction(result.txHash);
      const original = (sent as Extract<RelayerEvent, { type: "sent" }>).fees;
      if (original.type !== 2) throw new Error("expected EIP-1559 fees on a local node");
      expect(mined!.maxFeePerGas!).toBeGreaterThan(original.maxFeePerGas);
      expect(mined!.maxPriorityFeePerGas!).toBeGreaterThan(original.maxPriorityFeePerGas);
      expect(result.logs.map((log) => log.name)).toEqual(["PaymentMade"]);
      expect((await t.fund.budgetOf(budget!.budgetId)).nonce).toBe(1n);
    });
  });

  describe("when the node loses the transaction from its pool (a restart without its pool)", () => {
    it("re-sends it with the same nonce, and the payment is mined once", async () => {
      const events: RelayerEvent[] = [];
      const relayer = new Relayer({
        provider: t.provider, keys: [devKey(8)], pollIntervalMs: 25, stuckAfterMs: 300, maxReplacements: 3, onEvent: (e) => events.push(e),
      });
      const lane = relayer.addresses[0]!;
      const nonceBefore = await t.provider.getTransactionCount(lane, "latest");
      const [budget] = await activeBudgets(t, 1);
      const shop = await approvedShop(t.fund);
      const { permit, signature } = await signPermit(t, budget!.family, t.fund, budget!.budgetId);
      const data = fundInterface.encodeFunctionData("pay", [
        [permit.fund, permit.budgetId, permit.maxAmount, permit.nonce, permit.deadline], signature, shop, 3_00n,
      ]);

      await t.provider.send("evm_setAutomine", [false]);
      let pending: Promise<Awaited<ReturnType<Relayer["send"]>>>;
      try {
        pending = relayer.send({ to: t.fundAddress, data, label: "pay" });
        pending.catch(() => {});
        await waitFor(() => events.some((e) => e.type === "sent"), 10_000);
        const sent = events.find((e): e is Extract<RelayerEvent, { type: "sent" }> => e.type === "sent")!;
        // The pool forgets it, as a restarted node does.
        await t.provider.send("hardhat_dropTransaction", [sent.txHash]);
        expect(await t.provider.getTransaction(sent.txHash)).toBeNull();
        await waitFor(() => events.some((e) => e.type === "replaced"), 10_000);
      } finally {
        await t.provider.send("evm_setAutomine", [true]);
      }
      await t.provider.send("evm_mine", []);
      const result = await pending;

      expect(result.nonce).toBe(nonceBefore);
      expect(await t.provider.getTransactionCount(lane, "latest")).toBe(nonceBefore + 1);
      expect(result.logs.map((log) => log.name)).toEqual(["PaymentMade"]);
      expect((await t.fund.budgetOf(budget!.budgetId)).nonce).toBe(1n);
    });
  });

  describe("when more than one confirmation is asked", () => {
    it("returns only once enough blocks are on top of the transaction", async () => {
      const relayer = new Relayer({ provider: t.provider, keys: [devKey(3)], pollIntervalMs: 20, confirmations: 3 });
      let done = false;
      // Any call will do: a read sent as a transaction needs no role.
      const pending = relayer.send({ to: t.fundAddress, data: fundInterface.encodeFunctionData("paused") }).finally(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done).toBe(false);
      await t.provider.send("evm_mine", []);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(done).toBe(false);
      await t.provider.send("evm_mine", []);
      const result = await pending;
      expect(await t.provider.getBlockNumber()).toBe(result.blockNumber + 2);
    });
  });

  describe("when the lane's key was used behind the relayer's back", () => {
    it("re-syncs the lane's nonce from the chain and sends", async () => {
      const events: RelayerEvent[] = [];
      const key = devKey(9);
      const relayer = new Relayer({ provider: t.provider, keys: [key], pollIntervalMs: 20, onEvent: (e) => events.push(e) });
      const shop = Wallet.createRandom().address;
      const [budget] = await activeBudgets(t, 1);
      const payData = async () => {
        const { permit, signature } = await signPermit(t, budget!.family, t.fund, budget!.budgetId);
        return fundInterface.encodeFunctionData("pay", [
          [permit.fund, permit.budgetId, permit.maxAmount, permit.nonce, permit.deadline], signature, shop, 1_00n,
        ]);
      };
      await t.fund.approveMerchant(shop, 1);
      await relayer.send({ to: t.fundAddress, data: await payData() }); // the lane now counts nonces itself
      const outside = new Wallet(key, t.provider);
      await (await outside.sendTransaction({ to: outside.address, value: 1n })).wait();

      const result = await relayer.send({ to: t.fundAddress, data: await payData() });
      expect(events.some((e) => e.type === "nonce-resync")).toBe(true);
      expect(result.nonce).toBe((await t.provider.getTransactionCount(outside.address, "latest")) - 1);
      expect((await t.fund.budgetOf(budget!.budgetId)).nonce).toBe(2n);
    });
  });

  describe("when a call passes no simulation and reverts on chain", () => {
    it("maps the revert found after sending, spends the nonce once, and the lane keeps working", async () => {
      const [budget] = await activeBudgets(t, 1);
      const shop = await approvedShop(t.fund);
      const { permit, signature } = await signPermit(t, budget!.family, t.fund, budget!.budgetId);
      await t.fund.pay(permit, signature, shop, 1_00n);
      const replay = fundInterface.encodeFunctionData("pay", [
        [permit.fund, permit.budgetId, permit.maxAmount, permit.nonce, permit.deadline], signature, shop, 1_00n,
      ]);
      const relayer = new Relayer({ provider: t.provider, keys: [devKey(4)], pollIntervalMs: 20 });
      const lane = relayer.addresses[0]!;
      const before = await t.provider.getTransactionCount(lane, "latest");

      const error = await relayer.send({ to: t.fundAddress, data: replay, simulate: false, gasLimit: 200_000n }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe("PERMIT_USED");
      const txHash = (error as DomainError).details.txHash!;
      expect((await t.provider.getTransactionReceipt(txHash))!.status).toBe(0);
      expect((await t.provider.getTransaction(txHash))!.nonce).toBe(before);

      const again = await signPermit(t, budget!.family, t.fund, budget!.budgetId);
      const ok = await relayer.send({
        to: t.fundAddress,
        data: fundInterface.encodeFunctionData("pay", [
          [again.permit.fund, again.permit.budgetId, again.permit.maxAmount, again.permit.nonce, again.permit.deadline],
          again.signature, shop, 1_00n,
        ]),
      });
      expect(ok.nonce).toBe(before + 1);
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number) {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
