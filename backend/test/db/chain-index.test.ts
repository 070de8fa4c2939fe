import { getAddress } from "ethers";
import { describe, expect, it } from "vitest";
import { chainIndexRepository } from "../../src/db/chain-index.repository.ts";
import { ENGINES, useDatabase } from "../support/engines.ts";
import { paymentEvent, randomAddress, randomBytes32, randomUUID, refundEvent, seedFund } from "../support/fixtures.ts";

const cursorName = () => `fund-events:${randomUUID()}`;

describe.each(ENGINES)("chain index on $name", (engine) => {
  const ctx = useDatabase(engine);

  describe("getCursor", () => {
    it("is null before the first range", async () => {
      expect(await chainIndexRepository(ctx.db).getCursor(cursorName())).toBeNull();
    });
  });

  describe("applyChainEvents", () => {
    it("stores the payments and refunds of a range and moves the cursor to its end", async () => {
      const index = chainIndexRepository(ctx.db);
      const fund = await seedFund(ctx.db);
      const name = cursorName();
      const pay = paymentEvent(fund.chain_address, { blockNumber: 7, logIndex: 3 });
      const refund = refundEvent(pay, { blockNumber: 9, logIndex: 0 });

      const applied = await index.applyChainEvents(name, 10, [pay, refund]);

      expect(applied).toEqual({ paymentsAdded: 1, refundsAdded: 1, cursor: 10 });
      expect(await index.getCursor(name)).toBe(10);
      expect(await index.listPayments({ budgetId: pay.budgetId })).toEqual([
        {
          paymentId: pay.paymentId,
          fundId: fund.id,
          budgetId: pay.budgetId,
          merchant: pay.merchant,
          amountCents: 12_50n,
          nonce: 0n,
          txHash: pay.txHash,
          blockNumber: 7,
          logIndex: 3,
          blockTime: pay.blockTime,
        },
      ]);
      expect(await index.listRefunds(pay.paymentId)).toEqual([
        {
          paymentId: pay.paymentId,
          amountCents: 2_50n,
          txHash: refund.txHash,
          blockNumber: 9,
          logIndex: 0,
          blockTime: refund.blockTime,
        },
      ]);
    });

    it("adds nothing when the same range is applied again", async () => {
      const index = chainIndexRepository(ctx.db);
      const fund = await seedFund(ctx.db);
      const name = cursorName();
      const merchant = randomAddress();
      const pays = [1, 2, 3].map((n) => paymentEvent(fund.chain_address, { merchant, blockNumber: n, nonce: BigInt(n) }));
      const events = [...pays, refundEvent(pays[0]!, { blockNumber: 4 })];

      await index.applyChainEvents(name, 5, events);
      const again = await index.applyChainEvents(name, 5, events);

      expect(again).toEqual({ paymentsAdded: 0, refundsAdded: 0, cursor: 5 });
      expect(await index.listPayments({ merchant })).toHaveLength(3);
      expect(await index.listRefunds(pays[0]!.paymentId)).toHaveLength(1);
    });

    it("adds nothing twice when two indexers apply the same range at once", async () => {
      const index = chainIndexRepository(ctx.db);
      const fund = await seedFund(ctx.db);
      const name = cursorName();
      const merchant = randomAddress();
      const events = Array.from({ length: 20 }, (_, i) => paymentEvent(fund.chain_address, { merchant, blockNumber: 100 + i }));

      const results = await Promise.all([index.applyChainEvents(name, 200, events), index.applyChainEvents(name, 200, events)]);

      expect(results.map((r) => r.paymentsAdded).sort((a, b) => a - b)).toEqual([0, 20]);
      expect(await index.listPayments({ merchant })).toHaveLength(20);
      expect(await index.getCursor(name)).toBe(200);
    });

    it("never moves the cursor backwards", async () => {
      const index = chainIndexRepository(ctx.db);
      const fund = await seedFund(ctx.db);
      const name = cursorName();
      await index.applyChainEvents(name, 20, []);

      const older = paymentEvent(fund.chain_address, { blockNumber: 8 });
      const applied = await index.applyChainEvents(name, 10, [older]);

      expect(applied.cursor).toBe(20);
      expect(await index.getCursor(name)).toBe(20);
      // The older range's events are still stored: a re-scan fills gaps, it never loses them.
      expect(await index.listPayments({ budgetId: older.budgetId })).toHaveLength(1);
    });

    it("keeps amounts and nonces beyond 2^53 exact, as bigint", async () => {
      const index = chainIndexRepository(ctx.db);
      const fund = await seedFund(ctx.db);
      const big = 2n ** 53n + 1n;
      const max = 2n ** 63n - 1n;
      const pay = paymentEvent(fund.chain_address, { amountCents: max, nonce: big, blockNumber: 3 });
      const refund = refundEvent(pay, { amountCents: big });

      await index.applyChainEvents(cursorName(), 10, [pay, refund]);

      const [stored] = await index.listPayments({ budgetId: pay.budgetId });
      expect(stored?.amountCents).toBe(9_223_372_036_854_775_807n);
      expect(stored?.nonce).toBe(9_007_199_254_740_993n);
      expect((await index.listRefunds(pay.paymentId))[0]?.amountCents).toBe(9_007_199_254_740_993n);
    });

    it("stores hex in lower case, so checksummed addresses find the same rows", async () => {
      const index = chainIndexRepository(ctx.db);
      const fund = await seedFund(ctx.db);
      const merchant = getAddress(randomAddress());
      const pay = paymentEvent(getAddress(fund.chain_address), { merchant, paymentId: randomBytes32().toUpperCase().replace("0X", "0x") });

      await index.applyChainEvents(cursorName(), 5, [pay]);

      const [stored] = await index.listPayments({ merchant });
      expect(stored?.merchant).toBe(merchant.toLowerCase());
      expect(stored?.paymentId).toBe(pay.paymentId.toLowerCase());
      expect(stored?.fundId).toBe(fund.id);
    });

    it("stores nothing of a range with a refund of an unknown payment, and keeps the cursor", async () => {
      const index = chainIndexRepository(ctx.db);
      const fund = await seedFund(ctx.db);
      const name = cursorName();
      await index.applyChainEvents(name, 10, []);
      const pay = paymentEvent(fund.chain_address, { blockNumber: 11 });
      const stray = refundEvent(paymentEvent(fund.chain_address), { blockNumber: 12 });

      await expect(index.applyChainEvents(name, 20, [pay, stray])).rejects.toThrow(
        `Refund in tx ${stray.txHash} is of payment ${stray.paymentId}, which is not indexed`,
      );

      expect(await index.listPayments({ budgetId: pay.budgetId })).toEqual([]);
      expect(await index.getCursor(name)).toBe(10);
    });

    it("refuses a payment of a fund it does not know, and an event past the range", async () => {
      const index = chainIndexRepository(ctx.db);
      const fund = await seedFund(ctx.db);
      const unknownFund = randomAddress();

      await expect(index.applyChainEvents(cursorName(), 5, [paymentEvent(unknownFund)])).rejects.toThrow(
        `is of fund ${unknownFund}, which is not in the funds table`,
      );
      await expect(
        index.applyChainEvents(cursorName(), 5, [paymentEvent(fund.chain_address, { blockNumber: 6 })]),
      ).rejects.toThrow("A payment of block 6 is past the range's end, block 5");
    });
  });

  describe("listPayments", () => {
    it("lists a merchant's payments newest first, within a time window", async () => {
      const index = chainIndexRepository(ctx.db);
      const fund = await seedFund(ctx.db);
      const merchant = randomAddress();
      const day = (d: number) => new Date(Date.UTC(2027, 2, d, 12));
      const pays = [1, 2, 3].map((d) => paymentEvent(fund.chain_address, { merchant, blockNumber: d, blockTime: day(d) }));
      await index.applyChainEvents(cursorName(), 3, [...pays, paymentEvent(fund.chain_address)]);

      const listed = await index.listPayments({ merchant });
      expect(listed.map((p) => p.paymentId)).toEqual([pays[2]!.paymentId, pays[1]!.paymentId, pays[0]!.paymentId]);
      const window = await index.listPayments({ merchant, from: day(2), to: day(3) });
      expect(window.map((p) => p.paymentId)).toEqual([pays[1]!.paymentId]);
      expect(await index.listPayments({ fundId: fund.id, limit: 2 })).toHaveLength(2);
    });
  });
});
