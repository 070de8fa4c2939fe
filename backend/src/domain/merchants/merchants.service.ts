// Merchants: apply, staff approve (on chain) / decline / suspend (on chain), shop users and their login.
// No HTTP, no SQL: the repository holds the SQL, FundClient the chain. Every action goes to the audit log.
// A chain call never runs inside a database transaction (PGlite has one connection; a lock held while
// waiting for a block would stall everyone).
import { randomBytes, timingSafeEqual } from "node:crypto";
import { DomainError } from "@tegoed/sdk";
import { auditLogRepository } from "../../db/audit-log.repository.ts";
import { inTransaction, type Db } from "../../db/transaction.ts";
import type { FundClient } from "../../chain/fund-client.ts";
import { isValidIban, normalizeIban } from "./iban.ts";
// One password format for staff and shop users: the auth module's scrypt hashes.
import { dummyPasswordHash, hashPassword, verifyPassword } from "../auth/passwords.ts";
import { loginLimiter } from "../auth/login-limiter.ts";
import { sha256, type IssuedSession, type SessionService } from "../auth/sessions.ts";
import { outboxRepository, queueShopNotice } from "../notifications/index.ts";
import { merchantsRepository, type Merchant, type MerchantUser, type ParticipatingMerchant } from "./merchants.repository.ts";

export type { Merchant, MerchantFundLink, MerchantUser, ParticipatingMerchant, ShopStanding, ShopUser } from "./merchants.repository.ts";

export interface MerchantDeps {
  db: Db;
  /** The client of the fund contract at this address. */
  fund(address: string): FundClient;
  clock?: () => Date;
}

export interface MerchantApplication {
  name: string;
  /** Dutch Chamber of Commerce number: 8 digits. */
  kvkNumber: string;
  /** Printed or electronic form; stored electronic. */
  iban: string;
  bic?: string | null;
  /** Shop categories, matched by name against each fund's categories at approval. */
  categories: string[];
  address: string;
  contactEmail: string;
  /** The language the shop applied in: its mails are written in it. Default nl. */
  language?: "nl" | "en";
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MIN_PASSWORD = 10;

function invalid(field: string, reason: string): DomainError {
  return new DomainError("INVALID_INPUT", undefined, { field, reason });
}

function text(value: unknown, field: string, max = 200): string {
  if (typeof value !== "string" || value.trim() === "") throw invalid(field, "required");
  if (value.trim().length > max) throw invalid(field, `at most ${max} characters`);
  return value.trim();
}

function email(value: unknown, field: string): string {
  const address = text(value, field, 254).toLowerCase();
  if (!EMAIL.test(address)) throw invalid(field, "not an email address");
  return address;
}

const now = (deps: MerchantDeps) => (deps.clock ?? (() => new Date()))();

async function mustFind(deps: MerchantDeps, merchantId: string): Promise<Merchant> {
  const merchant = await merchantsRepository(deps.db).find(merchantId);
  if (!merchant) throw new DomainError("NOT_FOUND", "This shop was not found.", { merchantId });
  return merchant;
}

/**
 * A shop applies to take part: stored as pending until staff approve it for a fund. The answer carries
 * a `statusToken`, shown once: with it the shop can follow its application before it has a login.
 */
export async function applyMerchant(deps: MerchantDeps, application: MerchantApplication): Promise<Merchant & { statusToken: string }> {
  const name = text(application.name, "name");
  const kvkNumber = text(application.kvkNumber, "kvkNumber").replace(/\s+/g, "");
  if (!/^[0-9]{8}$/.test(kvkNumber)) throw invalid("kvkNumber", "must be 8 digits");
  const iban = normalizeIban(text(application.iban, "iban", 50));
  if (!isValidIban(iban)) throw invalid("iban", "not a valid IBAN (checksum or length)");
  const bic = application.bic == null || application.bic === "" ? null : application.bic.replace(/\s+/g, "").toUpperCase();
  if (bic !== null && !/^[A-Z0-9]{8}([A-Z0-9]{3})?$/.test(bic)) throw invalid("bic", "not a BIC");
  if (!Array.isArray(application.categories) || application.categories.length === 0) throw invalid("categories", "at least one");
  const categories = [...new Set(application.categories.map((c) => text(c, "categories", 50).toLowerCase()))];
  if (categories.length > 32) throw invalid("categories", "at most 32");
  const address = text(application.address, "address", 500);
  const contactEmail = email(application.contactEmail, "contactEmail");

  const statusToken = randomBytes(24).toString("base64url");
  return inTransaction(deps.db, async (trx) => {
    const merchant = await merchantsRepository(trx).insert({
      name, kvkNumber, iban, bic, categories, address, contactEmail, statusTokenHash: sha256(statusToken),
    });
    await auditLogRepository(trx).append({
      actorType: "merchant", action: "merchant.apply", subjectType: "merchant", subjectId: merchant.id,
      details: { categories },
    });
    if (application.language === "en") await outboxRepository(trx).setMerchantLanguage(merchant.id, "en");
    await queueShopNotice(trx, merchant.id, { kind: "merchant_application_received", data: {} });
    return { ...merchant, statusToken };
  });
}

/**
 * The application as its shop may see it, given the token from the application's answer. A wrong token
 * and an unknown id are the same NOT_FOUND, so ids cannot be probed.
 */
export async function applicationStatus(deps: MerchantDeps, merchantId: string, token: string): Promise<Merchant> {
  const stored = await merchantsRepository(deps.db).statusTokenHash(merchantId);
  const given = Buffer.from(sha256(token), "hex");
  if (stored === null || !timingSafeEqual(Buffer.from(stored, "hex"), given)) {
    throw new DomainError("NOT_FOUND", "No application was found with this link.", { merchantId });
  }
  return mustFind(deps, merchantId);
}

/** The shops where budgets can be spent now (of one fund, or of any). */
export async function listParticipatingMerchants(deps: MerchantDeps, fundId?: string): Promise<ParticipatingMerchant[]> {
  return merchantsRepository(deps.db).participating(fundId);
}

export async function getMerchant(deps: MerchantDeps, merchantId: string): Promise<Merchant> {
  return mustFind(deps, merchantId);
}

export async function listMerchants(deps: MerchantDeps, filter: { status?: Merchant["status"] } = {}): Promise<Merchant[]> {
  return merchantsRepository(deps.db).list(filter.status);
}

/** The fund's category bitmask for the shop: bit i for the fund's i-th category, if the shop has it. */
export function categoriesMask(fundCategories: readonly string[], shopCategories: readonly string[]): number {
  const shop = new Set(shopCategories.map((c) => c.toLowerCase()));
  let mask = 0;
  fundCategories.slice(0, 32).forEach((category, i) => {
    if (shop.has(category.toLowerCase())) mask |= 2 ** i;
  });
  return mask >>> 0;
}

/**
 * Staff approve a pending (or suspended, or already approved elsewhere) shop for one fund: the shop
 * gets its chain address at the first approval (a fresh random address: the backend's operator acts
 * for it, so no key is needed), the fund contract approves it, then the link is stored.
 */
export async function approveMerchant(
  deps: MerchantDeps,
  cmd: { merchantId: string; fundId: string; staffUserId: string },
): Promise<Merchant> {
  const repo = merchantsRepository(deps.db);
  const merchant = await mustFind(deps, cmd.merchantId);
  if (merchant.status === "declined") {
    throw new DomainError("CONFLICT", "This shop's application was declined: it must apply again.", { status: merchant.status });
  }
  const fund = await repo.fundForApproval(cmd.fundId);
  if (!fund) throw new DomainError("FUND_UNKNOWN", undefined, { fundId: cmd.fundId });
  const mask = fund.categories.length === 0 ? 0xffffffff : categoriesMask(fund.categories, merchant.categories);
  if (mask === 0) throw invalid("categories", "none of the shop's categories is one of the fund's");

  const chainAddress = merchant.chainAddress ?? (await repo.assignChainAddress(merchant.id, `0x${randomBytes(20).toString("hex")}`));
  const tx = await deps.fund(fund.chainAddress).approveMerchant(chainAddress, mask);

  await inTransaction(deps.db, async (trx) => {
    const r = merchantsRepository(trx);
    await r.upsertApproval(merchant.id, fund.id, mask, now(deps), tx.txHash);
    await r.setStatus(merchant.id, "approved", { suspendReason: null });
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: cmd.staffUserId, action: "merchant.approve", subjectType: "merchant", subjectId: merchant.id,
      details: { fundId: fund.id, categoriesMask: mask, chainAddress, txHash: tx.txHash },
    });
    // Told once, at the shop's first approval (a second fund or a lifted suspension is no news to log in with).
    if (merchant.status !== "approved") {
      const fundName = await outboxRepository(trx).fundName(fund.id);
      await queueShopNotice(trx, merchant.id, { kind: "merchant_approved", data: { ...(fundName && { senderName: fundName }) } });
    }
  });
  return mustFind(deps, merchant.id);
}

/** Staff decline a pending application; the reason is kept with the shop (not in the audit log). */
export async function declineMerchant(
  deps: MerchantDeps,
  cmd: { merchantId: string; reason: string; staffUserId: string },
): Promise<Merchant> {
  const reason = text(cmd.reason, "reason", 1000);
  await inTransaction(deps.db, async (trx) => {
    const repo = merchantsRepository(trx);
    const merchant = await repo.find(cmd.merchantId, { forUpdate: true });
    if (!merchant) throw new DomainError("NOT_FOUND", "This shop was not found.", { merchantId: cmd.merchantId });
    if (merchant.status !== "pending") {
      throw new DomainError("CONFLICT", "Only a pending application can be declined.", { status: merchant.status });
    }
    await repo.setStatus(merchant.id, "declined", { declineReason: reason });
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: cmd.staffUserId, action: "merchant.decline", subjectType: "merchant", subjectId: merchant.id,
    });
    await queueShopNotice(trx, merchant.id, { kind: "merchant_declined", data: { reason } });
  });
  return mustFind(deps, cmd.merchantId);
}

/** Staff suspend an approved shop: every fund it is approved for stops paying it, on chain. */
export async function suspendMerchant(
  deps: MerchantDeps,
  cmd: { merchantId: string; reason: string; staffUserId: string },
): Promise<Merchant> {
  const reason = text(cmd.reason, "reason", 1000);
  const merchant = await mustFind(deps, cmd.merchantId);
  if (merchant.status !== "approved") {
    throw new DomainError("CONFLICT", "Only an approved shop can be suspended.", { status: merchant.status });
  }
  const active = merchant.funds.filter((link) => link.suspendedAt === null);
  const addresses = await merchantsRepository(deps.db).fundAddresses(active.map((l) => l.fundId));
  const suspended: { fundId: string; txHash: string | null }[] = [];
  for (const link of active) {
    try {
      const tx = await deps.fund(addresses.get(link.fundId)!).suspendMerchant(merchant.chainAddress!);
      suspended.push({ fundId: link.fundId, txHash: tx.txHash });
    } catch (error) {
      // Suspended on chain already (by an earlier, interrupted call): nothing left to do there.
      if (!(error instanceof DomainError && error.code === "MERCHANT_NOT_APPROVED")) throw error;
      suspended.push({ fundId: link.fundId, txHash: null });
    }
  }
  await inTransaction(deps.db, async (trx) => {
    const repo = merchantsRepository(trx);
    for (const s of suspended) await repo.markSuspended(merchant.id, s.fundId, now(deps), s.txHash);
    await repo.setStatus(merchant.id, "suspended", { suspendReason: reason });
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: cmd.staffUserId, action: "merchant.suspend", subjectType: "merchant", subjectId: merchant.id,
      details: { funds: suspended.map((s) => s.fundId), txHashes: suspended.flatMap((s) => (s.txHash ? [s.txHash] : [])) },
    });
    await queueShopNotice(trx, merchant.id, { kind: "merchant_suspended", data: { reason } });
  });
  return mustFind(deps, merchant.id);
}

/**
 * Adds a login for a shop's staff (several per shop). `actor` is whoever creates it: a staff user, or
 * a user of the same shop.
 */
export async function createMerchantUser(
  deps: MerchantDeps,
  cmd: { merchantId: string; email: string; password: string; actor: { type: "staff" | "merchant"; id: string } },
): Promise<MerchantUser> {
  const address = email(cmd.email, "email");
  if (typeof cmd.password !== "string" || cmd.password.length < MIN_PASSWORD) {
    throw invalid("password", `at least ${MIN_PASSWORD} characters`);
  }
  if (cmd.password.length > 256) throw invalid("password", "at most 256 characters");
  await mustFind(deps, cmd.merchantId);
  const passwordHash = await hashPassword(cmd.password);
  return inTransaction(deps.db, async (trx) => {
    const user = await merchantsRepository(trx).insertUser(cmd.merchantId, address, passwordHash);
    if (!user) throw new DomainError("CONFLICT", "An account with this email address exists already.", { field: "email" });
    await auditLogRepository(trx).append({
      actorType: cmd.actor.type, actorId: cmd.actor.id, action: "merchant.user.create", subjectType: "merchant_user",
      subjectId: user.id, details: { merchantId: cmd.merchantId },
    });
    // Staff make a shop's first login at approval; each later one is news to the shop.
    if ((await merchantsRepository(trx).listUsers(cmd.merchantId)).length > 1) {
      await queueShopNotice(trx, cmd.merchantId, { kind: "merchant_colleague_added", data: { colleagueEmail: address } });
    }
    return user;
  });
}

/** The shop user of a session and their shop's standing, with the session row: one query per till request. */
export function findShopUserBySession(deps: MerchantDeps, tokenHash: string) {
  return merchantsRepository(deps.db).userBySession(tokenHash);
}

export async function listMerchantUsers(deps: MerchantDeps, merchantId: string): Promise<MerchantUser[]> {
  return merchantsRepository(deps.db).listUsers(merchantId);
}

/**
 * Checks a shop user's email and password. The same UNAUTHENTICATED answer (and about the same time)
 * for an unknown email and a wrong password. Sessions are the HTTP layer's business.
 */
export async function verifyMerchantLogin(deps: MerchantDeps, cmd: { email: string; password: string }): Promise<MerchantUser> {
  const address = typeof cmd.email === "string" ? cmd.email.trim().toLowerCase() : "";
  const password = typeof cmd.password === "string" ? cmd.password : "";
  const user = address ? await merchantsRepository(deps.db).userWithHash(address) : null;
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !ok) throw new DomainError("UNAUTHENTICATED", "The email address or password is not right.");
  await auditLogRepository(deps.db).append({
    actorType: "merchant", actorId: user.id, action: "merchant.user.login", subjectType: "merchant", subjectId: user.merchantId,
  });
  return { id: user.id, merchantId: user.merchantId, email: user.email, createdAt: user.createdAt };
}

/** A shop user's login through the one login limiter of staff and shops; starts the session. */
export async function loginMerchant(
  deps: MerchantDeps & { sessions: SessionService },
  cmd: { email: string; password: string; client: string },
): Promise<{ user: MerchantUser; session: IssuedSession }> {
  const limiter = loginLimiter({ db: deps.db, sessions: deps.sessions, now: deps.clock });
  return limiter.attempt("merchant", cmd.email, cmd.client, async () => {
    const user = await verifyMerchantLogin(deps, cmd);
    return { user, session: await deps.sessions.start("merchant", user.id) };
  });
}

function newPassword(password: unknown): string {
  if (typeof password !== "string" || password.length < MIN_PASSWORD) throw invalid("newPassword", `at least ${MIN_PASSWORD} characters`);
  if (password.length > 256) throw invalid("newPassword", "at most 256 characters");
  return password;
}

/** A shop user changes their own password: every session of theirs ends, and a new one starts for this device. */
export async function changeMerchantPassword(
  deps: MerchantDeps & { sessions: SessionService },
  cmd: { userId: string; currentPassword: string; newPassword: string },
): Promise<IssuedSession> {
  const repo = merchantsRepository(deps.db);
  const stored = await repo.userHash(cmd.userId);
  if (stored === null) throw new DomainError("UNAUTHENTICATED");
  if (!(await verifyPassword(cmd.currentPassword, stored))) {
    throw new DomainError("INVALID_INPUT", "The current password is not right.", { field: "currentPassword" });
  }
  await repo.setUserPasswordHash(cmd.userId, await hashPassword(newPassword(cmd.newPassword)));
  await auditLogRepository(deps.db).append({
    actorType: "merchant", actorId: cmd.userId, action: "merchant.user.password_change", subjectType: "merchant_user", subjectId: cmd.userId,
  });
  await deps.sessions.endAllOf("merchant", cmd.userId);
  return deps.sessions.start("merchant", cmd.userId);
}

/** A merchant manager sets a new password for a shop's user who lost theirs; their sessions end. */
export async function resetMerchantPassword(
  deps: MerchantDeps & { sessions: SessionService },
  cmd: { staffUserId: string; merchantId: string; userId: string; newPassword: string },
): Promise<void> {
  const passwordHash = await hashPassword(newPassword(cmd.newPassword));
  await inTransaction(deps.db, async (trx) => {
    if (!(await merchantsRepository(trx).setUserPasswordHash(cmd.userId, passwordHash, cmd.merchantId))) {
      throw new DomainError("NOT_FOUND", "This shop has no user with this id.", { userId: cmd.userId });
    }
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: cmd.staffUserId, action: "merchant.user.password_reset", subjectType: "merchant_user", subjectId: cmd.userId,
      details: { merchantId: cmd.merchantId },
    });
  });
  await deps.sessions.endAllOf("merchant", cmd.userId);
}
