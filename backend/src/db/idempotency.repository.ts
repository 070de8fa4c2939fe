// Idempotency keys: the first request with a key claims it, does the work and stores its answer;
// every retry gets that answer instead of acting again.
import { sql, type Selectable } from "kysely";
import type { IdempotencyKeysTable, IdempotencyStatus, JsonValue } from "./schema.ts";
import { PREPARED } from "./connect.ts";
import { precompiled } from "./precompiled.ts";
import type { Db } from "./transaction.ts";

/**
 * - 'claimed': this caller owns the key and must do the work, then `complete` (or `release`) it;
 * - { done }: the work was done before; answer with `done` again;
 * - 'in-progress': another request holds the key and has not finished;
 * - 'mismatch': the key was used for a different request.
 */
export type ClaimResult = "claimed" | { done: JsonValue } | "in-progress" | "mismatch";

export interface IdempotencyRecord {
  requestHash: string;
  status: IdempotencyStatus;
  response: JsonValue | null;
  createdAt: Date;
}

export interface IdempotencyRepository {
  /** Claims `key` in `scope` (e.g. a merchant's charges) for the request with hash `requestHash`. */
  claim(scope: string, key: string, requestHash: string): Promise<ClaimResult>;
  /**
   * As `claim`, and when its first insert claims the key, also claims `also` in the same statement (a
   * charge's key and its permit): `alsoClaimed` says whether that second key was free; null when it was
   * not tried (the key was claimed only on a later attempt). The second is never claimed alone.
   */
  claimWith(scope: string, key: string, requestHash: string, also: { scope: string; key: string; requestHash: string }): Promise<{ claim: ClaimResult; alsoClaimed: boolean | null }>;
  /**
   * Stores the answer of a claimed key; retries get it from `claim`.
   * @throws Error when the key is not claimed or already complete.
   */
  complete(scope: string, key: string, response: JsonValue): Promise<void>;
  /** Gives a claimed key up (the work was not done), so a retry can claim it. */
  release(scope: string, key: string): Promise<void>;
}

function toIdempotencyRecord(row: Selectable<IdempotencyKeysTable>): IdempotencyRecord {
  return { requestHash: row.request_hash, status: row.status, response: row.response, createdAt: row.created_at };
}

/** The claim: a charge's every request runs it. */
const insertKey = precompiled((db: Db, scope: string, key: string, requestHash: string, holder: number | null) =>
  db.insertInto("idempotency_keys")
    .values({ scope, key, request_hash: requestHash, holder })
    .onConflict((oc) => oc.columns(["scope", "key"]).doNothing())
    .returning("key")
    .modifyEnd(PREPARED));

/** Two claims in one round trip: the second key is inserted only when the first was. */
const insertKeys = precompiled((db: Db, scope: string, key: string, requestHash: string, alsoScope: string, alsoKey: string, alsoHash: string, holder: number | null) =>
  db
    .with("k", (q) =>
      q.insertInto("idempotency_keys")
        .values({ scope, key, request_hash: requestHash, holder })
        .onConflict((oc) => oc.columns(["scope", "key"]).doNothing())
        .returning("key"))
    .with("a", (q) =>
      q.insertInto("idempotency_keys")
        .columns(["scope", "key", "request_hash", "holder"])
        .expression((e) => e.selectFrom("k").select([sql.val(alsoScope).as("scope"), sql.val(alsoKey).as("key"), sql.val(alsoHash).as("request_hash"), sql<number | null>`${holder}::int8`.as("holder")]))
        .onConflict((oc) => oc.columns(["scope", "key"]).doNothing())
        .returning("key"))
    .selectFrom("k")
    .select(sql<string>`(select count(*) from a)::int8`.as("also"))
    .modifyEnd(PREPARED));

/**
 * `holder`: the mark of the process making the claims (claim-holder.ts), so that another may take one
 * over once this process is gone; null (the default): no mark.
 */
export function idempotencyRepository(db: Db, holder: number | null = null): IdempotencyRepository {
  async function earlier(scope: string, key: string, requestHash: string): Promise<ClaimResult | undefined> {
    const row = await db
      .selectFrom("idempotency_keys")
      .selectAll()
      .where("scope", "=", scope)
      .where("key", "=", key)
      .executeTakeFirst();
    if (!row) return undefined;
    const found = toIdempotencyRecord(row);
    if (found.requestHash !== requestHash) return "mismatch";
    if (found.status === "done") return { done: found.response };
    return "in-progress";
  }

  const repository: IdempotencyRepository = {
    async claim(scope, key, requestHash) {
      // The key's holder may release it between our insert and our read: then try again.
      for (let attempt = 0; attempt < 3; attempt++) {
        // One statement decides: of concurrent inserts of one key, exactly one inserts a row; the
        // others wait for it to commit and then do nothing.
        const [claimed] = await insertKey.rows(db, scope, key, requestHash, holder);
        if (claimed) return "claimed";
        const found = await earlier(scope, key, requestHash);
        if (found) return found;
      }
      throw new Error(`Idempotency key ${scope}/${key} keeps being claimed and released; giving up`);
    },

    async claimWith(scope, key, requestHash, also) {
      const [claimed] = await insertKeys.rows(db, scope, key, requestHash, also.scope, also.key, also.requestHash, holder);
      if (claimed) return { claim: "claimed", alsoClaimed: Number(claimed.also) > 0 };
      return { claim: (await earlier(scope, key, requestHash)) ?? (await repository.claim(scope, key, requestHash)), alsoClaimed: null };
    },

    async complete(scope, key, response) {
      const result = await db
        .updateTable("idempotency_keys")
        .set({ status: "done", response: JSON.stringify(response) })
        .where("scope", "=", scope)
        .where("key", "=", key)
        .where("status", "=", "pending")
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) {
        throw new Error(`Idempotency key ${scope}/${key} is not claimed, or already complete`);
      }
    },

    async release(scope, key) {
      await db
        .deleteFrom("idempotency_keys")
        .where("scope", "=", scope)
        .where("key", "=", key)
        .where("status", "=", "pending")
        .execute();
    },
  };
  return repository;
}
