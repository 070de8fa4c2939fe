// Fund.refund: a merchant (through the operator) returns part or all of a payment to its budget.
import { expect } from "chai";
import {
  as, expectMoneyInvariant, fundWithEur100Payment, networkHelpers, paymentIdOf, randomId, signPermit, view,
} from "./fixtures.ts";

const { loadFixture, time } = networkHelpers;

describe("Fund.refund", () => {
  describe("when part of a payment is refunded", () => {
    it("emits PaymentRefunded and moves the cents from the receivable back to the budget", async () => {
      const { fund, operator, sponsor, shop, budgetId, paymentId } = await loadFixture(fundWithEur100Payment);
      await expect(as(fund, operator).refund(budgetId, 0n, 30_00n))
        .to.emit(fund, "PaymentRefunded").withArgs(paymentId, budgetId, shop.address, 30_00n);
      expect(await view(fund, "paymentOf", paymentId)).to.deep.equal({ merchant: shop.address, amount: 100_00n, refunded: 30_00n });
      const budget = await fund.budgetOf(budgetId);
      expect([budget.balance, budget.spent, budget.nonce]).to.deep.equal([230_00n, 70_00n, 1n]);
      expect(await fund.receivableOf(shop.address)).to.equal(70_00n);
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address], merchants: [shop.address] });
    });

    it("refunds the rest in a second refund", async () => {
      const { fund, operator, shop, budgetId, paymentId } = await loadFixture(fundWithEur100Payment);
      await (await as(fund, operator).refund(budgetId, 0n, 30_00n)).wait();
      await expect(as(fund, operator).refund(budgetId, 0n, 70_00n))
        .to.emit(fund, "PaymentRefunded").withArgs(paymentId, budgetId, shop.address, 70_00n);
      expect((await fund.paymentOf(paymentId)).refunded).to.equal(100_00n);
      expect(await fund.balanceOf(budgetId)).to.equal(300_00n);
    });
  });

  describe("when the whole payment is refunded", () => {
    it("restores the budget and the receivable to what they were before the payment", async () => {
      const { fund, operator, sponsor, shop, budgetId, paymentId } = await loadFixture(fundWithEur100Payment);
      await expect(as(fund, operator).refund(budgetId, 0n, 100_00n))
        .to.emit(fund, "PaymentRefunded").withArgs(paymentId, budgetId, shop.address, 100_00n);
      const budget = await fund.budgetOf(budgetId);
      expect([budget.balance, budget.spent]).to.deep.equal([300_00n, 0n]);
      expect(await fund.receivableOf(shop.address)).to.equal(0n);
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address], merchants: [shop.address] });
    });

    it("does not bring the used permit back to life: the nonce stays up", async () => {
      const ctx = await loadFixture(fundWithEur100Payment);
      const { fund, operator, family, shop, stranger, budgetId } = ctx;
      await (await as(fund, operator).refund(budgetId, 0n, 100_00n)).wait();
      const { permit, signature } = await signPermit(ctx, family, budgetId, { nonce: 0n });
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "PermitNonceUsed").withArgs(budgetId, 1n, 0n);
    });
  });

  describe("when the budget or merchant changed since the payment", () => {
    it("refunds into a frozen budget, for a suspended merchant", async () => {
      const { fund, operator, validator, merchantManager, shop, budgetId, paymentId } = await loadFixture(fundWithEur100Payment);
      await (await as(fund, validator).freeze(budgetId)).wait();
      await (await as(fund, merchantManager).suspendMerchant(shop.address)).wait();
      await expect(as(fund, operator).refund(budgetId, 0n, 10_00n))
        .to.emit(fund, "PaymentRefunded").withArgs(paymentId, budgetId, shop.address, 10_00n);
      expect(await fund.balanceOf(budgetId)).to.equal(210_00n);
    });

    it("refunds into an expired, reclaimed budget, whose balance can be reclaimed again", async () => {
      const { fund, operator, validator, sponsor, shop, budgetId } = await loadFixture(fundWithEur100Payment);
      await time.increaseTo((await fund.budgetOf(budgetId)).expiry);
      await (await as(fund, validator).reclaim([budgetId])).wait();
      await (await as(fund, operator).refund(budgetId, 0n, 40_00n)).wait();
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
      const { fund, operator, budgetId, paymentId } = await loadFixture(fundWithEur100Payment);
      await expect(as(fund, operator).refund(budgetId, 0n, 100_01n))
        .to.be.revertedWithCustomError(fund, "PaymentRefundExceeded").withArgs(paymentId, 100_00n, 100_01n);
    });

    it("refuses more than what is left after an earlier refund with PaymentRefundExceeded", async () => {
      const { fund, operator, budgetId, paymentId } = await loadFixture(fundWithEur100Payment);
      await (await as(fund, operator).refund(budgetId, 0n, 30_00n)).wait();
      await expect(as(fund, operator).refund(budgetId, 0n, 70_01n))
        .to.be.revertedWithCustomError(fund, "PaymentRefundExceeded").withArgs(paymentId, 70_00n, 70_01n);
    });

    it("refuses any refund of a fully refunded payment with PaymentRefundExceeded", async () => {
      const { fund, operator, budgetId, paymentId } = await loadFixture(fundWithEur100Payment);
      await (await as(fund, operator).refund(budgetId, 0n, 100_00n)).wait();
      await expect(as(fund, operator).refund(budgetId, 0n, 1n))
        .to.be.revertedWithCustomError(fund, "PaymentRefundExceeded").withArgs(paymentId, 0n, 1n);
    });

    it("refuses more than the merchant is still owed after settlement with MerchantReceivableInsufficient", async () => {
      const { fund, operator, settler, shop, budgetId } = await loadFixture(fundWithEur100Payment);
      await (await as(fund, settler).settle(shop.address, 80_00n, randomId())).wait();
      await expect(as(fund, operator).refund(budgetId, 0n, 50_00n))
        .to.be.revertedWithCustomError(fund, "MerchantReceivableInsufficient").withArgs(shop.address, 20_00n, 50_00n);
      expect(await fund.balanceOf(budgetId)).to.equal(200_00n);
    });
  });

  describe("when there is no such payment", () => {
    it("refuses a nonce that paid nothing with PaymentUnknown", async () => {
      const { fund, operator, budgetId } = await loadFixture(fundWithEur100Payment);
      await expect(as(fund, operator).refund(budgetId, 1n, 1n))
        .to.be.revertedWithCustomError(fund, "PaymentUnknown").withArgs(paymentIdOf(budgetId, 1n));
    });

    it("refuses an unknown budget with PaymentUnknown", async () => {
      const { fund, operator } = await loadFixture(fundWithEur100Payment);
      const unknown = randomId();
      await expect(as(fund, operator).refund(unknown, 0n, 1n))
        .to.be.revertedWithCustomError(fund, "PaymentUnknown").withArgs(paymentIdOf(unknown, 0n));
    });
  });

  describe("when the amount is zero", () => {
    it("refuses with FundZeroAmount", async () => {
      const { fund, operator, budgetId } = await loadFixture(fundWithEur100Payment);
      await expect(as(fund, operator).refund(budgetId, 0n, 0n)).to.be.revertedWithCustomError(fund, "FundZeroAmount");
    });
  });
});
