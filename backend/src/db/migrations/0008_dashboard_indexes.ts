// What the staff dashboard's aggregates need at national scale (measured by `npm run bench`, see
// bench/README.md): every figure of a fund's payments from one index, without visiting the table
// (an index-only scan of `fund_id` carrying the columns the sums and groupings read), and the lookup of
// the shops behind the receiving addresses by lower(chain_address).
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index payments_fund_cover_idx on payments (fund_id) include (merchant, amount_cents, block_time, payment_id)`.execute(db);
  await sql`create index merchants_chain_address_lower_idx on merchants (lower(chain_address))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("merchants_chain_address_lower_idx").execute();
  await db.schema.dropIndex("payments_fund_cover_idx").execute();
}
