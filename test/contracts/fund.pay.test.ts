// Fund.pay: a family's signed permit moves cents from a child's budget to an approved merchant.
import { expect } from "chai";
import { Signature, Wallet, ZeroAddress, concat, dataSlice, toBeHex } from "ethers";
import {
  as, chainGenesis, chainLink, expectMoneyInvariant, fundWithEur300Budget, networkHelpers, paymentIdOf, randomId, signPermit,
  view,
} from "./fixtures.ts";

const { loadFixture, time } = networkHelpers;

/** The order of secp256k1: a signature with s above half of it is the malleable twin of a valid one. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe("Fund.pay", () => {
  describe("when the permit is valid and the budget covers the amount", () => {
    it("emits PaymentMade and moves the cents from the budget to the merchant's receivable", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, sponsor, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId, { maxAmount: 50_00n });
      const paymentId = paymentIdOf(budgetId, 0n);
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 12_50n))
        .to.emit(fund, "PaymentMade").withArgs(paymentId, budgetId, shop.address, 12_50n, 0n);
      expect(await fund.balanceOf(budgetId)).to.equal(287_50n);
      expect(await fund.receivableOf(shop.address)).to.equal(12_50n);
      expect(await view(fund, "budgetOf", budgetId)).to.deep.include({ balance: 287_50n, spent: 12_50n, nonce: 1n });
      expect(await fund.refundedOf(paymentId)).to.equal(0n);
      expect((await fund.merchantOf(shop.address)).receivable).to.equal(12_50n);
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address], merchants: [shop.address] });
    });

    it("returns the payment id refunds refer to, keccak256(budgetId, nonce), and what is left of the budget", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId);
      const [paymentId, balance] = await as(fund, stranger).getFunction("pay").staticCall(permit, signature, shop.address, 1_00n);
      expect(paymentId).to.equal(paymentIdOf(budgetId, 0n));
      expect(balance).to.equal(299_00n);
      expect(await fund.paymentIdOf(budgetId, 0n)).to.equal(paymentIdOf(budgetId, 0n));
    });

    it("accepts the permit from any relayer, the shop itself included", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId);
      await expect(as(fund, shop).pay(permit, signature, shop.address, 1_00n))
        .to.emit(fund, "PaymentMade").withArgs(paymentIdOf(budgetId, 0n), budgetId, shop.address, 1_00n, 0n);
    });

    it("pays the whole balance when the amount equals both the ceiling and the balance", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, sponsor, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId, { maxAmount: 300_00n });
      await (await as(fund, stranger).pay(permit, signature, shop.address, 300_00n)).wait();
      expect(await view(fund, "budgetOf", budgetId)).to.deep.include({ balance: 0n, spent: 300_00n });
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address], merchants: [shop.address] });
    });

    it("accepts a permit in the very second of its deadline", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId);
      await time.setNextBlockTimestamp(permit.deadline);
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n)).to.emit(fund, "PaymentMade");
    });

    it("pays again with the permit of the next nonce, under a new payment id", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, sponsor, budgetId, stranger } = ctx;
      const first = await signPermit(ctx, family, budgetId);
      await (await as(fund, stranger).pay(first.permit, first.signature, shop.address, 10_00n)).wait();
      const second = await signPermit(ctx, family, budgetId);
      expect(second.permit.nonce).to.equal(1n);
      await expect(as(fund, stranger).pay(second.permit, second.signature, shop.address, 20_00n))
        .to.emit(fund, "PaymentMade").withArgs(paymentIdOf(budgetId, 1n), budgetId, shop.address, 20_00n, 1n);
      expect(await view(fund, "budgetOf", budgetId)).to.deep.include({ balance: 270_00n, spent: 30_00n, nonce: 2n });
      expect(await fund.receivableOf(shop.address)).to.equal(30_00n);
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address], merchants: [shop.address] });
    });
  });

  describe("the budget's payment chain", () => {
    it("hashes each payment (merchant, amount, nonce) into the budget's head, in order", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const genesis = chainGenesis(budgetId);
      expect(await fund.paymentsHeadOf(budgetId)).to.equal(genesis);
      let p = await signPermit(ctx, family, budgetId);
      await (await as(fund, stranger).pay(p.permit, p.signature, shop.address, 12_50n)).wait();
      const afterFirst = chainLink(genesis, { merchant: shop.address, amount: 12_50n, nonce: 0n });
      expect(await fund.paymentsHeadOf(budgetId)).to.equal(afterFirst);
      p = await signPermit(ctx, family, budgetId);
      await (await as(fund, stranger).pay(p.permit, p.signature, shop.address, 1_00n)).wait();
      expect(await fund.paymentsHeadOf(budgetId)).to.equal(chainLink(afterFirst, { merchant: shop.address, amount: 1_00n, nonce: 1n }));
    });

    it("leaves the head alone when it refuses", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId, { maxAmount: 1_000_00n });
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 300_01n)).to.be.revertedWithCustomError(fund, "BudgetInsufficient");
      expect(await fund.paymentsHeadOf(budgetId)).to.equal(chainGenesis(budgetId));
    });
  });

  describe("when the signature is in compact form", () => {
    it("accepts the 64-byte EIP-2098 signature the QR carries", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId);
      const compact = Signature.from(signature).compactSerialized;
      expect((compact.length - 2) / 2).to.equal(64);
      await expect(as(fund, stranger).pay(permit, compact, shop.address, 1_00n))
        .to.emit(fund, "PaymentMade").withArgs(paymentIdOf(budgetId, 0n), budgetId, shop.address, 1_00n, 0n);
      expect(await fund.balanceOf(budgetId)).to.equal(299_00n);
    });
  });

  describe("when the signature is malformed", () => {
    const malformed: [string, (sig: string) => string][] = [
      ["an empty signature", () => "0x"],
      ["a signature cut to 63 bytes", (sig) => dataSlice(sig, 0, 63)],
      ["a 65-byte signature with an invalid v", (sig) => concat([dataSlice(sig, 0, 64), "0x00"])],
      ["a 66-byte signature", (sig) => concat([sig, "0x00"])],
    ];
    for (const [what, mangle] of malformed) {
      it(`refuses ${what} as signed by nobody, with PermitInvalidSigner`, async () => {
        const ctx = await loadFixture(fundWithEur300Budget);
        const { fund, family, shop, budgetId, stranger } = ctx;
        const { permit, signature } = await signPermit(ctx, family, budgetId);
        await expect(as(fund, stranger).pay(permit, mangle(signature), shop.address, 1_00n))
          .to.be.revertedWithCustomError(fund, "PermitInvalidSigner").withArgs(ZeroAddress, family.address);
      });
    }

    it("refuses the malleable high-s twin of a valid signature with PermitInvalidSigner", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId);
      const sig = Signature.from(signature);
      const twin = concat([sig.r, toBeHex(SECP256K1_N - BigInt(sig.s), 32), sig.v === 27 ? "0x1c" : "0x1b"]);
      await expect(as(fund, stranger).pay(permit, twin, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "PermitInvalidSigner").withArgs(ZeroAddress, family.address);
    });
  });

  describe("when it is refused", () => {
    it("refuses while the fund is paused with EnforcedPause", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, pauser, family, shop, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId);
      await (await as(fund, pauser).pause()).wait();
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n)).to.be.revertedWithCustomError(fund, "EnforcedPause");
    });

    it("refuses a frozen budget with BudgetFrozen", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, validator, family, shop, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId);
      await (await as(fund, validator).freeze(budgetId)).wait();
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "BudgetFrozen").withArgs(budgetId);
    });

    it("refuses an expired budget with BudgetExpired", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const { expiry } = await fund.budgetOf(budgetId);
      const { permit, signature } = await signPermit(ctx, family, budgetId, { deadline: expiry + 3600n });
      await time.increaseTo(expiry);
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "BudgetExpired").withArgs(budgetId, expiry);
    });

    it("refuses a budget in the very second of its expiry with BudgetExpired", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const { expiry } = await fund.budgetOf(budgetId);
      const { permit, signature } = await signPermit(ctx, family, budgetId, { deadline: expiry + 3600n });
      await time.setNextBlockTimestamp(expiry);
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "BudgetExpired").withArgs(budgetId, expiry);
    });

    it("refuses a budget that was never activated with BudgetNotActivated", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, sponsor, validator, family, shop, stranger } = ctx;
      const newId = randomId();
      await (await as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: newId, amount: 10_00n, expiry: 0 }])).wait();
      const { permit, signature } = await signPermit(ctx, family, newId);
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "BudgetNotActivated").withArgs(newId);
    });

    it("refuses a permit signed by another key than the holder's with PermitInvalidSigner", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const thief = Wallet.createRandom();
      const { permit, signature } = await signPermit(ctx, thief, budgetId);
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "PermitInvalidSigner").withArgs(thief.address, family.address);
    });

    it("refuses a permit whose nonce is not the budget's current nonce with PermitNonceUsed", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId, { nonce: 1n });
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "PermitNonceUsed").withArgs(budgetId, 0n, 1n);
    });

    it("refuses a permit whose deadline has passed with PermitExpired", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId);
      await time.increaseTo(permit.deadline);
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "PermitExpired").withArgs(permit.deadline);
    });

    it("refuses a merchant that was never approved with MerchantNotApproved", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, otherShop, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId);
      await expect(as(fund, stranger).pay(permit, signature, otherShop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "MerchantNotApproved").withArgs(otherShop.address);
    });

    it("refuses a suspended merchant with MerchantNotApproved", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, merchantManager, family, shop, budgetId, stranger } = ctx;
      await (await as(fund, merchantManager).suspendMerchant(shop.address)).wait();
      const { permit, signature } = await signPermit(ctx, family, budgetId);
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "MerchantNotApproved").withArgs(shop.address);
    });

    it("refuses the zero address as merchant with MerchantNotApproved", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId);
      await expect(as(fund, stranger).pay(permit, signature, ZeroAddress, 1_00n))
        .to.be.revertedWithCustomError(fund, "MerchantNotApproved").withArgs(ZeroAddress);
    });

    it("refuses an amount above the permit's ceiling with PermitAmountExceeded", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId, { maxAmount: 50_00n });
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 50_01n))
        .to.be.revertedWithCustomError(fund, "PermitAmountExceeded").withArgs(50_00n, 50_01n);
    });

    it("refuses an amount above the budget's balance with BudgetInsufficient", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId, { maxAmount: 1_000_00n });
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 300_01n))
        .to.be.revertedWithCustomError(fund, "BudgetInsufficient").withArgs(budgetId, 300_00n, 300_01n);
    });

    it("refuses a zero amount with FundZeroAmount", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const { permit, signature } = await signPermit(ctx, family, budgetId);
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 0n)).to.be.revertedWithCustomError(fund, "FundZeroAmount");
    });

    it("refuses a permit for another fund with PermitWrongFund", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, otherFund, family, shop, budgetId, stranger } = ctx;
      const otherAddress = await otherFund.getAddress();
      const { permit, signature } = await signPermit(ctx, family, budgetId, { fund: otherAddress });
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "PermitWrongFund").withArgs(otherAddress);
    });

    it("refuses an unknown budget with BudgetUnknown", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, stranger } = ctx;
      const unknown = randomId();
      const { permit, signature } = await signPermit(ctx, family, unknown, { nonce: 0n });
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 1_00n))
        .to.be.revertedWithCustomError(fund, "BudgetUnknown").withArgs(unknown);
    });

    it("changes nothing when it refuses", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, sponsor, budgetId, stranger } = ctx;
      const before = await view(fund, "budgetOf", budgetId);
      const { permit, signature } = await signPermit(ctx, family, budgetId, { maxAmount: 1_000_00n });
      await expect(as(fund, stranger).pay(permit, signature, shop.address, 300_01n)).to.be.revertedWithCustomError(fund, "BudgetInsufficient");
      expect(await view(fund, "budgetOf", budgetId)).to.deep.equal(before);
      expect(await fund.receivableOf(shop.address)).to.equal(0n);
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address], merchants: [shop.address] });
    });
  });

  describe("when a relayer sends several payments in one multicall", () => {
    it("makes all of them, each with its own event, in one transaction", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, sponsor, validator, budgetId, stranger } = ctx;
      const second = randomId();
      await (await as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: second, amount: 300_00n, expiry: 0 }])).wait();
      await (await as(fund, validator).setHolder(second, family.address)).wait();
      const a = await signPermit(ctx, family, budgetId);
      const b = await signPermit(ctx, family, second);
      const calls = [
        fund.interface.encodeFunctionData("pay", [a.permit, a.signature, shop.address, 10_00n]),
        fund.interface.encodeFunctionData("pay", [b.permit, b.signature, shop.address, 20_00n]),
      ];
      await expect(as(fund, stranger).multicall(calls))
        .to.emit(fund, "PaymentMade").withArgs(paymentIdOf(budgetId, 0n), budgetId, shop.address, 10_00n, 0n)
        .and.to.emit(fund, "PaymentMade").withArgs(paymentIdOf(second, 0n), second, shop.address, 20_00n, 0n);
      expect(await fund.balanceOf(budgetId)).to.equal(290_00n);
      expect(await fund.balanceOf(second)).to.equal(280_00n);
      expect(await fund.receivableOf(shop.address)).to.equal(30_00n);
      await expectMoneyInvariant(fund, { budgets: [budgetId, second], sponsors: [sponsor.address], merchants: [shop.address] });
    });

    it("makes none of them when one is refused, with that payment's own error", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, family, shop, budgetId, stranger } = ctx;
      const a = await signPermit(ctx, family, budgetId);
      // The same permit twice: the second finds its nonce used.
      const call = fund.interface.encodeFunctionData("pay", [a.permit, a.signature, shop.address, 10_00n]);
      await expect(as(fund, stranger).multicall([call, call]))
        .to.be.revertedWithCustomError(fund, "PermitNonceUsed").withArgs(budgetId, 1n, 0n);
      expect(await fund.balanceOf(budgetId)).to.equal(300_00n);
      expect(await fund.receivableOf(shop.address)).to.equal(0n);
    });
  });
});
