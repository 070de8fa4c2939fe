// Fund.pay: a permit is good for one payment, from one budget, in one fund, on one chain, by the current key.
import { expect } from "chai";
import { Wallet } from "ethers";
import { PAYMENT_PERMIT_TYPES, type PaymentPermit, type TypedDataSigner, fundDomain } from "@tegoed/sdk";
import {
  as, fundWithEur300Budget, fundWithTwoSponsors, networkHelpers, paymentIdOf, recoveredSigner, signPermit,
} from "./fixtures.ts";

const { loadFixture } = networkHelpers;

function signInDomain(key: TypedDataSigner, fundAddress: string, chainId: bigint, permit: PaymentPermit) {
  return key.signTypedData(fundDomain(fundAddress, chainId), PAYMENT_PERMIT_TYPES, { ...permit });
}

describe("Fund.pay: permit replay", () => {
  describe("when a used permit is submitted again", () => {
    it("refuses it with PermitNonceUsed", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId);
      await (await as(fund, stranger).pay(permit, signature, shop.address, 10_00n)).wait();
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 10_00n))
        .to.be.revertedWithCustomError(fund, "PermitNonceUsed").withArgs(budgetId, 1n, 0n);
      expect(await fund.balanceOf(budgetId)).to.equal(290_00n);
    });
  });

  describe("when a payment is made", () => {
    it("kills every older permit of the budget: the nonce goes up", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const olderQr = await signPermit(ctx, family, budgetId, { maxAmount: 20_00n });
      const newerQr = await signPermit(ctx, family, budgetId, { maxAmount: 30_00n });
      expect(olderQr.permit.nonce).to.equal(newerQr.permit.nonce);
      await expect(as(fund, stranger).pay(newerQr.permit, newerQr.signature, shop.address, 5_00n))
        .to.emit(fund, "PaymentMade").withArgs(paymentIdOf(budgetId, 0n), budgetId, shop.address, 5_00n, 0n);
      expect((await fund.budgetOf(budgetId)).nonce).to.equal(1n);
      await expect(as(fund, stranger).pay(olderQr.permit, olderQr.signature, shop.address, 5_00n))
        .to.be.revertedWithCustomError(fund, "PermitNonceUsed").withArgs(budgetId, 1n, 0n);
    });
  });

  describe("when a permit meets another fund", () => {
    it("refuses a permit signed for another fund's address with PermitWrongFund", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, otherFund, family, shop, budgetId, stranger } = ctx;
      const otherAddress = await otherFund.getAddress();
      const { permit, signature } = await signPermit(ctx, family, budgetId, { fund: otherAddress });
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "PermitWrongFund").withArgs(otherAddress);
    });

    it("refuses a permit naming this fund but signed in the other fund's EIP-712 domain with PermitInvalidSigner", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, otherFund, family, shop, budgetId, stranger, chainId } = ctx;
      const { permit } = await signPermit(ctx, family, budgetId);
      const signature = await signInDomain(family, await otherFund.getAddress(), chainId, permit);
      const signer = recoveredSigner(ctx, permit, signature);
      expect(signer).not.to.equal(family.address);
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "PermitInvalidSigner").withArgs(signer, family.address);
    });
  });

  describe("when a permit for budget A is used on budget B of the same key", () => {
    it("refuses it with PermitInvalidSigner while B's nonce equals the permit's", async () => {
      const ctx = await loadFixture(fundWithTwoSponsors);
      const { fund, family, shop, budgetId, otherBudgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId);
      const moved = { ...permit, budgetId: otherBudgetId };
      const signer = recoveredSigner(ctx, moved, signature);
      expect(signer).not.to.equal(family.address);
      await expect(as(fund, stranger).pay(moved, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "PermitInvalidSigner").withArgs(signer, family.address);
      expect(await fund.balanceOf(otherBudgetId)).to.equal(20_00n);
    });

    it("refuses it with PermitInvalidSigner also once B's nonce has moved on (the signer is checked first)", async () => {
      const ctx = await loadFixture(fundWithTwoSponsors);
      const { fund, family, shop, budgetId, otherBudgetId, stranger } = ctx;
      const paidFromB = await signPermit(ctx, family, otherBudgetId);
      await (await as(fund, stranger).pay(paidFromB.permit, paidFromB.signature, shop.address, 1_00n)).wait();
      const { permit, signature } = await signPermit(ctx, family, budgetId);
      const moved = { ...permit, budgetId: otherBudgetId };
      await expect(as(fund, stranger).pay(moved, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "PermitInvalidSigner").withArgs(recoveredSigner(ctx, moved, signature), family.address);
    });
  });

  describe("when a permit was signed for another chain", () => {
    it("refuses it with PermitInvalidSigner", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, fundAddress, family, shop, budgetId, stranger, chainId } = ctx;
      const { permit } = await signPermit(ctx, family, budgetId);
      const signature = await signInDomain(family, fundAddress, chainId + 1n, permit);
      const signer = recoveredSigner(ctx, permit, signature);
      expect(signer).not.to.equal(family.address);
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "PermitInvalidSigner").withArgs(signer, family.address);
    });
  });

  describe("when the relayer changes a signed field", () => {
    it("refuses a permit whose ceiling was raised after signing with PermitInvalidSigner", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId, { maxAmount: 10_00n });
      const raised = { ...permit, maxAmount: 200_00n };
      await expect(as(fund, stranger).pay(raised, signature, shop.address, 200_00n))
        .to.be.revertedWithCustomError(fund, "PermitInvalidSigner").withArgs(recoveredSigner(ctx, raised, signature), family.address);
    });
  });

  describe("when the budget was rekeyed to a new key", () => {
    it("refuses a permit of the old key with PermitInvalidSigner, and pays with the new key's permit", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, validator, family, shop, budgetId, stranger } = ctx;
      const oldQr = await signPermit(ctx, family, budgetId);
      const newKey = Wallet.createRandom();
      await (await as(fund, validator).rekey(budgetId, newKey.address)).wait();
      await expect(as(fund, stranger).pay(oldQr.permit, oldQr.signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "PermitInvalidSigner").withArgs(family.address, newKey.address);
      const newQr = await signPermit(ctx, newKey, budgetId);
      await expect(as(fund, stranger).pay(newQr.permit, newQr.signature, shop.address, 1_00n))
        .to.emit(fund, "PaymentMade").withArgs(paymentIdOf(budgetId, 1n), budgetId, shop.address, 1_00n, 1n);
      expect(await fund.balanceOf(budgetId)).to.equal(299_00n);
    });
  });
});
