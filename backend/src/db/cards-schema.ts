// The tables added by migration 0013_cards, as Kysely sees them. The cards repository uses
// `withCardTables(db)`; schema.ts stays untouched so parallel migrations do not collide there.
import type { ColumnType, Generated, Kysely } from "kysely";
import type { Database } from "./schema.ts";
import type { Db } from "./transaction.ts";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Int8 = ColumnType<bigint, bigint, bigint>;

export type CardStateColumn = "printed" | "active" | "blocked" | "replaced";

export interface CardsTable {
  id: Generated<string>;
  family_id: string;
  fund_id: string;
  card_number: string;
  salt: string;
  wrapped_key: string;
  holder_address: string;
  state: ColumnType<CardStateColumn, CardStateColumn | undefined, CardStateColumn>;
  blocked_reason: ColumnType<"pin" | "staff" | null, "pin" | "staff" | null | undefined, "pin" | "staff" | null>;
  failed_pin_attempts: ColumnType<number, number | undefined, number>;
  replaced_by: ColumnType<string | null, string | null | undefined, string | null>;
  last_used_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: GeneratedTimestamp;
}

export interface CardPaymentsTable {
  card_id: string;
  request_key: string;
  merchant_id: string;
  amount_cents: Int8;
  day: string;
  status: "pending" | "paid";
  payment_id: string | null;
  created_at: GeneratedTimestamp;
}

export interface CardFundSettingsTable {
  fund_id: string;
  daily_limit_cents: Int8 | null;
}

export type CardTables = {
  cards: CardsTable;
  card_payments: CardPaymentsTable;
  card_fund_settings: CardFundSettingsTable;
};

export type CardDatabase = Database & CardTables;

/** The same handle (or transaction), typed with the tables of migration 0013. */
export function withCardTables(db: Db): Kysely<CardDatabase> {
  return db.withTables<CardTables>() as unknown as Kysely<CardDatabase>;
}

export type { Timestamp };
