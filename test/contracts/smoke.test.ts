import { expect } from "chai";
import { EUR, as, ethers, fundWithEur300Budget, networkHelpers, signPermit } from "./fixtures.ts";

describe("Fund.pay (smoke)", () => {
  it("moves the cents from the budget to the merchant", async () => {
    const ctx = await networkHelpers.loadFixture(fundWithEur300Budget);
    const { fund, family, shop, budgetId, stranger } = ctx;
    const { permit, signature } = await signPermit(ctx, family, budgetId, { maxAmount: EUR(50) });
    await expect(as(fund, stranger).pay(permit, signature, shop.address, EUR(12.5)))
      .to.emit(fund, "PaymentMade");
    expect(await fund.balanceOf(budgetId)).to.equal(EUR(287.5));
    expect(await fund.receivableOf(shop.address)).to.equal(EUR(12.5));
    void ethers;
  });
});
