// Settlement to shops: payout runs (batches), one payout row per shop per run with a unique reference
// written before any bank call, the simulated bank's ledger, and each fund's payout minimum.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("funds")
    .addColumn("payout_minimum_cents", "bigint", (c) => c.notNull().defaultTo(0).check(sql`payout_minimum_cents >= 0`))
    // The local date (Europe/Amsterdam) of the last daily run, so a restart never runs a day twice.
    .addColumn("payout_last_daily_on", "date")
    .execute();

  await db.schema
    .createTable("payout_runs")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("fund_id", "uuid", (c) => c.notNull().references("funds.id"))
    .addColumn("trigger", "text", (c) => c.notNull().check(sql`trigger in ('manual', 'instant', 'daily')`))
    .addColumn("bank", "text", (c) => c.notNull().check(sql`bank in ('simulated', 'bunq', 'sepa')`))
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('awaiting_approval', 'processing', 'awaiting_sent', 'completed', 'rejected')`),
    )
    .addColumn("total_cents", "bigint", (c) => c.notNull().check(sql`total_cents >= 0`))
    .addColumn("payout_count", "integer", (c) => c.notNull())
    .addColumn("started_by", "uuid")
    .addColumn("approved_by", "uuid")
    .addColumn("approved_at", "timestamptz")
    .addColumn("message_id", "text", (c) => c.unique())
    .addColumn("sepa_xml", "text")
    .addColumn("sent_by", "uuid")
    .addColumn("sent_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("completed_at", "timestamptz")
    // Four eyes: whoever approves a run is not whoever started it.
    .addCheckConstraint("payout_runs_four_eyes", sql`approved_by is null or started_by is null or approved_by <> started_by`)
    .execute();
  await db.schema.createIndex("payout_runs_fund_created_idx").on("payout_runs").columns(["fund_id", "created_at"]).execute();

  await db.schema
    .createTable("payouts")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // Ours, unique, in the bank transfer's description and (hashed) on chain as the settle's bankRef.
    .addColumn("reference", "text", (c) => c.notNull().unique().check(sql`reference ~ '^[A-Z0-9-]{1,35}$'`))
    .addColumn("run_id", "uuid", (c) => c.notNull().references("payout_runs.id"))
    .addColumn("fund_id", "uuid", (c) => c.notNull().references("funds.id"))
    .addColumn("merchant_id", "uuid", (c) => c.notNull().references("merchants.id"))
    .addColumn("merchant_address", "char(42)", (c) => c.notNull())
    .addColumn("amount_cents", "bigint", (c) => c.notNull().check(sql`amount_cents > 0`))
    .addColumn("creditor_name", "text", (c) => c.notNull())
    .addColumn("iban", "text", (c) => c.notNull())
    .addColumn("bic", "text")
    .addColumn("description", "text", (c) => c.notNull().check(sql`length(description) <= 140`))
    .addColumn("period_from", "timestamptz", (c) => c.notNull())
    .addColumn("period_to", "timestamptz", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('pending', 'sent', 'confirmed', 'settled', 'failed')`))
    // keccak256 of the reference: the settle's bankRef on chain, so the indexer can match MerchantSettled events.
    .addColumn("bank_ref", "char(66)", (c) => c.notNull().unique())
    // How often the bank may have been asked to pay it: above zero, the bank is asked before any retry.
    .addColumn("bank_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("bank_id", "text")
    .addColumn("settle_tx_hash", "char(66)")
    .addColumn("last_error", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("confirmed_at", "timestamptz")
    .addColumn("settled_at", "timestamptz")
    .execute();
  // At most one open payout per shop and fund: "what is owed" is the receivable minus this one.
  await sql`create unique index payouts_one_open_idx on payouts (fund_id, merchant_id)
    where status in ('pending', 'sent', 'confirmed')`.execute(db);
  await sql`comment on table payout_runs is ${sql.lit("Payout runs (batches) to shops: status, totals, four-eyes approval, the SEPA file. No personal data.")}`.execute(db);
  await sql`comment on table payouts is ${sql.lit(
    "Personal data: the shop's name and IBAN as paid (copied at payout time, the bank record of the transfer). Purpose: paying shops what the fund owes them, once, and proving it.",
  )}`.execute(db);
  await db.schema.createIndex("payouts_run_idx").on("payouts").column("run_id").execute();
  await db.schema.createIndex("payouts_merchant_idx").on("payouts").columns(["merchant_id", "created_at"]).execute();

  // The simulated bank's ledger: what it "transferred". No unique reference on purpose, like a real
  // bank: only our own checks keep a payout from being transferred twice.
  await db.schema
    .createTable("simulated_bank_transfers")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("reference", "text", (c) => c.notNull())
    .addColumn("amount_cents", "bigint", (c) => c.notNull())
    .addColumn("iban", "text", (c) => c.notNull())
    .addColumn("creditor_name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("simulated_bank_transfers_reference_idx").on("simulated_bank_transfers").column("reference").execute();
  await sql`comment on table simulated_bank_transfers is ${sql.lit("Personal data: shop names and IBANs of simulated transfers. Purpose: the simulated bank, a local ledger with no real money.")}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("simulated_bank_transfers").execute();
  await db.schema.dropTable("payouts").execute();
  await db.schema.dropTable("payout_runs").execute();
  await db.schema.alterTable("funds").dropColumn("payout_last_daily_on").dropColumn("payout_minimum_cents").execute();
}
