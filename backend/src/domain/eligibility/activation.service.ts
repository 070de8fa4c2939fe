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
import { DomainError } from "@tegoed/sdk";
import { auditLogRepository } from "../../db/audit-log.repository.ts";
import { familiesRepository, type Family } from "../../db/families.repository.ts";
import type { ActivationCodeKind } from "../../db/schema.ts";
import { inTransaction } from "../../db/transaction.ts";
import { getFund, parseInput } from "../funds/funds.service.ts";
import {
  generateActivationCode, hashCode, normalizeCode, rateLimited, verifyCode, type GuessLimiter,
} from "./activation-codes.ts";
import type { EligibilityDeps } from "./deps.ts";
import { eligibilityRepository, type ActivationCodeRecord } from "./eligibility.repository.ts";
import { queueFamilyNotice } from "../notifications/notify.ts";
import { activationLetterMailData, renderActivationLetter, type LetterContent } from "./letter.ts";

/** Wrong tries of one code before it locks. */
export const MAX_CODE_ATTEMPTS = 5;
export const CODE_LOCK_MS = 15 * 60 * 1000;
export const CODE_VALID_DAYS = 90;

export interface ActivationLetter {
  familyId: string;
  kind: ActivationCodeKind;
  /** The code as printed ("ABCD-EFGH-JKMN"): returned once, never stored. */
  code: string;
  expiresAt: Date;
  language: "nl" | "en";
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

/**
 * A new activation code for an approved family and its letter; every earlier unused code of the family
 * stops working. Use {@link reissueAccess} for a family that lost its phone.
 */
export async function issueActivationLetter(deps: EligibilityDeps, input: IssueLetterCommand): Promise<ActivationLetter> {
  return newLetter(deps, parseInput(IssueLetterCommand, input), "activation");
}

/** A code that, when activated, moves every budget of the family to the new phone's key (rekey). */
export async function reissueAccess(deps: EligibilityDeps, input: IssueLetterCommand): Promise<ActivationLetter> {
  return newLetter(deps, parseInput(IssueLetterCommand, input), "reissue");
}

/** A letter for every approved, not yet activated family of the fund. */
export async function issueActivationLetters(
  deps: EligibilityDeps, input: { actorId: string; fundId: string },
): Promise<ActivationLetter[]> {
  const fund = await getFund(deps, input.fundId);
  const familyIds = await eligibilityRepository(deps.db).familiesAwaitingActivation(fund.id);
  const letters: ActivationLetter[] = [];
  for (const familyId of familyIds) letters.push(await newLetter(deps, { actorId: input.actorId, familyId }, "activation"));
  return letters;
}

async function newLetter(deps: EligibilityDeps, cmd: { actorId: string; familyId: string }, kind: ActivationCodeKind) {
  const family = await requireFamily(deps, cmd.familyId);
  if (!family.approvedAt) throw new DomainError("CONFLICT", "The family is not approved yet.", { familyId: family.id });
  const fund = await getFund(deps, family.fundId);
  const now = deps.clock();
  const expiresAt = new Date(now.getTime() + CODE_VALID_DAYS * 24 * 60 * 60 * 1000);
  const content = (generated: { display: string; code: string }): LetterContent => ({
    language: family.preferredLanguage,
    fundName: fund.name,
    parentName: family.displayName!,
    addressLines: family.addressLines!,
    childNames: family.children.map((c) => c.firstName),
    displayCode: generated.display,
    qrText: generated.code,
    expiresAt,
    reissue: kind === "reissue",
  });
  const code = await inTransaction(deps.db, async (trx) => {
    const repo = eligibilityRepository(trx);
    let generated = generateActivationCode();
    while (await repo.selectorTaken(generated.selector)) generated = generateActivationCode();
    await repo.expireOpenCodes(family.id, now);
    await repo.insertCode({ familyId: family.id, selector: generated.selector, codeHash: hashCode(generated.code), kind, expiresAt });
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: cmd.actorId, action: kind === "reissue" ? "family.reissue_access" : "family.activation_code",
      subjectType: "family", subjectId: family.id, details: { expiresAt: expiresAt.toISOString() },
    });
    // The first letter also goes by email when the family gave an address. A code for a new phone goes
    // only on paper: a lost phone may have taken the mailbox with it.
    if (kind === "activation") await queueFamilyNotice(trx, family.id, { kind: "activation_letter", data: activationLetterMailData(content(generated)) });
    return generated;
  });
  const html = await renderActivationLetter(content(code));
  return { familyId: family.id, kind, code: code.display, expiresAt, language: family.preferredLanguage, html };
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
  | { outcome: "used" | "expired" }
  | { outcome: "claimed" | "resumed"; code: ActivationCodeRecord };

/**
 * Activates a family's wallet. Refusals: ACTIVATION_CODE_INVALID (details.attemptsLeft when known),
 * RATE_LIMITED (details.retryAt), ACTIVATION_CODE_USED, ACTIVATION_CODE_EXPIRED, BUDGETS_NOT_ISSUED.
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
      }
    });
    return { familyId, holderAddress: holder, budgetIds: budgets.map((b) => b.budgetId), txHashes };
  } catch (error) {
    // Nothing changed on chain: the family may use its code again (with any phone).
    if (claim.outcome === "claimed" && txHashes.length === 0) await eligibilityRepository(deps.db).releaseCode(claim.code.id);
    throw error;
  }
}
