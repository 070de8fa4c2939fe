// Families apply themselves: who logged in (only a keyed hash of the identity provider's subject or of
// the email address), the open OpenID Connect logins and email codes, each fund's criteria and requested
// documents, and the applications with their children, documents (a table of their own, never in the
// application's row) and the questions and answers between staff and the family.
//
// A child may be in one live (submitted, not declined) application per fund: a unique index on the
// fund, the lower-cased first name and the date of birth of the live rows.
import { sql, type Kysely } from "kysely";

const now = sql`now()`;

const COMMENTS: Record<string, string> = {
  applicant_identities:
    "Personal data (pseudonymous): a keyed hash of the identity provider's subject or of an email address, never the subject, BSN or address. Purpose: to know the same applicant again.",
  email_login_codes: "Personal data (pseudonymous): keyed hashes of an email address and of a login code, kept 15 minutes. Purpose: logging in by email where no identity provider is configured.",
  applications:
    "Personal data: the household (parent's name, address) and answers of an application. Purpose: to decide on the application; deleted after the fund's retention, or with the family.",
  application_children: "Personal data: the first name and date of birth of each child in an application. Purpose: to decide on the application and refuse a child applied for twice.",
  application_documents:
    "Personal data of the most sensitive kind: the documents a fund asks for (e.g. an income statement). Purpose: to decide on the application; deleted with it.",
  application_settings: "Per fund: whether families may apply, the criteria and documents asked for, retention and four-eyes. No personal data.",
  oidc_logins: "OpenID Connect logins under way (state, nonce, PKCE verifier), found by a hash of the browser's cookie, used once, ten minutes at most. No personal data.",
  application_messages: "Personal data: questions of validators and the family's answers. Purpose: to decide on the application; deleted with it.",
};

export async function up(db: Kysely<any>): Promise<void> {
  // An applicant's session and audit entries have a subject and actor type of their own.
  await sql`alter table sessions drop constraint sessions_subject_type_check`.execute(db);
  await sql`alter table sessions add constraint sessions_subject_type_check
    check (subject_type in ('staff', 'merchant', 'family', 'applicant'))`.execute(db);
  await sql`alter table audit_log drop constraint audit_log_actor_type_check`.execute(db);
  await sql`alter table audit_log add constraint audit_log_actor_type_check
    check (actor_type in ('staff', 'merchant', 'family', 'system', 'applicant'))`.execute(db);

  await db.schema
    .createTable("applicant_identities")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("method", "text", (c) => c.notNull().check(sql`method in ('oidc', 'email')`))
    // HMAC-SHA256 under the server's applicant key of the issuer and subject (or the email address).
    .addColumn("subject_hash", "text", (c) => c.notNull().unique().check(sql`subject_hash ~ '^[0-9a-f]{64}$'`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addColumn("last_login_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();

  // One row per OpenID Connect login under way: found by the hash of the browser's cookie, used once.
  await db.schema
    .createTable("oidc_logins")
    .addColumn("id", "text", (c) => c.primaryKey().check(sql`id ~ '^[0-9a-f]{64}$'`))
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("nonce", "text", (c) => c.notNull())
    .addColumn("code_verifier", "text", (c) => c.notNull())
    .addColumn("return_to", "text", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("email_login_codes")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("email_hash", "text", (c) => c.notNull().check(sql`email_hash ~ '^[0-9a-f]{64}$'`))
    .addColumn("code_hash", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0).check(sql`attempts >= 0`))
    .addColumn("used_at", "timestamptz")
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex("email_login_codes_email_hash_idx").on("email_login_codes").columns(["email_hash", "created_at"]).execute();

  await db.schema
    .createTable("application_settings")
    .addColumn("fund_id", "uuid", (c) => c.primaryKey().references("funds.id"))
    .addColumn("open", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("four_eyes", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("retention_days", "integer", (c) => c.notNull().defaultTo(365).check(sql`retention_days between 1 and 3650`))
    .addColumn("consent_text", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("criteria", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`).check(sql`jsonb_typeof(criteria) = 'array'`))
    .addColumn("documents", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`).check(sql`jsonb_typeof(documents) = 'array'`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable("applications")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("fund_id", "uuid", (c) => c.notNull().references("funds.id"))
    .addColumn("applicant_id", "uuid", (c) => c.notNull().references("applicant_identities.id"))
    .addColumn("status", "text", (c) =>
      c.notNull().defaultTo("draft").check(sql`status in ('draft', 'submitted', 'questions', 'awaiting_second', 'approved', 'declined')`),
    )
    .addColumn("household", "jsonb", (c) => c.notNull().check(sql`jsonb_typeof(household) = 'object'`))
    .addColumn("answers", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`).check(sql`jsonb_typeof(answers) = 'object'`))
    // The fund's criteria and documents as they were when the family submitted: the review judges by those.
    .addColumn("criteria", "jsonb")
    .addColumn("consent_text", "text")
    .addColumn("submitted_at", "timestamptz")
    .addColumn("first_approved_by", "uuid", (c) => c.references("staff_users.id"))
    .addColumn("first_approved_at", "timestamptz")
    .addColumn("decided_by", "uuid", (c) => c.references("staff_users.id"))
    .addColumn("decided_at", "timestamptz")
    .addColumn("decline_reason", "text")
    .addColumn("family_id", "uuid", (c) => c.references("families.id"))
    // Decided applications (with their documents) are deleted from this moment: the fund's retention.
    .addColumn("delete_after", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex("applications_fund_status_idx").on("applications").columns(["fund_id", "status", "submitted_at"]).execute();
  await db.schema.createIndex("applications_applicant_idx").on("applications").column("applicant_id").execute();
  await db.schema.createIndex("applications_family_idx").on("applications").column("family_id").execute();
  await db.schema.createIndex("applications_delete_after_idx").on("applications").column("delete_after").execute();

  await db.schema
    .createTable("application_children")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("application_id", "uuid", (c) => c.notNull().references("applications.id").onDelete("cascade"))
    .addColumn("fund_id", "uuid", (c) => c.notNull().references("funds.id"))
    .addColumn("position", "smallint", (c) => c.notNull())
    .addColumn("first_name", "text", (c) => c.notNull().check(sql`length(first_name) > 0`))
    .addColumn("birth_date", "date", (c) => c.notNull())
    // Submitted and not declined: holds the child's place in the fund.
    .addColumn("live", "boolean", (c) => c.notNull().defaultTo(false))
    .execute();
  await sql`create unique index application_children_live_key
    on application_children (fund_id, lower(first_name), birth_date) where live`.execute(db);
  await db.schema.createIndex("application_children_application_idx").on("application_children").column("application_id").execute();

  await db.schema
    .createTable("application_documents")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("application_id", "uuid", (c) => c.notNull().references("applications.id").onDelete("cascade"))
    .addColumn("document_key", "text", (c) => c.notNull())
    .addColumn("content_type", "text", (c) => c.notNull().check(sql`content_type in ('application/pdf', 'image/jpeg', 'image/png')`))
    .addColumn("size_bytes", "integer", (c) => c.notNull().check(sql`size_bytes > 0`))
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("content", "bytea", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex("application_documents_application_idx").on("application_documents").column("application_id").execute();

  await db.schema
    .createTable("application_messages")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("application_id", "uuid", (c) => c.notNull().references("applications.id").onDelete("cascade"))
    .addColumn("author", "text", (c) => c.notNull().check(sql`author in ('staff', 'applicant')`))
    .addColumn("staff_id", "uuid", (c) => c.references("staff_users.id"))
    .addColumn("body", "text", (c) => c.notNull().check(sql`length(body) between 1 and 2000`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex("application_messages_application_idx").on("application_messages").columns(["application_id", "created_at"]).execute();

  for (const [table, comment] of Object.entries(COMMENTS)) {
    await sql`comment on table ${sql.table(table)} is ${sql.lit(comment)}`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "application_messages", "application_documents", "application_children", "applications", "application_settings",
    "email_login_codes", "oidc_logins", "applicant_identities",
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await sql`delete from sessions where subject_type = 'applicant'`.execute(db);
  await sql`alter table sessions drop constraint sessions_subject_type_check`.execute(db);
  await sql`alter table sessions add constraint sessions_subject_type_check check (subject_type in ('staff', 'merchant', 'family'))`.execute(db);
  await sql`alter table audit_log drop constraint audit_log_actor_type_check`.execute(db);
  await sql`alter table audit_log add constraint audit_log_actor_type_check
    check (actor_type in ('staff', 'merchant', 'family', 'system'))`.execute(db);
}
