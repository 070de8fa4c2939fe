// readFundEvents and safeHead on a Hardhat node: payments and refunds of two funds, some in one block,
// read back in chain order with their block times, however the block range is cut.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type FundEvent, type PaymentEvent, type RefundEvent, readFundEvents, safeHead } from "../../src/chain/events.ts";
import { FundClient, type PaymentResult } from "../../src/chain/fund-client.ts";
import { type TestChain, activeBudgets, approvedShop, randomId, signPermit, startTestChain } from "./harness.ts";

let t: TestChain;
let fromBlock: number;
let toBlock: number;
const expected: { kind: "payment" | "refund"; fund: string; paymentId: string; amountCents: bigint; txHash: string }[] = [];
let sameBlock: PaymentResult[];

beforeAll(async () => {
  t = await startTestChain("hardhat");
  fromBlock = (await t.provider.getBlockNumber()) + 1;
  const shop = await approvedShop(t.fund);
  const otherShop = await approvedShop(t.otherFund);
  const budgets = await activeBudgets(t, 4);
  const otherBudgets = await activeBudgets(t, 2, 300_00n, t.otherFund);

  // One payment per block, alternating funds, with refunds in between.
  for (let round = 0; round < 3; round++) {
    for (const [i, b] of budgets.entries()) {
      const qr = await signPermit(t, b.family, t.fund, b.budgetId);
      const amount = BigInt(1_00 * (round + 1) + i);
      const paid = await t.fund.pay(qr.permit, qr.signature, shop, amount);
      expected.push({ kind: "payment", fund: t.fundAddress, paymentId: paid.paymentId, amountCents: amount, txHash: paid.txHash });
      if (i === 1) {
        const refund = await t.fund.refund(b.budgetId, paid.nonce, 50n);
        expected.push({ kind: "refund", fund: t.fundAddress, paymentId: paid.paymentId, amountCents: 50n, txHash: refund.txHash });
      }
    }
    const o = otherBudgets[round % 2]!;
    const qr = await signPermit(t, o.family, t.otherFund, o.budgetId);
    const paid = await t.otherFund.pay(qr.permit, qr.signature, otherShop, 7_77n);
    expected.push({ kind: "payment", fund: t.otherFundAddress, paymentId: paid.paymentId, amountCents: 7_77n, txHash: paid.txHash });
  }

  // Three payments mined together in one block.
  const qrs = await Promise.all(budgets.slice(0, 3).map((b) => signPermit(t, b.family, t.fund, b.budgetId)));
  await t.provider.send("evm_setAutomine", [false]);
  let pending: Promise<PaymentResult[]>;
  try {
    // Three transactions of their own (not one batch), all sent before any is mined.
    const fund = new FundClient(t.relayer, t.fundAddress, { maxInFlight: 3, maxBatch: 1 });
    pending = Promise.all(qrs.map((qr, i) => fund.pay(qr.permit, qr.signature, shop, BigInt(2_00 + i))));
    pending.catch(() => {});
    // Wait until all three wait in the pool, then mine them in one block.
    for (let i = 0; i < 200; i++) {
      const block = await t.provider.send("eth_getBlockByNumber", ["pending", false]);
      if (block.transactions.length === 3) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await t.provider.send("evm_mine", []);
  } finally {
    await t.provider.send("evm_setAutomine", [true]);
  }
  sameBlock = await pending;
  toBlock = await t.provider.getBlockNumber();
  await t.fund.deposit(t.sponsor, 1n, randomId()); // after toBlock: must not be read
});

afterAll(async () => {
  await t?.stop();
});

const isMoney = (e: FundEvent): e is PaymentEvent | RefundEvent => e.kind === "payment" || e.kind === "refund";

describe("readFundEvents", () => {
  it("returns the payments and refunds of every fund in chain order with their amounts, however the range is cut", async () => {
    for (const maxBlockRange of [1, 3, 7, 2_000]) {
      const events = await readFundEvents({ provider: t.provider, funds: [t.fundAddress, t.otherFundAddress], fromBlock, toBlock, maxBlockRange });
      const money = events.filter(isMoney);
      const regular = money.filter((e) => !sameBlock.some((p) => p.txHash === e.txHash));
      expect(regular.map((e) => ({ kind: e.kind, fund: e.fundAddress, paymentId: e.paymentId, amountCents: e.amountCents, txHash: e.txHash })))
        .toEqual(expected);
      for (let i = 1; i < events.length; i++) {
        const [a, b] = [events[i - 1]!, events[i]!];
        expect(a.blockNumber < b.blockNumber || (a.blockNumber === b.blockNumber && a.logIndex < b.logIndex)).toBe(true);
      }
      expect(events.every((e) => e.blockNumber >= fromBlock && e.blockNumber <= toBlock)).toBe(true);
    }
  });

  it("keeps the order of several payments in one block and dates each event with its block's time", async () => {
    expect(new Set(sameBlock.map((p) => p.blockNumber)).size).toBe(1);
    const block = sameBlock[0]!.blockNumber;
    const events = await readFundEvents({ provider: t.provider, funds: [t.fundAddress], fromBlock: block, toBlock: block });
    const payments = events.filter((e): e is PaymentEvent => e.kind === "payment");
    expect(payments).toHaveLength(3);
    expect(payments.map((p) => p.logIndex)).toEqual([...payments.map((p) => p.logIndex)].sort((a, b) => a - b));
    expect(new Set(payments.map((p) => p.paymentId))).toEqual(new Set(sameBlock.map((p) => p.paymentId)));
    const timestamp = (await t.provider.getBlock(block))!.timestamp;
    for (const p of payments) {
      expect(p.blockTime).toEqual(new Date(timestamp * 1000));
      expect(p.nonce).toBeTypeOf("bigint");
      expect(p.amountCents).toBeGreaterThanOrEqual(2_00n);
    }
  });

  /** The provider's `send`, spied: `change` may alter an eth_getLogs answer; the calls' ranges are kept. */
  function spyLogs(change: (logs: Record<string, unknown>[], from: number, to: number) => unknown = (logs) => logs) {
    const real = t.provider.send.bind(t.provider);
    const ranges: [number, number][] = [];
    const send = vi.spyOn(t.provider, "send").mockImplementation(async (method: string, params: unknown[] | Record<string, unknown>) => {
      if (method !== "eth_getLogs") return real(method, params);
      const { fromBlock: from, toBlock: to } = (params as [{ fromBlock: string; toBlock: string }])[0];
      ranges.push([Number(from), Number(to)]);
      return change(await real(method, params), Number(from), Number(to));
    });
    return { ranges, restore: () => send.mockRestore() };
  }

  it("takes block times from the logs, and asks at most maxBlockRange blocks per eth_getLogs", async () => {
    const getBlock = vi.spyOn(t.provider, "getBlock");
    const logs = spyLogs();
    try {
      const events = await readFundEvents({ provider: t.provider, funds: [t.fundAddress, t.otherFundAddress], fromBlock, toBlock, maxBlockRange: 5 });
      expect(getBlock).not.toHaveBeenCalled(); // Hardhat's node puts blockTimestamp in each log
      expect(logs.ranges).toHaveLength(Math.ceil((toBlock - fromBlock + 1) / 5));
      for (const [from, to] of logs.ranges) expect(to - from + 1).toBeLessThanOrEqual(5);
      const block = events[0]!.blockNumber;
      expect(events[0]!.blockTime).toEqual(new Date((await t.provider.getBlock(block))!.timestamp * 1000));
    } finally {
      getBlock.mockRestore();
      logs.restore();
    }
  });

  it("asks each block's time once from a node whose logs carry none, with the same events as a result", async () => {
    const withTimes = await readFundEvents({ provider: t.provider, funds: [t.fundAddress, t.otherFundAddress], fromBlock, toBlock });
    const getBlock = vi.spyOn(t.provider, "getBlock");
    const logs = spyLogs((answer) => answer.map(({ blockTimestamp: _, ...log }) => log));
    try {
      const events = await readFundEvents({ provider: t.provider, funds: [t.fundAddress, t.otherFundAddress], fromBlock, toBlock });
      expect(events).toEqual(withTimes);
      expect(getBlock.mock.calls.map((call) => call[0]).sort()).toEqual([...new Set(events.map((e) => e.blockNumber))].sort());
    } finally {
      getBlock.mockRestore();
      logs.restore();
    }
  });

  it("gives the other events as typed kinds with their arguments", async () => {
    const events = await readFundEvents({ provider: t.provider, funds: [t.fundAddress], fromBlock, toBlock });
    const names = new Set(events.filter((e) => e.kind === "event").map((e) => (e.kind === "event" ? e.name : "")));
    for (const name of ["MerchantApproved", "Deposited", "BudgetIssued", "BudgetHolderSet"]) expect(names).toContain(name);
    const issued = events.find((e) => e.kind === "event" && e.name === "BudgetIssued");
    if (issued?.kind !== "event" || issued.name !== "BudgetIssued") throw new Error("no BudgetIssued");
    expect(issued.args.amount).toBe(300_00n);
    expect(issued.args.sponsor).toBe(t.sponsor);
    expect(issued.args.budgetId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(issued.args.expiry).toBeTypeOf("bigint");
  });

  it("asks for halves of a range the node refuses as too large", async () => {
    const logs = spyLogs((answer, from, to) => {
      if (to - from >= 4) throw Object.assign(new Error("query returned more than 10000 results"), { code: "UNKNOWN_ERROR" });
      return answer;
    });
    try {
      const events = await readFundEvents({ provider: t.provider, funds: [t.fundAddress, t.otherFundAddress], fromBlock, toBlock });
      expect(events.filter(isMoney)).toHaveLength(expected.length + sameBlock.length);
      expect(logs.ranges.length).toBeGreaterThan(2);
    } finally {
      logs.restore();
    }
  });

  it("returns nothing for an empty range or no funds", async () => {
    expect(await readFundEvents({ provider: t.provider, funds: [], fromBlock, toBlock })).toEqual([]);
    expect(await readFundEvents({ provider: t.provider, funds: [t.fundAddress], fromBlock: toBlock + 1, toBlock })).toEqual([]);
  });
});

describe("safeHead", () => {
  it("is the newest block with the asked confirmations", async () => {
    const head = await t.provider.getBlockNumber();
    expect(await safeHead(t.provider, 1)).toBe(head);
    expect(await safeHead(t.provider, 0)).toBe(head);
    expect(await safeHead(t.provider, 3)).toBe(head - 2);
    expect(await safeHead(t.provider, head + 5)).toBe(-1);
  });
});
