// Fund.refund: a merchant (through the operator) returns part or all of a payment to its budget. The
// payment is proven from calldata: the links from it to the budget's payment-chain head.
import { expect } from "chai";
import { Wallet, ZeroHash } from "ethers";
import {
  type PaymentLink, MAX_BUDGET_BALANCE, as, chainGenesis, chainLink, expectMoneyInvariant, fundWithEur100Payment, networkHelpers,
  paymentIdOf, paymentLinks, randomId, refundProof, signPermit,
} from "./fixtures.ts";

const { loadFixture, time } = networkHelpers;

type Ctx = Awaited<ReturnType<typeof fundWithEur100Payment>>;

/** Pays `amount` from the fixture's budget to `merchant` with the budget's current nonce. */
async function pay(ctx: Ctx, merchant: string, amount: bigint) {
  const { permit, signature } = await signPermit(ctx, ctx.family, ctx.budgetId, { maxAmount: amount });
  await (await as(ctx.fund, ctx.stranger).pay(permit, signature, merchant, amount)).wait();
}

/**
 * {fundWithEur100Payment}, then three later payments from the same budget: EUR 20 at the other shop,
 * EUR 5 at the shop, EUR 7 at the other shop (nonces 1, 2, 3).
 */
async function fundWithLaterPayments() {
  const ctx = await fundWithEur100Payment();
  await (await as(ctx.fund, ctx.merchantManager).approveMerchant(ctx.otherShop.address, 1)).wait();
  await pay(ctx, ctx.otherShop.address, 20_00n);
  await pay(ctx, ctx.shop.address, 5_00n);
  await pay(ctx, ctx.otherShop.address, 7_00n);
  return ctx;
}

/** The proof with `links[index]` replaced by `forged`. */
function forge(proof: { headBefore: string; links: PaymentLink[] }, index: number, forged: Partial<PaymentLink>) {
  return { headBefore: proof.headBefore, links: proof.links.map((l, i) => (i === index ? { ...l, ...forged } : l)) };
}

describe("Fund.refund", () => {
  describe("when part of a payment is refunded", () => {
    it("emits PaymentRefunded and moves the cents from the receivable back to the budget", async () => {
      const { fund, operator, sponsor, shop, budgetId, paymentId, proof } = await loadFixture(fundWithEur100Payment);
      await expect(as(fund, operator).refund(budgetId, 30_00n, proof.headBefore, proof.links))
        .to.emit(fund, "PaymentRefunded").withArgs(paymentId, budgetId, shop.address, 30_00n);
      expect(await fund.refundedOf(paymentId)).to.equal(30_00n);
      const budget = await fund.budgetOf(budgetId);
      expect([budget.balance, budget.spent, budget.nonce]).to.deep.equal([230_00n, 70_00n, 1n]);
      expect(await fund.receivableOf(shop.address)).to.equal(70_00n);
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address], merchants: [shop.address] });
    });

    it("refunds the rest in a second refund with the same proof (a refund does not move the head)", async () => {
      const { fund, operator, shop, budgetId, paymentId, proof } = await loadFixture(fundWithEur100Payment);
      const head = await fund.paymentsHeadOf(budgetId);
      await (await as(fund, operator).refund(budgetId, 30_00n, proof.headBefore, proof.links)).wait();
      expect(await fund.paymentsHeadOf(budgetId)).to.equal(head);
      await expect(as(fund, operator).refund(budgetId, 70_00n, proof.headBefore, proof.links))
        .to.emit(fund, "PaymentRefunded").withArgs(paymentId, budgetId, shop.address, 70_00n);
      expect(await fund.refundedOf(paymentId)).to.equal(100_00n);
      expect(await fund.balanceOf(budgetId)).to.equal(300_00n);
    });

    it("takes the proof the fund's PaymentMade events give", async () => {
      const { fund, operator, budgetId, proof } = await loadFixture(fundWithEur100Payment);
      expect(await refundProof(fund, budgetId, 0n)).to.deep.equal(proof);
      expect(chainLink(proof.headBefore, proof.links[0]!)).to.equal(await fund.paymentsHeadOf(budgetId));
      await expect(as(fund, operator).refund(budgetId, 1n, proof.headBefore, proof.links)).to.emit(fund, "PaymentRefunded");
    });
  });

  describe("when the refund would take the budget above what it can hold", () => {
    it("refuses it with BudgetBalanceTooLarge and moves nothing; a refund that fits goes through", async () => {
      const ctx = await loadFixture(fundWithEur100Payment);
      const { fund, operator, sponsor, validator, shop, budgetId, proof } = ctx;
      // Topped up after the payment to the most a budget holds (EUR 200 left + the rest).
      const topUp = MAX_BUDGET_BALANCE - 200_00n;
      await (await as(fund, sponsor).deposit(topUp, randomId())).wait();
      await (await as(fund, validator).topUp([budgetId], topUp)).wait();
      await expect(as(fund, operator).refund(budgetId, 1n, proof.headBefore, proof.links))
        .to.be.revertedWithCustomError(fund, "BudgetBalanceTooLarge").withArgs(budgetId, MAX_BUDGET_BALANCE + 1n, MAX_BUDGET_BALANCE);
      expect(await fund.balanceOf(budgetId)).to.equal(MAX_BUDGET_BALANCE);
      expect(await fund.receivableOf(shop.address)).to.equal(100_00n);
      // Once the family spent EUR 1 again, a refund of EUR 1 of the first payment fits.
      await pay(ctx, shop.address, 1_00n);
      const later = await refundProof(fund, budgetId, 0n);
      await expect(as(fund, operator).refund(budgetId, 1_00n, later.headBefore, later.links)).to.emit(fund, "PaymentRefunded");
      expect(await fund.balanceOf(budgetId)).to.equal(MAX_BUDGET_BALANCE);
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address], merchants: [shop.address] });
    });
  });

  describe("when the whole payment is refunded", () => {
    it("restores the budget and the receivable to what they were before the payment", async () => {
      const { fund, operator, sponsor, shop, budgetId, paymentId, proof } = await loadFixture(fundWithEur100Payment);
      await expect(as(fund, operator).refund(budgetId, 100_00n, proof.headBefore, proof.links))
        .to.emit(fund, "PaymentRefunded").withArgs(paymentId, budgetId, shop.address, 100_00n);
      const budget = await fund.budgetOf(budgetId);
      expect([budget.balance, budget.spent]).to.deep.equal([300_00n, 0n]);
      expect(await fund.receivableOf(shop.address)).to.equal(0n);
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address], merchants: [shop.address] });
    });

    it("does not bring the used permit back to life: the nonce stays up", async () => {
      const ctx = await loadFixture(fundWithEur100Payment);
      const { fund, operator, family, shop, stranger, budgetId, proof } = ctx;
      await (await as(fund, operator).refund(budgetId, 100_00n, proof.headBefore, proof.links)).wait();
      const { permit, signature } = await signPermit(ctx, family, budgetId, { nonce: 0n });
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "PermitNonceUsed").withArgs(budgetId, 1n, 0n);
    });
  });

  describe("when later payments came after the payment", () => {
    it("refunds the oldest payment with every later payment in the proof, and only that payment", async () => {
      const { fund, operator, sponsor, shop, otherShop, budgetId } = await loadFixture(fundWithLaterPayments);
      const proof = await refundProof(fund, budgetId, 0n);
      expect(proof.headBefore).to.equal(chainGenesis(budgetId));
      expect(proof.links.map((l) => [l.merchant, l.amount, l.nonce])).to.deep.equal([
        [shop.address, 100_00n, 0n], [otherShop.address, 20_00n, 1n], [shop.address, 5_00n, 2n], [otherShop.address, 7_00n, 3n],
      ]);
      await expect(as(fund, operator).refund(budgetId, 60_00n, proof.headBefore, proof.links))
        .to.emit(fund, "PaymentRefunded").withArgs(paymentIdOf(budgetId, 0n), budgetId, shop.address, 60_00n);
      expect(await fund.refundedOf(paymentIdOf(budgetId, 0n))).to.equal(60_00n);
      for (const nonce of [1n, 2n, 3n]) expect(await fund.refundedOf(paymentIdOf(budgetId, nonce))).to.equal(0n);
      expect(await fund.receivableOf(shop.address)).to.equal(105_00n - 60_00n);
      expect(await fund.receivableOf(otherShop.address)).to.equal(27_00n);
      expect(await fund.balanceOf(budgetId)).to.equal(300_00n - 132_00n + 60_00n);
      await expectMoneyInvariant(fund, {
        budgets: [budgetId], sponsors: [sponsor.address], merchants: [shop.address, otherShop.address],
      });
    });

    it("refunds a payment in the middle, bounded by that payment, for the merchant it went to", async () => {
      const { fund, operator, otherShop, budgetId } = await loadFixture(fundWithLaterPayments);
      const proof = await refundProof(fund, budgetId, 1n);
      expect(proof.links).to.have.length(3);
      await expect(as(fund, operator).refund(budgetId, 20_01n, proof.headBefore, proof.links))
        .to.be.revertedWithCustomError(fund, "PaymentRefundExceeded").withArgs(paymentIdOf(budgetId, 1n), 20_00n, 20_01n);
      await expect(as(fund, operator).refund(budgetId, 20_00n, proof.headBefore, proof.links))
        .to.emit(fund, "PaymentRefunded").withArgs(paymentIdOf(budgetId, 1n), budgetId, otherShop.address, 20_00n);
      expect(await fund.receivableOf(otherShop.address)).to.equal(7_00n);
    });

    it("refunds the latest payment with a proof of that payment alone", async () => {
      const { fund, operator, otherShop, budgetId } = await loadFixture(fundWithLaterPayments);
      const proof = await refundProof(fund, budgetId, 3n);
      expect(proof.links).to.have.length(1);
      await expect(as(fund, operator).refund(budgetId, 7_00n, proof.headBefore, proof.links))
        .to.emit(fund, "PaymentRefunded").withArgs(paymentIdOf(budgetId, 3n), budgetId, otherShop.address, 7_00n);
    });

    it("counts a nonce a rekey used up without a payment: the chain holds only payments", async () => {
      const ctx = await loadFixture(fundWithEur100Payment);
      const { fund, operator, validator, shop, budgetId } = ctx;
      const newFamily = Wallet.createRandom();
      await (await as(fund, validator).rekey(budgetId, newFamily.address)).wait(); // nonce 1 dies unused
      const { permit, signature } = await signPermit(ctx, newFamily, budgetId, { maxAmount: 10_00n });
      await (await as(fund, ctx.stranger).pay(permit, signature, shop.address, 10_00n)).wait();
      const proof = await refundProof(fund, budgetId, 0n);
      expect(proof.links.map((l) => l.nonce)).to.deep.equal([0n, 2n]);
      await expect(as(fund, operator).refund(budgetId, 100_00n, proof.headBefore, proof.links)).to.emit(fund, "PaymentRefunded");
    });
  });

  describe("when the proof is not genuine", () => {
    for (const [what, index, forged] of [
      ["a larger amount in the refunded payment's link", 0, { amount: 132_00n }],
      ["another merchant in the refunded payment's link", 0, { merchant: "otherShop" }],
      ["another nonce in the refunded payment's link", 0, { nonce: 1n }],
      ["a changed later payment", 2, { amount: 4_00n }],
    ] as const) {
      it(`refuses ${what} with PaymentProofInvalid and moves nothing`, async () => {
        const ctx = await loadFixture(fundWithLaterPayments);
        const { fund, operator, shop, otherShop, budgetId } = ctx;
        const genuine = await refundProof(fund, budgetId, 0n);
        const change = "merchant" in forged ? { merchant: otherShop.address } : forged;
        const proof = forge(genuine, index, change);
        // Every forgery here would pass the other checks: the amount fits the forged link and the receivable.
        await expect(as(fund, operator).refund(budgetId, 25_00n, proof.headBefore, proof.links))
          .to.be.revertedWithCustomError(fund, "PaymentProofInvalid").withArgs(budgetId);
        expect(await fund.balanceOf(budgetId)).to.equal(168_00n);
        expect(await fund.receivableOf(shop.address)).to.equal(105_00n);
        expect(await fund.receivableOf(otherShop.address)).to.equal(27_00n);
        await expect(as(fund, operator).refund(budgetId, 25_00n, genuine.headBefore, genuine.links)).to.emit(fund, "PaymentRefunded");
      });
    }

    it("refuses a payment left out of the middle of the proof with PaymentProofInvalid", async () => {
      const { fund, operator, budgetId } = await loadFixture(fundWithLaterPayments);
      const genuine = await refundProof(fund, budgetId, 0n);
      const links = genuine.links.filter((l) => l.nonce !== 2n);
      await expect(as(fund, operator).refund(budgetId, 1_00n, genuine.headBefore, links))
        .to.be.revertedWithCustomError(fund, "PaymentProofInvalid").withArgs(budgetId);
    });

    it("refuses a payment that never happened, even when it would fold from the real head", async () => {
      const { fund, operator, shop, budgetId } = await loadFixture(fundWithEur100Payment);
      const invented = { merchant: shop.address, amount: 50_00n, nonce: 1n };
      await expect(as(fund, operator).refund(budgetId, 50_00n, await fund.paymentsHeadOf(budgetId), [invented]))
        .to.be.revertedWithCustomError(fund, "PaymentProofInvalid").withArgs(budgetId);
    });

    it("refuses a wrong head before the payment with PaymentProofInvalid", async () => {
      const { fund, operator, budgetId, proof } = await loadFixture(fundWithEur100Payment);
      for (const headBefore of [ZeroHash, budgetId, randomId()]) {
        await expect(as(fund, operator).refund(budgetId, 1_00n, headBefore, proof.links))
          .to.be.revertedWithCustomError(fund, "PaymentProofInvalid").withArgs(budgetId);
      }
    });

    it("refuses an empty proof with PaymentProofInvalid, even from the current head", async () => {
      const { fund, operator, budgetId } = await loadFixture(fundWithEur100Payment);
      await expect(as(fund, operator).refund(budgetId, 1_00n, await fund.paymentsHeadOf(budgetId), []))
        .to.be.revertedWithCustomError(fund, "PaymentProofInvalid").withArgs(budgetId);
    });

    it("refuses a stale proof (a payment landed after it was built); the rebuilt proof passes", async () => {
      const ctx = await loadFixture(fundWithEur100Payment);
      const { fund, operator, shop, budgetId } = ctx;
      const stale = await refundProof(fund, budgetId, 0n);
      await pay(ctx, shop.address, 3_00n);
      await expect(as(fund, operator).refund(budgetId, 10_00n, stale.headBefore, stale.links))
        .to.be.revertedWithCustomError(fund, "PaymentProofInvalid").withArgs(budgetId);
      const fresh = await refundProof(fund, budgetId, 0n);
      expect(fresh.links).to.have.length(2);
      await expect(as(fund, operator).refund(budgetId, 10_00n, fresh.headBefore, fresh.links))
        .to.emit(fund, "PaymentRefunded").withArgs(paymentIdOf(budgetId, 0n), budgetId, shop.address, 10_00n);
    });

    it("refuses one budget's proof for another budget with PaymentProofInvalid", async () => {
      const ctx = await loadFixture(fundWithEur100Payment);
      const { fund, operator, validator, sponsor, shop, family, budgetId, proof } = ctx;
      // A second budget of the same family with the very same payment (same shop, amount and nonce).
      const otherBudgetId = randomId();
      await (await as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: otherBudgetId, amount: 300_00n, expiry: 0 }])).wait();
      await (await as(fund, validator).setHolder(otherBudgetId, family.address)).wait();
      const { permit, signature } = await signPermit(ctx, family, otherBudgetId, { maxAmount: 100_00n });
      await (await as(fund, ctx.stranger).pay(permit, signature, shop.address, 100_00n)).wait();
      expect(await fund.paymentsHeadOf(otherBudgetId)).not.to.equal(await fund.paymentsHeadOf(budgetId));

      await expect(as(fund, operator).refund(otherBudgetId, 1_00n, proof.headBefore, proof.links))
        .to.be.revertedWithCustomError(fund, "PaymentProofInvalid").withArgs(otherBudgetId);
      const own = await refundProof(fund, otherBudgetId, 0n);
      await expect(as(fund, operator).refund(budgetId, 1_00n, own.headBefore, own.links))
        .to.be.revertedWithCustomError(fund, "PaymentProofInvalid").withArgs(budgetId);
    });

    it("refuses an unknown budget with BudgetUnknown", async () => {
      const { fund, operator, proof } = await loadFixture(fundWithEur100Payment);
      const unknown = randomId();
      await expect(as(fund, operator).refund(unknown, 1n, proof.headBefore, proof.links))
        .to.be.revertedWithCustomError(fund, "BudgetUnknown").withArgs(unknown);
    });
  });

  describe("when the budget or merchant changed since the payment", () => {
    it("refunds into a frozen budget, for a suspended merchant", async () => {
      const { fund, operator, validator, merchantManager, shop, budgetId, paymentId, proof } = await loadFixture(fundWithEur100Payment);
      await (await as(fund, validator).freeze(budgetId)).wait();
      await (await as(fund, merchantManager).suspendMerchant(shop.address)).wait();
      await expect(as(fund, operator).refund(budgetId, 10_00n, proof.headBefore, proof.links))
        .to.emit(fund, "PaymentRefunded").withArgs(paymentId, budgetId, shop.address, 10_00n);
      expect(await fund.balanceOf(budgetId)).to.equal(210_00n);
    });

    it("refunds into an expired, reclaimed budget, whose balance can be reclaimed again", async () => {
      const { fund, operator, validator, sponsor, shop, budgetId, proof } = await loadFixture(fundWithEur100Payment);
      await time.increaseTo((await fund.budgetOf(budgetId)).expiry);
      await (await as(fund, validator).reclaim([budgetId])).wait();
      await (await as(fund, operator).refund(budgetId, 40_00n, proof.headBefore, proof.links)).wait();
      const budget = await fund.budgetOf(budgetId);
      expect([budget.balance, budget.spent]).to.deep.equal([40_00n, 60_00n]);
      await expect(as(fund, validator).reclaim([budgetId]))
        .to.emit(fund, "BudgetReclaimed").withArgs(budgetId, sponsor.address, 40_00n);
      expect(await fund.reserveOf(sponsor.address)).to.equal(940_00n);
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address], merchants: [shop.address] });
    });
  });

  describe("when the refund is too large", () => {
    it("refuses more than the payment with PaymentRefundExceeded", async () => {
      const { fund, operator, budgetId, paymentId, proof } = await loadFixture(fundWithEur100Payment);
      await expect(as(fund, operator).refund(budgetId, 100_01n, proof.headBefore, proof.links))
        .to.be.revertedWithCustomError(fund, "PaymentRefundExceeded").withArgs(paymentId, 100_00n, 100_01n);
    });

    it("refuses more than what is left after an earlier refund with PaymentRefundExceeded", async () => {
      const { fund, operator, budgetId, paymentId, proof } = await loadFixture(fundWithEur100Payment);
      await (await as(fund, operator).refund(budgetId, 30_00n, proof.headBefore, proof.links)).wait();
      await expect(as(fund, operator).refund(budgetId, 70_01n, proof.headBefore, proof.links))
        .to.be.revertedWithCustomError(fund, "PaymentRefundExceeded").withArgs(paymentId, 70_00n, 70_01n);
    });

    it("refuses any refund of a fully refunded payment with PaymentRefundExceeded", async () => {
      const { fund, operator, budgetId, paymentId, proof } = await loadFixture(fundWithEur100Payment);
      await (await as(fund, operator).refund(budgetId, 100_00n, proof.headBefore, proof.links)).wait();
      await expect(as(fund, operator).refund(budgetId, 1n, proof.headBefore, proof.links))
        .to.be.revertedWithCustomError(fund, "PaymentRefundExceeded").withArgs(paymentId, 0n, 1n);
    });

    it("bounds each payment by itself: a refund of a small payment cannot take from a larger one", async () => {
      const { fund, operator, budgetId } = await loadFixture(fundWithLaterPayments);
      const proof = await refundProof(fund, budgetId, 2n); // EUR 5 at the shop, which is owed EUR 105
      await expect(as(fund, operator).refund(budgetId, 5_01n, proof.headBefore, proof.links))
        .to.be.revertedWithCustomError(fund, "PaymentRefundExceeded").withArgs(paymentIdOf(budgetId, 2n), 5_00n, 5_01n);
    });

    it("refuses more than the merchant is still owed after settlement with MerchantReceivableInsufficient", async () => {
      const { fund, operator, settler, shop, budgetId, proof } = await loadFixture(fundWithEur100Payment);
      await (await as(fund, settler).settle(shop.address, 80_00n, randomId())).wait();
      await expect(as(fund, operator).refund(budgetId, 50_00n, proof.headBefore, proof.links))
        .to.be.revertedWithCustomError(fund, "MerchantReceivableInsufficient").withArgs(shop.address, 20_00n, 50_00n);
      expect(await fund.balanceOf(budgetId)).to.equal(200_00n);
      expect(await fund.refundedOf(paymentIdOf(budgetId, 0n))).to.equal(0n);
    });
  });

  describe("when the amount is zero", () => {
    it("refuses with FundZeroAmount", async () => {
      const { fund, operator, budgetId, proof } = await loadFixture(fundWithEur100Payment);
      await expect(as(fund, operator).refund(budgetId, 0n, proof.headBefore, proof.links))
        .to.be.revertedWithCustomError(fund, "FundZeroAmount");
    });
  });

  describe("the views", () => {
    it("refundedOf is 0 for a payment never refunded and for an id that paid nothing", async () => {
      const { fund, budgetId, paymentId } = await loadFixture(fundWithEur100Payment);
      expect(await fund.refundedOf(paymentId)).to.equal(0n);
      expect(await fund.refundedOf(paymentIdOf(budgetId, 1n))).to.equal(0n);
    });

    it("paymentsHeadOf folds the PaymentMade events from the budget's genesis; 0 for an unknown budget", async () => {
      const { fund, budgetId } = await loadFixture(fundWithLaterPayments);
      const links = await paymentLinks(fund, budgetId);
      expect(links).to.have.length(4);
      expect(await fund.paymentsHeadOf(budgetId)).to.equal(links.reduce(chainLink, chainGenesis(budgetId)));
      expect(await fund.paymentsHeadOf(randomId())).to.equal(ZeroHash);
    });
  });
});
