// What people may change about their mail: a family's address and receipts, the optional kinds an
// address receives (app setting or unsubscribe link), and staff's view of the outbox.
import { DomainError, type FamilyLanguage } from "@tegoed/sdk";
import { auditLogRepository } from "../../db/audit-log.repository.ts";
import type { OutboxStatus } from "../../db/notifications-schema.ts";
import { inTransaction, type Db } from "../../db/transaction.ts";
import { KINDS, KIND_NAMES, type Audience, type NotificationKind } from "./kinds.ts";
import { queueNotice, queueNotices, readUnsubscribeToken, type Notice } from "./notify.ts";
import { outboxRepository, type OutboxRow } from "./outbox.repository.ts";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface NotificationSettings {
  email: string | null;
  /** The optional kinds of this audience, each on or off. */
  optional: { kind: NotificationKind; on: boolean }[];
  language: FamilyLanguage;
}

export function optionalKinds(audience: Audience): NotificationKind[] {
  return KIND_NAMES.filter((kind) => KINDS[kind].audience === audience && KINDS[kind].optional);
}

function normalizeEmail(value: string | null): string | null {
  if (value === null || value.trim() === "") return null;
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw new DomainError("INVALID_INPUT", undefined, { field: "email", reason: "not an email address" });
  return email;
}

export async function settingsOf(db: Db, audience: Audience, email: string | null, language: FamilyLanguage, receipts?: boolean): Promise<NotificationSettings> {
  const off = new Set(email ? await outboxRepository(db).optOuts(email) : []);
  return {
    email,
    language,
    optional: optionalKinds(audience).map((kind) => ({
      kind,
      // A receipt is opt-in (a family setting); the others are on until switched off.
      on: kind === "payment_receipt" ? receipts === true && !off.has(kind) : !off.has(kind),
    })),
  };
}

/** Switches optional kinds on or off for an address; a kind that is not optional for the audience is refused. */
export async function setOptionalKinds(db: Db, audience: Audience, email: string, changes: Partial<Record<string, boolean>>): Promise<void> {
  const allowed = new Set<string>(optionalKinds(audience));
  await inTransaction(db, async (trx) => {
    for (const [kind, on] of Object.entries(changes)) {
      if (on === undefined) continue;
      if (!allowed.has(kind)) throw new DomainError("INVALID_INPUT", "This notification cannot be switched off.", { field: kind });
      if (kind !== "payment_receipt") await outboxRepository(trx).setOptOut(email, kind, !on);
    }
  });
}

export async function familySettings(db: Db, familyId: string): Promise<NotificationSettings> {
  const family = await outboxRepository(db).family(familyId);
  if (!family) throw new DomainError("NOT_FOUND", "This family was not found.", { familyId });
  return settingsOf(db, "family", family.email, family.language, family.paymentReceipts);
}

/**
 * A family's address (null removes it) and its optional kinds, set by the family in the wallet or by
 * staff. Recorded in the audit log without the address itself.
 */
export async function updateFamilySettings(
  db: Db,
  cmd: {
    familyId: string; actor: { type: "staff" | "family"; id: string }; email?: string | null; optional?: Partial<Record<string, boolean>>; language?: FamilyLanguage;
  },
): Promise<NotificationSettings> {
  const email = cmd.email === undefined ? undefined : normalizeEmail(cmd.email);
  await inTransaction(db, async (trx) => {
    const repo = outboxRepository(trx);
    const family = await repo.family(cmd.familyId);
    if (!family) throw new DomainError("NOT_FOUND", "This family was not found.", { familyId: cmd.familyId });
    const receipts = cmd.optional?.payment_receipt;
    await repo.setFamilyContact(cmd.familyId, {
      ...(email !== undefined && { email }), ...(receipts !== undefined && { paymentReceipts: receipts }), ...(cmd.language && { language: cmd.language }),
    });
    const address = email === undefined ? family.email : email;
    if (cmd.optional && address) await setOptionalKinds(trx, "family", address, cmd.optional);
    await auditLogRepository(trx).append({
      actorType: cmd.actor.type, actorId: cmd.actor.id, action: "family.notifications", subjectType: "family", subjectId: cmd.familyId,
      details: { emailChanged: email !== undefined, ...(email !== undefined && { emailSet: email !== null }), optional: Object.keys(cmd.optional ?? {}).join(","),
        ...(cmd.language && cmd.language !== family.language && { language: `${family.language}>${cmd.language}` }) },
    });
  });
  return familySettings(db, cmd.familyId);
}

export async function shopSettings(db: Db, merchantId: string): Promise<NotificationSettings> {
  const shop = await outboxRepository(db).merchantContact(merchantId);
  if (!shop) throw new DomainError("NOT_FOUND", "This shop was not found.", { merchantId });
  return settingsOf(db, "shop", shop.email, shop.language);
}

/** A shop switches its optional mails on or off (they go to its contact address). */
export async function updateShopSettings(db: Db, merchantId: string, optional: Partial<Record<string, boolean>>): Promise<NotificationSettings> {
  const shop = await outboxRepository(db).merchantContact(merchantId);
  if (!shop) throw new DomainError("NOT_FOUND", "This shop was not found.", { merchantId });
  await setOptionalKinds(db, "shop", shop.email, optional);
  return shopSettings(db, merchantId);
}

/** A shop notice: to its contact address, in its language. */
export async function queueShopNotice(trx: Db, merchantId: string, notice: Omit<Notice, "to" | "language">): Promise<boolean> {
  const shop = await outboxRepository(trx).merchantContact(merchantId);
  if (!shop) return false;
  return queueNotice(trx, { ...notice, to: shop.email, language: shop.language, data: { shopName: shop.name, ...notice.data } });
}

/** Many shop notices at once, each as {@link queueShopNotice} queues it. Returns how many were queued. */
export async function queueShopNotices(trx: Db, notices: readonly { merchantId: string; notice: Omit<Notice, "to" | "language"> }[]): Promise<number> {
  const shops = await outboxRepository(trx).merchantContacts(notices.map((n) => n.merchantId));
  return queueNotices(trx, notices.flatMap(({ merchantId, notice }) => {
    const shop = shops.get(merchantId);
    return shop ? [{ ...notice, to: shop.email, language: shop.language, data: { shopName: shop.name, ...notice.data } }] : [];
  }));
}

/** What an unsubscribe link switches off; INVALID_INPUT for a link that was not ours or was altered. */
export function unsubscribeTarget(secret: string, token: string): { email: string; kind: NotificationKind } {
  const target = readUnsubscribeToken(secret, token);
  if (!target) throw new DomainError("INVALID_INPUT", "This unsubscribe link is not valid.", { field: "token" });
  return target;
}

export async function unsubscribe(db: Db, secret: string, token: string): Promise<{ kind: NotificationKind }> {
  const { email, kind } = unsubscribeTarget(secret, token);
  await outboxRepository(db).setOptOut(email, kind, true);
  return { kind };
}

export async function listOutbox(db: Db, filter: { status?: OutboxStatus; limit?: number }): Promise<{ counts: Record<OutboxStatus, number>; mails: OutboxRow[] }> {
  const repo = outboxRepository(db);
  return { counts: await repo.counts(), mails: await repo.list(filter) };
}

/** Staff give a mail that waits for a person another round of tries. */
export async function retryMail(db: Db, cmd: { id: string; staffUserId: string; now: Date }): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(cmd.id)) throw new DomainError("NOT_FOUND", "This mail was not found.", { id: cmd.id });
  await inTransaction(db, async (trx) => {
    if (!(await outboxRepository(trx).retry(cmd.id, cmd.now))) {
      throw new DomainError("CONFLICT", "This mail is not waiting for a person.", { id: cmd.id });
    }
    await auditLogRepository(trx).append({ actorType: "staff", actorId: cmd.staffUserId, action: "notification.retry", subjectType: "notification", subjectId: cmd.id });
  });
}
