// The clients that logged in to an account before (a keyed hash of account and client address).
import type { Db } from "../../db/index.ts";

export function loginClientsRepository(db: Db) {
  return {
    async isKnown(keyHash: string): Promise<boolean> {
      return (await db.selectFrom("login_clients").select("key_hash").where("key_hash", "=", keyHash).executeTakeFirst()) !== undefined;
    },
    async remember(keyHash: string, at: Date): Promise<void> {
      await db
        .insertInto("login_clients")
        .values({ key_hash: keyHash, last_login_at: at })
        .onConflict((oc) => oc.column("key_hash").doUpdateSet({ last_login_at: at }))
        .execute();
    },
  };
}
