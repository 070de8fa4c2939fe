// Shared fixtures for the contract tests. Contracts are deployed through scripts/lib/deploy.ts,
// the same code the deploy script and the backend use.
import { network } from "hardhat";
import { Contract, Wallet, hexlify, randomBytes } from "ethers";
import { type PaymentPermit, signPaymentPermit } from "@tegoed/sdk";
import { createFund, deployFactory, grantFundRoles } from "../../scripts/lib/deploy.ts";

export const { ethers, networkHelpers } = await network.create();

export const DAY = 24n * 60n * 60n;
export const EUR = (euros: number) => BigInt(Math.round(euros * 100)); // cents; test literals only

export function randomId(): string {
  return hexlify(randomBytes(32));
}

/** A factory and one fund with every role given to its own account, and a second fund. */
export async function deployedFund() {
  const [deployer, admin, sponsor, validator, merchantManager, settler, operator, pauser, shop, otherShop, stranger] =
    await ethers.getSigners();
  const { factory } = await deployFactory(deployer!, admin!.address);
  const now = BigInt(await networkHelpers.time.latest());
  const settings = { admin: admin!.address, name: "Kindpakket 2027", currency: "EUR", defaultBudgetExpiry: now + 365n * DAY };
  const adminFactory = factory.connect(admin!) as Contract;
  const { fund, address } = await createFund(adminFactory, settings);
  const asAdmin = fund.connect(admin!) as Contract;
  await grantFundRoles(asAdmin, {
    SPONSOR: [sponsor!.address],
    VALIDATOR: [validator!.address],
    MERCHANT_MANAGER: [merchantManager!.address],
    SETTLER: [settler!.address],
    OPERATOR: [operator!.address],
    PAUSER: [pauser!.address],
  });
  const { fund: otherFund } = await createFund(adminFactory, { ...settings, name: "Kindpakket 2028" });
  const chainId = (await ethers.provider.getNetwork()).chainId;
  return {
    factory, fund: asAdmin, fundAddress: address, otherFund: otherFund.connect(admin!) as Contract, chainId, settings,
    deployer: deployer!, admin: admin!, sponsor: sponsor!, validator: validator!, merchantManager: merchantManager!,
    settler: settler!, operator: operator!, pauser: pauser!, shop: shop!, otherShop: otherShop!, stranger: stranger!,
  };
}

/**
 * A fund with EUR 1,000 deposited, one EUR 300 budget held by a family's device key, and an approved shop.
 */
export async function fundWithEur300Budget() {
  const base = await deployedFund();
  const { fund, sponsor, validator, merchantManager, shop } = base;
  await (await as(fund, sponsor).deposit(EUR(1000), randomId())).wait();
  const budgetId = randomId();
  await (await as(fund, validator).issueBudgets(sponsor.address, [{ budgetId, amount: EUR(300), expiry: 0 }])).wait();
  const family = Wallet.createRandom();
  await (await as(fund, validator).setHolder(budgetId, family.address)).wait();
  await (await as(fund, merchantManager).approveMerchant(shop.address, 1)).wait();
  return { ...base, budgetId, family };
}

/** Signs a permit for `budgetId` with the budget's current nonce (unless given) and a 5-minute deadline. */
export async function signPermit(
  ctx: { fund: Contract; fundAddress: string; chainId: bigint },
  key: Wallet,
  budgetId: string,
  overrides: Partial<PaymentPermit> = {},
) {
  const nonce = overrides.nonce ?? BigInt((await ctx.fund.getFunction("budgetOf")(budgetId)).nonce);
  const deadline = overrides.deadline ?? BigInt(await networkHelpers.time.latest()) + 300n;
  const permit: PaymentPermit = {
    fund: ctx.fundAddress, budgetId, maxAmount: EUR(300), nonce, deadline, ...overrides,
  };
  const signature = await signPaymentPermit(key, ctx.chainId, permit);
  return { permit, signature };
}

/** The contract bound to another account, with its methods typed loosely as ethers does. */
export function as(contract: Contract, runner: { address: string } & Parameters<Contract["connect"]>[0]) {
  return contract.connect(runner) as Contract & Record<string, (...args: unknown[]) => Promise<any>>;
}
