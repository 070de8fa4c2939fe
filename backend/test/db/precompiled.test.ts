// Statements compiled once and run with new arguments: the same rows as the builder run each time, on
// both engines and inside a transaction; a builder that does not pass an argument through as a value is
// refused at its first run, not answered with the first call's values.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { inTransaction, type Db } from "../../src/db/index.ts";
import { precompiled } from "../../src/db/precompiled.ts";
import { ENGINES, useDatabase } from "../support/engines.ts";

const claim = precompiled((db: Db, scope: string, key: string, hash: string) =>
  db.insertInto("idempotency_keys").values({ scope, key, request_hash: hash }).onConflict((oc) => oc.columns(["scope", "key"]).doNothing()).returning(["scope", "key", "request_hash"]));

const echo = precompiled((db: Db, word: string, n: number, at: Date | null) =>
  db.selectNoFrom([sql<string>`${word}::text`.as("word"), sql<number>`${n}::int4 + 1`.as("next"), sql<string>`${word} || '!' || 'x'`.as("twice"), sql<Date | null>`${at}::timestamptz`.as("at"), sql<string>`${"constant"}::text`.as("constant")]));

describe.each(ENGINES)("precompiled statements on $name", (engine) => {
  const ctx = useDatabase(engine);

  it("answers each call with its own arguments, an argument used twice and the constants in place", async () => {
    const at = new Date("2027-03-06T14:00:00.000Z");
    expect(await echo.rows(ctx.db, "fiets", 41, at)).toEqual([{ word: "fiets", next: 42, twice: "fiets!x", at, constant: "constant" }]);
    expect(await echo.rows(ctx.db, "bal", 1, null)).toEqual([{ word: "bal", next: 2, twice: "bal!x", at: null, constant: "constant" }]);
  });

  it("writes with new arguments each time, also in a transaction that rolls back", async () => {
    const scope = `test:${randomUUID()}`;
    expect(await claim.rows(ctx.db, scope, "key-0001", "h1")).toEqual([{ scope, key: "key-0001", request_hash: "h1" }]);
    expect(await claim.rows(ctx.db, scope, "key-0001", "h2")).toEqual([]); // the conflict: nothing inserted
    await expect(inTransaction(ctx.db, async (trx) => {
      expect(await claim.rows(trx, scope, "key-0002", "h3")).toHaveLength(1);
      throw new Error("roll back");
    })).rejects.toThrow("roll back");
    const keys = await ctx.db.selectFrom("idempotency_keys").select(["key", "request_hash"]).where("scope", "=", scope).execute();
    expect(keys).toEqual([{ key: "key-0001", request_hash: "h1" }]);
  });

  it("refuses a builder that changes, inlines or drops an argument, and a call with the wrong number of arguments", async () => {
    const changed = precompiled((db: Db, word: string) => db.selectNoFrom(sql<string>`${word.toUpperCase()}::text`.as("w")));
    await expect(changed.rows(ctx.db, "fiets")).rejects.toThrow(/argument 0 is not a parameter/);
    const inlined = precompiled((db: Db, word: string) => db.selectNoFrom(sql<string>`${sql.lit(word)}::text`.as("w")));
    await expect(inlined.rows(ctx.db, "fiets")).rejects.toThrow(/written into the SQL text/);
    await expect((echo.rows as (...args: unknown[]) => Promise<unknown>)(ctx.db, "one")).rejects.toThrow(/1 arguments for a statement of 3/);
  });
});
