// The notifications' SQL: the outbox, the opt-outs, and what the notices need to know of families and staff.
import { sql } from "kysely";
import type { FamilyLanguage } from "@tegoed/sdk";
import type { JsonObject, Language } from "../../db/schema.ts";
import { withApplicationTables } from "../../db/applications-schema.ts";
import { withNotificationTables, type OutboxStatus } from "../../db/notifications-schema.ts";
import type { Db } from "../../db/transaction.ts";

export interface OutboxRow {
  id: string;
  kind: string;
  recipient: string;
  language: FamilyLanguage;
  data: JsonObject;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  smtpResponse: string | null;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export interface NewOutboxRow {
  kind: string;
  recipient: string;
  language: FamilyLanguage;
  data: JsonObject;
  dedupeKey?: string;
}

function toRow(r: {
  id: string; kind: string; recipient: string; language: FamilyLanguage; data: JsonObject; status: OutboxStatus; attempts: number;
  next_attempt_at: Date; smtp_response: string | null; last_error: string | null; created_at: Date; sent_at: Date | null;
}): OutboxRow {
  return {
    id: r.id, kind: r.kind, recipient: r.recipient, language: r.language, data: r.data, status: r.status, attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at, smtpResponse: r.smtp_response, lastError: r.last_error, createdAt: r.created_at, sentAt: r.sent_at,
  };
}

export function outboxRepository(handle: Db) {
  const db = withNotificationTables(handle);
  return {
    /** Queues one mail; with a dedupe key already queued, nothing (returns null). */
    async insert(row: NewOutboxRow): Promise<string | null> {
      const inserted = await db.insertInto("notification_outbox")
        .values({
          kind: row.kind, recipient: row.recipient, language: row.language, data: JSON.stringify(row.data), dedupe_key: row.dedupeKey ?? null,
          // Whole milliseconds: due for a worker whose clock (a JavaScript Date) reads the same instant.
          next_attempt_at: sql<Date>`date_trunc('milliseconds', now())`,
        })
        .onConflict((oc) => oc.column("dedupe_key").doNothing())
        .returning("id")
        .executeTakeFirst();
      return inserted?.id ?? null;
    },

    /** Queues many mails, 1,000 to a statement; those whose dedupe key was queued before are left out. Returns how many were queued. */
    async insertMany(rows: readonly NewOutboxRow[]): Promise<number> {
      let queued = 0;
      for (let i = 0; i < rows.length; i += 1000) {
        const inserted = await db.insertInto("notification_outbox")
          .values(rows.slice(i, i + 1000).map((row) => ({
            kind: row.kind, recipient: row.recipient, language: row.language, data: JSON.stringify(row.data), dedupe_key: row.dedupeKey ?? null,
            next_attempt_at: sql<Date>`date_trunc('milliseconds', now())`,
          })))
          .onConflict((oc) => oc.column("dedupe_key").doNothing())
          .returning("id")
          .execute();
        queued += inserted.length;
      }
      return queued;
    },

    /**
     * Takes up to `limit` due mails for this worker: pending ones whose time has come, and ones another
     * worker took but whose claim lapsed (it died). SKIP LOCKED: two workers never take the same row.
     */
    async claimDue(now: Date, claimUntil: Date, limit: number): Promise<OutboxRow[]> {
      const due = db.selectFrom("notification_outbox").select("id")
        .where((eb) => eb.or([
          eb.and([eb("status", "=", "pending"), eb("next_attempt_at", "<=", now)]),
          eb.and([eb("status", "=", "sending"), eb("claimed_until", "<=", now)]),
        ]))
        .orderBy("next_attempt_at").limit(limit)
        .forUpdate().skipLocked();
      const rows = await db.updateTable("notification_outbox")
        .set({ status: "sending", attempts: sql<number>`attempts + 1`, claimed_until: claimUntil })
        .where("id", "in", due)
        .returningAll()
        .execute();
      return rows.map(toRow).sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime());
    },

    /** Only the claim that sent it may mark it (a lapsed, re-taken claim has another attempt number). */
    async markSent(id: string, attempt: number, response: string, at: Date): Promise<void> {
      await db.updateTable("notification_outbox")
        // A code (activation letter, login) rests in the outbox only until it was handed over.
        .set({ status: "sent", smtp_response: response.slice(0, 500), sent_at: at, claimed_until: null, last_error: null, data: sql<string>`data - 'code' - 'walletUrl'` })
        .where("id", "=", id).where("attempts", "=", attempt).where("status", "=", "sending")
        .execute();
    },

    /** A failed attempt: again at `retryAt`, or (null) to a person. */
    async markFailed(id: string, attempt: number, error: string, retryAt: Date | null): Promise<void> {
      await db.updateTable("notification_outbox")
        .set({
          status: retryAt ? "pending" : "needs_person", last_error: error.slice(0, 500), claimed_until: null,
          ...(retryAt && { next_attempt_at: retryAt }),
        })
        .where("id", "=", id).where("attempts", "=", attempt).where("status", "=", "sending")
        .execute();
    },

    /** Deletes mails sent before `before` (they hold personal data and are no longer needed). */
    async purgeSent(before: Date): Promise<number> {
      const result = await db.deleteFrom("notification_outbox").where("status", "=", "sent").where("sent_at", "<", before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async list(filter: { status?: OutboxStatus; limit?: number }): Promise<OutboxRow[]> {
      let query = db.selectFrom("notification_outbox").selectAll();
      if (filter.status) query = query.where("status", "=", filter.status);
      const rows = await query.orderBy("created_at", "desc").limit(filter.limit ?? 100).execute();
      return rows.map(toRow);
    },

    async counts(): Promise<Record<OutboxStatus, number>> {
      const rows = await db.selectFrom("notification_outbox").select(["status", sql<number>`count(*)::int`.as("n")]).groupBy("status").execute();
      const counts: Record<OutboxStatus, number> = { pending: 0, sending: 0, sent: 0, needs_person: 0 };
      for (const r of rows) counts[r.status] = Number(r.n);
      return counts;
    },

    /** A person asks for another round of tries. False when the mail is not waiting for a person. */
    async retry(id: string, now: Date): Promise<boolean> {
      const result = await db.updateTable("notification_outbox")
        .set({ status: "pending", attempts: 0, next_attempt_at: now, last_error: null })
        .where("id", "=", id).where("status", "=", "needs_person")
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** Of these addresses, those that switched `kind` off. */
    async optedOut(emails: readonly string[], kind: string): Promise<Set<string>> {
      const out = new Set<string>();
      const unique = [...new Set(emails.map((e) => e.toLowerCase()))];
      for (let i = 0; i < unique.length; i += 1000) {
        const rows = await db.selectFrom("notification_optouts").select("email").where("kind", "=", kind).where("email", "in", unique.slice(i, i + 1000)).execute();
        for (const r of rows) out.add(r.email);
      }
      return out;
    },

    async isOptedOut(email: string, kind: string): Promise<boolean> {
      const row = await db.selectFrom("notification_optouts").select("kind").where("email", "=", email.toLowerCase()).where("kind", "=", kind).executeTakeFirst();
      return row !== undefined;
    },

    async optOuts(email: string): Promise<string[]> {
      const rows = await db.selectFrom("notification_optouts").select("kind").where("email", "=", email.toLowerCase()).orderBy("kind").execute();
      return rows.map((r) => r.kind);
    },

    async setOptOut(email: string, kind: string, off: boolean): Promise<void> {
      if (off) {
        await db.insertInto("notification_optouts").values({ email: email.toLowerCase(), kind }).onConflict((oc) => oc.doNothing()).execute();
      } else {
        await db.deleteFrom("notification_optouts").where("email", "=", email.toLowerCase()).where("kind", "=", kind).execute();
      }
    },

    /** Active staff users holding `role`, with their language, for staff notices. */
    async staffEmails(role: string): Promise<{ email: string; language: Language }[]> {
      const rows = await db.selectFrom("staff_users").select(["email", "language"])
        .where("disabled_at", "is", null)
        .where(sql<boolean>`${role} = any(roles)`)
        .orderBy("email").execute();
      return rows.map((r) => ({ email: r.email, language: r.language }));
    },

    async family(familyId: string): Promise<{ email: string | null; language: FamilyLanguage; displayName: string | null; paymentReceipts: boolean; fundId: string } | null> {
      const row = await db.selectFrom("families").select(["email", "language", "display_name", "payment_receipts", "fund_id", "deleted_at"])
        .where("id", "=", familyId).executeTakeFirst();
      if (!row || row.deleted_at) return null;
      return { email: row.email, language: row.language, displayName: row.display_name, paymentReceipts: row.payment_receipts, fundId: row.fund_id };
    },

    async merchantContact(merchantId: string): Promise<{ email: string; language: Language; name: string } | null> {
      const row = await db.selectFrom("merchants").select(["contact_email", "language", "name"]).where("id", "=", merchantId).executeTakeFirst();
      return row ? { email: row.contact_email, language: row.language, name: row.name } : null;
    },

    /** The contacts of many shops, by id (an unknown id is absent). */
    async merchantContacts(merchantIds: readonly string[]): Promise<Map<string, { email: string; language: Language; name: string }>> {
      const out = new Map<string, { email: string; language: Language; name: string }>();
      const unique = [...new Set(merchantIds)];
      for (let i = 0; i < unique.length; i += 1000) {
        const rows = await db.selectFrom("merchants").select(["id", "contact_email", "language", "name"]).where("id", "in", unique.slice(i, i + 1000)).execute();
        for (const r of rows) out.set(r.id, { email: r.contact_email, language: r.language, name: r.name });
      }
      return out;
    },

    async setMerchantLanguage(merchantId: string, language: Language): Promise<void> {
      await db.updateTable("merchants").set({ language }).where("id", "=", merchantId).execute();
    },

    /** The budgets' children whose families have an email address (the others get no mail). */
    async childrenWithEmail(budgetIds: readonly string[]): Promise<{ budgetId: string; familyId: string; firstName: string }[]> {
      const found: { budgetId: string; familyId: string; firstName: string }[] = [];
      for (let i = 0; i < budgetIds.length; i += 1000) {
        const rows = await db.selectFrom("budgets")
          .innerJoin("children", "children.id", "budgets.child_id")
          .innerJoin("families", "families.id", "children.family_id")
          .select(["budgets.budget_id", "families.id as family_id", "children.first_name"])
          .where("budgets.budget_id", "in", budgetIds.slice(i, i + 1000))
          .where("families.email", "is not", null).where("families.deleted_at", "is", null)
          .execute();
        for (const r of rows) found.push({ budgetId: r.budget_id, familyId: r.family_id, firstName: r.first_name });
      }
      return found;
    },

    /**
     * For payments just indexed: those whose family asked for receipts and has an address, with the shop's
     * name and what is left on the budget after them (the payments table holds them already).
     */
    async receiptTargets<P extends { paymentId: string; budgetId: string; merchant: string }>(payments: readonly P[]) {
      if (payments.length === 0) return [];
      const budgetIds = [...new Set(payments.map((p) => p.budgetId.toLowerCase()))];
      const families = await db.selectFrom("budgets")
        .innerJoin("children", "children.id", "budgets.child_id")
        .innerJoin("families", "families.id", "children.family_id")
        .innerJoin("funds", "funds.id", "budgets.fund_id")
        .select([
          "budgets.budget_id", "families.id as family_id", "children.first_name", "funds.name as fund_name",
          sql<bigint>`budgets.issued_cents
            - coalesce((select sum(p.amount_cents) from payments p where p.budget_id = budgets.budget_id), 0)
            + coalesce((select sum(r.amount_cents) from refunds r join payments p on p.payment_id = r.payment_id where p.budget_id = budgets.budget_id), 0)`.as("left_cents"),
        ])
        .where("budgets.budget_id", "in", budgetIds)
        .where("families.payment_receipts", "=", true).where("families.email", "is not", null).where("families.deleted_at", "is", null)
        .execute();
      if (families.length === 0) return [];
      const byBudget = new Map(families.map((f) => [f.budget_id, f]));
      const merchants = new Map((await db.selectFrom("merchants").select(["chain_address", "name"])
        .where("chain_address", "in", [...new Set(payments.map((p) => p.merchant.toLowerCase()))]).execute()).map((m) => [m.chain_address, m.name]));
      return payments.flatMap((p) => {
        const family = byBudget.get(p.budgetId.toLowerCase());
        return family ? [{ ...p, familyId: family.family_id, childName: family.first_name, fundName: family.fund_name, leftCents: family.left_cents, shopName: merchants.get(p.merchant.toLowerCase()) ?? "" }] : [];
      });
    },

    /** Applications submitted in [from, to), counted per fund (the validators' digest). */
    async submittedPerFund(from: Date, to: Date): Promise<{ fundId: string; fundName: string; count: number }[]> {
      const rows = await withApplicationTables(handle).selectFrom("applications")
        .innerJoin("funds", "funds.id", "applications.fund_id")
        .select(["applications.fund_id", "funds.name", sql<number>`count(*)::int`.as("n")])
        .where("applications.submitted_at", ">=", from).where("applications.submitted_at", "<", to)
        .groupBy(["applications.fund_id", "funds.name"]).orderBy("funds.name")
        .execute();
      return rows.map((r) => ({ fundId: r.fund_id, fundName: r.name, count: Number(r.n) }));
    },

    async fundName(fundId: string): Promise<string | null> {
      const row = await db.selectFrom("funds").select("name").where("id", "=", fundId).executeTakeFirst();
      return row?.name ?? null;
    },

    async setFamilyContact(familyId: string, change: { email?: string | null; paymentReceipts?: boolean; language?: FamilyLanguage }): Promise<boolean> {
      if (change.email === undefined && change.paymentReceipts === undefined && change.language === undefined) return true;
      const result = await db.updateTable("families")
        .set({
          ...(change.email !== undefined && { email: change.email }), ...(change.paymentReceipts !== undefined && { payment_receipts: change.paymentReceipts }),
          ...(change.language !== undefined && { language: change.language }),
        })
        .where("id", "=", familyId).where("deleted_at", "is", null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /**
     * Budgets with something left whose fund expires within `withinDays` days from `today` (and not
     * before it), of families with an email address.
     */
    async fundTimeZones(): Promise<string[]> {
      return (await db.selectFrom("funds").select("time_zone").distinct().execute()).map((row) => row.time_zone);
    },

    /** Budgets of the funds in `timeZone` whose last day is within `withinDays` of `today` (that zone's day). */
    async expiringBudgets(today: string, withinDays: number, timeZone: string) {
      return db.selectFrom("budgets")
        .innerJoin("children", "children.id", "budgets.child_id")
        .innerJoin("families", "families.id", "children.family_id")
        .innerJoin("funds", "funds.id", "budgets.fund_id")
        .select([
          "budgets.budget_id", "children.first_name", "families.email", "families.language", "families.display_name",
          "funds.name as fund_name", "funds.budget_expiry",
          sql<bigint>`budgets.issued_cents
            - coalesce((select sum(p.amount_cents) from payments p where p.budget_id = budgets.budget_id), 0)
            + coalesce((select sum(r.amount_cents) from refunds r join payments p on p.payment_id = r.payment_id where p.budget_id = budgets.budget_id), 0)`.as("left_cents"),
        ])
        .where("budgets.status", "=", "issued")
        .where("families.email", "is not", null)
        .where("families.deleted_at", "is", null)
        .where("funds.time_zone", "=", timeZone)
        .where("funds.budget_expiry", ">=", today)
        .where(sql<boolean>`funds.budget_expiry <= (${today}::date + ${withinDays}::int)`)
        .execute();
    },
  };
}
