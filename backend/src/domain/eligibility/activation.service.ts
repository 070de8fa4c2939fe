// Activation: staff issue a code and its printable letter; the family's app activates with the code and
// the public address of the key it generated on the phone (the backend never sees a private key), and
// the backend binds that key to each of the family's budgets on chain (setHolder, or rekey for a code
// re-issued for a lost phone: the old key is dead from that block).
//
// Guessing is limited twice: per code (5 wrong tries lock it for 15 minutes) and per client (a
// GuessLimiter the HTTP layer passes in). No database transaction is held while the chain works: the
// code is claimed (used_at, used_by) first; a retry with the same device key finishes an interrupted
// activation, and a refusal before anything changed on chain gives the code back. A code that completed
// its activation is spent: a family that lost its session logs in with its device key (device-login.ts).
import { getAddress, isAddress, ZeroAddress } from "ethers";
import { z } from "zod";
import { DomainError, FUND_TIME_ZONE, dayIn, endOfDay, isDomainError, type FamilyLanguage } from "@tegoed/sdk";
import { auditLogRepository } from "../../db/audit-log.repository.ts";
import { familiesRepository, type Family } from "../../db/families.repository.ts";
import type { ActivationCodeKind } from "../../db/schema.ts";
import { inTransaction } from "../../db/transaction.ts";
import { getFund, parseInput } from "../funds/funds.service.ts";
import {
  deriveActivationCode, hashCode, normalizeCode, rateLimited, verifyCode, type GuessLimiter,
} from "./activation-codes.ts";
import type { EligibilityDeps } from "./deps.ts";
import { eligibilityRepository, type ActivationCodeRecord } from "./eligibility.repository.ts";
import { queueFamilyNotice } from "../notifications/notify.ts";
import { cardsRepository } from "../cards/cards.repository.ts";
import {
  activationLetterMailData, DEVELOPMENT_LETTER_SETTINGS, letterContent, renderLetterHtml, type LetterContent, type LetterSettings,
} from "./letter.ts";

/** Wrong tries of one code before it locks. */
export const MAX_CODE_ATTEMPTS = 5;
export const CODE_LOCK_MS = 15 * 60 * 1000;
export const CODE_VALID_DAYS = 90;

export interface ActivationLetter {
  familyId: string;
  kind: ActivationCodeKind;
  /** The code as printed ("ABCD-EFGH-JKMN"): derived again each time, never stored. */
  code: string;
  expiresAt: Date;
  language: FamilyLanguage;
  /** True when this call made the code (the first letter, or a new code replacing the last). */
  made: boolean;
  /** What the letter says, for the renderers (HTML page, PDF) and mail. */
  content: LetterContent;
  /** The printable page of this one letter ("" in a batch, which is laid out as one page). */
  html: string;
}

export const IssueLetterCommand = z.object({
  actorId: z.string().min(1),
  familyId: z.string().uuid(),
});
export type IssueLetterCommand = z.input<typeof IssueLetterCommand>;

async function requireFamily(deps: EligibilityDeps, familyId: string): Promise<Family> {
  const family = await familiesRepository(deps.db).findById(familyId);
  if (!family || family.deletedAt) throw new DomainError("NOT_FOUND", "This family was not found.", { familyId });
  return family;
}

const settingsOf = (deps: EligibilityDeps): LetterSettings => deps.letters ?? DEVELOPMENT_LETTER_SETTINGS;

/**
 * The family's letter with the code it already has, so a letter opened, printed or downloaded again is
 * the one posted. Only a family without a usable code (none yet, used, or expired) gets a new one.
 * LETTER_CODE_UNAVAILABLE when the open code cannot be shown again (made before letters were numbered,
 * or under another secret): {@link newActivationCode} then replaces it.
 */
export async function issueActivationLetter(
  deps: EligibilityDeps, input: IssueLetterCommand, options: { page?: boolean; language?: FamilyLanguage } = {},
): Promise<ActivationLetter> {
  const cmd = parseInput(IssueLetterCommand, input);
  const page = options.page ?? true;
  const family = await requireApprovedFamily(deps, cmd.familyId);
  const open = await eligibilityRepository(deps.db).openCodeOfFamily(family.id, deps.clock());
  if (open) return letterOf(deps, family, open, false, page, options.language);
  return makeCode(deps, cmd.actorId, family, "activation", "family.activation_code", page, options.language);
}

/**
 * A new code for the family, a deliberate staff action: the letter already sent stops working (its code
 * is refused as replaced by a newer letter). Audit-logged.
 */
export async function newActivationCode(deps: EligibilityDeps, input: IssueLetterCommand): Promise<ActivationLetter> {
  const cmd = parseInput(IssueLetterCommand, input);
  return makeCode(deps, cmd.actorId, await requireApprovedFamily(deps, cmd.familyId), "activation", "family.new_activation_code");
}

/** A code that, when activated, moves every budget of the family to the new phone's key (rekey). */
export async function reissueAccess(deps: EligibilityDeps, input: IssueLetterCommand): Promise<ActivationLetter> {
  const cmd = parseInput(IssueLetterCommand, input);
  return makeCode(deps, cmd.actorId, await requireApprovedFamily(deps, cmd.familyId), "reissue", "family.reissue_access");
}

export interface FundLetters {
  letters: ActivationLetter[];
  /** Families whose open code cannot be shown again (LETTER_CODE_UNAVAILABLE): none made for them. */
  unavailable: string[];
}

/**
 * The letters of every approved, not yet activated family of the fund: the codes they have, and a code
 * only for families without one.
 */
export async function issueActivationLetters(deps: EligibilityDeps, input: { actorId: string; fundId: string }): Promise<FundLetters> {
  const fund = await getFund(deps, input.fundId);
  const familyIds = await eligibilityRepository(deps.db).familiesAwaitingActivation(fund.id);
  const out: FundLetters = { letters: [], unavailable: [] };
  for (const familyId of familyIds) {
    try {
      // The batch is laid out as one page by the caller: no page per letter.
      out.letters.push(await issueActivationLetter(deps, { actorId: input.actorId, familyId }, { page: false }));
    } catch (error) {
      if (!isDomainError(error, "LETTER_CODE_UNAVAILABLE")) throw error;
      out.unavailable.push(familyId);
    }
  }
  return out;
}

async function requireApprovedFamily(deps: EligibilityDeps, familyId: string): Promise<Family> {
  const family = await requireFamily(deps, familyId);
  if (!family.approvedAt) throw new DomainError("CONFLICT", "The family is not approved yet.", { familyId: family.id });
  return family;
}

/** The last moment of the day `days` after `now` in the fund's zone: the date printed holds for that whole day. */
export function codeExpiry(now: Date, days = CODE_VALID_DAYS, timeZone = FUND_TIME_ZONE): Date {
  return endOfDay(dayIn(new Date(now.getTime() + days * 86_400_000), timeZone), timeZone);
}

async function makeCode(
  deps: EligibilityDeps, actorId: string, family: Family, kind: ActivationCodeKind, action: string, page = true, language?: FamilyLanguage,
): Promise<ActivationLetter> {
  const now = deps.clock();
  const fund = await getFund(deps, family.fundId);
  const expiresAt = codeExpiry(now, CODE_VALID_DAYS, fund.timeZone);
  const settings = settingsOf(deps);
  const secret = settings.codeSecret;
  const row = await inTransaction(deps.db, async (trx) => {
    const repo = eligibilityRepository(trx);
    await repo.lockFamily(family.id);
    let serial = (await repo.lastLetterSerial(family.id)) + 1;
    // The selector finds the row: a derived code whose first four are taken skips to the next number.
    while (await repo.selectorTaken(deriveActivationCode(secret, family.id, serial).selector)) serial += 1;
    const code = deriveActivationCode(secret, family.id, serial);
    const replaced = await repo.replaceOpenCodes(family.id, now);
    const inserted = await repo.insertCode({
      familyId: family.id, selector: code.selector, codeHash: hashCode(code.code), kind, expiresAt, letterSerial: serial,
    });
    await auditLogRepository(trx).append({
      actorType: "staff", actorId, action,
      subjectType: "family", subjectId: family.id, details: { expiresAt: expiresAt.toISOString(), letter: serial, replaced },
    });
    // The first letter also goes by email when the family gave an address. A code for a new phone goes
    // only on paper: a lost phone may have taken the mailbox with it.
    if (kind === "activation") {
      await queueFamilyNotice(trx, family.id, {
        kind: "activation_letter",
        data: activationLetterMailData({ fundName: fund.name, childNames: family.children.map((c) => c.firstName), code, expiresAt, publicBaseUrl: settings.publicBaseUrl }),
      });
    }
    return inserted;
  });
  return letterOf(deps, family, row, true, page, language);
}

/** `language`: the letter in another language than the family's (staff choose it); absent: the family's. */
async function letterOf(
  deps: EligibilityDeps, family: Family, row: ActivationCodeRecord, made: boolean, page = true, language: FamilyLanguage = family.preferredLanguage,
): Promise<ActivationLetter> {
  const settings = settingsOf(deps);
  const code = row.letterSerial === null ? null : deriveActivationCode(settings.codeSecret, family.id, row.letterSerial);
  if (!code || !verifyCode(code.code, row.codeHash)) {
    throw new DomainError("LETTER_CODE_UNAVAILABLE", undefined, { familyId: family.id });
  }
  const fund = await getFund(deps, family.fundId);
  const budgets = await eligibilityRepository(deps.db).budgetsOfFamily(family.id);
  const amountOf = new Map(budgets.map((b) => [b.childId, b.issuedCents > 0n ? b.issuedCents : fund.amountPerChildCents]));
  const ref = (await eligibilityRepository(deps.db).familyExternalRef(family.id))?.externalRef ?? family.id.slice(0, 8).toUpperCase();
  const content = letterContent({
    language,
    kind: row.kind,
    date: deps.clock(),
    reference: `${ref}/${row.letterSerial}`,
    fundName: fund.name,
    budgetValidUntil: fund.budgetExpiry,
    categories: fund.categories,
    recipient: { name: family.displayName!, addressLines: family.addressLines! },
    children: family.children.map((c) => ({ firstName: c.firstName, amountCents: amountOf.get(c.id) ?? fund.amountPerChildCents })),
    code: code.display,
    codeExpiresAt: row.expiresAt,
  }, settings);
  return {
    familyId: family.id, kind: row.kind, code: code.display, expiresAt: row.expiresAt, language: content.language, made,
    content, html: page ? await renderLetterHtml([content]) : "",
  };
}

export const ActivateCommand = z.object({
  code: z.string().max(64),
  /** The public address of the key the app generated on the phone. */
  holderAddress: z.string().refine((s) => isAddress(s) && s !== ZeroAddress, "not an address"),
  /** Who is guessing (e.g. the IP address), for the per-client limiter. */
  clientKey: z.string().max(200).optional(),
});
export type ActivateCommand = z.input<typeof ActivateCommand>;

export interface ActivationResult {
  familyId: string;
  holderAddress: string;
  /** The family's budgets now held by the key. */
  budgetIds: string[];
  txHashes: string[];
}

type Claim =
  | { outcome: "invalid"; attemptsLeft?: number }
  | { outcome: "locked"; until: Date }
  | { outcome: "used" | "expired" | "replaced" }
  | { outcome: "claimed" | "resumed"; code: ActivationCodeRecord };

/**
 * Activates a family's wallet. Refusals: ACTIVATION_CODE_INVALID (details.attemptsLeft when known),
 * RATE_LIMITED (details.retryAt), ACTIVATION_CODE_USED, ACTIVATION_CODE_REPLACED, ACTIVATION_CODE_EXPIRED,
 * BUDGETS_NOT_ISSUED.
 */
export async function activateFamily(
  deps: EligibilityDeps & { limiter?: GuessLimiter }, input: ActivateCommand,
): Promise<ActivationResult> {
  const cmd = parseInput(ActivateCommand, input);
  const holder = getAddress(cmd.holderAddress);
  const now = deps.clock();
  if (deps.limiter && cmd.clientKey !== undefined) deps.limiter.assertAllowed(cmd.clientKey);
  const failed = (details: Record<string, string> = {}) => {
    if (deps.limiter && cmd.clientKey !== undefined) deps.limiter.recordFailure(cmd.clientKey);
    return new DomainError("ACTIVATION_CODE_INVALID", undefined, details);
  };
  const code = normalizeCode(cmd.code);
  if (code === null) throw failed();

  const claim = await inTransaction(deps.db, async (trx): Promise<Claim> => {
    const repo = eligibilityRepository(trx);
    const row = await repo.codeBySelectorForUpdate(code.slice(0, 4));
    if (!row) return { outcome: "invalid" };
    if (row.lockedUntil && row.lockedUntil > now) return { outcome: "locked", until: row.lockedUntil };
    if (!verifyCode(code, row.codeHash)) {
      const attempts = row.attempts + 1;
      if (attempts >= MAX_CODE_ATTEMPTS) {
        const until = new Date(now.getTime() + CODE_LOCK_MS);
        await repo.recordFailedAttempt(row.id, 0, until);
        return { outcome: "locked", until };
      }
      await repo.recordFailedAttempt(row.id, attempts, null);
      return { outcome: "invalid", attemptsLeft: MAX_CODE_ATTEMPTS - attempts };
    }
    if (row.usedAt) {
      // The same phone may finish an activation that was cut short; once it completed (every budget
      // recorded as held by the key) the code logs no one in again: the phone signs a challenge instead.
      if (row.usedBy !== holder.toLowerCase()) return { outcome: "used" };
      const budgets = await repo.budgetsOfFamily(row.familyId);
      const completed = budgets.length > 0 && budgets.every((b) => b.holderAddress === holder.toLowerCase());
      return completed ? { outcome: "used" } : { outcome: "resumed", code: row };
    }
    if (row.replacedAt) return { outcome: "replaced" };
    if (row.expiresAt <= now) return { outcome: "expired" };
    await repo.markCodeUsed(row.id, now, holder);
    return { outcome: "claimed", code: row };
  });
  switch (claim.outcome) {
    case "invalid":
      throw failed(claim.attemptsLeft === undefined ? {} : { attemptsLeft: String(claim.attemptsLeft) });
    case "locked":
      if (deps.limiter && cmd.clientKey !== undefined) deps.limiter.recordFailure(cmd.clientKey);
      throw rateLimited(claim.until, now, { scope: "code" });
    case "used":
      throw new DomainError("ACTIVATION_CODE_USED");
    case "expired":
      throw new DomainError("ACTIVATION_CODE_EXPIRED");
    case "replaced":
      throw new DomainError("ACTIVATION_CODE_REPLACED");
  }

  const familyId = claim.code.familyId;
  const txHashes: string[] = [];
  try {
    const family = await requireFamily(deps, familyId);
    const fund = await getFund(deps, family.fundId);
    const budgets = await eligibilityRepository(deps.db).budgetsOfFamily(familyId);
    if (budgets.length === 0 || budgets.length < family.children.length || budgets.some((b) => b.status === "pending")) {
      throw new DomainError("BUDGETS_NOT_ISSUED", undefined, { familyId });
    }
    const client = deps.fundClient(fund.chainAddress);
    for (const budget of budgets) {
      const state = await client.budgetOf(budget.budgetId);
      if (state.holder === holder) continue;
      if (state.holder === ZeroAddress) txHashes.push((await client.setHolder(budget.budgetId, holder)).txHash);
      else if (claim.code.kind === "reissue") txHashes.push((await client.rekey(budget.budgetId, holder)).txHash);
      else throw new DomainError("BUDGET_ALREADY_ACTIVATED", undefined, { budgetId: budget.budgetId });
    }
    await inTransaction(deps.db, async (trx) => {
      const repo = eligibilityRepository(trx);
      await repo.setHolder(budgets.map((b) => b.budgetId), holder);
      await repo.markFamilyActivated(familyId, now);
      await auditLogRepository(trx).append({
        actorType: "family", actorId: familyId, action: claim.code.kind === "reissue" ? "family.rekey" : "family.activate",
        subjectType: "family", subjectId: familyId, details: { holder: holder.toLowerCase(), budgets: budgets.length, txHashes },
      });
      if (claim.code.kind === "reissue") {
        await queueFamilyNotice(trx, familyId, { kind: "phone_replaced", dedupeKey: `phone_replaced:${claim.code.id}`, data: { senderName: fund.name } });
        // The family switched from its card to this phone: the card is dead on chain now, and says so at the till.
        const card = await cardsRepository(trx).liveOfFamily(familyId);
        if (card && card.holderAddress !== holder.toLowerCase()) {
          await cardsRepository(trx).markReplaced(card.id, null);
          await auditLogRepository(trx).append({
            actorType: "family", actorId: familyId, action: "card.replace", subjectType: "family", subjectId: familyId,
            details: { cardId: card.id, by: "phone" },
          });
        }
      }
    });
    return { familyId, holderAddress: holder, budgetIds: budgets.map((b) => b.budgetId), txHashes };
  } catch (error) {
    // Nothing changed on chain: the family may use its code again (with any phone).
    if (claim.outcome === "claimed" && txHashes.length === 0) await eligibilityRepository(deps.db).releaseCode(claim.code.id);
    throw error;
  }
}
