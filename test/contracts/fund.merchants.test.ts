// Fund: merchants. approveMerchant, suspendMerchant, settle.
import { expect } from "chai";
import { ZeroAddress, ZeroHash } from "ethers";
import {
  as, deployedFund, expectMoneyInvariant, fundWithEur100Payment, fundWithEur300Budget, networkHelpers, randomId,
  signPermit, view,
} from "./fixtures.ts";

const { loadFixture } = networkHelpers;

describe("Fund.approveMerchant", () => {
  describe("when the merchant is new", () => {
    it("emits MerchantApproved and records the approval and categories", async () => {
      const { fund, merchantManager, otherShop } = await loadFixture(deployedFund);
      await expect(as(fund, merchantManager).approveMerchant(otherShop.address, 0b101))
        .to.emit(fund, "MerchantApproved").withArgs(otherShop.address, 0b101);
      expect(await view(fund, "merchantOf", otherShop.address)).to.deep.equal({
        approved: true, suspended: false, categories: 0b101n, receivable: 0n, paidOut: 0n,
      });
    });
  });

  describe("when the merchant is suspended", () => {
    it("approves it again with the new categories, keeping what it is owed", async () => {
      const { fund, merchantManager, shop } = await loadFixture(fundWithEur100Payment);
      await (await as(fund, merchantManager).suspendMerchant(shop.address)).wait();
      await expect(as(fund, merchantManager).approveMerchant(shop.address, 0b11))
        .to.emit(fund, "MerchantApproved").withArgs(shop.address, 0b11);
      expect(await view(fund, "merchantOf", shop.address)).to.deep.equal({
        approved: true, suspended: false, categories: 0b11n, receivable: 100_00n, paidOut: 0n,
      });
    });
  });

  describe("when the address is zero", () => {
    it("refuses with FundZeroAddress", async () => {
      const { fund, merchantManager } = await loadFixture(deployedFund);
      await expect(as(fund, merchantManager).approveMerchant(ZeroAddress, 1)).to.be.revertedWithCustomError(fund, "FundZeroAddress");
    });
  });
});

describe("Fund.suspendMerchant", () => {
  describe("when the merchant is approved", () => {
    it("emits MerchantSuspended and stops payments to it, keeping what it is owed", async () => {
      const ctx = await loadFixture(fundWithEur100Payment);
      const { fund, merchantManager, shop, family, budgetId, stranger } = ctx;
      await expect(as(fund, merchantManager).suspendMerchant(shop.address))
        .to.emit(fund, "MerchantSuspended").withArgs(shop.address);
      expect(await view(fund, "merchantOf", shop.address)).to.deep.equal({
        approved: false, suspended: true, categories: 1n, receivable: 100_00n, paidOut: 0n,
      });
      const { permit, signature } = await signPermit(ctx, family, budgetId);
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "MerchantNotApproved").withArgs(shop.address);
    });

    it("still lets the settler pay out what the suspended merchant is owed", async () => {
      const { fund, merchantManager, settler, shop, sponsor, budgetId } = await loadFixture(fundWithEur100Payment);
      await (await as(fund, merchantManager).suspendMerchant(shop.address)).wait();
      const bankRef = randomId();
      await expect(as(fund, settler).settle(shop.address, 100_00n, bankRef))
        .to.emit(fund, "MerchantSettled").withArgs(shop.address, 100_00n, bankRef);
      expect(await fund.receivableOf(shop.address)).to.equal(0n);
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address], merchants: [shop.address] });
    });
  });

  describe("when the merchant is not approved", () => {
    it("refuses a merchant never approved with MerchantNotApproved", async () => {
      const { fund, merchantManager, otherShop } = await loadFixture(fundWithEur300Budget);
      await expect(as(fund, merchantManager).suspendMerchant(otherShop.address))
        .to.be.revertedWithCustomError(fund, "MerchantNotApproved").withArgs(otherShop.address);
    });

    it("refuses a merchant suspended already with MerchantNotApproved", async () => {
      const { fund, merchantManager, shop } = await loadFixture(fundWithEur300Budget);
      await (await as(fund, merchantManager).suspendMerchant(shop.address)).wait();
      await expect(as(fund, merchantManager).suspendMerchant(shop.address))
        .to.be.revertedWithCustomError(fund, "MerchantNotApproved").withArgs(shop.address);
    });
  });
});

describe("Fund.settle", () => {
  describe("when the merchant is owed the amount", () => {
    it("emits MerchantSettled and moves the cents from receivable to paid out", async () => {
      const { fund, settler, shop, sponsor, budgetId } = await loadFixture(fundWithEur100Payment);
      const bankRef = randomId();
      await expect(as(fund, settler).settle(shop.address, 60_00n, bankRef))
        .to.emit(fund, "MerchantSettled").withArgs(shop.address, 60_00n, bankRef);
      expect(await view(fund, "merchantOf", shop.address)).to.deep.equal({
        approved: true, suspended: false, categories: 1n, receivable: 40_00n, paidOut: 60_00n,
      });
      expect(await fund.receivableOf(shop.address)).to.equal(40_00n);
      expect(await fund.isBankRefUsed(bankRef)).to.equal(true);
      expect(await view(fund, "totals")).to.deep.equal({
        deposited: 1_000_00n, withdrawn: 0n, reserve: 700_00n, outstanding: 240_00n, paidOut: 60_00n,
      });
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address], merchants: [shop.address] });
    });

    it("settles the whole receivable in two transfers", async () => {
      const { fund, settler, shop, sponsor, budgetId } = await loadFixture(fundWithEur100Payment);
      await (await as(fund, settler).settle(shop.address, 60_00n, randomId())).wait();
      await (await as(fund, settler).settle(shop.address, 40_00n, randomId())).wait();
      expect([await fund.receivableOf(shop.address), (await fund.merchantOf(shop.address)).paidOut]).to.deep.equal([0n, 100_00n]);
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address], merchants: [shop.address] });
    });
  });

  describe("when the bank reference was recorded before", () => {
    it("refuses the same transfer twice with FundBankRefUsed", async () => {
      const { fund, settler, shop } = await loadFixture(fundWithEur100Payment);
      const bankRef = randomId();
      await (await as(fund, settler).settle(shop.address, 10_00n, bankRef)).wait();
      await expect(as(fund, settler).settle(shop.address, 10_00n, bankRef))
        .to.be.revertedWithCustomError(fund, "FundBankRefUsed").withArgs(bankRef);
      expect(await fund.receivableOf(shop.address)).to.equal(90_00n);
    });

    it("refuses a reference a deposit used with FundBankRefUsed", async () => {
      const { fund, sponsor, settler, shop } = await loadFixture(fundWithEur100Payment);
      const bankRef = randomId();
      await (await as(fund, sponsor).deposit(1_00n, bankRef)).wait();
      await expect(as(fund, settler).settle(shop.address, 10_00n, bankRef))
        .to.be.revertedWithCustomError(fund, "FundBankRefUsed").withArgs(bankRef);
    });

    it("refuses the empty reference with FundBankRefUsed", async () => {
      const { fund, settler, shop } = await loadFixture(fundWithEur100Payment);
      await expect(as(fund, settler).settle(shop.address, 10_00n, ZeroHash))
        .to.be.revertedWithCustomError(fund, "FundBankRefUsed").withArgs(ZeroHash);
    });
  });

  describe("when the merchant is owed less", () => {
    it("refuses an amount above the receivable with MerchantReceivableInsufficient", async () => {
      const { fund, settler, shop } = await loadFixture(fundWithEur100Payment);
      await expect(as(fund, settler).settle(shop.address, 100_01n, randomId()))
        .to.be.revertedWithCustomError(fund, "MerchantReceivableInsufficient").withArgs(shop.address, 100_00n, 100_01n);
    });

    it("refuses an account the fund owes nothing with MerchantReceivableInsufficient", async () => {
      const { fund, settler, stranger } = await loadFixture(fundWithEur100Payment);
      await expect(as(fund, settler).settle(stranger.address, 1n, randomId()))
        .to.be.revertedWithCustomError(fund, "MerchantReceivableInsufficient").withArgs(stranger.address, 0n, 1n);
    });
  });

  describe("when the amount is zero", () => {
    it("refuses with FundZeroAmount", async () => {
      const { fund, settler, shop } = await loadFixture(fundWithEur100Payment);
      await expect(as(fund, settler).settle(shop.address, 0n, randomId())).to.be.revertedWithCustomError(fund, "FundZeroAmount");
    });
  });
});
