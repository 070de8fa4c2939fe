// Fund.pause and unpause: what a pause stops (money moving on the fund's own say) and what it lets through
// (facts from the bank, and interventions).
import { expect } from "chai";
import { Wallet } from "ethers";
import { DAY, as, fundWithEur100Payment, networkHelpers, randomId, signPermit } from "./fixtures.ts";

const { loadFixture, time } = networkHelpers;

type Ctx = Awaited<ReturnType<typeof fundWithEur100Payment>>;

/** {fundWithEur100Payment}, paused by the pauser. */
async function pausedFundWithPayment() {
  const ctx = await fundWithEur100Payment();
  await (await as(ctx.fund, ctx.pauser).pause()).wait();
  return ctx;
}

/** A fresh id for a budget or a bank reference; every test starts from the fixture, so one is enough. */
const ID = randomId();

/** Calls that a pause stops; each `call` would succeed on the unpaused fund after `prepare`. */
const BLOCKED: { name: string; prepare?: (ctx: Ctx) => Promise<unknown>; call: (ctx: Ctx) => Promise<unknown> }[] = [
  {
    name: "pay",
    call: async (ctx) => {
      const { permit, signature } = await signPermit(ctx, ctx.family, ctx.budgetId, { nonce: 1n });
      return as(ctx.fund, ctx.stranger).pay(permit, signature, ctx.shop.address, 1_00n);
    },
  },
  {
    name: "refund",
    call: async (ctx) => as(ctx.fund, ctx.operator).refund(ctx.budgetId, 1_00n, ctx.proof.headBefore, ctx.proof.links),
  },
  {
    name: "issueBudgets",
    call: async (ctx) => as(ctx.fund, ctx.validator).issueBudgets(ctx.sponsor.address, [{ budgetId: ID, amount: 1_00n, expiry: 0 }]),
  },
  { name: "topUp", call: async (ctx) => as(ctx.fund, ctx.validator).topUp([ctx.budgetId], 1_00n) },
  {
    name: "reclaim",
    prepare: async (ctx) => time.increaseTo((await ctx.fund.budgetOf(ctx.budgetId)).expiry),
    call: async (ctx) => as(ctx.fund, ctx.validator).reclaim([ctx.budgetId]),
  },
  { name: "withdraw", call: async (ctx) => as(ctx.fund, ctx.sponsor).withdraw(1_00n, ID) },
];

describe("Fund.pause", () => {
  it("emits Paused and marks the fund paused", async () => {
    const { fund, pauser } = await loadFixture(fundWithEur100Payment);
    await expect(as(fund, pauser).pause()).to.emit(fund, "Paused").withArgs(pauser.address);
    expect(await fund.paused()).to.equal(true);
  });

  it("refuses to pause a paused fund with EnforcedPause", async () => {
    const { fund, pauser } = await loadFixture(pausedFundWithPayment);
    await expect(as(fund, pauser).pause()).to.be.revertedWithCustomError(fund, "EnforcedPause");
  });

  describe("while the fund is paused", () => {
    for (const { name, prepare, call } of BLOCKED) {
      it(`refuses ${name} with EnforcedPause, and allows it again after unpause`, async () => {
        const ctx = await loadFixture(pausedFundWithPayment);
        await prepare?.(ctx);
        await expect(call(ctx)).to.be.revertedWithCustomError(ctx.fund, "EnforcedPause");
        await (await as(ctx.fund, ctx.pauser).unpause()).wait();
        const receipt = await ((await call(ctx)) as { wait(): Promise<{ status: number }> }).wait();
        expect(receipt.status).to.equal(1);
      });
    }

    it("still records a sponsor's deposit", async () => {
      const { fund, sponsor } = await loadFixture(pausedFundWithPayment);
      const bankRef = randomId();
      await expect(as(fund, sponsor).deposit(5_00n, bankRef)).to.emit(fund, "Deposited").withArgs(sponsor.address, 5_00n, bankRef);
      expect(await fund.reserveOf(sponsor.address)).to.equal(705_00n);
    });

    it("still records a settlement to a merchant", async () => {
      const { fund, settler, shop } = await loadFixture(pausedFundWithPayment);
      const bankRef = randomId();
      await expect(as(fund, settler).settle(shop.address, 100_00n, bankRef))
        .to.emit(fund, "MerchantSettled").withArgs(shop.address, 100_00n, bankRef);
      expect(await fund.receivableOf(shop.address)).to.equal(0n);
    });

    it("still freezes and unfreezes a budget", async () => {
      const { fund, validator, budgetId } = await loadFixture(pausedFundWithPayment);
      await expect(as(fund, validator).freeze(budgetId)).to.emit(fund, "BudgetFreezeChanged").withArgs(budgetId, true);
      await expect(as(fund, validator).unfreeze(budgetId)).to.emit(fund, "BudgetFreezeChanged").withArgs(budgetId, false);
    });

    it("still binds a holder key to a budget", async () => {
      const { fund, sponsor, validator, pauser } = await loadFixture(pausedFundWithPayment);
      await (await as(fund, pauser).unpause()).wait();
      const newId = randomId();
      await (await as(fund, validator).issueBudgets(sponsor.address, [{ budgetId: newId, amount: 1_00n, expiry: 0 }])).wait();
      await (await as(fund, pauser).pause()).wait();
      const key = Wallet.createRandom();
      await expect(as(fund, validator).setHolder(newId, key.address)).to.emit(fund, "BudgetHolderSet").withArgs(newId, key.address);
      expect((await fund.budgetOf(newId)).holder).to.equal(key.address);
    });

    it("still rekeys a budget", async () => {
      const { fund, validator, family, budgetId } = await loadFixture(pausedFundWithPayment);
      const key = Wallet.createRandom();
      await expect(as(fund, validator).rekey(budgetId, key.address))
        .to.emit(fund, "BudgetRekeyed").withArgs(budgetId, family.address, key.address);
    });

    it("still approves and suspends merchants", async () => {
      const { fund, merchantManager, otherShop } = await loadFixture(pausedFundWithPayment);
      await expect(as(fund, merchantManager).approveMerchant(otherShop.address, 2)).to.emit(fund, "MerchantApproved").withArgs(otherShop.address, 2);
      await expect(as(fund, merchantManager).suspendMerchant(otherShop.address)).to.emit(fund, "MerchantSuspended").withArgs(otherShop.address);
    });

    it("still changes the default budget expiry", async () => {
      const { fund, admin } = await loadFixture(pausedFundWithPayment);
      const expiry = BigInt(await time.latest()) + 10n * DAY;
      await expect(as(fund, admin).setDefaultBudgetExpiry(expiry)).to.emit(fund, "DefaultBudgetExpiryChanged").withArgs(expiry);
    });
  });
});

describe("Fund.unpause", () => {
  it("emits Unpaused and marks the fund not paused", async () => {
    const { fund, pauser } = await loadFixture(pausedFundWithPayment);
    await expect(as(fund, pauser).unpause()).to.emit(fund, "Unpaused").withArgs(pauser.address);
    expect(await fund.paused()).to.equal(false);
  });

  it("refuses to unpause a fund that is not paused with ExpectedPause", async () => {
    const { fund, pauser } = await loadFixture(fundWithEur100Payment);
    await expect(as(fund, pauser).unpause()).to.be.revertedWithCustomError(fund, "ExpectedPause");
  });
});
