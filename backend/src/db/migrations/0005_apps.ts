// What the apps need beyond 0004: a shop's secret for following its own application (kept as a SHA-256
// hash; the shop holds the token), and the index behind the public list of participating shops.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("merchants").addColumn("status_token_hash", "text").execute();
  await sql`comment on column merchants.status_token_hash is ${sql.lit(
    "SHA-256 of the token the applying shop received; lets it read its application's status without a login.",
  )}`.execute(db);
  await db.schema.createIndex("merchants_status_idx").on("merchants").column("status").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("merchants_status_idx").execute();
  await db.schema.alterTable("merchants").dropColumn("status_token_hash").execute();
}
