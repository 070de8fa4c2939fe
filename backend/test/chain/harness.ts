// A real local node with the contracts deployed through scripts/lib/deploy.ts, a Relayer whose lanes
// hold every fund role, and helpers to make budgets and sign permits as a family's phone would.
import { HDNodeWallet, JsonRpcProvider, Mnemonic, Network, Wallet, hexlify, randomBytes } from "ethers";
import { type PaymentPermit, signPaymentPermit } from "@tegoed/sdk";
import { createFund, deployFactory, grantFundRoles, FUND_ROLES } from "../../../scripts/lib/deploy.ts";
import { type ChainEngine, type LocalChain, devWallet, startLocalChain } from "../../../scripts/lib/local-chain.ts";
import { FundClient } from "../../src/chain/fund-client.ts";
import { HttpJsonRpcProvider } from "../../src/chain/http-provider.ts";
import { Relayer, type RelayerOptions } from "../../src/chain/relayer.ts";

export const ENGINES: ChainEngine[] = ["hardhat", "anvil"];
export const DAY = 24n * 60n * 60n;

const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");

/** Account `index` of the development mnemonic: both nodes give accounts 0..9 gas money. */
export function devKey(index: number): string {
  return HDNodeWallet.fromMnemonic(MNEMONIC, `m/44'/60'/0'/0/${index}`).privateKey;
}

/** Accounts 0..2 deploy and administer; these are the relayer's lanes. */
export const LANE_KEYS = [devKey(5), devKey(6)];
/** An account with gas money but no fund role. */
export const STRANGER_KEY = devKey(8);

export function randomId(): string {
  return hexlify(randomBytes(32));
}

export interface TestChain {
  chain: LocalChain;
  provider: JsonRpcProvider;
  chainId: bigint;
  factoryAddress: string;
  fundAddress: string;
  fundIndex: number;
  otherFundAddress: string;
  relayer: Relayer;
  fund: FundClient;
  otherFund: FundClient;
  /** The sponsor whose reserve pays the budgets: the relayer's first lane. */
  sponsor: string;
  stop(): Promise<void>;
}

/** Starts a node, deploys a factory and two funds, and gives the relayer's lanes every fund role. */
export async function startTestChain(
  engine: ChainEngine = "hardhat",
  relayerOptions: Partial<RelayerOptions> = {},
): Promise<TestChain> {
  const chain = await startLocalChain({ engine });
  const provider = chain.provider;
  try {
    const admin = devWallet(provider, 0);
    const { factory } = await deployFactory(admin, admin.address);
    const now = BigInt((await provider.getBlock("latest"))!.timestamp);
    const settings = { admin: admin.address, name: "Kindpakket 2027", currency: "EUR", defaultBudgetExpiry: now + 365n * DAY };
    const main = await createFund(factory, settings);
    const other = await createFund(factory, { ...settings, name: "Kindpakket 2028" });
    // The relayer's own provider sends each request at once: its lanes send one transaction at a time,
    // so ethers' default 10 ms batching pause would cap every lane at about 90 transactions a second.
    const chainId = (await provider.getNetwork()).chainId;
    // The backend's own provider (server.ts), so every chain test goes through its transport.
    const relayerProvider = new HttpJsonRpcProvider(chain.url, Network.from(chainId), {
      staticNetwork: true, cacheTimeout: -1, batchStallTime: 0,
    });
    const relayer = new Relayer({ provider: relayerProvider, keys: LANE_KEYS, pollIntervalMs: 20, ...relayerOptions });
    for (const created of [main, other]) {
      await grantFundRoles(created.fund, Object.fromEntries(FUND_ROLES.map((role) => [role, relayer.addresses])));
    }
    const fund = new FundClient(relayer, main.address);
    return {
      chain, provider, chainId,
      factoryAddress: await factory.getAddress(),
      fundAddress: main.address, fundIndex: main.index, otherFundAddress: other.address,
      relayer, fund, otherFund: new FundClient(relayer, other.address),
      sponsor: relayer.addresses[0]!,
      async stop() {
        relayerProvider.destroy();
        await chain.stop();
      },
    };
  } catch (error) {
    await chain.stop();
    throw error;
  }
}

export async function chainTime(provider: JsonRpcProvider): Promise<bigint> {
  return BigInt((await provider.getBlock("latest"))!.timestamp);
}

/** Deposits into the sponsor's reserve, issues `count` budgets of `amountCents` and activates each on its own phone key. */
export async function activeBudgets(t: TestChain, count: number, amountCents = 300_00n, fund = t.fund) {
  await fund.deposit(t.sponsor, amountCents * BigInt(count), randomId());
  const budgets = Array.from({ length: count }, () => ({ budgetId: randomId(), family: Wallet.createRandom() }));
  await fund.issueBudgets(t.sponsor, budgets.map(({ budgetId }) => ({ budgetId, amountCents })));
  await Promise.all(budgets.map(({ budgetId, family }) => fund.setHolder(budgetId, family.address)));
  return budgets;
}

/** An approved shop's address (shops need no gas: the relayer sends for them). */
export async function approvedShop(fund: FundClient): Promise<string> {
  const shop = Wallet.createRandom().address;
  await fund.approveMerchant(shop, 1);
  return shop;
}

/** What a family's phone shows as a QR: a permit for the budget's current nonce, valid five minutes. */
export async function signPermit(
  t: Pick<TestChain, "provider" | "chainId">,
  key: Wallet | HDNodeWallet,
  fund: FundClient,
  budgetId: string,
  overrides: Partial<PaymentPermit> = {},
) {
  const nonce = overrides.nonce ?? (await fund.budgetOf(budgetId)).nonce;
  const permit: PaymentPermit = {
    fund: fund.address, budgetId, maxAmount: 300_00n, nonce, deadline: (await chainTime(t.provider)) + 300n, ...overrides,
  };
  return { permit, signature: await signPaymentPermit(key, t.chainId, permit) };
}

/** Transactions sent from the relayer's lanes so far (mined or pending). */
export async function laneTxCount(t: TestChain): Promise<number> {
  const counts = await Promise.all(t.relayer.addresses.map((address) => t.provider.getTransactionCount(address, "pending")));
  return counts.reduce((a, b) => a + b, 0);
}
