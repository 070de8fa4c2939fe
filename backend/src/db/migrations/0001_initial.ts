// The first schema: funds, families and their children, budgets, activation codes, merchants and their
// users, staff, sessions, the indexed copy of on-chain payments and refunds, the indexer's cursors,
// idempotency keys and the append-only audit log.
//
// Tables holding personal data carry a COMMENT stating what it is for and when it goes.
// Money is euro cents in bigint. Chain addresses and hashes are stored lower-case (checked).
import { sql, type Kysely } from "kysely";

const uuidKey = sql`gen_random_uuid()`;
const now = sql`now()`;
const ADDRESS = sql`'^0x[0-9a-f]{40}$'`;
const BYTES32 = sql`'^0x[0-9a-f]{64}$'`;

const COMMENTS: Record<string, string> = {
  funds: "One scheme for one period, deployed as its own contract. No personal data.",
  sponsors: "Organisations depositing money into a fund. No personal data.",
  families:
    "Personal data. Purpose: print and send the activation letter (parent's name and postal address, " +
    "in the preferred language). Kept while the family takes part; deleted with the family " +
    "(name and address set to null, deleted_at set).",
  children:
    "Personal data. Purpose: tell a family's children apart in the wallet and on the letter " +
    "(first name and birth year, nothing more). Deleted with the family; the budget then keeps only its " +
    "anonymous on-chain id.",
  budgets:
    "Links a child to its random on-chain budget id. No personal data once child_id is null " +
    "(set when the family is deleted).",
  activation_codes:
    "Personal data (belongs to a family). Purpose: activate the family's wallet once; only a hash of the " +
    "code is stored, with the attempts and lock that rate-limit guessing. Deleted with the family.",
  merchants:
    "Personal data for sole traders (contact email, IBAN), business data otherwise. Purpose: approve shops and pay them " +
    "out to their bank account. Kept as long as the municipality's financial records require.",
  merchant_users:
    "Personal data. Purpose: let shop staff log in (email, password hash). Deleted with the user's account.",
  staff_users:
    "Personal data. Purpose: let municipal staff log in and check their roles (email, password hash). " +
    "Their ids appear in the audit log.",
  sessions:
    "Personal data (who is logged in). Purpose: keep a login; only hashes of the session and CSRF tokens " +
    "are stored. Deleted on logout, on expiry, and with the family.",
  payments: "Indexed copy of on-chain payments; the chain is the source of truth. No personal data.",
  refunds: "Indexed copy of on-chain refunds; the chain is the source of truth. No personal data.",
  chain_cursors: "The last block each indexer has fully stored.",
  idempotency_keys: "Claims of client idempotency keys and the answer given, so a retry never acts twice.",
  audit_log:
    "Personal data (actor ids, never names). Purpose: accountability for every staff and merchant action. " +
    "Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE); details must never hold personal data.",
};

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("funds")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuidKey))
    .addColumn("chain_address", "text", (c) => c.notNull().unique().check(sql`chain_address ~ ${ADDRESS}`))
    .addColumn("factory_index", "integer", (c) => c.notNull().unique().check(sql`factory_index >= 0`))
    .addColumn("name", "text", (c) => c.notNull().check(sql`length(name) > 0`))
    .addColumn("currency", "text", (c) => c.notNull().defaultTo("EUR").check(sql`currency ~ '^[A-Z]{3}$'`))
    .addColumn("amount_per_child_cents", "bigint", (c) => c.notNull().check(sql`amount_per_child_cents >= 0`))
    .addColumn("budget_expiry", "date", (c) => c.notNull())
    .addColumn("categories", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn("payout_schedule", "jsonb", (c) =>
      c.notNull().check(sql`jsonb_typeof(payout_schedule) = 'object'`),
    )
    .addColumn("paused", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("paused_reason", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable("sponsors")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuidKey))
    .addColumn("fund_id", "uuid", (c) => c.notNull().references("funds.id"))
    .addColumn("name", "text", (c) => c.notNull().check(sql`length(name) > 0`))
    .addColumn("chain_address", "text", (c) => c.check(sql`chain_address ~ ${ADDRESS}`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    // Also the index for "the sponsors of a fund".
    .addUniqueConstraint("sponsors_fund_chain_address_key", ["fund_id", "chain_address"])
    .execute();

  await db.schema
    .createTable("families")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuidKey))
    .addColumn("fund_id", "uuid", (c) => c.notNull().references("funds.id"))
    .addColumn("display_name", "text")
    .addColumn("address_lines", sql`text[]`)
    .addColumn("preferred_language", "text", (c) =>
      c.notNull().defaultTo("nl").check(sql`preferred_language in ('nl', 'en')`),
    )
    .addColumn("approved_at", "timestamptz")
    .addColumn("activated_at", "timestamptz")
    .addColumn("deleted_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    // A family either has its personal data, or is deleted and has none: never half of it.
    .addCheckConstraint(
      "families_personal_data_check",
      sql`(deleted_at is null and length(display_name) > 0 and cardinality(address_lines) > 0)
       or (deleted_at is not null and display_name is null and address_lines is null)`,
    )
    .execute();

  await db.schema
    .createTable("children")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuidKey))
    .addColumn("family_id", "uuid", (c) => c.notNull().references("families.id").onDelete("cascade"))
    .addColumn("first_name", "text", (c) => c.notNull().check(sql`length(first_name) > 0`))
    .addColumn("birth_year", "smallint", (c) => c.notNull().check(sql`birth_year between 1900 and 2200`))
    .execute();

  await db.schema
    .createTable("budgets")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuidKey))
    .addColumn("budget_id", "char(66)", (c) => c.notNull().unique().check(sql`budget_id ~ ${BYTES32}`))
    .addColumn("fund_id", "uuid", (c) => c.notNull().references("funds.id"))
    .addColumn("child_id", "uuid", (c) => c.references("children.id").onDelete("set null"))
    .addColumn("issued_cents", "bigint", (c) => c.notNull().defaultTo(0).check(sql`issued_cents >= 0`))
    .addColumn("holder_address", "text", (c) => c.check(sql`holder_address ~ ${ADDRESS}`))
    .addColumn("status", "text", (c) =>
      c.notNull().defaultTo("pending").check(sql`status in ('pending', 'issued', 'frozen')`),
    )
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable("activation_codes")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuidKey))
    .addColumn("family_id", "uuid", (c) => c.notNull().references("families.id").onDelete("cascade"))
    .addColumn("code_hash", "text", (c) => c.notNull().unique())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0).check(sql`attempts >= 0`))
    .addColumn("locked_until", "timestamptz")
    .addColumn("used_at", "timestamptz")
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable("merchants")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuidKey))
    .addColumn("name", "text", (c) => c.notNull().check(sql`length(name) > 0`))
    .addColumn("kvk_number", "text", (c) => c.notNull().check(sql`kvk_number ~ '^[0-9]{8}$'`))
    .addColumn("iban", "text", (c) => c.notNull().check(sql`iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'`))
    .addColumn("bic", "text", (c) => c.check(sql`bic ~ '^[A-Z0-9]{8}([A-Z0-9]{3})?$'`))
    .addColumn("categories", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn("address", "text", (c) => c.notNull())
    .addColumn("contact_email", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c.notNull().defaultTo("pending").check(sql`status in ('pending', 'approved', 'declined', 'suspended')`),
    )
    .addColumn("decline_reason", "text")
    .addColumn("chain_address", "text", (c) => c.unique().check(sql`chain_address ~ ${ADDRESS}`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable("merchant_users")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuidKey))
    .addColumn("merchant_id", "uuid", (c) => c.notNull().references("merchants.id").onDelete("cascade"))
    .addColumn("email", "text", (c) => c.notNull().unique().check(sql`email = lower(email)`))
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable("staff_users")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuidKey))
    .addColumn("email", "text", (c) => c.notNull().unique().check(sql`email = lower(email)`))
    .addColumn("password_hash", "text", (c) => c.notNull())
    // Every element must be a known role (`<@` is false for a null element too).
    .addColumn("roles", sql`text[]`, (c) =>
      c.notNull().check(sql`roles <@ array['admin', 'validator', 'merchant_manager', 'finance', 'auditor']`),
    )
    .addColumn("disabled_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable("sessions")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("subject_type", "text", (c) => c.notNull().check(sql`subject_type in ('staff', 'merchant', 'family')`))
    .addColumn("subject_id", "uuid", (c) => c.notNull())
    .addColumn("csrf_token_hash", "text", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable("payments")
    .addColumn("payment_id", "char(66)", (c) => c.primaryKey().check(sql`payment_id ~ ${BYTES32}`))
    .addColumn("fund_id", "uuid", (c) => c.notNull().references("funds.id"))
    .addColumn("budget_id", "char(66)", (c) => c.notNull().check(sql`budget_id ~ ${BYTES32}`))
    .addColumn("merchant", "text", (c) => c.notNull().check(sql`merchant ~ ${ADDRESS}`))
    .addColumn("amount_cents", "bigint", (c) => c.notNull().check(sql`amount_cents > 0`))
    .addColumn("nonce", "bigint", (c) => c.notNull().check(sql`nonce >= 0`))
    .addColumn("tx_hash", "char(66)", (c) => c.notNull().check(sql`tx_hash ~ ${BYTES32}`))
    .addColumn("block_number", "bigint", (c) => c.notNull().check(sql`block_number >= 0`))
    .addColumn("log_index", "integer", (c) => c.notNull().check(sql`log_index >= 0`))
    .addColumn("block_time", "timestamptz", (c) => c.notNull())
    .addUniqueConstraint("payments_tx_hash_log_index_key", ["tx_hash", "log_index"])
    .execute();

  await db.schema
    .createTable("refunds")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("payment_id", "char(66)", (c) => c.notNull().references("payments.payment_id"))
    .addColumn("amount_cents", "bigint", (c) => c.notNull().check(sql`amount_cents > 0`))
    .addColumn("tx_hash", "char(66)", (c) => c.notNull().check(sql`tx_hash ~ ${BYTES32}`))
    .addColumn("block_number", "bigint", (c) => c.notNull().check(sql`block_number >= 0`))
    .addColumn("log_index", "integer", (c) => c.notNull().check(sql`log_index >= 0`))
    .addColumn("block_time", "timestamptz", (c) => c.notNull())
    .addUniqueConstraint("refunds_tx_hash_log_index_key", ["tx_hash", "log_index"])
    .execute();

  await db.schema
    .createTable("chain_cursors")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("last_block", "bigint", (c) => c.notNull().check(sql`last_block >= 0`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable("idempotency_keys")
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("request_hash", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("pending").check(sql`status in ('pending', 'done')`))
    .addColumn("response", "jsonb")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint("idempotency_keys_pkey", ["scope", "key"])
    .addCheckConstraint("idempotency_keys_response_check", sql`status = 'pending' or response is not null`)
    .execute();

  await db.schema
    .createTable("audit_log")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addColumn("actor_type", "text", (c) =>
      c.notNull().check(sql`actor_type in ('staff', 'merchant', 'family', 'system')`),
    )
    .addColumn("actor_id", "text")
    .addColumn("action", "text", (c) => c.notNull().check(sql`length(action) > 0`))
    .addColumn("subject_type", "text")
    .addColumn("subject_id", "text")
    .addColumn("details", "jsonb", (c) =>
      c.notNull().defaultTo(sql`'{}'::jsonb`).check(sql`jsonb_typeof(details) = 'object'`),
    )
    .execute();

  await sql`
    create function audit_log_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only: % refused', tg_op using errcode = '42501';
    end
    $$`.execute(db);
  // Statement level, so even an UPDATE or DELETE that matches no row is refused.
  await sql`
    create trigger audit_log_append_only before update or delete or truncate on audit_log
    for each statement execute function audit_log_refuse_change()`.execute(db);

  const indexes: [name: string, table: string, columns: string[]][] = [
    ["families_fund_id_idx", "families", ["fund_id"]],
    ["children_family_id_idx", "children", ["family_id"]],
    ["budgets_fund_id_idx", "budgets", ["fund_id"]],
    ["budgets_child_id_idx", "budgets", ["child_id"]],
    ["activation_codes_family_id_idx", "activation_codes", ["family_id"]],
    ["merchant_users_merchant_id_idx", "merchant_users", ["merchant_id"]],
    ["sessions_subject_idx", "sessions", ["subject_type", "subject_id"]],
    ["sessions_expires_at_idx", "sessions", ["expires_at"]],
    ["payments_merchant_time_idx", "payments", ["merchant", "block_time desc"]],
    ["payments_budget_time_idx", "payments", ["budget_id", "block_time desc"]],
    ["payments_fund_time_idx", "payments", ["fund_id", "block_time desc"]],
    ["refunds_payment_id_idx", "refunds", ["payment_id"]],
    ["idempotency_keys_created_at_idx", "idempotency_keys", ["created_at"]],
    ["audit_log_at_idx", "audit_log", ["at"]],
    // The log is listed newest first by id (insertion order), per actor or per subject.
    ["audit_log_actor_idx", "audit_log", ["actor_type", "actor_id", "id"]],
    ["audit_log_subject_idx", "audit_log", ["subject_type", "subject_id", "id"]],
  ];
  for (const [name, table, columns] of indexes) {
    await db.schema.createIndex(name).on(table).columns(columns).execute();
  }

  for (const [table, comment] of Object.entries(COMMENTS)) {
    await sql`comment on table ${sql.table(table)} is ${sql.lit(comment)}`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  const tables = [
    "audit_log",
    "idempotency_keys",
    "chain_cursors",
    "refunds",
    "payments",
    "sessions",
    "staff_users",
    "merchant_users",
    "merchants",
    "activation_codes",
    "budgets",
    "children",
    "families",
    "sponsors",
    "funds",
  ];
  for (const table of tables) await db.schema.dropTable(table).execute();
  await sql`drop function audit_log_refuse_change()`.execute(db);
}
