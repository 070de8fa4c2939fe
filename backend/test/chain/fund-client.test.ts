// FundClient on a Hardhat node: the calls the services make, and a dead QR refused with the same code
// by the off-chain check and by the relayer's simulation, before any gas is spent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TypedDataEncoder, Wallet } from "ethers";
import {
  DomainError, ERROR_CODES, type ErrorCode, PAYMENT_PERMIT_TYPES, type PaymentPermit, decodePaymentQr, encodePaymentQr, fundDomain,
  permitFromQr, qrFromPermit,
} from "@tegoed/sdk";
import { BUDGET_BATCH_SIZE, bankRefOf, paymentIdOf } from "../../src/chain/fund-client.ts";
import {
  type TestChain, activeBudgets, approvedShop, chainTime, laneTxCount, randomId, signPermit, startTestChain,
} from "./harness.ts";

let t: TestChain;
type Budget = Awaited<ReturnType<typeof activeBudgets>>[number];

beforeAll(async () => {
  t = await startTestChain("hardhat");
});

afterAll(async () => {
  await t?.stop();
});

async function refusedWith<T>(promise: Promise<T>): Promise<DomainError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("FundClient", () => {
  describe("when a family pays at an approved shop", () => {
    it("moves the cents from the budget to the shop's receivable and returns the payment's id", async () => {
      const [{ budgetId, family }] = (await activeBudgets(t, 1)) as [Budget];
      const shop = await approvedShop(t.fund);
      const { permit, signature } = await signPermit(t, family, t.fund, budgetId, { maxAmount: 50_00n });

      const check = await t.fund.checkPaymentOffChain(permit, signature, shop, 12_50n);
      expect(check.signer).toBe(family.address);
      const paid = await t.fund.pay(permit, signature, shop, 12_50n);

      expect(paid.paymentId).toBe(paymentIdOf(budgetId, 0n));
      expect(paid.nonce).toBe(0n);
      expect(paid.txHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(paid.blockNumber).toBe(await t.provider.getBlockNumber());
      expect(await t.fund.budgetOf(budgetId)).toMatchObject({ balance: 287_50n, spent: 12_50n, nonce: 1n, holder: family.address });
      expect(await t.fund.merchantOf(shop)).toMatchObject({ approved: true, receivable: 12_50n, paidOut: 0n });
      expect(await t.fund.paymentOf(paid.paymentId)).toMatchObject({ merchant: shop, amount: 12_50n, refunded: 0n, exists: true });
    });

    it("accepts the permit as the QR carries it (compact 64-byte signature, fund by index)", async () => {
      const [{ budgetId, family }] = (await activeBudgets(t, 1)) as [Budget];
      const shop = await approvedShop(t.fund);
      const { permit, signature } = await signPermit(t, family, t.fund, budgetId);
      const scanned = decodePaymentQr(encodePaymentQr(qrFromPermit(permit, t.fundIndex, signature)));
      expect(scanned.signature.length).toBe(2 + 64 * 2);
      const fromQr = permitFromQr(scanned, t.fundAddress);

      await t.fund.checkPaymentOffChain(fromQr, scanned.signature, shop, 3_00n);
      const paid = await t.fund.pay(fromQr, scanned.signature, shop, 3_00n);
      expect(paid.paymentId).toBe(paymentIdOf(budgetId, 0n));
    });

    it("computes the same permit digest as the family's phone", async () => {
      const permit: PaymentPermit = { fund: t.fundAddress, budgetId: randomId(), maxAmount: 1n, nonce: 2n, deadline: 3n };
      const local = TypedDataEncoder.hash(fundDomain(t.fundAddress, t.chainId), PAYMENT_PERMIT_TYPES, permit);
      expect(await t.fund.permitDigest(permit)).toBe(local);
    });
  });

  describe("when a shop refunds and is paid out", () => {
    it("returns cents to the budget, pays out the rest once per bank reference, and the totals still add up", async () => {
      const [{ budgetId, family }] = (await activeBudgets(t, 1)) as [Budget];
      const shop = await approvedShop(t.fund);
      const { permit, signature } = await signPermit(t, family, t.fund, budgetId);
      const paid = await t.fund.pay(permit, signature, shop, 40_00n);

      const refunded = await t.fund.refund(budgetId, paid.nonce, 15_00n);
      expect(refunded.paymentId).toBe(paid.paymentId);
      expect((await t.fund.budgetOf(budgetId)).balance).toBe(275_00n);
      const over = await refusedWith(t.fund.refund(budgetId, paid.nonce, 25_01n));
      expect(over.code).toBe("REFUND_EXCEEDED");
      expect(over.details).toMatchObject({ refundable: "2500", amount: "2501" });

      const ref = bankRefOf("SIM-2027-000123");
      await t.fund.settle(shop, 25_00n, ref);
      expect(await t.fund.isBankRefUsed(ref)).toBe(true);
      expect((await refusedWith(t.fund.settle(shop, 1n, ref))).code).toBe("BANK_REF_USED");
      expect(await t.fund.merchantOf(shop)).toMatchObject({ receivable: 0n, paidOut: 25_00n });

      const totals = await t.fund.totals();
      expect(totals.deposited - totals.withdrawn).toBe(totals.reserve + totals.outstanding + totals.paidOut);
    });
  });

  describe("when budgets are issued or topped up in bulk", () => {
    it(`sends at most ${BUDGET_BATCH_SIZE} budgets per transaction`, async () => {
      const count = BUDGET_BATCH_SIZE + 30;
      await t.fund.deposit(t.sponsor, BigInt(count) * 20_00n, randomId());
      const grants = Array.from({ length: count }, () => ({ budgetId: randomId(), amountCents: 10_00n }));
      const issued = await t.fund.issueBudgets(t.sponsor, grants);
      expect(issued).toHaveLength(2);
      expect(issued[0]!.logs.filter((log) => log.name === "BudgetIssued")).toHaveLength(BUDGET_BATCH_SIZE);
      expect(issued[1]!.logs.filter((log) => log.name === "BudgetIssued")).toHaveLength(30);

      const toppedUp = await t.fund.topUp(grants.map((g) => g.budgetId), 10_00n);
      expect(toppedUp).toHaveLength(2);
      expect((await t.fund.budgetOf(grants.at(-1)!.budgetId)).balance).toBe(20_00n);
    });

    it("refuses before sending anything when the reserve cannot cover the whole run", async () => {
      const sent = await laneTxCount(t);
      const reserve = await t.fund.reserveOf(t.sponsor);
      const error = await refusedWith(t.fund.issueBudgets(t.sponsor, [{ budgetId: randomId(), amountCents: reserve + 1n }]));
      expect(error.code).toBe("RESERVE_INSUFFICIENT");
      expect(await laneTxCount(t)).toBe(sent);
    });
  });

  describe("when a QR is dead", () => {
    interface DeadQr {
      permit: PaymentPermit;
      signature: string;
      shop: string;
      amount: bigint;
      cleanup?: () => Promise<unknown>;
    }

    const cases: [string, ErrorCode, () => Promise<DeadQr>][] = [
      ["a replayed QR", "PERMIT_USED", async () => {
        const [b] = await activeBudgets(t, 1);
        const shop = await approvedShop(t.fund);
        const qr = await signPermit(t, b!.family, t.fund, b!.budgetId);
        await t.fund.pay(qr.permit, qr.signature, shop, 1_00n);
        return { ...qr, shop, amount: 1_00n };
      }],
      ["an expired QR", "PERMIT_EXPIRED", async () => {
        const [b] = await activeBudgets(t, 1);
        const shop = await approvedShop(t.fund);
        const qr = await signPermit(t, b!.family, t.fund, b!.budgetId, { deadline: (await chainTime(t.provider)) - 1n });
        return { ...qr, shop, amount: 1_00n };
      }],
      ["the QR of a frozen budget", "BUDGET_FROZEN", async () => {
        const [b] = await activeBudgets(t, 1);
        const shop = await approvedShop(t.fund);
        const qr = await signPermit(t, b!.family, t.fund, b!.budgetId);
        await t.fund.freeze(b!.budgetId);
        return { ...qr, shop, amount: 1_00n };
      }],
      ["the QR of another fund", "PERMIT_WRONG_FUND", async () => {
        const [b] = await activeBudgets(t, 1, 300_00n, t.otherFund);
        const shop = await approvedShop(t.fund);
        const qr = await signPermit(t, b!.family, t.otherFund, b!.budgetId);
        return { ...qr, shop, amount: 1_00n };
      }],
      ["a QR the old phone makes after a rekey", "PERMIT_INVALID_SIGNATURE", async () => {
        const [b] = await activeBudgets(t, 1);
        const shop = await approvedShop(t.fund);
        await t.fund.rekey(b!.budgetId, Wallet.createRandom().address);
        const qr = await signPermit(t, b!.family, t.fund, b!.budgetId); // with the budget's current nonce
        return { ...qr, shop, amount: 1_00n };
      }],
      ["a QR the old phone showed before a rekey", "PERMIT_INVALID_SIGNATURE", async () => {
        const [b] = await activeBudgets(t, 1);
        const shop = await approvedShop(t.fund);
        const qr = await signPermit(t, b!.family, t.fund, b!.budgetId);
        await t.fund.rekey(b!.budgetId, Wallet.createRandom().address);
        return { ...qr, shop, amount: 1_00n };
      }],
      ["a QR while the fund is paused", "FUND_PAUSED", async () => {
        const [b] = await activeBudgets(t, 1);
        const shop = await approvedShop(t.fund);
        const qr = await signPermit(t, b!.family, t.fund, b!.budgetId);
        await t.fund.pause();
        return { ...qr, shop, amount: 1_00n, cleanup: () => t.fund.unpause() };
      }],
      ["a QR for more than the budget holds", "BUDGET_INSUFFICIENT", async () => {
        const [b] = await activeBudgets(t, 1, 5_00n);
        const shop = await approvedShop(t.fund);
        const qr = await signPermit(t, b!.family, t.fund, b!.budgetId);
        return { ...qr, shop, amount: 6_00n };
      }],
      ["an amount above what the family allowed", "PERMIT_AMOUNT_EXCEEDED", async () => {
        const [b] = await activeBudgets(t, 1);
        const shop = await approvedShop(t.fund);
        const qr = await signPermit(t, b!.family, t.fund, b!.budgetId, { maxAmount: 10_00n });
        return { ...qr, shop, amount: 10_01n };
      }],
      ["a QR shown at a suspended shop", "MERCHANT_NOT_APPROVED", async () => {
        const [b] = await activeBudgets(t, 1);
        const shop = await approvedShop(t.fund);
        await t.fund.suspendMerchant(shop);
        const qr = await signPermit(t, b!.family, t.fund, b!.budgetId);
        return { ...qr, shop, amount: 1_00n };
      }],
      ["the QR of a budget not yet activated", "BUDGET_NOT_ACTIVATED", async () => {
        const budgetId = randomId();
        await t.fund.deposit(t.sponsor, 1_00n, randomId());
        await t.fund.issueBudgets(t.sponsor, [{ budgetId, amountCents: 1_00n }]);
        const shop = await approvedShop(t.fund);
        const qr = await signPermit(t, Wallet.createRandom(), t.fund, budgetId);
        return { ...qr, shop, amount: 1_00n };
      }],
      ["the QR of an unknown budget", "BUDGET_UNKNOWN", async () => {
        const shop = await approvedShop(t.fund);
        const qr = await signPermit(t, Wallet.createRandom(), t.fund, randomId(), { nonce: 0n });
        return { ...qr, shop, amount: 1_00n };
      }],
      ["a QR with a damaged signature", "PERMIT_INVALID_SIGNATURE", async () => {
        const [b] = await activeBudgets(t, 1);
        const shop = await approvedShop(t.fund);
        const qr = await signPermit(t, b!.family, t.fund, b!.budgetId);
        return { ...qr, signature: "0x" + "00".repeat(64), shop, amount: 1_00n };
      }],
    ];

    it.each(cases)("%s is refused with %s by the off-chain check and by the relayer, with no gas spent", async (_name, code, make) => {
      const dead = await make();
      try {
        const sentBefore = await laneTxCount(t);
        const offChain = await refusedWith(t.fund.checkPaymentOffChain(dead.permit, dead.signature, dead.shop, dead.amount));
        const relayed = await refusedWith(t.fund.pay(dead.permit, dead.signature, dead.shop, dead.amount));
        expect(offChain.code).toBe(code);
        expect(relayed.code).toBe(code);
        expect(offChain.details.contractError).toBe(relayed.details.contractError);
        expect(offChain.status).toBe(ERROR_CODES[code].status);
        expect(await laneTxCount(t)).toBe(sentBefore);
      } finally {
        await dead.cleanup?.();
      }
    });
  });

  describe("when the input cannot be a call at all", () => {
    it("refuses a bad address, id or amount with INVALID_INPUT before asking the chain", async () => {
      const permit: PaymentPermit = { fund: t.fundAddress, budgetId: "0x1234", maxAmount: 1n, nonce: 0n, deadline: 1n };
      expect((await refusedWith(t.fund.pay(permit, "0x00", Wallet.createRandom().address, 1n))).code).toBe("INVALID_INPUT");
      expect((await refusedWith(t.fund.budgetOf("not-an-id"))).code).toBe("INVALID_INPUT");
      expect((await refusedWith(t.fund.setHolder(randomId(), "0xnope"))).code).toBe("INVALID_INPUT");
      expect((await refusedWith(t.fund.deposit(t.sponsor, -1n, randomId()))).code).toBe("INVALID_INPUT");
    });
  });
});
