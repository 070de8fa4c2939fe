// Letters that can be printed again, and short codes for the till:
// - activation_codes.letter_serial: the per-family number a code is derived from (HMAC, see
//   activation-codes.ts), so opening a letter again shows the same code while only its hash is stored;
//   null for codes made before, which cannot be shown again.
// - activation_codes.replaced_at: a newer letter replaced this code (refused as such, not as expired).
// - pay_codes: the short code a wallet shows under its payment QR, resolved by the till to the signed
//   permit the wallet registered; a row lives as long as the permit's deadline.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("activation_codes")
    .addColumn("letter_serial", "integer")
    .addColumn("replaced_at", "timestamptz")
    .execute();
  await db.schema.createIndex("activation_codes_family_serial_key").on("activation_codes").columns(["family_id", "letter_serial"]).unique().execute();
  await db.schema
    .createTable("pay_codes")
    .addColumn("code", "text", (c) => c.primaryKey())
    .addColumn("qr", "text", (c) => c.notNull().unique())
    .addColumn("budget_id", "text", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`comment on table pay_codes is ${sql.lit(
    "No personal data: a short code a wallet shows under its payment QR and the signed permit (budget id, amount cap, deadline) it stands for, kept until the permit's deadline. Purpose: let a till type the code when its camera cannot read the QR.",
  )}`.execute(db);
  await db.schema.createIndex("pay_codes_expires_at").on("pay_codes").column("expires_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("pay_codes").execute();
  await db.schema.dropIndex("activation_codes_family_serial_key").execute();
  await db.schema.alterTable("activation_codes").dropColumn("replaced_at").dropColumn("letter_serial").execute();
}
