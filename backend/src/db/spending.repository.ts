// The payments and refunds not yet in the spending rollups (migration 0023_spending_deltas) are folded
// into them here: by every reader of the rollups first, and by the indexer after each batch.
import { sql } from "kysely";
import type { Db } from "./transaction.ts";

export interface SpendingRepository {
  /**
   * Adds every committed payment and refund to spending_by_shop and spending_daily. One cheap statement
   * when there is nothing to add; waits for a fold running elsewhere. In a transaction, holds the rollups'
   * lock until it ends: call it on the pool, or at the end of a short transaction.
   */
  fold(): Promise<void>;
  /**
   * Vacuums the deltas' table, which every fold empties: PostgreSQL's autovacuum does so by itself, embedded
   * PGlite has none, and there an empty fold would read ever more dead rows. Not in a transaction.
   */
  tidy(): Promise<void>;
}

export function spendingRepository(db: Db): SpendingRepository {
  return {
    async fold() {
      await sql`select spending_fold()`.execute(db);
    },
    async tidy() {
      await sql`vacuum spending_deltas`.execute(db);
    },
  };
}
