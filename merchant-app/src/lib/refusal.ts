// A refusal in the shop's own words, picked by the API's stable code (never the server's English text).
import type { TFunction } from "i18next";
import { ApiError, ERROR_CODE_LIST } from "@tegoed/sdk";
import { formatCents } from "@tegoed/ui/money";

/** Every API code has its own sentence in nl.json / en.json under "refusal" (a test walks the sdk's list);
 * a code from a newer server gets "refusal.OTHER". */
export const WORDED_CODES: readonly string[] = [...ERROR_CODE_LIST, "NETWORK"];

export interface RefusalContext {
  /** What the budget can still pay, from the QR lookup: the "pay €x with the budget" part. */
  spendableCents?: number;
  /** The refusal of a charge: SERVICE_UNAVAILABLE then also says that nothing was charged (the backend refuses so only before sending). */
  charging?: boolean;
}

export function refusalCode(error: unknown): string {
  return error instanceof ApiError ? error.code : "NETWORK";
}

/** The sentence to show for a refusal. */
export function refusalText(t: TFunction, language: string, error: unknown, context: RefusalContext = {}): string {
  const code = refusalCode(error);
  const key = WORDED_CODES.includes(code) ? code : "OTHER";
  const details = error instanceof ApiError ? error.details : {};
  // The lowest of what is known: the balance or QR maximum at the moment of paying, and the lookup's figure.
  const known = [details.balance, details.maxAmount].filter((v): v is string => v !== undefined && /^\d+$/.test(v)).map(Number);
  if (context.spendableCents !== undefined) known.push(context.spendableCents);
  const spendable = known.length > 0 ? Math.min(...known) : undefined;
  if (code === "SERVICE_UNAVAILABLE" && context.charging) return t("refusal.SERVICE_UNAVAILABLE_charge");
  // Another charge of this QR is still under way: the family's phone shows this same QR until it ends.
  if (code === "PERMIT_USED" && details.state === "charging") return t("refusal.PERMIT_USED_charging");
  if ((code === "BUDGET_INSUFFICIENT" || code === "PERMIT_AMOUNT_EXCEEDED") && spendable === undefined) {
    return t(`refusal.${code}_noAmount`);
  }
  return t(`refusal.${key}`, { amount: formatCents(spendable ?? 0, language), code });
}
