// Fund: the sponsors' reserve. deposit and withdraw.
import { expect } from "chai";
import { ZeroHash } from "ethers";
import {
  as, deployedFund, expectMoneyInvariant, fundWithEur300Budget, networkHelpers, randomId, view,
} from "./fixtures.ts";

const { loadFixture } = networkHelpers;

describe("Fund.deposit", () => {
  describe("when a sponsor records money that reached the bank account", () => {
    it("emits Deposited and adds the cents to the sponsor's reserve and the totals", async () => {
      const { fund, sponsor } = await loadFixture(deployedFund);
      const bankRef = randomId();
      await expect(as(fund, sponsor).deposit(1_000_00n, bankRef))
        .to.emit(fund, "Deposited").withArgs(sponsor.address, 1_000_00n, bankRef);
      expect(await fund.reserveOf(sponsor.address)).to.equal(1_000_00n);
      expect(await view(fund, "totals")).to.deep.equal({
        deposited: 1_000_00n, withdrawn: 0n, reserve: 1_000_00n, outstanding: 0n, paidOut: 0n,
      });
      expect(await fund.isBankRefUsed(bankRef)).to.equal(true);
      await expectMoneyInvariant(fund, { sponsors: [sponsor.address] });
    });

    it("adds a second deposit to the first", async () => {
      const { fund, sponsor } = await loadFixture(deployedFund);
      await (await as(fund, sponsor).deposit(1_000_00n, randomId())).wait();
      await (await as(fund, sponsor).deposit(250_50n, randomId())).wait();
      expect(await fund.reserveOf(sponsor.address)).to.equal(1_250_50n);
      expect((await fund.totals()).deposited).to.equal(1_250_50n);
      await expectMoneyInvariant(fund, { sponsors: [sponsor.address] });
    });
  });

  describe("when the amount is zero", () => {
    it("refuses with FundZeroAmount", async () => {
      const { fund, sponsor } = await loadFixture(deployedFund);
      await expect(as(fund, sponsor).deposit(0n, randomId())).to.be.revertedWithCustomError(fund, "FundZeroAmount");
    });
  });

  describe("when the bank reference was recorded before", () => {
    it("refuses a reference used by an earlier deposit with FundBankRefUsed", async () => {
      const { fund, sponsor } = await loadFixture(deployedFund);
      const bankRef = randomId();
      await (await as(fund, sponsor).deposit(10_00n, bankRef)).wait();
      await expect(as(fund, sponsor).deposit(10_00n, bankRef))
        .to.be.revertedWithCustomError(fund, "FundBankRefUsed").withArgs(bankRef);
      expect(await fund.reserveOf(sponsor.address)).to.equal(10_00n);
    });

    it("refuses the empty reference with FundBankRefUsed", async () => {
      const { fund, sponsor } = await loadFixture(deployedFund);
      await expect(as(fund, sponsor).deposit(10_00n, ZeroHash))
        .to.be.revertedWithCustomError(fund, "FundBankRefUsed").withArgs(ZeroHash);
    });
  });

  describe("when the amount does not fit the fund's 128-bit totals", () => {
    it("refuses with SafeCastOverflowedUintDowncast", async () => {
      const { fund, sponsor } = await loadFixture(deployedFund);
      await expect(as(fund, sponsor).deposit(2n ** 128n, randomId()))
        .to.be.revertedWithCustomError(fund, "SafeCastOverflowedUintDowncast").withArgs(128, 2n ** 128n);
    });
  });
});

describe("Fund.withdraw", () => {
  describe("when the sponsor's unallocated reserve covers the amount", () => {
    it("emits Withdrawn and takes the cents out of the sponsor's reserve", async () => {
      const { fund, sponsor, budgetId } = await loadFixture(fundWithEur300Budget);
      const bankRef = randomId();
      await expect(as(fund, sponsor).withdraw(200_00n, bankRef))
        .to.emit(fund, "Withdrawn").withArgs(sponsor.address, 200_00n, bankRef);
      expect(await fund.reserveOf(sponsor.address)).to.equal(500_00n);
      expect(await view(fund, "totals")).to.deep.equal({
        deposited: 1_000_00n, withdrawn: 200_00n, reserve: 500_00n, outstanding: 300_00n, paidOut: 0n,
      });
      expect(await fund.isBankRefUsed(bankRef)).to.equal(true);
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address] });
    });

    it("lets the sponsor take out its whole unallocated reserve", async () => {
      const { fund, sponsor, budgetId } = await loadFixture(fundWithEur300Budget);
      await (await as(fund, sponsor).withdraw(700_00n, randomId())).wait();
      expect(await fund.reserveOf(sponsor.address)).to.equal(0n);
      await expectMoneyInvariant(fund, { budgets: [budgetId], sponsors: [sponsor.address] });
    });
  });

  describe("when the amount is above the sponsor's unallocated reserve", () => {
    it("refuses with FundReserveInsufficient: money in budgets cannot be withdrawn", async () => {
      const { fund, sponsor } = await loadFixture(fundWithEur300Budget);
      await expect(as(fund, sponsor).withdraw(700_01n, randomId()))
        .to.be.revertedWithCustomError(fund, "FundReserveInsufficient").withArgs(sponsor.address, 700_00n, 700_01n);
    });
  });

  describe("when the amount is zero", () => {
    it("refuses with FundZeroAmount", async () => {
      const { fund, sponsor } = await loadFixture(fundWithEur300Budget);
      await expect(as(fund, sponsor).withdraw(0n, randomId())).to.be.revertedWithCustomError(fund, "FundZeroAmount");
    });
  });

  describe("when the bank reference was recorded before", () => {
    it("refuses a reference already used by a deposit with FundBankRefUsed", async () => {
      const { fund, sponsor } = await loadFixture(fundWithEur300Budget);
      const bankRef = randomId();
      await (await as(fund, sponsor).deposit(10_00n, bankRef)).wait();
      await expect(as(fund, sponsor).withdraw(10_00n, bankRef))
        .to.be.revertedWithCustomError(fund, "FundBankRefUsed").withArgs(bankRef);
    });

    it("refuses the empty reference with FundBankRefUsed", async () => {
      const { fund, sponsor } = await loadFixture(fundWithEur300Budget);
      await expect(as(fund, sponsor).withdraw(10_00n, ZeroHash))
        .to.be.revertedWithCustomError(fund, "FundBankRefUsed").withArgs(ZeroHash);
    });
  });
});
