// Shared set-up for the merchant, payment and indexer tests: one real Hardhat node per test file (two
// funds deployed, the relayer holding every role), the funds registered in each engine's database,
// approved shops made through the merchants service, and QR texts as a family's phone shows them.
import { randomInt } from "node:crypto";
import { expect } from "vitest";
import type { HDNodeWallet, Wallet } from "ethers";
import { DomainError, encodePaymentQr, qrFromPermit, type PaymentPermit } from "@tegoed/sdk";
import { FundClient } from "../../../src/chain/fund-client.ts";
import type { Db } from "../../../src/db/transaction.ts";
import { applyMerchant, approveMerchant, type Merchant, type MerchantDeps } from "../../../src/domain/merchants/merchants.service.ts";
import type { PaymentDeps } from "../../../src/domain/payments/payments.service.ts";
import { type TestChain, signPermit } from "../../chain/harness.ts";
import type { ChainEngine } from "../../../../scripts/lib/local-chain.ts";

/** The node these tests run on: Hardhat's by default, `TEGOED_TEST_CHAIN=anvil` for anvil. */
export const CHAIN_ENGINE: ChainEngine = process.env.TEGOED_TEST_CHAIN === "anvil" ? "anvil" : "hardhat";

export interface ChainFunds {
  fundId: string;
  otherFundId: string;
}

/** Registers the harness's two funds in the database, as the funds service would. */
export async function seedChainFunds(db: Db, t: TestChain): Promise<ChainFunds> {
  const rows = await db
    .insertInto("funds")
    .values([
      { chain_address: t.fundAddress.toLowerCase(), factory_index: t.fundIndex, name: "Kindpakket 2027" },
      { chain_address: t.otherFundAddress.toLowerCase(), factory_index: t.fundIndex + 1, name: "Kindpakket 2028" },
    ].map((f) => ({
      ...f, amount_per_child_cents: 300_00n, budget_expiry: "2027-12-31", categories: ["sport", "school", "culture"],
      payout_schedule: JSON.stringify({ kind: "daily" }),
    })))
    .returning(["id", "chain_address"])
    .execute();
  const id = (address: string) => rows.find((r) => r.chain_address === address.toLowerCase())!.id;
  return { fundId: id(t.fundAddress), otherFundId: id(t.otherFundAddress) };
}

export function depsFor(db: Db, t: TestChain, extra: Partial<PaymentDeps> = {}): PaymentDeps & MerchantDeps {
  const clients = new Map<string, FundClient>();
  return {
    db,
    fund: (address: string) => {
      const key = address.toLowerCase();
      if (!clients.has(key)) clients.set(key, new FundClient(t.relayer, address));
      return clients.get(key)!;
    },
    ...extra,
  };
}

export const STAFF_ID = "0b5c9a3e-2f7d-4d8e-9a61-3c2b1e0f9d87";

export function kvk(): string {
  return String(randomInt(10_000_000, 99_999_999));
}

export const APPLICATION = {
  name: "Sportwinkel De Bal",
  iban: "NL91 ABNA 0417 1643 00",
  categories: ["sport"],
  address: "Hoofdstraat 1, 9801 AA Zuidhorn",
  contactEmail: "info@debal.example",
};

/** A shop that applied and was approved for the main fund. */
export async function approvedMerchant(deps: MerchantDeps, funds: ChainFunds): Promise<Merchant> {
  const applied = await applyMerchant(deps, { ...APPLICATION, kvkNumber: kvk() });
  return approveMerchant(deps, { merchantId: applied.id, fundId: funds.fundId, staffUserId: STAFF_ID });
}

/** The QR text a family's phone shows for its budget (current nonce, five minutes, unless overridden). */
export async function qrText(
  t: TestChain, family: Wallet | HDNodeWallet, budgetId: string,
  options: { fund?: FundClient; fundIndex?: number; overrides?: Partial<PaymentPermit> } = {},
): Promise<string> {
  const fund = options.fund ?? t.fund;
  const { permit, signature } = await signPermit(t, family, fund, budgetId, options.overrides);
  return encodePaymentQr(qrFromPermit(permit, options.fundIndex ?? t.fundIndex, signature));
}

export async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}
