// Queuing notifications: always inside the caller's transaction, next to the fact the mail reports,
// so the mail is queued exactly when the fact is committed. Sending is the worker's job.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { FamilyLanguage } from "@tegoed/sdk";
import type { JsonObject } from "../../db/schema.ts";
import type { Db } from "../../db/transaction.ts";
import { KINDS, isKind, type NotificationKind } from "./kinds.ts";
import { outboxRepository } from "./outbox.repository.ts";

export interface Notice {
  kind: NotificationKind;
  /** No address known: nothing is queued. */
  to: string | null | undefined;
  language: FamilyLanguage;
  /** Facts for the template (amounts as cents in text); links are added when the mail is sent. */
  data: JsonObject;
  /** Set for a notice that may be sent only once, ever (e.g. one budget's expiry notice). */
  dedupeKey?: string;
}

/**
 * Queues `notice` in `trx` (the transaction that writes the fact it reports). Returns false when nothing
 * was queued: no address, the receiver switched this kind off, or the dedupe key was used before.
 */
export async function queueNotice(trx: Db, notice: Notice): Promise<boolean> {
  const to = notice.to?.trim().toLowerCase();
  if (!to) return false;
  const repo = outboxRepository(trx);
  if (KINDS[notice.kind].optional && (await repo.isOptedOut(to, notice.kind))) return false;
  const id = await repo.insert({ kind: notice.kind, recipient: to, language: notice.language, data: notice.data, ...(notice.dedupeKey && { dedupeKey: notice.dedupeKey }) });
  return id !== null;
}

/**
 * Queues many notices in `trx` as {@link queueNotice} queues each, in a few statements (a payout run
 * tells thousands of shops at once). Returns how many were queued.
 */
export async function queueNotices(trx: Db, notices: readonly Notice[]): Promise<number> {
  const repo = outboxRepository(trx);
  const addressed = notices.flatMap((notice) => {
    const to = notice.to?.trim().toLowerCase();
    return to ? [{ ...notice, to }] : [];
  });
  const optedOut = new Map<NotificationKind, Set<string>>();
  for (const kind of new Set(addressed.map((n) => n.kind))) {
    if (KINDS[kind].optional) optedOut.set(kind, await repo.optedOut(addressed.filter((n) => n.kind === kind).map((n) => n.to), kind));
  }
  return repo.insertMany(addressed
    .filter((n) => !optedOut.get(n.kind)?.has(n.to))
    .map((n) => ({ kind: n.kind, recipient: n.to, language: n.language, data: n.data, ...(n.dedupeKey && { dedupeKey: n.dedupeKey }) })));
}

/**
 * One notice to every active staff user with `role`, each in the user's language (the staff app's at
 * their last login). A dedupe key is made per receiver, so the notice goes once to each.
 */
export async function queueStaffNotice(trx: Db, role: "finance" | "validator" | "admin", notice: Omit<Notice, "to" | "language">): Promise<number> {
  let queued = 0;
  for (const { email, language } of await outboxRepository(trx).staffEmails(role)) {
    const dedupeKey = notice.dedupeKey && `${notice.dedupeKey}:${email}`;
    if (await queueNotice(trx, { ...notice, to: email, language, ...(dedupeKey && { dedupeKey }) })) queued++;
  }
  return queued;
}

/** A family notice: to the family's address in its language, when it has one. */
export async function queueFamilyNotice(trx: Db, familyId: string, notice: Omit<Notice, "to" | "language">): Promise<boolean> {
  const repo = outboxRepository(trx);
  const family = await repo.family(familyId);
  if (!family?.email) return false;
  // The fund's name as the sender, unless the notice names one.
  const fundName = notice.data.senderName === undefined ? await repo.fundName(family.fundId) : null;
  return queueNotice(trx, {
    ...notice, to: family.email, language: family.language, data: { parentName: family.displayName ?? "", ...(fundName && { senderName: fundName }), ...notice.data },
  });
}

// Unsubscribe links: the address and the kind, signed, so nobody can switch off someone else's mail.

function signature(secret: string, payload: string): Buffer {
  return createHmac("sha256", secret).update(`unsubscribe\n${payload}`).digest().subarray(0, 16);
}

export function unsubscribeToken(secret: string, email: string, kind: NotificationKind): string {
  const payload = Buffer.from(`${email.toLowerCase()}\n${kind}`).toString("base64url");
  return `${payload}.${signature(secret, payload).toString("base64url")}`;
}

/** The address and kind of a genuine token; null for anything else. */
export function readUnsubscribeToken(secret: string, token: string): { email: string; kind: NotificationKind } | null {
  const [payload, sig, extra] = token.split(".");
  if (!payload || !sig || extra !== undefined) return null;
  const given = Buffer.from(sig, "base64url");
  const expected = signature(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const [email, kind] = Buffer.from(payload, "base64url").toString("utf8").split("\n");
  if (!email || !kind || !isKind(kind) || !KINDS[kind].optional) return null;
  return { email, kind };
}

/**
 * A notice about an application: to the address the family gave on its form (none: nothing), in the
 * language the form was filled in, with the fund's name as sender.
 */
export async function queueApplicationNotice(
  trx: Db,
  application: { id: string; fundId: string; household: { parentName: string; email?: string | undefined; language: FamilyLanguage } },
  notice: { kind: "application_received" | "application_question" | "application_approved" | "application_declined"; data?: JsonObject; dedupeKey?: string },
): Promise<boolean> {
  const { household } = application;
  if (!household.email) return false;
  const fundName = await outboxRepository(trx).fundName(application.fundId);
  return queueNotice(trx, {
    kind: notice.kind, to: household.email, language: household.language, ...(notice.dedupeKey && { dedupeKey: notice.dedupeKey }),
    data: { parentName: household.parentName, ...(fundName && { senderName: fundName }), ...notice.data },
  });
}
