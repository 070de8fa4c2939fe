// The database as Kysely sees it: one interface per table, columns in snake_case as in SQL.
// Only repositories use these types; everything above them sees camelCase domain objects.
//
// Type conventions (the same on PGlite and on PostgreSQL, see connect.ts):
// - bigint / bigserial columns come back as `bigint` (euro cents, nonces, block numbers, ids);
// - timestamptz comes back as `Date`; `date` comes back as the text 'YYYY-MM-DD' (no time zone games);
// - jsonb comes back parsed; repositories write it as JSON text (JSON.stringify), so that a JS array is
//   never taken for a Postgres array by the `pg` driver;
// - text[] comes back as `string[]` and is written as a JS array.
import type { ColumnType, Generated } from "kysely";
import type { FamilyLanguage } from "@tegoed/sdk";

/** Any value that JSON can carry. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A jsonb column: read parsed, written as JSON text. */
type Jsonb<T extends JsonValue> = ColumnType<T, string, string>;
/** A timestamptz column. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamptz column with a database default. */
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A bigint column: always bigint in TypeScript. */
type Int8 = ColumnType<bigint, bigint, bigint>;

export type BudgetStatus = "pending" | "issued" | "frozen";
export type MerchantStatus = "pending" | "approved" | "declined" | "suspended";
export type StaffRole = "admin" | "validator" | "merchant_manager" | "finance" | "auditor";
export type SessionSubjectType = "staff" | "merchant" | "family" | "applicant";
export type ActorType = "staff" | "merchant" | "family" | "system" | "applicant";
export type Language = "nl" | "en";
export type IdempotencyStatus = "pending" | "done";
export type ActivationCodeKind = "activation" | "reissue";
export type PayoutRunStatus = "awaiting_approval" | "processing" | "awaiting_sent" | "completed" | "rejected";
export type PayoutStatus = "pending" | "sent" | "confirmed" | "settled" | "failed";
/** recovered: payouts rebuilt from the chain's MerchantSettled events (a restored backup did not know them). */
export type PayoutTrigger = "manual" | "instant" | "daily" | "recovered";
export type BankName = "simulated" | "bunq" | "sepa";

export interface FundsTable {
  id: Generated<string>;
  /** Lower-case 0x address of the fund's contract. */
  chain_address: string;
  /** The fund's index in the FundFactory (the short form a QR may carry). */
  factory_index: number;
  name: string;
  currency: Generated<string>;
  amount_per_child_cents: Int8;
  /** 'YYYY-MM-DD': the last day a budget can be spent. */
  budget_expiry: string;
  categories: ColumnType<string[], string[] | undefined, string[]>;
  payout_schedule: Jsonb<JsonObject>;
  paused: Generated<boolean>;
  paused_reason: string | null;
  created_at: GeneratedTimestamp;
  payout_minimum_cents: ColumnType<bigint, bigint | undefined, bigint>;
  payout_last_daily_on: ColumnType<string | null, string | null | undefined, string | null>;
  /** IANA zone the fund's days are counted and shown in. */
  time_zone: ColumnType<string, string | undefined, string>;
}

export interface SponsorsTable {
  id: Generated<string>;
  fund_id: string;
  name: string;
  /** Lower-case 0x address holding the sponsor role on the fund, once granted. */
  chain_address: string | null;
  created_at: GeneratedTimestamp;
}

export interface FamiliesTable {
  id: Generated<string>;
  fund_id: string;
  /** The parent's name as printed on the activation letter; null once deleted. */
  display_name: string | null;
  /** Postal address lines for the letter; null once deleted. */
  address_lines: string[] | null;
  /** The language of the family's letters and emails (migration 0016). */
  language: ColumnType<FamilyLanguage, FamilyLanguage | undefined, FamilyLanguage>;
  approved_at: Timestamp | null;
  activated_at: Timestamp | null;
  deleted_at: Timestamp | null;
  created_at: GeneratedTimestamp;
  /** The municipality's own reference of the family (the import file's family column); unique per fund. */
  external_ref: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ChildrenTable {
  id: Generated<string>;
  family_id: string;
  /** The family's fund, set by a trigger on insert (migration 0022). */
  fund_id: Generated<string>;
  first_name: string;
  birth_year: number;
}

export interface BudgetsTable {
  id: Generated<string>;
  /** The random on-chain budget id, lower-case 0x + 64 hex. */
  budget_id: string;
  fund_id: string;
  /** Null once the family's personal data is deleted: only the anonymous chain history remains. */
  child_id: string | null;
  issued_cents: ColumnType<bigint, bigint | undefined, bigint>;
  /** Lower-case 0x address of the family's device key, once activated. */
  holder_address: string | null;
  status: ColumnType<BudgetStatus, BudgetStatus | undefined, BudgetStatus>;
  created_at: GeneratedTimestamp;
}

export interface ActivationCodesTable {
  id: Generated<string>;
  family_id: string;
  /** A hash of the code; the code itself is only ever printed on the letter. */
  code_hash: string;
  attempts: ColumnType<number, number | undefined, number>;
  locked_until: Timestamp | null;
  used_at: Timestamp | null;
  expires_at: Timestamp;
  created_at: GeneratedTimestamp;
  /** The code's first characters, stored plainly to find its row (0002); the secret rest is only hashed. */
  selector: ColumnType<string | null, string | null | undefined, string | null>;
  /** 'activation' binds the first device key (setHolder); 'reissue' moves the budgets to a new one (rekey). */
  kind: ColumnType<ActivationCodeKind, ActivationCodeKind | undefined, ActivationCodeKind>;
  /** Lower-case 0x address of the device key the code was used for. */
  used_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** The family's letter number the code is derived from (0010); null: made before, cannot be shown again. */
  letter_serial: ColumnType<number | null, number | null | undefined, number | null>;
  /** When a newer letter replaced this code (0010). */
  replaced_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** A short code under a wallet's payment QR, standing for the permit the wallet registered (0010). */
export interface PayCodesTable {
  /** Normalized: upper case, no separators. */
  code: string;
  /** The payment QR's text. */
  qr: string;
  budget_id: string;
  expires_at: Timestamp;
  created_at: GeneratedTimestamp;
}

export interface MerchantsTable {
  id: Generated<string>;
  name: string;
  kvk_number: string;
  iban: string;
  bic: string | null;
  categories: ColumnType<string[], string[] | undefined, string[]>;
  address: string;
  contact_email: string;
  status: ColumnType<MerchantStatus, MerchantStatus | undefined, MerchantStatus>;
  decline_reason: string | null;
  chain_address: string | null;
  created_at: GeneratedTimestamp;
  status_token_hash: string | null;
  suspend_reason: string | null;
}

export interface MerchantFundsTable {
  merchant_id: string;
  fund_id: string;
  categories_mask: Int8;
  approved_at: Timestamp;
  approve_tx_hash: string;
  suspended_at: Timestamp | null;
  suspend_tx_hash: string | null;
}

export interface MerchantUsersTable {
  id: Generated<string>;
  merchant_id: string;
  email: string;
  password_hash: string;
  created_at: GeneratedTimestamp;
}

export interface StaffUsersTable {
  id: Generated<string>;
  email: string;
  password_hash: string;
  roles: ColumnType<StaffRole[], StaffRole[], StaffRole[]>;
  disabled_at: Timestamp | null;
  created_at: GeneratedTimestamp;
  /** The TOTP secret (base32) while enrolling and after; the factor counts once enabled. */
  totp_secret: ColumnType<string | null, string | null | undefined, string | null>;
  totp_enabled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The time step of the last accepted code: a code counts once. */
  totp_last_step: ColumnType<bigint | null, bigint | null | undefined, bigint | null>;
  /** The language of the user's staff mails (migration 0016). */
  language: ColumnType<Language, Language | undefined, Language>;
}

export interface FamilyLoginChallengesTable {
  /** Lower-case 0x address of the device key the challenge is for: one open challenge per key. */
  holder_address: string;
  nonce_hash: string;
  expires_at: Timestamp;
}

export interface LoginClientsTable {
  /** A keyed hash of the account and the client's address. */
  key_hash: string;
  last_login_at: Timestamp;
}

export interface SessionsTable {
  token_hash: string;
  subject_type: SessionSubjectType;
  subject_id: string;
  csrf_token_hash: string;
  expires_at: Timestamp;
  created_at: GeneratedTimestamp;
}

export interface PaymentsTable {
  payment_id: string;
  fund_id: string;
  budget_id: string;
  merchant: string;
  amount_cents: Int8;
  nonce: Int8;
  tx_hash: string;
  block_number: Int8;
  log_index: number;
  block_time: Timestamp;
  confirmed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface RefundsTable {
  id: Generated<bigint>;
  payment_id: string;
  amount_cents: Int8;
  tx_hash: string;
  block_number: Int8;
  log_index: number;
  block_time: Timestamp;
}

export interface ChainCursorsTable {
  name: string;
  last_block: Int8;
  updated_at: GeneratedTimestamp;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  request_hash: string;
  status: ColumnType<IdempotencyStatus, IdempotencyStatus | undefined, IdempotencyStatus>;
  response: Jsonb<JsonValue> | null;
  created_at: GeneratedTimestamp;
  /** The lock key of the process holding a pending claim (claim-holder.ts); null: no mark. */
  holder: ColumnType<bigint | null, number | null | undefined, number | null>;
}

export interface AuditLogTable {
  id: Generated<bigint>;
  at: GeneratedTimestamp;
  actor_type: ActorType;
  actor_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  details: ColumnType<JsonObject, string | undefined, string>;
}

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

export interface Database {
  funds: FundsTable;
  sponsors: SponsorsTable;
  families: FamiliesTable;
  children: ChildrenTable;
  budgets: BudgetsTable;
  activation_codes: ActivationCodesTable;
  pay_codes: PayCodesTable;
  merchants: MerchantsTable;
  merchant_users: MerchantUsersTable;
  merchant_funds: MerchantFundsTable;
  staff_users: StaffUsersTable;
  sessions: SessionsTable;
  payments: PaymentsTable;
  refunds: RefundsTable;
  chain_cursors: ChainCursorsTable;
  idempotency_keys: IdempotencyKeysTable;
  audit_log: AuditLogTable;
  payout_runs: PayoutRunsTable;
  payouts: PayoutsTable;
  simulated_bank_transfers: SimulatedBankTransfersTable;
  family_login_challenges: FamilyLoginChallengesTable;
  login_clients: LoginClientsTable;
}
