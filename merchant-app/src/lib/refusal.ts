// A refusal in the shop's own words, picked by the API's stable code (never the server's English text).
import type { TFunction } from "i18next";
import { ApiError } from "@tegoed/sdk";
import { formatEuro } from "./money.ts";

/** Codes with their own sentence in nl.json / en.json under "refusal". Anything else gets "refusal.OTHER". */
export const WORDED_CODES = [
  "BUDGET_INSUFFICIENT", "PERMIT_AMOUNT_EXCEEDED", "PERMIT_EXPIRED", "PERMIT_USED", "MERCHANT_NOT_APPROVED", "BUDGET_FROZEN",
  "PERMIT_WRONG_FUND", "PERMIT_INVALID_SIGNATURE", "BUDGET_UNKNOWN", "BUDGET_EXPIRED", "BUDGET_NOT_ACTIVATED", "QR_NOT_TEGOED",
  "QR_VERSION_UNSUPPORTED", "QR_MALFORMED", "FUND_UNKNOWN", "FUND_PAUSED", "NETWORK", "CHAIN_UNAVAILABLE", "CHAIN_TIMEOUT",
  "CHAIN_REVERTED", "CONFLICT", "UNAUTHENTICATED", "FORBIDDEN", "CSRF_REJECTED", "RATE_LIMITED", "INTERNAL", "INVALID_INPUT",
  "NOT_FOUND", "AMOUNT_TOO_LARGE", "ZERO_AMOUNT", "REFUND_EXCEEDED", "RECEIVABLE_INSUFFICIENT", "PAYMENT_UNKNOWN",
  "PAY_CODE_UNKNOWN",
] as const;

export interface RefusalContext {
  /** What the budget can still pay, from the QR lookup: the "pay €x with the budget" part. */
  spendableCents?: number;
}

export function refusalCode(error: unknown): string {
  return error instanceof ApiError ? error.code : "NETWORK";
}

/** The sentence to show for a refusal. */
export function refusalText(t: TFunction, language: string, error: unknown, context: RefusalContext = {}): string {
  const code = refusalCode(error);
  const key = (WORDED_CODES as readonly string[]).includes(code) ? code : "OTHER";
  const details = error instanceof ApiError ? error.details : {};
  // The lowest of what is known: the balance or QR maximum at the moment of paying, and the lookup's figure.
  const known = [details.balance, details.maxAmount].filter((v): v is string => v !== undefined && /^\d+$/.test(v)).map(Number);
  if (context.spendableCents !== undefined) known.push(context.spendableCents);
  const spendable = known.length > 0 ? Math.min(...known) : undefined;
  if ((code === "BUDGET_INSUFFICIENT" || code === "PERMIT_AMOUNT_EXCEEDED") && spendable === undefined) {
    return t(`refusal.${code}_noAmount`);
  }
  return t(`refusal.${key}`, { amount: formatEuro(spendable ?? 0, language), code });
}
