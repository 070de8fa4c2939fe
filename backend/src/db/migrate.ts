// Runs the schema migrations. The list is static (imported modules, no folder scanning), so the
// migrations travel with the code whatever the bundler or working directory.
import type { Kysely } from "kysely";
import { Migrator, type Migration, type MigrationProvider } from "kysely/migration";
import * as m0001 from "./migrations/0001_initial.ts";

/** Every migration, by name; names sort in the order they must run. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  "0001_initial": m0001,
  "0002_eligibility": await import("./migrations/0002_eligibility.ts"),
  "0003_payments": await import("./migrations/0003_payments.ts"),
  "0004_http": await import("./migrations/0004_http.ts"),
  "0005_apps": await import("./migrations/0005_apps.ts"),
  "0006_payouts": await import("./migrations/0006_payouts.ts"),
  "0008_dashboard_indexes": await import("./migrations/0008_dashboard_indexes.ts"),
  "0009_payment_rollups": await import("./migrations/0009_payment_rollups.ts"),
  "0010_letters": await import("./migrations/0010_letters.ts"),
  "0012_hardening": await import("./migrations/0012_hardening.ts"),
  "0013_cards": await import("./migrations/0013_cards.ts"),
  "0014_applications": await import("./migrations/0014_applications.ts"),
  "0015_notifications": await import("./migrations/0015_notifications.ts"),
  "0016_languages": await import("./migrations/0016_languages.ts"),
  "0017_application_bsn": await import("./migrations/0017_application_bsn.ts"),
  "0018_recovered_payouts": await import("./migrations/0018_recovered_payouts.ts"),
  "0019_fund_time_zone": await import("./migrations/0019_fund_time_zone.ts"),
  "0021_totp_last_step": await import("./migrations/0021_totp_last_step.ts"),
  "0022_children_fund": await import("./migrations/0022_children_fund.ts"),
  "0023_spending_deltas": await import("./migrations/0023_spending_deltas.ts"),
  "0024_spending_category_changes": await import("./migrations/0024_spending_category_changes.ts"),
  "0025_claim_holders": await import("./migrations/0025_claim_holders.ts"),
};

function migrator(db: Kysely<any>, migrations: Readonly<Record<string, Migration>>): Migrator {
  const provider: MigrationProvider = { getMigrations: async () => ({ ...migrations }) };
  return new Migrator({ db, provider });
}

/**
 * Brings the database to the latest schema. Returns the names of the migrations it ran (none when the
 * database was up to date). Each migration runs in a transaction; concurrent callers (several replicas
 * starting at once) are serialised by Kysely's migration lock.
 * `migrations` is for tests; the application always runs MIGRATIONS.
 * @throws Error naming the migration that failed, with the database's error as `cause`.
 */
export async function migrateToLatest(
  db: Kysely<any>,
  migrations: Readonly<Record<string, Migration>> = MIGRATIONS,
): Promise<string[]> {
  const { error, results } = await migrator(db, migrations).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      failed === undefined
        ? `Database migrations could not start: ${reason}`
        : `Database migration "${failed}" failed: ${reason}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Names of the migrations already applied to this database, oldest first. */
export async function appliedMigrations(db: Kysely<any>): Promise<string[]> {
  const all = await migrator(db, MIGRATIONS).getMigrations();
  return all.filter((m) => m.executedAt !== undefined).map((m) => m.name);
}
