// Did the shop charge the QR? The chain's nonce moves past the permit's, and the history gains a payment
// we had not seen when the QR was shown.
import type { WalletChild } from "../../lib/api.ts";

export interface PaidResult {
  amountCents: number;
  shop: string | null;
  balanceCents: number | null;
}

export interface PaymentWatch {
  nonce: number;
  seenPayments: ReadonlySet<string>;
  balanceCents: number | null;
}

export function watchFrom(child: WalletChild, nonce: number): PaymentWatch {
  return { nonce, seenPayments: new Set(child.history.map((h) => h.paymentId)), balanceCents: child.balanceCents };
}


export function detectPayment(watch: PaymentWatch, child: WalletChild): PaidResult | null {
  const entry = child.history.find((h) => h.type === "payment" && !watch.seenPayments.has(h.paymentId));
  if (entry) return { amountCents: entry.amountCents, shop: entry.merchantName, balanceCents: child.balanceCents };
  // The chain saw it before the history did: the balance tells the amount.
  if (child.nonce !== null && child.nonce > watch.nonce && watch.balanceCents !== null && child.balanceCents !== null) {
    return { amountCents: watch.balanceCents - child.balanceCents, shop: null, balanceCents: child.balanceCents };
  }
  return null;
}
