// Who applies: a family logs in through the municipality's identity broker (OpenID Connect) or, where
// there is none, with a code sent to its email address. Either way Tegoed keeps only a keyed hash
// (HMAC-SHA256 under the server's applicant key) of the provider's issuer and subject, or of the address:
// enough to know the same person again, useless to anyone without the key.
//
// An OpenID Connect login under way is a row found by the hash of a random cookie token: the browser that
// started it must be the one that finishes it, once, within ten minutes.
import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { DomainError, FAMILY_LANGUAGES } from "@tegoed/sdk";
import { withApplicationTables, type ApplicantMethod } from "../../db/applications-schema.ts";
import { auditLogRepository } from "../../db/audit-log.repository.ts";
import { inTransaction, type Db } from "../../db/transaction.ts";
import type { OidcClient } from "../../identity/oidc.ts";
import { OidcLoginError } from "../../identity/oidc.ts";
import type { LoginCodeMailer } from "../../mail/login-codes.ts";
import { rateLimited, type GuessLimiter } from "../eligibility/activation-codes.ts";
import { isValidBsn, sealBsn } from "./bsn.ts";

export const OIDC_LOGIN_TTL_MS = 10 * 60_000;
export const EMAIL_CODE_TTL_MS = 15 * 60_000;
/** Codes one address may be sent per EMAIL_CODE_TTL_MS. */
export const EMAIL_CODES_PER_WINDOW = 3;
/** Wrong tries of one code before it is dead. */
export const EMAIL_CODE_ATTEMPTS = 5;

export interface ApplicantDeps {
  db: Db;
  clock: () => Date;
  /** Keys the hashes of subjects, addresses and codes: at least 32 characters, stable across restarts. */
  identityKey: string;
  /** The broker, discovered on first use; absent: OpenID Connect is not configured. */
  oidc?: () => Promise<OidcClient>;
  /** Absent: logging in by email is off (OpenID Connect is configured). */
  mailer?: LoginCodeMailer;
  /** Code requests per client (IP): one per process. */
  emailLimiter?: GuessLimiter;
  /** Seals the provider's BSN claim (BSN_KEY_FILE); absent: a BSN claim is dropped. */
  bsnKey?: Uint8Array;
}

export interface Applicant {
  id: string;
  method: ApplicantMethod;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const keyed = (deps: ApplicantDeps, ...parts: string[]) => createHmac("sha256", deps.identityKey).update(parts.join("\0")).digest("hex");
const normalizeEmail = (email: string) => email.trim().toLowerCase();

async function rememberIdentity(deps: ApplicantDeps, method: ApplicantMethod, subjectHash: string): Promise<Applicant> {
  return inTransaction(deps.db, async (trx) => {
    const row = await withApplicationTables(trx)
      .insertInto("applicant_identities")
      .values({ method, subject_hash: subjectHash })
      .onConflict((oc) => oc.column("subject_hash").doUpdateSet({ last_login_at: deps.clock() }))
      .returning(["id", "method"])
      .executeTakeFirstOrThrow();
    await auditLogRepository(trx).append({ actorType: "applicant", actorId: row.id, action: `applicant.login_${method}`, subjectType: "applicant", subjectId: row.id });
    return { id: row.id, method: row.method };
  });
}

export async function findApplicant(db: Db, id: string): Promise<Applicant | undefined> {
  const row = await withApplicationTables(db).selectFrom("applicant_identities").select(["id", "method"]).where("id", "=", id).executeTakeFirst();
  return row && { id: row.id, method: row.method };
}

/** Path inside this site to come back to after the login; anything else becomes the wallet's start. */
export function safeReturnPath(path: string | undefined): string {
  return path && /^\/[A-Za-z0-9/_\-#.?=&]*$/.test(path) && !path.startsWith("//") ? path : "/wallet/";
}

/**
 * Starts an OpenID Connect login: the browser gets `cookieToken` (HttpOnly) and is sent to
 * `authorizationUrl`. LOGIN_FAILED when the broker cannot be reached or is not configured.
 */
export async function beginOidcLogin(deps: ApplicantDeps, returnTo?: string): Promise<{ cookieToken: string; authorizationUrl: string }> {
  const oidc = await connect(deps);
  const challenge = await oidc.begin();
  const cookieToken = randomBytes(32).toString("base64url");
  const now = deps.clock();
  const logins = withApplicationTables(deps.db);
  await logins.deleteFrom("oidc_logins").where("expires_at", "<", now).execute();
  await logins.insertInto("oidc_logins").values({
    id: sha256(cookieToken), state: challenge.state, nonce: challenge.nonce, code_verifier: challenge.codeVerifier,
    return_to: safeReturnPath(returnTo), expires_at: new Date(now.getTime() + OIDC_LOGIN_TTL_MS),
  }).execute();
  return { cookieToken, authorizationUrl: challenge.authorizationUrl };
}

async function connect(deps: ApplicantDeps): Promise<OidcClient> {
  if (!deps.oidc) throw new DomainError("LOGIN_FAILED", "Logging in through the identity provider is not configured here.", { reason: "not_configured" });
  try {
    return await deps.oidc();
  } catch (error) {
    throw new DomainError("LOGIN_FAILED", "The identity provider cannot be reached right now: please try again later.", { reason: "discovery" }, { cause: error });
  }
}

/** What a sealed BSN of a login belongs to: this applicant's session, nothing else. */
export const loginBsnContext = (applicantId: string) => `login:${applicantId}`;

/**
 * Finishes the login the cookie's token started (once: the row is gone after this call, whatever the
 * outcome). LOGIN_FAILED with details.reason for an unknown or expired login, a wrong state, a code
 * refused by the provider (e.g. used before), or an ID token that fails a check.
 * A valid BSN claim comes back sealed (`sealedBsn`, base64url) for the browser's cookie only: nothing
 * stores it unless an application to a fund that needs it is submitted (submitApplication).
 */
export async function finishOidcLogin(
  deps: ApplicantDeps, cookieToken: string | undefined, callbackUrl: URL,
): Promise<{ applicant: Applicant; returnTo: string; sealedBsn?: string }> {
  const login = cookieToken
    ? await withApplicationTables(deps.db).deleteFrom("oidc_logins").where("id", "=", sha256(cookieToken)).returningAll().executeTakeFirst()
    : undefined;
  if (!login || login.expires_at <= deps.clock()) throw new DomainError("LOGIN_FAILED", undefined, { reason: "no_login_under_way" });
  const oidc = await connect(deps);
  try {
    const identity = await oidc.finish(callbackUrl, { state: login.state, nonce: login.nonce, codeVerifier: login.code_verifier });
    const applicant = await rememberIdentity(deps, "oidc", keyed(deps, "oidc", identity.issuer, identity.subject));
    const bsn = deps.bsnKey && identity.bsn !== undefined && isValidBsn(identity.bsn) ? identity.bsn : undefined;
    return {
      applicant, returnTo: login.return_to,
      ...(bsn && { sealedBsn: sealBsn(deps.bsnKey!, bsn, loginBsnContext(applicant.id)).toString("base64url") }),
    };
  } catch (error) {
    if (error instanceof OidcLoginError) throw new DomainError("LOGIN_FAILED", undefined, { reason: error.reason }, { cause: error });
    throw error;
  }
}

export const EmailCodeCommand = z.object({ email: z.email().max(254), language: z.enum(FAMILY_LANGUAGES).default("nl"), clientKey: z.string().max(200) });

/**
 * Sends a 6-digit code to the address (queued with the code's hash, in one transaction). RATE_LIMITED (details.retryAt) after EMAIL_CODES_PER_WINDOW codes
 * for one address, or too many requests from one client. Answers the same whether or not the address
 * was seen before.
 */
export async function requestEmailCode(deps: ApplicantDeps, input: z.input<typeof EmailCodeCommand>): Promise<void> {
  const cmd = EmailCodeCommand.parse(input);
  if (!deps.mailer) throw new DomainError("FORBIDDEN", "Logging in by email is not offered here: use the identity provider.");
  const now = deps.clock();
  deps.emailLimiter?.assertAllowed(cmd.clientKey);
  const emailHash = keyed(deps, "email", normalizeEmail(cmd.email));
  const mailer = deps.mailer;
  const windowStart = new Date(now.getTime() - EMAIL_CODE_TTL_MS);
  await inTransaction(deps.db, async (trx) => {
    const db = withApplicationTables(trx);
    const recent = await db.selectFrom("email_login_codes").select(["created_at"]).where("email_hash", "=", emailHash)
      .where("created_at", ">", windowStart).orderBy("created_at").execute();
    if (recent.length >= EMAIL_CODES_PER_WINDOW) {
      throw rateLimited(new Date(recent[0]!.created_at.getTime() + EMAIL_CODE_TTL_MS), now, { scope: "email" });
    }
    deps.emailLimiter?.recordFailure(cmd.clientKey);
    const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
    const expiresAt = new Date(now.getTime() + EMAIL_CODE_TTL_MS);
    await db.deleteFrom("email_login_codes").where("expires_at", "<", windowStart).execute();
    await db.insertInto("email_login_codes").values({ email_hash: emailHash, code_hash: keyed(deps, "code", emailHash, code), expires_at: expiresAt, created_at: now }).execute();
    await mailer.send({ to: cmd.email.trim(), code, language: cmd.language, expiresAt, validMinutes: EMAIL_CODE_TTL_MS / 60_000 }, trx);
  });
}

/** Logs in with the address and the code sent to it. EMAIL_CODE_INVALID for a wrong, used or expired code. */
export async function emailLogin(deps: ApplicantDeps, input: { email: string; code: string }): Promise<Applicant> {
  if (!deps.mailer) throw new DomainError("FORBIDDEN", "Logging in by email is not offered here: use the identity provider.");
  const now = deps.clock();
  const emailHash = keyed(deps, "email", normalizeEmail(input.email));
  const ok = await inTransaction(deps.db, async (trx) => {
    const db = withApplicationTables(trx);
    const row = await db.selectFrom("email_login_codes").selectAll().where("email_hash", "=", emailHash).where("used_at", "is", null)
      .where("expires_at", ">", now).where("attempts", "<", EMAIL_CODE_ATTEMPTS).orderBy("created_at", "desc").limit(1).forUpdate().executeTakeFirst();
    if (!row) return false;
    const given = Buffer.from(keyed(deps, "code", emailHash, input.code.trim()), "hex");
    if (!timingSafeEqual(given, Buffer.from(row.code_hash, "hex"))) {
      await db.updateTable("email_login_codes").set({ attempts: row.attempts + 1 }).where("id", "=", row.id).execute();
      return false;
    }
    await db.updateTable("email_login_codes").set({ used_at: now }).where("id", "=", row.id).execute();
    return true;
  });
  if (!ok) throw new DomainError("EMAIL_CODE_INVALID");
  return rememberIdentity(deps, "email", keyed(deps, "identity-email", normalizeEmail(input.email)));
}
