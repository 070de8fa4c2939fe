// The fund contracts the indexer follows: every fund in the funds table.
import type { Db } from "../../db/transaction.ts";

export function indexedFundsRepository(db: Db) {
  return {
    async addresses(): Promise<string[]> {
      const rows = await db.selectFrom("funds").select("chain_address").orderBy("factory_index").execute();
      return rows.map((r) => r.chain_address);
    },
  };
}
