// Signs a payment permit on the phone from the last known budget state: no network needed at the till.
import { TypedDataEncoder, type SigningKey } from "ethers";
import { encodePaymentQr, qrFromPermit, signPaymentPermit, type PaymentPermit, type TypedDataSigner } from "@tegoed/sdk";
import type { WalletChild } from "../../lib/api.ts";

/** How long a signed QR stays valid; it is renewed well before, each RENEW_MS. */
export const PERMIT_LIFETIME_S = 90;

/** A typed-data signer on a bare SigningKey: lighter than an ethers Wallet (no mnemonic, no keystore JSON). */
export function keySigner(key: SigningKey): TypedDataSigner {
  return {
    signTypedData: async (domain, types, value) => key.sign(TypedDataEncoder.hash(domain, types, value)).serialized,
  };
}

/** The nonce the chain expects next: the API's, or (older API) the number of payments seen. */
export function nextNonce(child: WalletChild): number {
  return child.nonce ?? child.history.filter((h) => h.type === "payment").length;
}

export interface SignedQr {
  text: string;
  permit: PaymentPermit;
}

/** maxAmount is the remaining balance, or the parent's lower limit. */
export async function signPaymentQr(
  signer: TypedDataSigner, child: WalletChild, limitCents: number | null, nowMs: number,
): Promise<SignedQr> {
  const fund = child.fund;
  const balance = child.balanceCents ?? 0;
  const maxAmount = limitCents === null ? balance : Math.min(limitCents, balance);
  const permit: PaymentPermit = {
    fund: fund.chainAddress,
    budgetId: child.budgetId,
    maxAmount: BigInt(maxAmount),
    nonce: BigInt(nextNonce(child)),
    deadline: BigInt(Math.floor(nowMs / 1000) + PERMIT_LIFETIME_S),
  };
  const signature = await signPaymentPermit(signer, fund.chainId, permit);
  return { text: encodePaymentQr(qrFromPermit(permit, fund.index, signature)), permit };
}
