import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.ts";

/** A database handle or an open transaction: repositories take either, so callers can compose them. */
export type Db = Kysely<Database>;

/**
 * Runs `work` in a transaction: the caller's, when `db` already is one (the edge opened it and passed it
 * down), else a new one that commits when `work` resolves and rolls back when it throws.
 * Inside `work`, use only `trx`: PGlite has a single connection, so a query on the outer handle would
 * wait for the transaction that waits for it.
 */
export function inTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Transaction<Database>) : db.transaction().execute(work);
}
