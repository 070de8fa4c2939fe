// FundClient on a Hardhat node: the calls the services make, and a dead QR refused with the same code
// by the off-chain check and by the relayer's simulation, before any gas is spent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbiCoder, TypedDataEncoder, Wallet, keccak256 } from "ethers";
import {
  DomainError, ERROR_CODES, type ErrorCode, PAYMENT_PERMIT_TYPES, type PaymentPermit, decodePaymentQr, encodePaymentQr, fundDomain,
  permitFromQr, qrFromPermit,
} from "@tegoed/sdk";
import {
  BUDGET_BATCH_SIZE, type PaymentProof, bankRefOf, headWidthOf, paymentChainGenesis, paymentChainLink, paymentIdOf,
} from "../../src/chain/fund-client.ts";
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

describe("payment-chain heads", () => {
  it("keeps 20 bytes of each hash on funds made since issue #24, and all 32 on funds made before, told apart by a head the fund holds", () => {
    const budgetId = `0x${"ab".repeat(32)}`;
    const link = { merchant: "0x00000000000000000000000000000000000000a1", amount: 12_50n, nonce: 0n };
    const full = keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32"], [budgetId]));
    expect(paymentChainGenesis(budgetId, 32)).toBe(full);
    expect(paymentChainGenesis(budgetId)).toBe(`${full.slice(0, 42)}${"0".repeat(24)}`);
    const next = keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "address", "uint256", "uint256"], [full, link.merchant, link.amount, link.nonce]));
    expect(paymentChainLink(full, link, 32)).toBe(next);
    expect(headWidthOf(paymentChainLink(paymentChainGenesis(budgetId), link))).toBe(20);
    expect(headWidthOf(next)).toBe(32);
    expect(headWidthOf(`0x${"0".repeat(64)}`)).toBe(20); // an unknown budget's head
  });
});

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
      expect(await t.fund.refundedOf(paid.paymentId)).toBe(0n);
      // The payment is hashed into the budget's chain head, the way the client rebuilds it for refunds.
      expect(await t.fund.paymentsHeadOf(budgetId)).toBe(
        paymentChainLink(paymentChainGenesis(budgetId), { merchant: shop, amount: 12_50n, nonce: 0n }),
      );
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

  describe("when a refund proves its payment from the budget's PaymentMade events", () => {
    /** Pays `amount` from `budget` to `shop` with the budget's current nonce; returns the nonce. */
    async function pay(budget: Budget, shop: string, amount: bigint) {
      const { permit, signature } = await signPermit(t, budget.family, t.fund, budget.budgetId, { maxAmount: amount });
      return (await t.fund.pay(permit, signature, shop, amount)).nonce;
    }

    it("refunds an older payment with the later payments of its budget, not those of other budgets", async () => {
      const [a, b] = (await activeBudgets(t, 2)) as [Budget, Budget];
      const shop = await approvedShop(t.fund);
      const first = await pay(a, shop, 30_00n);
      await pay(b, shop, 11_00n); // another budget's payment in between: not part of a's chain
      await pay(a, shop, 4_00n);
      await pay(a, shop, 2_00n);

      const proof = await t.fund.paymentProof(a.budgetId, first);
      expect(proof.headBefore).toBe(paymentChainGenesis(a.budgetId));
      expect(proof.links.map((l) => [l.merchant, l.amount, l.nonce])).toEqual([[shop, 30_00n, 0n], [shop, 4_00n, 1n], [shop, 2_00n, 2n]]);
      expect(proof.links.reduce((head, link) => paymentChainLink(head, link), proof.headBefore)).toBe(await t.fund.paymentsHeadOf(a.budgetId));

      const refunded = await t.fund.refund(a.budgetId, first, 25_00n);
      expect(refunded.paymentId).toBe(paymentIdOf(a.budgetId, 0n));
      expect(await t.fund.refundedOf(refunded.paymentId)).toBe(25_00n);
      expect((await t.fund.budgetOf(a.budgetId)).balance).toBe(300_00n - 36_00n + 25_00n);
      const middle = await t.fund.paymentProof(a.budgetId, 1n);
      expect(middle.headBefore).toBe(paymentChainLink(paymentChainGenesis(a.budgetId), { merchant: shop, amount: 30_00n, nonce: 0n }));
      expect(middle.links).toHaveLength(2);
      await t.fund.refund(a.budgetId, 1n, 4_00n);
      expect((await refusedWith(t.fund.refund(a.budgetId, 1n, 1n))).code).toBe("REFUND_EXCEEDED");
    });

    it("refuses a nonce that paid nothing with PAYMENT_UNKNOWN, before sending anything", async () => {
      const [budget] = (await activeBudgets(t, 1)) as [Budget];
      const shop = await approvedShop(t.fund);
      await pay(budget, shop, 5_00n);
      const sent = await laneTxCount(t);
      const error = await refusedWith(t.fund.refund(budget.budgetId, 1n, 1_00n));
      expect(error.code).toBe("PAYMENT_UNKNOWN");
      expect(error.details).toMatchObject({ paymentId: paymentIdOf(budget.budgetId, 1n), nonce: "1" });
      expect((await refusedWith(t.fund.refund(randomId(), 0n, 1_00n))).code).toBe("PAYMENT_UNKNOWN");
      expect((await refusedWith(t.fund.refund(budget.budgetId, 0n, 0n))).code).toBe("ZERO_AMOUNT");
      expect(await laneTxCount(t)).toBe(sent);
    });

    it("rebuilds a proof that a payment made stale and refunds on the second try", async () => {
      const [budget] = (await activeBudgets(t, 1)) as [Budget];
      const shop = await approvedShop(t.fund);
      const nonce = await pay(budget, shop, 20_00n);
      const fund = t.fund;
      const built: PaymentProof[] = [];
      const original = fund.paymentProof.bind(fund);
      fund.paymentProof = async (budgetId, paymentNonce) => {
        const proof = await original(budgetId, paymentNonce);
        built.push(proof);
        if (built.length === 1) await pay(budget, shop, 1_00n); // lands after the first proof was built
        return proof;
      };
      try {
        const refunded = await fund.refund(budget.budgetId, nonce, 5_00n);
        expect(refunded.paymentId).toBe(paymentIdOf(budget.budgetId, nonce));
      } finally {
        delete (fund as { paymentProof?: unknown }).paymentProof;
      }
      expect(built.map((p) => p.links.length)).toEqual([1, 2]);
      expect(await fund.refundedOf(paymentIdOf(budget.budgetId, nonce))).toBe(5_00n);
    });

    it("gives up with CONFLICT when the proof is stale twice, and refunds nothing", async () => {
      const [budget] = (await activeBudgets(t, 1)) as [Budget];
      const shop = await approvedShop(t.fund);
      const nonce = await pay(budget, shop, 20_00n);
      const fund = t.fund;
      const original = fund.paymentProof.bind(fund);
      let builds = 0;
      fund.paymentProof = async (budgetId, paymentNonce) => {
        const proof = await original(budgetId, paymentNonce);
        builds += 1;
        await pay(budget, shop, 1_00n); // every time: a busy budget
        return proof;
      };
      let error: DomainError;
      try {
        error = await refusedWith(fund.refund(budget.budgetId, nonce, 5_00n));
      } finally {
        delete (fund as { paymentProof?: unknown }).paymentProof;
      }
      expect(builds).toBe(2);
      expect(error.code).toBe("CONFLICT");
      expect(error.status).toBe(409);
      expect(error.message).toMatch(/try the refund again/);
      expect(error.details).toMatchObject({ contractError: "PaymentProofInvalid", budgetId: budget.budgetId });
      expect(await fund.refundedOf(paymentIdOf(budget.budgetId, nonce))).toBe(0n);
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
