// funds.time_zone: the zone a fund's days are counted in (a letter code's last day, a card's daily limit,
// expiry notices, the daily payout run) and its dates and times are shown in. Europe/Amsterdam unless the
// fund is elsewhere (the Caribbean Netherlands keep America/Kralendijk).
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("funds").addColumn("time_zone", "text", (c) => c.notNull().defaultTo("Europe/Amsterdam")).execute();
  await sql`comment on column funds.time_zone is ${sql.lit("An IANA time zone name; no personal data.")}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("funds").dropColumn("time_zone").execute();
}
