// Shared fixtures for the contract tests. Contracts are deployed through scripts/lib/deploy.ts,
// the same code the deploy script and the backend use.
import { network } from "hardhat";
import { AbiCoder, Contract, TypedDataEncoder, Wallet, hexlify, keccak256, randomBytes, recoverAddress } from "ethers";
import { expect } from "chai";
import { PAYMENT_PERMIT_TYPES, type PaymentPermit, type TypedDataSigner, fundDomain, signPaymentPermit } from "@tegoed/sdk";
import { createFund, deployFactory, grantFundRoles } from "../../scripts/lib/deploy.ts";

export const { ethers, networkHelpers } = await network.create();

export const DAY = 24n * 60n * 60n;

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
  await (await as(fund, sponsor).deposit(1000_00n, randomId())).wait();
  const budgetId = randomId();
  await (await as(fund, validator).issueBudgets(sponsor.address, [{ budgetId, amount: 300_00n, expiry: 0 }])).wait();
  const family = Wallet.createRandom();
  await (await as(fund, validator).setHolder(budgetId, family.address)).wait();
  await (await as(fund, merchantManager).approveMerchant(shop.address, 1)).wait();
  return { ...base, budgetId, family };
}

/** Signs a permit for `budgetId` with the budget's current nonce (unless given) and a 5-minute deadline. */
export async function signPermit(
  ctx: { fund: Contract; fundAddress: string; chainId: bigint },
  key: TypedDataSigner, // a Wallet or the HDNodeWallet Wallet.createRandom() returns
  budgetId: string,
  overrides: Partial<PaymentPermit> = {},
) {
  const nonce = overrides.nonce ?? BigInt((await ctx.fund.getFunction("budgetOf")(budgetId)).nonce);
  const deadline = overrides.deadline ?? BigInt(await networkHelpers.time.latest()) + 300n;
  const permit: PaymentPermit = {
    fund: ctx.fundAddress, budgetId, maxAmount: 300_00n, nonce, deadline, ...overrides,
  };
  const signature = await signPaymentPermit(key, ctx.chainId, permit);
  return { permit, signature };
}

/** The contract bound to another account, with its methods typed loosely as ethers does. */
export function as(contract: Contract, runner: { address: string } & Parameters<Contract["connect"]>[0]) {
  return contract.connect(runner) as Contract & Record<string, (...args: unknown[]) => Promise<any>>;
}

// ------------------------------------------------------------------ helpers added for the full suites

/** The most cents a budget can hold (Fund.MAX_BUDGET_BALANCE: the contract packs its balance in 32 bits). */
export const MAX_BUDGET_BALANCE = 2n ** 32n - 1n;

/** The id the contract gives the payment made from `budgetId` with permit nonce `nonce`. */
export function paymentIdOf(budgetId: string, nonce: bigint): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "uint256"], [budgetId, nonce]));
}

/** One payment as a link of its budget's payment chain (IFund.PaymentLink). */
export type PaymentLink = { merchant: string; amount: bigint; nonce: bigint };

/** The contract keeps a payment-chain head as a hash's first 20 bytes (the last 12 zero). */
const first20Bytes = (hash: string) => hash.slice(0, 42) + "0".repeat(24);

/** The head of a budget's payment chain before its first payment: keccak256(abi.encode(budgetId)), cut to 20 bytes. */
export function chainGenesis(budgetId: string): string {
  return first20Bytes(keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32"], [budgetId])));
}

/** The head after `link`: keccak256(abi.encode(head, merchant, amount, nonce)) cut to 20 bytes, written out independently of the contract. */
export function chainLink(head: string, link: PaymentLink): string {
  return first20Bytes(keccak256(
    AbiCoder.defaultAbiCoder().encode(["bytes32", "address", "uint256", "uint256"], [head, link.merchant, link.amount, link.nonce]),
  ));
}

/** The budget's payments, in order, as its PaymentMade events tell them. */
export async function paymentLinks(fund: Contract, budgetId: string): Promise<PaymentLink[]> {
  const events = await fund.queryFilter(fund.filters.PaymentMade!(null, budgetId));
  return events.map((e) => {
    const { merchant, amount, nonce } = (e as unknown as { args: PaymentLink }).args;
    return { merchant, amount, nonce };
  });
}

/** The refund proof of payment `nonce` of `budgetId` from the fund's events: the head before it, and it and every later payment. */
export async function refundProof(fund: Contract, budgetId: string, nonce: bigint) {
  const links = await paymentLinks(fund, budgetId);
  const index = links.findIndex((l) => l.nonce === nonce);
  if (index < 0) throw new Error(`no payment with nonce ${nonce}`);
  return { headBefore: links.slice(0, index).reduce(chainLink, chainGenesis(budgetId)), links: links.slice(index) };
}

/** The EIP-712 digest of `permit` in the domain of the fund at `fundAddress` on `chainId`, computed off chain. */
export function permitDigest(fundAddress: string, chainId: bigint, permit: PaymentPermit): string {
  return TypedDataEncoder.hash(fundDomain(fundAddress, chainId), PAYMENT_PERMIT_TYPES, { ...permit });
}

/** Whom the fund at `ctx.fundAddress` takes for the signer of a well-formed `signature` over `permit`. */
export function recoveredSigner(ctx: { fundAddress: string; chainId: bigint }, permit: PaymentPermit, signature: string) {
  return recoverAddress(permitDigest(ctx.fundAddress, ctx.chainId, permit), signature);
}

/** A view's struct as a plain object, for `deep.equal`. */
export async function view(contract: Contract, fn: string, ...args: unknown[]): Promise<Record<string, unknown>> {
  return (await contract.getFunction(fn)(...args)).toObject();
}

/**
 * The money model: `deposited - withdrawn == reserve + outstanding + paidOut`, where the reserve is the sum of
 * the sponsors' parts, `outstanding` is exactly the sum of the given budgets' balances and merchants'
 * receivables, and `paidOut` the sum of what the merchants were paid out. Pass every budget, sponsor and
 * merchant the test touched.
 */
export async function expectMoneyInvariant(
  fund: Contract,
  parts: { budgets?: string[]; sponsors?: string[]; merchants?: string[] },
) {
  const totals = await fund.getFunction("totals")();
  const sum = async (ids: string[] | undefined, fn: (id: string) => Promise<bigint>) => {
    let total = 0n;
    for (const id of ids ?? []) total += await fn(id);
    return total;
  };
  const balances = await sum(parts.budgets, (id) => fund.getFunction("balanceOf")(id));
  const receivables = await sum(parts.merchants, (m) => fund.getFunction("receivableOf")(m));
  const paidOut = await sum(parts.merchants, async (m) => (await fund.getFunction("merchantOf")(m)).paidOut);
  const reserves = await sum(parts.sponsors, (s) => fund.getFunction("reserveOf")(s));
  expect(totals.deposited - totals.withdrawn, "deposited - withdrawn").to.equal(
    totals.reserve + totals.outstanding + totals.paidOut,
  );
  expect(totals.outstanding, "outstanding = Σ balances + Σ receivables").to.equal(balances + receivables);
  expect(totals.reserve, "reserve = Σ sponsors' reserves").to.equal(reserves);
  expect(totals.paidOut, "paidOut = Σ merchants' paid out").to.equal(paidOut);
}

/**
 * {fundWithEur300Budget} after one EUR 100 payment to the shop with nonce 0; `proof` is its refund proof
 * (the budget's first and only payment: the chain's genesis and one link), written out by hand.
 */
export async function fundWithEur100Payment() {
  const base = await fundWithEur300Budget();
  const { fund, family, shop, budgetId, stranger } = base;
  const { permit, signature } = await signPermit(base, family, budgetId, { maxAmount: 100_00n });
  await (await as(fund, stranger).pay(permit, signature, shop.address, 100_00n)).wait();
  const proof = { headBefore: chainGenesis(budgetId), links: [{ merchant: shop.address, amount: 100_00n, nonce: 0n }] };
  return { ...base, paymentNonce: 0n, paymentId: paymentIdOf(budgetId, 0n), proof };
}

/**
 * {fundWithEur300Budget} with a second sponsor holding EUR 50 in the reserve and one EUR 20 budget of its own
 * (`otherBudgetId`, activated by the same family key).
 */
export async function fundWithTwoSponsors() {
  const base = await fundWithEur300Budget();
  const { fund, admin, validator, family } = base;
  const otherSponsor = (await ethers.getSigners())[11]!;
  await (await as(fund, admin).grantRole(await fund.getFunction("SPONSOR_ROLE")(), otherSponsor.address)).wait();
  await (await as(fund, otherSponsor).deposit(50_00n, randomId())).wait();
  const otherBudgetId = randomId();
  await (await as(fund, validator).issueBudgets(otherSponsor.address, [{ budgetId: otherBudgetId, amount: 20_00n, expiry: 0 }])).wait();
  await (await as(fund, validator).setHolder(otherBudgetId, family.address)).wait();
  return { ...base, otherSponsor, otherBudgetId };
}
