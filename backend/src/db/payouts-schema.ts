// The tables and columns added by migration 0006_payouts, as Kysely sees them. The payouts repository
// uses `withPayoutTables(db)`; schema.ts stays untouched so parallel migrations do not collide there.
import type { ColumnType, Generated, Kysely } from "kysely";
import type { Database } from "./schema.ts";
import type { Db } from "./transaction.ts";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Int8 = ColumnType<bigint, bigint, bigint>;

export type PayoutRunStatus = "awaiting_approval" | "processing" | "awaiting_sent" | "completed" | "rejected";
export type PayoutStatus = "pending" | "sent" | "confirmed" | "settled" | "failed";
export type PayoutTrigger = "manual" | "instant" | "daily";
export type BankName = "simulated" | "bunq" | "sepa";

export interface PayoutRunsTable {
  id: Generated<string>;
  fund_id: string;
  trigger: PayoutTrigger;
  bank: BankName;
  status: PayoutRunStatus;
  total_cents: Int8;
  payout_count: number;
  started_by: string | null;
  approved_by: string | null;
  approved_at: Timestamp | null;
  message_id: string | null;
  sepa_xml: string | null;
  sent_by: string | null;
  sent_at: Timestamp | null;
  created_at: GeneratedTimestamp;
  completed_at: Timestamp | null;
}

export interface PayoutsTable {
  id: Generated<string>;
  reference: string;
  run_id: string;
  fund_id: string;
  merchant_id: string;
  merchant_address: string;
  amount_cents: Int8;
  creditor_name: string;
  iban: string;
  bic: string | null;
  description: string;
  period_from: Timestamp;
  period_to: Timestamp;
  status: PayoutStatus;
  bank_ref: string;
  bank_attempts: ColumnType<number, number | undefined, number>;
  bank_id: string | null;
  settle_tx_hash: string | null;
  last_error: string | null;
  created_at: GeneratedTimestamp;
  confirmed_at: Timestamp | null;
  settled_at: Timestamp | null;
}

export interface SimulatedBankTransfersTable {
  id: Generated<bigint>;
  reference: string;
  amount_cents: Int8;
  iban: string;
  creditor_name: string;
  description: string;
  created_at: GeneratedTimestamp;
}

export type PayoutTables = {
  payout_runs: PayoutRunsTable;
  payouts: PayoutsTable;
  simulated_bank_transfers: SimulatedBankTransfersTable;
  funds: {
    payout_minimum_cents: ColumnType<bigint, bigint | undefined, bigint>;
    payout_last_daily_on: ColumnType<string | null, string | null | undefined, string | null>;
  };
  merchant_funds: { merchant_id: string; fund_id: string; approved_at: Timestamp };
};

export type PayoutDatabase = Database & PayoutTables;

/** The same handle (or transaction), typed with the tables of migration 0006. */
export function withPayoutTables(db: Db): Kysely<PayoutDatabase> {
  return db.withTables<PayoutTables>() as unknown as Kysely<PayoutDatabase>;
}
