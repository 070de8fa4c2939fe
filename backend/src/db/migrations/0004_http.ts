// Login attempt counters for rate-limiting password guessing, per login name (staff and merchant
// users alike). The login name is stored only as a keyed hash; sessions are in 0001's `sessions`.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("login_attempts")
    .addColumn("key_hash", "text", (c) => c.primaryKey())
    .addColumn("attempts", "integer", (c) => c.notNull().check(sql`attempts >= 0`))
    .addColumn("last_attempt_at", "timestamptz", (c) => c.notNull())
    .addColumn("locked_until", "timestamptz")
    .execute();
  await sql`comment on table login_attempts is ${sql.lit(
    "Personal data (pseudonymous: a keyed hash of a login email, never the email). Purpose: refuse password " +
      "guessing by counting failed logins. Deleted at the next successful login; stale rows may be purged.",
  )}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("login_attempts").execute();
}
