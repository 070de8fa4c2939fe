// The Tegoed card: one card per family in use at a time, holding the family's budgets with a key K
// that only the card's secret (printed in its QR, never stored) and PIN unlock. Stored per card: its
// public number, a random salt, K wrapped with AES-256-GCM, K's address, its state and PIN tries.
// Also each card payment (the per-card daily limit counts them) and each fund's card settings.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("cards")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("family_id", "uuid", (c) => c.notNull().references("families.id"))
    .addColumn("fund_id", "uuid", (c) => c.notNull().references("funds.id"))
    .addColumn("card_number", "char(12)", (c) => c.notNull().unique().check(sql`card_number ~ '^[0-9]{12}$'`))
    // Hex: 16 random bytes.
    .addColumn("salt", "text", (c) => c.notNull().check(sql`salt ~ '^[0-9a-f]{32}$'`))
    // Hex: iv (12) ‖ ciphertext of K (32) ‖ GCM tag (16).
    .addColumn("wrapped_key", "text", (c) => c.notNull().check(sql`wrapped_key ~ '^[0-9a-f]{120}$'`))
    .addColumn("holder_address", "char(42)", (c) => c.notNull().unique())
    .addColumn("state", "text", (c) => c.notNull().defaultTo("printed").check(sql`state in ('printed', 'active', 'blocked', 'replaced')`))
    .addColumn("blocked_reason", "text", (c) => c.check(sql`blocked_reason in ('pin', 'staff')`))
    .addColumn("failed_pin_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("replaced_by", "uuid", (c) => c.references("cards.id"))
    .addColumn("last_used_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("cards_blocked_has_reason", sql`(state = 'blocked') = (blocked_reason is not null)`)
    .execute();
  // One card in use per family: a new one replaces the old.
  await sql`create unique index cards_family_live_idx on cards (family_id) where state <> 'replaced'`.execute(db);

  await db.schema
    .createTable("card_payments")
    .addColumn("card_id", "uuid", (c) => c.notNull().references("cards.id"))
    // The till's Idempotency-Key, scoped to its shop.
    .addColumn("request_key", "text", (c) => c.notNull())
    .addColumn("merchant_id", "uuid", (c) => c.notNull().references("merchants.id"))
    .addColumn("amount_cents", "bigint", (c) => c.notNull().check(sql`amount_cents > 0`))
    // Europe/Amsterdam date of the payment: the daily limit's day.
    .addColumn("day", "date", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('pending', 'paid')`))
    .addColumn("payment_id", "char(66)")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("card_payments_pk", ["merchant_id", "request_key"])
    .execute();
  await db.schema.createIndex("card_payments_card_day_idx").on("card_payments").columns(["card_id", "day"]).execute();

  await db.schema
    .createTable("card_fund_settings")
    .addColumn("fund_id", "uuid", (c) => c.primaryKey().references("funds.id"))
    .addColumn("daily_limit_cents", "bigint", (c) => c.check(sql`daily_limit_cents > 0`))
    .execute();

  await sql`comment on table cards is ${sql.lit(
    "Tegoed cards: number, salt and the wrapped holder key. The card secret and PIN are never stored. No personal data.",
  )}`.execute(db);
  await sql`comment on table card_payments is ${sql.lit(
    "Payments made with a card (amount, day, shop), counted against the fund's daily limit per card. No personal data.",
  )}`.execute(db);
  await sql`comment on table card_fund_settings is ${sql.lit("Each fund's card settings: the daily limit per card. No personal data.")}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("card_fund_settings").execute();
  await db.schema.dropTable("card_payments").execute();
  await db.schema.dropTable("cards").execute();
}
