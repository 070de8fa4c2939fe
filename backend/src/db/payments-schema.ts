// The tables and columns added by migration 0003_payments, as Kysely sees them. Repositories of the
// merchants and payments services use `withPaymentTables(db)` to query them; schema.ts stays untouched
// so that migrations written in parallel do not collide there (fold this into schema.ts later).
import type { ColumnType, Kysely } from "kysely";
import type { Database } from "./schema.ts";
import type { Db } from "./transaction.ts";

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type MerchantFundsTable = {
  merchant_id: string;
  fund_id: string;
  categories_mask: ColumnType<bigint, bigint, bigint>;
  approved_at: Timestamp;
  approve_tx_hash: string;
  suspended_at: Timestamp | null;
  suspend_tx_hash: string | null;
};

export type PaymentTables = {
  merchant_funds: MerchantFundsTable;
  merchants: { suspend_reason: string | null };
  payments: { confirmed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null> };
};

export type PaymentDatabase = Database & PaymentTables;

/** The same handle (or transaction), typed with the tables of migration 0003. */
export function withPaymentTables(db: Db): Kysely<PaymentDatabase> {
  return db.withTables<PaymentTables>() as unknown as Kysely<PaymentDatabase>;
}
