// The tables and columns added by migration 0015_notifications, as Kysely sees them. The notifications
// repositories use `withNotificationTables(db)`; schema.ts stays untouched so parallel migrations do not collide.
import type { ColumnType, Generated, Kysely } from "kysely";
import type { FamilyLanguage } from "@tegoed/sdk";
import type { Database, JsonObject, Language } from "./schema.ts";
import type { Db } from "./transaction.ts";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type OutboxStatus = "pending" | "sending" | "sent" | "needs_person";

export interface NotificationOutboxTable {
  id: Generated<string>;
  kind: string;
  recipient: string;
  language: FamilyLanguage;
  /** What the template needs; written as JSON text. */
  data: ColumnType<JsonObject, string, string>;
  dedupe_key: string | null;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: GeneratedTimestamp;
  claimed_until: Timestamp | null;
  smtp_response: string | null;
  last_error: string | null;
  created_at: GeneratedTimestamp;
  sent_at: Timestamp | null;
}

export interface NotificationOptoutsTable {
  email: string;
  kind: string;
  created_at: GeneratedTimestamp;
}

export type NotificationTables = {
  notification_outbox: NotificationOutboxTable;
  notification_optouts: NotificationOptoutsTable;
  families: {
    email: ColumnType<string | null, string | null | undefined, string | null>;
    payment_receipts: ColumnType<boolean, boolean | undefined, boolean>;
  };
  merchants: { language: ColumnType<Language, Language | undefined, Language> };
};

export type NotificationDatabase = Database & NotificationTables;

/** The same handle (or transaction), typed with the tables of migration 0015. */
export function withNotificationTables(db: Db): Kysely<NotificationDatabase> {
  return db.withTables<NotificationTables>() as unknown as Kysely<NotificationDatabase>;
}
