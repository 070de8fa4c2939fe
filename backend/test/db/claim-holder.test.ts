// Which process holds a claim: each backend process holds a lock of its own while it runs and marks its
// claims with it; once that lock is gone (the process was killed, its sessions ended), a retry may take
// the claim over at once, and exactly one of several does. On PGlite there is one process and no mark.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { holdClaims, type ClaimHolder } from "../../src/db/claim-holder.ts";
import { idempotencyRepository } from "../../src/db/idempotency.repository.ts";
import type { Db } from "../../src/db/transaction.ts";
import { paymentsRepository } from "../../src/domain/payments/payments.repository.ts";
import { ENGINES, useDatabase } from "../support/engines.ts";

const failures: unknown[] = [];
const onError = (error: unknown) => failures.push(error);

/** A holder whose lock is held (its first round done). */
async function holding(db: Db): Promise<ClaimHolder & { id: number }> {
  const holder = holdClaims({ db, kind: "postgres", intervalMs: 50, onError });
  for (let i = 0; i < 200 && holder.id === null; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(holder.id).not.toBeNull();
  return holder as ClaimHolder & { id: number };
}

async function lockHeld(db: Db, key: number): Promise<boolean> {
  const { rows } = await sql<{ held: boolean }>`
    select exists (select 1 from pg_locks where locktype = 'advisory' and objsubid = 1 and granted
                    and (classid::int8 << 32) + objid::int8 = ${key}::int8) as held`.execute(db);
  return rows[0]!.held;
}

describe.each(ENGINES)("claims and their holders on $name", (engine) => {
  const ctx = useDatabase(engine);
  const started: ClaimHolder[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((h) => h.stop()));
    expect(failures.splice(0)).toEqual([]);
  });

  it.skipIf(engine.name === "pglite")("holds a lock of its own while it runs, marks its claims with it, and lets it go when stopped", async () => {
    const [a, b] = [await holding(ctx.db), await holding(ctx.db)];
    started.push(a, b);
    expect(a.id).not.toBe(b.id);
    expect(await lockHeld(ctx.db, a.id)).toBe(true);
    const scope = `charge:${randomUUID()}`;
    await idempotencyRepository(ctx.db, a.id).claimWith(scope, "key-1", "hash", { scope: "permit", key: randomUUID(), requestHash: "p" });
    const row = await ctx.db.selectFrom("idempotency_keys").select("holder").where("scope", "=", scope).executeTakeFirstOrThrow();
    expect(row.holder).toBe(BigInt(a.id));
    const key = a.id;
    await a.stop();
    expect(a.id).toBeNull();
    expect(await lockHeld(ctx.db, key)).toBe(false);
    expect(await lockHeld(ctx.db, b.id)).toBe(true);
  });

  it.skipIf(engine.name === "pglite")("lets a claim be taken over once its holder is gone, by exactly one of five at once, and not before", async () => {
    const [gone, live] = [await holding(ctx.db), await holding(ctx.db)];
    started.push(gone, live);
    const scope = `charge:${randomUUID()}`;
    const keys = Array.from({ length: 8 }, (_, i) => `key-${i}`);
    for (const key of keys) expect(await idempotencyRepository(ctx.db, gone.id).claim(scope, key, "hash")).toBe("claimed");
    const repo = paymentsRepository(ctx.db);
    // Its holder still runs: nobody takes it, not even for the same request.
    expect(await repo.takeOverOrphanedClaim(scope, "key-0", "hash", live.id)).toBe(false);
    await gone.stop();
    // Another request with the same key is no retry of it.
    expect(await repo.takeOverOrphanedClaim(scope, "key-0", "another request", live.id)).toBe(false);
    for (const key of keys) {
      const taken = await Promise.all([live.id, live.id, live.id, live.id, null].map((holder) => repo.takeOverOrphanedClaim(scope, key, "hash", holder)));
      expect(taken.filter(Boolean)).toHaveLength(1);
      const row = await ctx.db.selectFrom("idempotency_keys").select(["holder", "status"]).where("scope", "=", scope).where("key", "=", key).executeTakeFirstOrThrow();
      expect(row.status).toBe("pending");
      // Whoever took it marked it as theirs; taken by the one without a mark, it can only age.
      expect([BigInt(live.id), null]).toContainEqual(row.holder);
    }
  });

  it("never takes over a claim without a mark: its holder is unknown, so only its age tells", async () => {
    const holder = holdClaims({ db: ctx.db, kind: engine.name, intervalMs: 50, onError });
    started.push(holder);
    if (engine.name === "pglite") expect(holder.id).toBeNull();
    const scope = `charge:${randomUUID()}`;
    expect(await idempotencyRepository(ctx.db).claim(scope, "key-1", "hash")).toBe("claimed");
    expect(await paymentsRepository(ctx.db).takeOverOrphanedClaim(scope, "key-1", "hash", holder.id)).toBe(false);
    // A completed key is nobody's to take either.
    await idempotencyRepository(ctx.db).complete(scope, "key-1", { done: true });
    expect(await paymentsRepository(ctx.db).takeOverOrphanedClaim(scope, "key-1", "hash", holder.id)).toBe(false);
  });
  it.skipIf(engine.name === "pglite")("lets another key's charge take a QR's permit claim once its holder is gone, by exactly one of five at once, for that charge's request", async () => {
    const [gone, live] = [await holding(ctx.db), await holding(ctx.db)];
    started.push(gone, live);
    const scope = `permit:${randomUUID()}`;
    const permits = Array.from({ length: 8 }, (_, i) => `budget:${i}`);
    for (const permit of permits) expect(await idempotencyRepository(ctx.db, gone.id).claim(scope, permit, "left charge")).toBe("claimed");
    const repo = paymentsRepository(ctx.db);
    const notStale = new Date(Date.now() - 60_000);
    expect(await repo.takeOverAbandonedPermit(scope, "budget:0", "other charge", notStale, live.id)).toBe(false);
    await gone.stop();
    for (const permit of permits) {
      const taken = await Promise.all([1, 2, 3, 4, 5].map((n) => repo.takeOverAbandonedPermit(scope, permit, `other charge ${n}`, notStale, live.id)));
      expect(taken.filter(Boolean)).toHaveLength(1);
      const winner = `other charge ${taken.indexOf(true) + 1}`;
      // The claim is now the winner's: its request, its holder (alive), so nobody else takes it.
      expect(await idempotencyRepository(ctx.db).claim(scope, permit, winner)).toBe("in-progress");
      expect(await idempotencyRepository(ctx.db).claim(scope, permit, "left charge")).toBe("mismatch");
      expect(await repo.takeOverAbandonedPermit(scope, permit, "late charge", notStale, live.id)).toBe(false);
    }
  });

  it("lets another key's charge take a QR's permit claim that is older than the stale time, by exactly one of five at once, and never a completed one", async () => {
    const scope = `permit:${randomUUID()}`;
    const keys = idempotencyRepository(ctx.db);
    expect(await keys.claim(scope, "budget:1", "left charge")).toBe("claimed");
    const repo = paymentsRepository(ctx.db);
    const staleBefore = () => new Date(Date.now() - 5 * 60_000);
    expect(await repo.takeOverAbandonedPermit(scope, "budget:1", "other charge", staleBefore(), null)).toBe(false);
    await ctx.db.updateTable("idempotency_keys").set({ created_at: new Date(Date.now() - 10 * 60_000) }).where("scope", "=", scope).execute();
    const taken = await Promise.all([1, 2, 3, 4, 5].map((n) => repo.takeOverAbandonedPermit(scope, "budget:1", `other charge ${n}`, staleBefore(), null)));
    expect(taken.filter(Boolean)).toHaveLength(1);
    expect(await keys.claim(scope, "budget:1", `other charge ${taken.indexOf(true) + 1}`)).toBe("in-progress");
    await keys.complete(scope, "budget:1", "0xpayment");
    await ctx.db.updateTable("idempotency_keys").set({ created_at: new Date(Date.now() - 10 * 60_000) }).where("scope", "=", scope).execute();
    expect(await repo.takeOverAbandonedPermit(scope, "budget:1", "late charge", staleBefore(), null)).toBe(false);
  });
});
