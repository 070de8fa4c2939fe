// idempotency_keys.holder: the lock key of the backend process that made the claim (claim-holder.ts).
// While that process runs it holds the lock; once the lock is gone, a retry may take the claim over at
// once. Null: made where no other process could take it over (PGlite), or before this column.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("idempotency_keys").addColumn("holder", "int8").execute();
  await sql`comment on column idempotency_keys.holder is ${sql.lit("Advisory lock key of the backend process holding a pending claim; no personal data.")}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("idempotency_keys").dropColumn("holder").execute();
}
