// A fund may need the citizen service number (BSN) of those who apply: a setting per fund, and the
// number itself with the application, sealed (AES-256-GCM under BSN_KEY_FILE's key, outside the
// database). Deleted with the application's row (retention, the family's deletion).
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("application_settings").addColumn("bsn_required", "boolean", (c) => c.notNull().defaultTo(false)).execute();
  await db.schema.alterTable("applications").addColumn("bsn_sealed", "bytea").execute();
  await sql`comment on column applications.bsn_sealed is ${sql.lit(
    "Personal data: the applicant's BSN, encrypted (AES-256-GCM, key outside the database), only where the fund needs it. " +
      "Purpose: the fund's checks with the municipality's registers. Deleted with the application.",
  )}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("applications").dropColumn("bsn_sealed").execute();
  await db.schema.alterTable("application_settings").dropColumn("bsn_required").execute();
}
