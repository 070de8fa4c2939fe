// Counters of login attempts per login name (as a keyed hash), for rate-limiting password guessing.
import type { ColumnType } from "kysely";
import { inTransaction, type Db } from "../../db/index.ts";

interface LoginAttemptsTable {
  key_hash: string;
  attempts: number;
  last_attempt_at: ColumnType<Date, Date, Date>;
  locked_until: ColumnType<Date | null, Date | null, Date | null>;
}

export interface AttemptPolicy {
  /** Attempts allowed within `windowMs`; the next one is refused until the lock ends. */
  maxAttempts: number;
  /** Attempts older than this are forgotten. */
  windowMs: number;
  lockMs: number;
}

export type AttemptClaim = { allowed: true } | { allowed: false; lockedUntil: Date };

export interface LoginAttemptsRepository {
  /**
   * Counts one attempt before the password is checked (so that parallel guesses count too), or refuses
   * it while the key is locked. Reaching the maximum locks the key for the attempts after this one.
   */
  claim(keyHash: string, now: Date, policy: AttemptPolicy): Promise<AttemptClaim>;
  /** A successful login forgets the attempts. */
  reset(keyHash: string): Promise<void>;
  /** Takes back one counted attempt that succeeded (a counter of failures shared by many accounts). */
  forgive(keyHash: string): Promise<void>;
}

export function loginAttemptsRepository(db: Db): LoginAttemptsRepository {
  return {
    claim(keyHash, now, policy) {
      return inTransaction(db, async (trx) => {
        const t = trx.withTables<{ login_attempts: LoginAttemptsTable }>();
        await t
          .insertInto("login_attempts")
          .values({ key_hash: keyHash, attempts: 0, last_attempt_at: now, locked_until: null })
          .onConflict((oc) => oc.column("key_hash").doNothing())
          .execute();
        const row = await t
          .selectFrom("login_attempts")
          .selectAll()
          .where("key_hash", "=", keyHash)
          .forUpdate()
          .executeTakeFirstOrThrow();
        if (row.locked_until !== null && row.locked_until > now) return { allowed: false, lockedUntil: row.locked_until };
        const stale = now.getTime() - row.last_attempt_at.getTime() > policy.windowMs || row.locked_until !== null;
        const attempts = (stale ? 0 : row.attempts) + 1;
        const lockedUntil = attempts >= policy.maxAttempts ? new Date(now.getTime() + policy.lockMs) : null;
        await t
          .updateTable("login_attempts")
          .set({ attempts, last_attempt_at: now, locked_until: lockedUntil })
          .where("key_hash", "=", keyHash)
          .execute();
        return { allowed: true };
      });
    },
    async forgive(keyHash) {
      await db.withTables<{ login_attempts: LoginAttemptsTable }>().updateTable("login_attempts")
        .set((eb) => ({ attempts: eb("attempts", "-", 1) }))
        .where("key_hash", "=", keyHash).where("attempts", ">", 0).where("locked_until", "is", null).execute();
    },
    async reset(keyHash) {
      await db.withTables<{ login_attempts: LoginAttemptsTable }>().deleteFrom("login_attempts").where("key_hash", "=", keyHash).execute();
    },
  };
}
