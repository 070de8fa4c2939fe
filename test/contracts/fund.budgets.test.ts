// Fund: budgets. issueBudgets, topUp, setHolder, rekey, freeze, unfreeze, reclaim, setDefaultBudgetExpiry.
import { expect } from "chai";
import { Wallet, ZeroAddress, ZeroHash } from "ethers";
import {
  DAY, MAX_BUDGET_BALANCE, as, chainGenesis, deployedFund, expectMoneyInvariant, fundWithEur100Payment, fundWithEur300Budget,
  fundWithTwoSponsors, networkHelpers, randomId, signPermit, view,
} from "./fixtures.ts";

const { loadFixture, time } = networkHelpers;

async function now() {
  return BigInt(await time.latest());
}

describe("Fund.issueBudgets", () => {
  describe("when the validator issues one budget from a sponsor's reserve", () => {
    it("emits BudgetIssued and creates the budget with no holder, the amount and the expiry", async () => {
      const { fund, sponsor, validator, budgetId } = await loadFixture(fundWithEur300Budget);
      const newId = randomId();
      const expiry = (await now()) + 30n * DAY;
      await expect(as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: newId, amount: 125_00n, expiry }]))
        .to.emit(fund, "BudgetIssued").withArgs(newId, sponsor.address, 125_00n, expiry);
      expect(await view(fund, "budgetOf", newId)).to.deep.equal({
        holder: ZeroAddress, sponsor: sponsor.address, balance: 125_00n, spent: 0n, expiry, nonce: 0n, frozen: false,
      });
      expect(await fund.balanceOf(newId)).to.equal(125_00n);
      // The payment chain starts at keccak256(abi.encode(budgetId)): set here, so no payment writes a new slot.
      expect(await fund.paymentsHeadOf(newId)).to.equal(chainGenesis(newId));
      expect(await fund.reserveOf(sponsor.address)).to.equal(575_00n);
      expect(await view(fund, "totals")).to.deep.equal({
        deposited: 1_000_00n, withdrawn: 0n, reserve: 575_00n, outstanding: 425_00n, paidOut: 0n,
      });
      await expectMoneyInvariant(fund, { budgets: [budgetId, newId], sponsors: [sponsor.address] });
    });

    it("gives a budget issued with expiry 0 the fund's default expiry", async () => {
      const { fund, sponsor, validator, settings } = await loadFixture(fundWithEur300Budget);
      const newId = randomId();
      await expect(as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: newId, amount: 1_00n, expiry: 0 }]))
        .to.emit(fund, "BudgetIssued").withArgs(newId, sponsor.address, 1_00n, settings.defaultBudgetExpiry);
      expect((await fund.budgetOf(newId)).expiry).to.equal(settings.defaultBudgetExpiry);
    });

    it("accepts a budget of exactly the largest amount a budget can hold", async () => {
      const { fund, sponsor, validator } = await loadFixture(deployedFund);
      expect(await fund.MAX_BUDGET_BALANCE()).to.equal(MAX_BUDGET_BALANCE);
      await (await as(fund, sponsor).deposit(MAX_BUDGET_BALANCE, randomId())).wait();
      const newId = randomId();
      await (await as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: newId, amount: MAX_BUDGET_BALANCE, expiry: 0 }])).wait();
      expect(await fund.balanceOf(newId)).to.equal(MAX_BUDGET_BALANCE);
      await expectMoneyInvariant(fund, { budgets: [newId], sponsors: [sponsor.address] });
    });

    it("stores the latest expiry that fits exactly as given", async () => {
      const { fund, sponsor, validator } = await loadFixture(fundWithEur300Budget);
      const newId = randomId();
      const expiry = 2n ** 32n - 1n; // 2106-02-07
      await (await as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: newId, amount: 1_00n, expiry }])).wait();
      expect((await fund.budgetOf(newId)).expiry).to.equal(expiry);
    });
  });

  describe("when the validator issues a batch of 100 budgets", () => {
    it("creates all 100 in one transaction, one BudgetIssued each, from one reserve debit", async () => {
      const { fund, sponsor, validator, budgetId } = await loadFixture(fundWithEur300Budget);
      const grants = Array.from({ length: 100 }, (_, i) => ({ budgetId: randomId(), amount: BigInt(i + 1) * 1_00n, expiry: 0 }));
      const total = grants.reduce((sum, g) => sum + g.amount, 0n); // EUR 1 + 2 + ... + 100
      expect(total).to.equal(5050_00n);
      await (await as(fund, sponsor).deposit(5050_00n, randomId())).wait();
      const tx = await as(fund, validator).issueBudgets(sponsor.address, grants);
      const receipt = await tx.wait();
      expect(receipt.status).to.equal(1);
      const issued = receipt.logs
        .map((log: { topics: string[]; data: string }) => fund.interface.parseLog(log))
        .filter((parsed: { name: string } | null) => parsed?.name === "BudgetIssued");
      expect(issued.map((e: { args: { budgetId: string } }) => e.args.budgetId)).to.deep.equal(grants.map((g) => g.budgetId));
      for (const grant of grants) expect(await fund.balanceOf(grant.budgetId)).to.equal(grant.amount);
      expect(await fund.reserveOf(sponsor.address)).to.equal(700_00n);
      await expectMoneyInvariant(fund, {
        budgets: [budgetId, ...grants.map((g) => g.budgetId)], sponsors: [sponsor.address],
      });
    });
  });

  describe("when a grant is invalid", () => {
    it("refuses a zero amount with FundZeroAmount", async () => {
      const { fund, sponsor, validator } = await loadFixture(fundWithEur300Budget);
      await expect(as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: randomId(), amount: 0n, expiry: 0 }]))
        .to.be.revertedWithCustomError(fund, "FundZeroAmount");
    });

    it("refuses an id that exists with BudgetExists", async () => {
      const { fund, sponsor, validator, budgetId } = await loadFixture(fundWithEur300Budget);
      await expect(as(fund, validator).issueBudgets(sponsor.address, [{ budgetId, amount: 1_00n, expiry: 0 }]))
        .to.be.revertedWithCustomError(fund, "BudgetExists").withArgs(budgetId);
      expect(await fund.balanceOf(budgetId)).to.equal(300_00n);
    });

    it("refuses an id given twice in one batch with BudgetExists", async () => {
      const { fund, sponsor, validator } = await loadFixture(fundWithEur300Budget);
      const id = randomId();
      await expect(as(fund, validator).issueBudgets(sponsor.address, [
        { budgetId: id, amount: 1_00n, expiry: 0 }, { budgetId: id, amount: 2_00n, expiry: 0 },
      ])).to.be.revertedWithCustomError(fund, "BudgetExists").withArgs(id);
    });

    it("refuses the zero id with BudgetExists", async () => {
      const { fund, sponsor, validator } = await loadFixture(fundWithEur300Budget);
      await expect(as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: ZeroHash, amount: 1_00n, expiry: 0 }]))
        .to.be.revertedWithCustomError(fund, "BudgetExists").withArgs(ZeroHash);
    });

    it("refuses an expiry in the past with FundExpiryInPast", async () => {
      const { fund, sponsor, validator } = await loadFixture(fundWithEur300Budget);
      const expiry = (await now()) - DAY;
      await expect(as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: randomId(), amount: 1_00n, expiry }]))
        .to.be.revertedWithCustomError(fund, "FundExpiryInPast").withArgs(expiry);
    });

    it("refuses an expiry that is not after the block's time with FundExpiryInPast", async () => {
      const { fund, sponsor, validator } = await loadFixture(fundWithEur300Budget);
      const expiry = (await now()) + 10n;
      await time.setNextBlockTimestamp(expiry);
      await expect(as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: randomId(), amount: 1_00n, expiry }]))
        .to.be.revertedWithCustomError(fund, "FundExpiryInPast").withArgs(expiry);
    });

    it("refuses expiry 0 when the fund's default expiry has passed, with FundExpiryInPast", async () => {
      const { fund, admin, sponsor, validator } = await loadFixture(fundWithEur300Budget);
      const soon = (await now()) + 60n;
      await (await as(fund, admin).setDefaultBudgetExpiry(soon)).wait();
      await time.increaseTo(soon + 1n);
      await expect(as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: randomId(), amount: 1_00n, expiry: 0 }]))
        .to.be.revertedWithCustomError(fund, "FundExpiryInPast").withArgs(soon);
    });

    it("refuses an expiry too far ahead to store with SafeCastOverflowedUintDowncast, not a truncated one", async () => {
      const { fund, sponsor, validator } = await loadFixture(fundWithEur300Budget);
      const inMilliseconds = (await now()) * 1000n; // a typical mistake: Date.now() instead of seconds
      await expect(as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: randomId(), amount: 1_00n, expiry: inMilliseconds }]))
        .to.be.revertedWithCustomError(fund, "SafeCastOverflowedUintDowncast").withArgs(32, inMilliseconds);
    });

    it("refuses an amount above what a budget can hold with BudgetBalanceTooLarge", async () => {
      const { fund, sponsor, validator } = await loadFixture(fundWithEur300Budget);
      await (await as(fund, sponsor).deposit(MAX_BUDGET_BALANCE + 1n, randomId())).wait();
      const newId = randomId();
      await expect(as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: newId, amount: MAX_BUDGET_BALANCE + 1n, expiry: 0 }]))
        .to.be.revertedWithCustomError(fund, "BudgetBalanceTooLarge").withArgs(newId, MAX_BUDGET_BALANCE + 1n, MAX_BUDGET_BALANCE);
    });
  });

  describe("when the sponsor cannot fund the batch", () => {
    it("refuses an account without SPONSOR_ROLE with FundNotSponsor", async () => {
      const { fund, validator, stranger } = await loadFixture(fundWithEur300Budget);
      await expect(as(fund, validator).issueBudgets(stranger.address, [{ budgetId: randomId(), amount: 1_00n, expiry: 0 }]))
        .to.be.revertedWithCustomError(fund, "FundNotSponsor").withArgs(stranger.address);
    });

    it("refuses a batch whose total is above the sponsor's reserve with FundReserveInsufficient, issuing none", async () => {
      const { fund, sponsor, validator } = await loadFixture(fundWithEur300Budget);
      const first = randomId();
      await expect(as(fund, validator).issueBudgets(sponsor.address, [
        { budgetId: first, amount: 350_00n, expiry: 0 }, { budgetId: randomId(), amount: 350_01n, expiry: 0 },
      ])).to.be.revertedWithCustomError(fund, "FundReserveInsufficient").withArgs(sponsor.address, 700_00n, 700_01n);
      expect((await fund.budgetOf(first)).sponsor).to.equal(ZeroAddress);
      expect(await fund.reserveOf(sponsor.address)).to.equal(700_00n);
    });
  });
});

describe("Fund.topUp", () => {
  describe("when one live budget is topped up", () => {
    it("emits BudgetToppedUp with the new balance and takes the cents from its sponsor's reserve", async () => {
      const { fund, sponsor, validator, shop, budgetId } = await loadFixture(fundWithEur100Payment);
      await expect(as(fund, validator).topUp([budgetId], 50_00n))
        .to.emit(fund, "BudgetToppedUp").withArgs(budgetId, 50_00n, 250_00n);
      const budget = await fund.budgetOf(budgetId);
      expect([budget.balance, budget.spent]).to.deep.equal([250_00n, 100_00n]);
      expect(await fund.reserveOf(sponsor.address)).to.equal(650_00n);
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address], merchants: [shop.address] });
    });

    it("tops up a frozen budget too", async () => {
      const { fund, validator, budgetId } = await loadFixture(fundWithEur300Budget);
      await (await as(fund, validator).freeze(budgetId)).wait();
      await expect(as(fund, validator).topUp([budgetId], 1_00n))
        .to.emit(fund, "BudgetToppedUp").withArgs(budgetId, 1_00n, 301_00n);
    });
  });

  describe("when a batch is topped up", () => {
    it("adds the amount to every budget, each from its own sponsor's reserve", async () => {
      const { fund, sponsor, otherSponsor, validator, budgetId, otherBudgetId } = await loadFixture(fundWithTwoSponsors);
      const tx = as(fund, validator).topUp([budgetId, otherBudgetId], 10_00n);
      await expect(tx).to.emit(fund, "BudgetToppedUp").withArgs(budgetId, 10_00n, 310_00n);
      await expect(tx).to.emit(fund, "BudgetToppedUp").withArgs(otherBudgetId, 10_00n, 30_00n);
      expect(await fund.balanceOf(budgetId)).to.equal(310_00n);
      expect(await fund.balanceOf(otherBudgetId)).to.equal(30_00n);
      expect(await fund.reserveOf(sponsor.address)).to.equal(690_00n);
      expect(await fund.reserveOf(otherSponsor.address)).to.equal(20_00n);
      await expectMoneyInvariant(fund, { budgets: [budgetId, otherBudgetId], sponsors: [sponsor.address, otherSponsor.address] });
    });
  });

  describe("when a budget's sponsor has too little reserve", () => {
    it("refuses the whole batch with FundReserveInsufficient for that sponsor, though another sponsor has plenty", async () => {
      const { fund, sponsor, otherSponsor, validator, budgetId, otherBudgetId } = await loadFixture(fundWithTwoSponsors);
      await expect(as(fund, validator).topUp([budgetId, otherBudgetId], 30_01n))
        .to.be.revertedWithCustomError(fund, "FundReserveInsufficient").withArgs(otherSponsor.address, 30_00n, 30_01n);
      expect(await fund.balanceOf(budgetId)).to.equal(300_00n);
      expect(await fund.reserveOf(sponsor.address)).to.equal(700_00n);
    });
  });

  describe("when a budget cannot be topped up", () => {
    it("refuses an expired budget with BudgetExpired", async () => {
      const { fund, validator, budgetId } = await loadFixture(fundWithEur300Budget);
      const { expiry } = await fund.budgetOf(budgetId);
      await time.increaseTo(expiry);
      await expect(as(fund, validator).topUp([budgetId], 1_00n))
        .to.be.revertedWithCustomError(fund, "BudgetExpired").withArgs(budgetId, expiry);
    });

    it("refuses a budget in the very second of its expiry with BudgetExpired", async () => {
      const { fund, validator, budgetId } = await loadFixture(fundWithEur300Budget);
      const { expiry } = await fund.budgetOf(budgetId);
      await time.setNextBlockTimestamp(expiry);
      await expect(as(fund, validator).topUp([budgetId], 1_00n))
        .to.be.revertedWithCustomError(fund, "BudgetExpired").withArgs(budgetId, expiry);
    });

    it("refuses an unknown budget with BudgetUnknown", async () => {
      const { fund, validator, budgetId } = await loadFixture(fundWithEur300Budget);
      const unknown = randomId();
      await expect(as(fund, validator).topUp([budgetId, unknown], 1_00n))
        .to.be.revertedWithCustomError(fund, "BudgetUnknown").withArgs(unknown);
    });

    it("refuses a zero amount with FundZeroAmount", async () => {
      const { fund, validator, budgetId } = await loadFixture(fundWithEur300Budget);
      await expect(as(fund, validator).topUp([budgetId], 0n)).to.be.revertedWithCustomError(fund, "FundZeroAmount");
    });

    it("refuses a balance above what a budget can hold with BudgetBalanceTooLarge, and moves nothing", async () => {
      const { fund, sponsor, validator, budgetId } = await loadFixture(fundWithEur300Budget);
      await (await as(fund, sponsor).deposit(MAX_BUDGET_BALANCE, randomId())).wait();
      const amount = MAX_BUDGET_BALANCE - 300_00n + 1n;
      await expect(as(fund, validator).topUp([budgetId], amount))
        .to.be.revertedWithCustomError(fund, "BudgetBalanceTooLarge").withArgs(budgetId, MAX_BUDGET_BALANCE + 1n, MAX_BUDGET_BALANCE);
      expect(await fund.balanceOf(budgetId)).to.equal(300_00n);
      await (await as(fund, validator).topUp([budgetId], amount - 1n)).wait(); // exactly the most it can hold
      expect(await fund.balanceOf(budgetId)).to.equal(MAX_BUDGET_BALANCE);
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address] });
    });
  });
});

describe("Fund.setHolder", () => {
  describe("when the budget has no holder yet", () => {
    it("emits BudgetHolderSet and binds the family's key", async () => {
      const { fund, sponsor, validator } = await loadFixture(fundWithEur300Budget);
      const newId = randomId();
      await (await as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: newId, amount: 1_00n, expiry: 0 }])).wait();
      const key = Wallet.createRandom();
      await expect(as(fund, validator).setHolder(newId, key.address))
        .to.emit(fund, "BudgetHolderSet").withArgs(newId, key.address);
      expect((await fund.budgetOf(newId)).holder).to.equal(key.address);
    });

    it("lets one key hold several budgets", async () => {
      const { fund, family, budgetId, otherBudgetId } = await loadFixture(fundWithTwoSponsors);
      expect((await fund.budgetOf(budgetId)).holder).to.equal(family.address);
      expect((await fund.budgetOf(otherBudgetId)).holder).to.equal(family.address);
    });
  });

  describe("when it is refused", () => {
    it("refuses the zero address with FundZeroAddress", async () => {
      const { fund, validator, budgetId } = await loadFixture(fundWithEur300Budget);
      await expect(as(fund, validator).setHolder(budgetId, ZeroAddress)).to.be.revertedWithCustomError(fund, "FundZeroAddress");
    });

    it("refuses a budget that has a holder with BudgetHolderAlreadySet", async () => {
      const { fund, validator, budgetId, family } = await loadFixture(fundWithEur300Budget);
      await expect(as(fund, validator).setHolder(budgetId, Wallet.createRandom().address))
        .to.be.revertedWithCustomError(fund, "BudgetHolderAlreadySet").withArgs(budgetId, family.address);
      expect((await fund.budgetOf(budgetId)).holder).to.equal(family.address);
    });

    it("refuses an unknown budget with BudgetUnknown", async () => {
      const { fund, validator } = await loadFixture(fundWithEur300Budget);
      const unknown = randomId();
      await expect(as(fund, validator).setHolder(unknown, Wallet.createRandom().address))
        .to.be.revertedWithCustomError(fund, "BudgetUnknown").withArgs(unknown);
    });
  });
});

describe("Fund.rekey", () => {
  describe("when the family lost its phone", () => {
    it("emits BudgetRekeyed and moves the budget to the new key, keeping the balance and raising the nonce", async () => {
      const { fund, validator, budgetId, family } = await loadFixture(fundWithEur100Payment);
      const newKey = Wallet.createRandom();
      await expect(as(fund, validator).rekey(budgetId, newKey.address))
        .to.emit(fund, "BudgetRekeyed").withArgs(budgetId, family.address, newKey.address);
      const budget = await fund.budgetOf(budgetId);
      expect([budget.holder, budget.balance, budget.nonce]).to.deep.equal([newKey.address, 200_00n, 2n]);
    });

    it("does not revive the old key's permits when the budget is moved back to that key", async () => {
      const ctx = await loadFixture(fundWithEur300Budget);
      const { fund, validator, shop, stranger, budgetId, family } = ctx;
      const oldPermit = await signPermit(ctx, family, budgetId, { maxAmount: 10_00n });
      await (await as(fund, validator).rekey(budgetId, Wallet.createRandom().address)).wait();
      await (await as(fund, validator).rekey(budgetId, family.address)).wait();
      await expect(as(fund, stranger).pay(oldPermit.permit, oldPermit.signature, shop.address, 10_00n))
        .to.be.revertedWithCustomError(fund, "PermitNonceUsed").withArgs(budgetId, 2n, 0n);
      const fresh = await signPermit(ctx, family, budgetId, { maxAmount: 10_00n });
      await expect(as(fund, stranger).pay(fresh.permit, fresh.signature, shop.address, 10_00n)).to.emit(fund, "PaymentMade");
    });
  });

  describe("when the budget was never activated", () => {
    it("refuses with BudgetNotActivated: activation goes through setHolder, which binds a key only once", async () => {
      const { fund, sponsor, validator } = await loadFixture(fundWithEur300Budget);
      const newId = randomId();
      await (await as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: newId, amount: 10_00n, expiry: 0 }])).wait();
      await expect(as(fund, validator).rekey(newId, Wallet.createRandom().address))
        .to.be.revertedWithCustomError(fund, "BudgetNotActivated").withArgs(newId);
      expect((await fund.budgetOf(newId)).holder).to.equal(ZeroAddress);
    });
  });

  describe("when it is refused", () => {
    it("refuses the zero address with FundZeroAddress", async () => {
      const { fund, validator, budgetId } = await loadFixture(fundWithEur300Budget);
      await expect(as(fund, validator).rekey(budgetId, ZeroAddress)).to.be.revertedWithCustomError(fund, "FundZeroAddress");
    });

    it("refuses an unknown budget with BudgetUnknown", async () => {
      const { fund, validator } = await loadFixture(fundWithEur300Budget);
      const unknown = randomId();
      await expect(as(fund, validator).rekey(unknown, Wallet.createRandom().address))
        .to.be.revertedWithCustomError(fund, "BudgetUnknown").withArgs(unknown);
    });
  });
});

describe("Fund.freeze", () => {
  it("emits BudgetFreezeChanged(true) and marks the budget frozen, keeping its money", async () => {
    const { fund, validator, budgetId } = await loadFixture(fundWithEur300Budget);
    await expect(as(fund, validator).freeze(budgetId)).to.emit(fund, "BudgetFreezeChanged").withArgs(budgetId, true);
    const budget = await fund.budgetOf(budgetId);
    expect([budget.frozen, budget.balance]).to.deep.equal([true, 300_00n]);
  });

  it("refuses a budget that is frozen already with BudgetFrozen", async () => {
    const { fund, validator, budgetId } = await loadFixture(fundWithEur300Budget);
    await (await as(fund, validator).freeze(budgetId)).wait();
    await expect(as(fund, validator).freeze(budgetId)).to.be.revertedWithCustomError(fund, "BudgetFrozen").withArgs(budgetId);
  });

  it("refuses an unknown budget with BudgetUnknown", async () => {
    const { fund, validator } = await loadFixture(fundWithEur300Budget);
    const unknown = randomId();
    await expect(as(fund, validator).freeze(unknown)).to.be.revertedWithCustomError(fund, "BudgetUnknown").withArgs(unknown);
  });
});

describe("Fund.unfreeze", () => {
  it("emits BudgetFreezeChanged(false) and lets the budget pay again", async () => {
    const ctx = await loadFixture(fundWithEur300Budget);
    const { fund, validator, budgetId, family, shop, stranger } = ctx;
    await (await as(fund, validator).freeze(budgetId)).wait();
    await expect(as(fund, validator).unfreeze(budgetId)).to.emit(fund, "BudgetFreezeChanged").withArgs(budgetId, false);
    expect((await fund.budgetOf(budgetId)).frozen).to.equal(false);
    const { permit, signature } = await signPermit(ctx, family, budgetId);
    await expect(as(fund, stranger).pay(permit, signature, shop.address, 5_00n)).to.emit(fund, "PaymentMade");
  });

  it("refuses a budget that is not frozen with BudgetNotFrozen", async () => {
    const { fund, validator, budgetId } = await loadFixture(fundWithEur300Budget);
    await expect(as(fund, validator).unfreeze(budgetId)).to.be.revertedWithCustomError(fund, "BudgetNotFrozen").withArgs(budgetId);
  });

  it("refuses an unknown budget with BudgetUnknown", async () => {
    const { fund, validator } = await loadFixture(fundWithEur300Budget);
    const unknown = randomId();
    await expect(as(fund, validator).unfreeze(unknown)).to.be.revertedWithCustomError(fund, "BudgetUnknown").withArgs(unknown);
  });
});

describe("Fund.reclaim", () => {
  describe("when the budget has expired", () => {
    it("emits BudgetReclaimed and returns the balance to the budget's sponsor's reserve; spent stays", async () => {
      const { fund, sponsor, validator, shop, budgetId } = await loadFixture(fundWithEur100Payment);
      const { expiry } = await fund.budgetOf(budgetId);
      await time.increaseTo(expiry);
      await expect(as(fund, validator).reclaim([budgetId]))
        .to.emit(fund, "BudgetReclaimed").withArgs(budgetId, sponsor.address, 200_00n);
      const budget = await fund.budgetOf(budgetId);
      expect([budget.balance, budget.spent]).to.deep.equal([0n, 100_00n]);
      expect(await fund.reserveOf(sponsor.address)).to.equal(900_00n);
      expect(await fund.receivableOf(shop.address)).to.equal(100_00n);
      expect(await view(fund, "totals")).to.deep.equal({
        deposited: 1_000_00n, withdrawn: 0n, reserve: 900_00n, outstanding: 100_00n, paidOut: 0n,
      });
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address], merchants: [shop.address] });
    });

    it("returns each budget's money to its own sponsor", async () => {
      const { fund, sponsor, otherSponsor, validator, budgetId, otherBudgetId } = await loadFixture(fundWithTwoSponsors);
      await time.increaseTo((await fund.budgetOf(otherBudgetId)).expiry);
      const tx = as(fund, validator).reclaim([budgetId, otherBudgetId]);
      await expect(tx).to.emit(fund, "BudgetReclaimed").withArgs(budgetId, sponsor.address, 300_00n);
      await expect(tx).to.emit(fund, "BudgetReclaimed").withArgs(otherBudgetId, otherSponsor.address, 20_00n);
      expect(await fund.reserveOf(sponsor.address)).to.equal(1_000_00n);
      expect(await fund.reserveOf(otherSponsor.address)).to.equal(50_00n);
      await expectMoneyInvariant(fund, { budgets: [budgetId, otherBudgetId], sponsors: [sponsor.address, otherSponsor.address] });
    });

    it("reclaims in the very second of the expiry", async () => {
      const { fund, sponsor, validator, budgetId } = await loadFixture(fundWithEur300Budget);
      const { expiry } = await fund.budgetOf(budgetId);
      await time.setNextBlockTimestamp(expiry);
      await expect(as(fund, validator).reclaim([budgetId]))
        .to.emit(fund, "BudgetReclaimed").withArgs(budgetId, sponsor.address, 300_00n);
    });

    it("emits nothing and moves nothing for a budget that is empty or reclaimed already", async () => {
      const { fund, sponsor, validator, budgetId } = await loadFixture(fundWithEur300Budget);
      await time.increaseTo((await fund.budgetOf(budgetId)).expiry);
      await (await as(fund, validator).reclaim([budgetId])).wait();
      await expect(as(fund, validator).reclaim([budgetId])).not.to.emit(fund, "BudgetReclaimed");
      expect(await fund.reserveOf(sponsor.address)).to.equal(1_000_00n);
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address] });
    });
  });

  describe("when it is refused", () => {
    it("refuses a budget that has not expired with BudgetNotExpired, reclaiming none of the batch", async () => {
      const { fund, sponsor, validator, budgetId } = await loadFixture(fundWithEur300Budget);
      const { expiry } = await fund.budgetOf(budgetId);
      const later = randomId();
      await (await as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: later, amount: 1_00n, expiry: expiry + DAY }])).wait();
      await time.increaseTo(expiry);
      await expect(as(fund, validator).reclaim([budgetId, later]))
        .to.be.revertedWithCustomError(fund, "BudgetNotExpired").withArgs(later, expiry + DAY);
      expect(await fund.balanceOf(budgetId)).to.equal(300_00n);
    });

    it("refuses a live budget with BudgetNotExpired", async () => {
      const { fund, validator, budgetId } = await loadFixture(fundWithEur300Budget);
      const { expiry } = await fund.budgetOf(budgetId);
      await expect(as(fund, validator).reclaim([budgetId]))
        .to.be.revertedWithCustomError(fund, "BudgetNotExpired").withArgs(budgetId, expiry);
    });

    it("refuses an unknown budget with BudgetUnknown", async () => {
      const { fund, validator } = await loadFixture(fundWithEur300Budget);
      const unknown = randomId();
      await expect(as(fund, validator).reclaim([unknown])).to.be.revertedWithCustomError(fund, "BudgetUnknown").withArgs(unknown);
    });
  });
});

describe("Fund.setDefaultBudgetExpiry", () => {
  it("emits DefaultBudgetExpiryChanged and gives it to new budgets that name no expiry; existing ones keep theirs", async () => {
    const { fund, admin, sponsor, validator, budgetId, settings } = await loadFixture(fundWithEur300Budget);
    const expiry = (await now()) + 90n * DAY;
    await expect(as(fund, admin).setDefaultBudgetExpiry(expiry)).to.emit(fund, "DefaultBudgetExpiryChanged").withArgs(expiry);
    expect(await fund.defaultBudgetExpiry()).to.equal(expiry);
    const newId = randomId();
    await (await as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: newId, amount: 1_00n, expiry: 0 }])).wait();
    expect((await fund.budgetOf(newId)).expiry).to.equal(expiry);
    expect((await fund.budgetOf(budgetId)).expiry).to.equal(settings.defaultBudgetExpiry);
  });

  it("refuses an expiry that is not in the future with FundExpiryInPast", async () => {
    const { fund, admin, settings } = await loadFixture(fundWithEur300Budget);
    const past = (await now()) - 1n;
    await expect(as(fund, admin).setDefaultBudgetExpiry(past)).to.be.revertedWithCustomError(fund, "FundExpiryInPast").withArgs(past);
    expect(await fund.defaultBudgetExpiry()).to.equal(settings.defaultBudgetExpiry);
  });

  it("refuses an expiry too far ahead to store with SafeCastOverflowedUintDowncast", async () => {
    const { fund, admin } = await loadFixture(fundWithEur300Budget);
    const inMilliseconds = (await now()) * 1000n;
    await expect(as(fund, admin).setDefaultBudgetExpiry(inMilliseconds))
      .to.be.revertedWithCustomError(fund, "SafeCastOverflowedUintDowncast").withArgs(32, inMilliseconds);
  });
});

