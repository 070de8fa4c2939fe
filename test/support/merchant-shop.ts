// For the shop's browser tests: a family that activated its wallet with a device key, and the payment QR
// text that family's phone would show (signed with the real key, for the budget's current nonce), made
// as the wallet does: EIP-712 permit, compact signature, the fund's factory index.
import { Contract, Wallet, type HDNodeWallet } from "ethers";
import {
  encodePaymentQr, fundAbi, fundFactoryAbi, qrFromPermit, signPaymentPermit, type ApiClient, type ChildBudget, type PaymentPermit,
} from "@tegoed/sdk";
import type { System } from "./system.ts";

export interface ActiveFamily {
  client: ApiClient;
  key: HDNodeWallet;
  fundAddress: string;
  children: ChildBudget[];
}

/** Activates a family's letter code with a fresh device key, as the wallet app does. */
export async function activateFamily(system: System, code: string, fundAddress: string): Promise<ActiveFamily> {
  const client = system.client();
  const key = Wallet.createRandom();
  await client.family.activate({ code, holderAddress: key.address });
  const { children } = await client.family.children();
  return { client, key, fundAddress, children };
}

/** What the chain says is left on a child's budget, as the family's app reads it. */
export async function balanceOf(family: ActiveFamily, budgetId: string): Promise<number | null> {
  const { children } = await family.client.family.children();
  return children.find((c) => c.budgetId === budgetId)?.balanceCents ?? null;
}

/**
 * The QR text for one budget: the current nonce, maximum 300 EUR, valid 5 minutes from the chain's
 * time unless overridden (a negative `validForSeconds` makes an expired one).
 */
export async function permitQr(
  system: System, family: ActiveFamily, budgetId: string, options: { maxAmount?: bigint; validForSeconds?: number } = {},
): Promise<string> {
  const provider = system.chain.provider;
  const fund = new Contract(family.fundAddress, fundAbi, provider);
  const factory = new Contract(system.deployment.factory, fundFactoryAbi, provider);
  const budget = (await fund.getFunction("budgetOf")(budgetId)) as { nonce: bigint };
  const index = Number(await factory.getFunction("indexOf")(family.fundAddress));
  const block = await provider.getBlock("latest");
  const permit: PaymentPermit = {
    fund: family.fundAddress, budgetId, maxAmount: options.maxAmount ?? 300_00n, nonce: budget.nonce,
    deadline: BigInt(block!.timestamp + (options.validForSeconds ?? 300)),
  };
  const signature = await signPaymentPermit(family.key, system.deployment.chainId, permit);
  return encodePaymentQr(qrFromPermit(permit, index, signature));
}
