// Email notifications: the outbox (each row written in the transaction of the fact it reports, sent by
// a worker), the addresses that switched off an optional kind, and a family's optional email address.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("notification_outbox")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("recipient", "text", (c) => c.notNull())
    .addColumn("language", "text", (c) => c.notNull())
    .addColumn("data", "jsonb", (c) => c.notNull())
    // A notice that may only ever be sent once (the expiry notice of one budget): unique when set.
    .addColumn("dedupe_key", "text", (c) => c.unique())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("pending").check(sql`status in ('pending', 'sending', 'sent', 'needs_person')`))
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    // While 'sending': the claim lapses then (the worker died), and the row is tried again.
    .addColumn("claimed_until", "timestamptz")
    .addColumn("smtp_response", "text")
    .addColumn("last_error", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("sent_at", "timestamptz")
    .execute();
  await db.schema.createIndex("notification_outbox_due_idx").on("notification_outbox").columns(["status", "next_attempt_at"]).execute();

  await db.schema
    .createTable("notification_optouts")
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("notification_optouts_pk", ["email", "kind"])
    .execute();

  await db.schema
    .alterTable("families")
    .addColumn("email", "text")
    // A receipt per payment is opt-in (the family chooses in the wallet).
    .addColumn("payment_receipts", "boolean", (c) => c.notNull().defaultTo(false))
    .execute();
  await sql`comment on table notification_outbox is ${sql.lit(
    "Personal data: the receiver's email address and the facts of the mail (names, amounts). Purpose: sending each notification once. " +
      "Kept 90 days after it was sent (the worker deletes older sent mails); an activation code is removed from the row once sent.",
  )}`.execute(db);
  await sql`comment on table notification_optouts is ${sql.lit(
    "Personal data: email addresses that switched off a kind of optional mail. Purpose: honouring that choice. Kept until switched on again.",
  )}`.execute(db);
  // The language a shop's mails are written in (the one it applied in).
  await db.schema.alterTable("merchants").addColumn("language", "text", (c) => c.notNull().defaultTo("nl")).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("merchants").dropColumn("language").execute();
  await db.schema.alterTable("families").dropColumn("payment_receipts").dropColumn("email").execute();
  await db.schema.dropTable("notification_optouts").execute();
  await db.schema.dropTable("notification_outbox").execute();
}
