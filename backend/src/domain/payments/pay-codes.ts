// Short codes under the wallet's payment QR, for a till whose camera cannot read the QR: the family's
// wallet registers the QR it shows (only for its own budgets, behind its session) and gets a short random
// code; a logged-in till types the code and gets the QR back, then charges it as if scanned. A code lives
// exactly as long as its QR (the permit's deadline). The permit is checked where it always is, on charge:
// a code only saves typing 188 characters.
import { randomInt } from "node:crypto";
import {
  DomainError, PaymentQrError, SHORT_CODE_ALPHABET, SHORT_CODE_LENGTH, decodePaymentQr, domainErrorFromQr, formatShortCode, normalizeShortCode,
} from "@tegoed/sdk";
import type { Db } from "../../db/transaction.ts";

export interface PayCodeDeps {
  db: Db;
  clock?: () => Date;
}

/** A wallet re-signs its QR each minute: a permit meant to live longer than this gets no code. */
export const PAY_CODE_MAX_LIFETIME_MS = 10 * 60_000;

export interface PayCode {
  /** "ABC-DEF-GHJ". */
  code: string;
  expiresAt: Date;
}

function randomCode(): string {
  let code = "";
  for (let i = 0; i < SHORT_CODE_LENGTH; i++) code += SHORT_CODE_ALPHABET[randomInt(SHORT_CODE_ALPHABET.length)];
  return code;
}

/**
 * The short code for a QR of one of `budgetIds` (the family's). The same QR again gets the same code.
 * Refusals: the QR's own (QR_*), BUDGET_UNKNOWN for another family's budget, PERMIT_EXPIRED, INVALID_INPUT
 * for a deadline further away than {@link PAY_CODE_MAX_LIFETIME_MS}.
 */
export async function registerPayCode(deps: PayCodeDeps, input: { qr: string; budgetIds: readonly string[] }): Promise<PayCode> {
  const now = (deps.clock ?? (() => new Date()))();
  const text = input.qr.trim().toUpperCase();
  let qr;
  try {
    qr = decodePaymentQr(text);
  } catch (error) {
    if (error instanceof PaymentQrError) throw domainErrorFromQr(error);
    throw error;
  }
  if (!input.budgetIds.some((id) => id.toLowerCase() === qr.budgetId.toLowerCase())) throw new DomainError("BUDGET_UNKNOWN");
  const expiresAt = new Date(Number(qr.deadline) * 1000);
  if (expiresAt <= now) throw new DomainError("PERMIT_EXPIRED");
  if (expiresAt.getTime() - now.getTime() > PAY_CODE_MAX_LIFETIME_MS) {
    throw new DomainError("INVALID_INPUT", undefined, { field: "qr", reason: "valid for at most 10 minutes" });
  }
  await deps.db.deleteFrom("pay_codes").where("expires_at", "<=", now).execute();
  for (let attempt = 0; attempt < 5; attempt++) {
    const inserted = await deps.db
      .insertInto("pay_codes")
      .values({ code: randomCode(), qr: text, budget_id: qr.budgetId.toLowerCase(), expires_at: expiresAt })
      .onConflict((oc) => oc.doNothing())
      .returning("code")
      .executeTakeFirst();
    if (inserted) return { code: formatShortCode(inserted.code), expiresAt };
    // Either this QR is registered already (a retry) or the random code was taken: look, then try again.
    const existing = await deps.db.selectFrom("pay_codes").select("code").where("qr", "=", text).executeTakeFirst();
    if (existing) return { code: formatShortCode(existing.code), expiresAt };
  }
  throw new Error("no free short code after 5 tries");
}

/** The QR a typed code stands for; PAY_CODE_UNKNOWN when there is none (mistyped, or its QR expired). */
export async function resolvePayCode(deps: PayCodeDeps, typed: string): Promise<string> {
  const now = (deps.clock ?? (() => new Date()))();
  const code = normalizeShortCode(typed);
  const row = code === null
    ? undefined
    : await deps.db.selectFrom("pay_codes").select("qr").where("code", "=", code).where("expires_at", ">", now).executeTakeFirst();
  if (!row) throw new DomainError("PAY_CODE_UNKNOWN");
  return row.qr;
}
