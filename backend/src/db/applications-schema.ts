// The tables added by migration 0014_applications, as Kysely sees them. The applicants' and applications'
// repositories use `withApplicationTables(db)`; schema.ts stays as it is so parallel migrations do not
// collide there.
import type { ColumnType, Generated, Kysely } from "kysely";
import type { Database, JsonObject, JsonValue } from "./schema.ts";
import type { Db } from "./transaction.ts";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Jsonb<T extends JsonValue> = ColumnType<T, string, string>;

export type ApplicantMethod = "oidc" | "email";
export type ApplicationStatus = "draft" | "submitted" | "questions" | "awaiting_second" | "approved" | "declined";
export type DocumentContentType = "application/pdf" | "image/jpeg" | "image/png";

export interface ApplicantIdentitiesTable {
  id: Generated<string>;
  method: ApplicantMethod;
  subject_hash: string;
  created_at: GeneratedTimestamp;
  last_login_at: GeneratedTimestamp;
}

export interface OidcLoginsTable {
  id: string;
  state: string;
  nonce: string;
  code_verifier: string;
  return_to: string;
  expires_at: Timestamp;
}

export interface EmailLoginCodesTable {
  id: Generated<string>;
  email_hash: string;
  code_hash: string;
  attempts: ColumnType<number, number | undefined, number>;
  used_at: Timestamp | null;
  expires_at: Timestamp;
  created_at: GeneratedTimestamp;
}

export interface ApplicationSettingsTable {
  fund_id: string;
  open: ColumnType<boolean, boolean | undefined, boolean>;
  four_eyes: ColumnType<boolean, boolean | undefined, boolean>;
  retention_days: ColumnType<number, number | undefined, number>;
  consent_text: ColumnType<string, string | undefined, string>;
  criteria: ColumnType<JsonValue[], string | undefined, string>;
  documents: ColumnType<JsonValue[], string | undefined, string>;
  /** Migration 0017. */
  bsn_required: ColumnType<boolean, boolean | undefined, boolean>;
  updated_at: GeneratedTimestamp;
}

export interface ApplicationsTable {
  id: Generated<string>;
  fund_id: string;
  applicant_id: string;
  status: ColumnType<ApplicationStatus, ApplicationStatus | undefined, ApplicationStatus>;
  household: Jsonb<JsonObject>;
  answers: ColumnType<JsonObject, string | undefined, string>;
  criteria: ColumnType<JsonObject | null, string | null | undefined, string | null>;
  consent_text: string | null;
  submitted_at: Timestamp | null;
  first_approved_by: string | null;
  first_approved_at: Timestamp | null;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decline_reason: string | null;
  family_id: string | null;
  delete_after: Timestamp | null;
  /** Migration 0017: the BSN sealed under the BSN key (bsn.ts), only where the fund needs it. */
  bsn_sealed: ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface ApplicationChildrenTable {
  id: Generated<string>;
  application_id: string;
  fund_id: string;
  position: number;
  first_name: string;
  /** 'YYYY-MM-DD' */
  birth_date: string;
  live: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface ApplicationDocumentsTable {
  id: Generated<string>;
  application_id: string;
  document_key: string;
  content_type: DocumentContentType;
  size_bytes: number;
  sha256: string;
  content: ColumnType<Uint8Array, Uint8Array, Uint8Array>;
  created_at: GeneratedTimestamp;
}

export interface ApplicationMessagesTable {
  id: Generated<string>;
  application_id: string;
  author: "staff" | "applicant";
  staff_id: string | null;
  body: string;
  created_at: GeneratedTimestamp;
}

export type ApplicationTables = {
  applicant_identities: ApplicantIdentitiesTable;
  oidc_logins: OidcLoginsTable;
  email_login_codes: EmailLoginCodesTable;
  application_settings: ApplicationSettingsTable;
  applications: ApplicationsTable;
  application_children: ApplicationChildrenTable;
  application_documents: ApplicationDocumentsTable;
  application_messages: ApplicationMessagesTable;
};

export type ApplicationDatabase = Database & ApplicationTables;

/** The same handle (or transaction), typed with the tables of migration 0014. */
export function withApplicationTables(db: Db): Kysely<ApplicationDatabase> {
  return db.withTables<ApplicationTables>() as unknown as Kysely<ApplicationDatabase>;
}
