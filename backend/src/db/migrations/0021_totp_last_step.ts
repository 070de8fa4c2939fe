// staff_users.totp_last_step: the 30-second step of the last second-factor code accepted for the user. A code
// counts once (RFC 6238 §5.2): one seen over someone's shoulder cannot log in again within its window.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("staff_users").addColumn("totp_last_step", "int8").execute();
  await sql`comment on column staff_users.totp_last_step is ${sql.lit("Unix time / 30 of the last accepted TOTP code; no personal data.")}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("staff_users").dropColumn("totp_last_step").execute();
}
