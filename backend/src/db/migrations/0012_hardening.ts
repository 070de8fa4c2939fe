// After the outside review:
// - family_login_challenges: a family that lost its session logs in again by signing a challenge with
//   its device key; each challenge is used once and lives two minutes (at most one open per key).
// - login_clients: the clients (a keyed hash of account and client address) that logged in to an account
//   before, whose correct password gets through while the account is locked against strangers.
// - staff_users.totp_*: a staff user's second factor (TOTP), once enrolled.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table family_login_challenges (
      holder_address text primary key,
      nonce_hash text not null,
      expires_at timestamptz not null
    )`.execute(db);
  await sql`
    create table login_clients (
      key_hash text primary key,
      last_login_at timestamptz not null
    )`.execute(db);
  await sql`alter table staff_users add column totp_secret text, add column totp_enabled_at timestamptz`.execute(db);
  await sql`comment on table family_login_challenges is ${sql.lit(
    "A phone's one open login challenge (its public holder address, a hash of the nonce), used once within two minutes. No personal data.",
  )}`.execute(db);
  await sql`comment on table login_clients is ${sql.lit(
    "Clients that logged in to an account before, as a keyed hash of account and client address (neither can be read back). No personal data.",
  )}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table staff_users drop column totp_secret, drop column totp_enabled_at`.execute(db);
  await sql`drop table login_clients`.execute(db);
  await sql`drop table family_login_challenges`.execute(db);
}
