// Merchants and payments: which fund each shop is approved for (on chain, mirrored here), why a shop
// was suspended, and whether a payment row recorded at charge time was confirmed by the indexer.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("merchant_funds")
    .addColumn("merchant_id", "uuid", (c) => c.notNull().references("merchants.id").onDelete("cascade"))
    .addColumn("fund_id", "uuid", (c) => c.notNull().references("funds.id"))
    // The bitmask of the fund's categories the shop is approved in, as sent to approveMerchant.
    .addColumn("categories_mask", "bigint", (c) => c.notNull().check(sql`categories_mask between 0 and 4294967295`))
    .addColumn("approved_at", "timestamptz", (c) => c.notNull())
    .addColumn("approve_tx_hash", "char(66)", (c) => c.notNull())
    .addColumn("suspended_at", "timestamptz")
    .addColumn("suspend_tx_hash", "char(66)")
    .addPrimaryKeyConstraint("merchant_funds_pkey", ["merchant_id", "fund_id"])
    .execute();
  await db.schema.createIndex("merchant_funds_fund_id_idx").on("merchant_funds").column("fund_id").execute();
  await sql`comment on table merchant_funds is ${sql.lit(
    "Which fund each shop is approved for; mirrors the fund contracts' MerchantApproved/Suspended. No personal data.",
  )}`.execute(db);

  await db.schema.alterTable("merchants").addColumn("suspend_reason", "text").execute();

  // Null while only the charge that relayed it has recorded the payment; set once the indexer saw it.
  await db.schema.alterTable("payments").addColumn("confirmed_at", "timestamptz").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("payments").dropColumn("confirmed_at").execute();
  await db.schema.alterTable("merchants").dropColumn("suspend_reason").execute();
  await db.schema.dropTable("merchant_funds").execute();
}
