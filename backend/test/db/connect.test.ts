import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { PREPARED, openDatabase } from "../../src/db/connect.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { ENGINES, useDatabase } from "../support/engines.ts";
import { seedFund } from "../support/fixtures.ts";

describe.each(ENGINES)("openDatabase on $name", (engine) => {
  const ctx = useDatabase(engine);

  it("says which engine it opened", () => {
    expect(ctx.kind).toBe(engine.name);
  });

  it("answers a statement marked PREPARED as any other; on a server it is prepared once per connection", async () => {
    await ctx.db.connection().execute(async (conn) => {
      const marked = (n: number) => conn.selectNoFrom(sql<number>`${n}::int4 * 2`.as("twice")).modifyEnd(PREPARED).executeTakeFirstOrThrow();
      const plain = (n: number) => conn.selectNoFrom(sql<number>`${n}::int4 * 3`.as("thrice")).executeTakeFirstOrThrow();
      expect([await marked(1), await marked(21), await plain(2), await plain(5)]).toEqual([{ twice: 2 }, { twice: 42 }, { thrice: 6 }, { thrice: 15 }]);
      const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(conn);
      expect(rows.map((r) => r.statement)).toEqual(ctx.kind === "postgres" ? [expect.stringMatching(/\* 2 as "twice" +\/\* prepared \*\/$/)] : []);
    });
  });

  it("hands back the same JavaScript types as the other engine", async () => {
    const { rows } = await sql<Record<string, unknown>>`
      select 9007199254740993::int8 as int8, count(*) as count, 42::int4 as int4, 7::int2 as int2,
             '2027-12-31'::date as date, '2027-03-06T14:00:00.123Z'::timestamptz as timestamptz,
             '{"a": [1, "b"]}'::jsonb as jsonb, array['sport', 'school']::text[] as texts, true as bool,
             '0x12'::char(4) as char`.execute(ctx.db);

    expect(rows[0]).toStrictEqual({
      int8: 9_007_199_254_740_993n,
      count: 1n,
      int4: 42,
      int2: 7,
      date: "2027-12-31",
      timestamptz: new Date("2027-03-06T14:00:00.123Z"),
      jsonb: { a: [1, "b"] },
      texts: ["sport", "school"],
      bool: true,
      char: "0x12",
    });
  });

  it("round-trips euro cents beyond 2^53 through a bigint column, and a date as text", async () => {
    const cents = 2n ** 62n + 1n;
    const fund = await seedFund(ctx.db, { amountPerChildCents: cents });

    const stored = await ctx.db
      .selectFrom("funds")
      .select(["amount_per_child_cents", "budget_expiry", "categories", "payout_schedule", "created_at"])
      .where("id", "=", fund.id)
      .executeTakeFirstOrThrow();

    expect(stored.amount_per_child_cents).toBe(4_611_686_018_427_387_905n);
    expect(stored.budget_expiry).toBe("2027-12-31");
    expect(stored.categories).toEqual(["sport", "school"]);
    expect(stored.payout_schedule).toEqual({ kind: "daily", at: "17:00" });
    expect(stored.created_at).toBeInstanceOf(Date);
  });
});

describe("openDatabase without a URL", () => {
  it("keeps PGlite's data in the data folder across a restart", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "tegoed-pglite-")), "pglite");
    try {
      const first = await openDatabase({ dataDir });
      expect(first.kind).toBe("pglite");
      await migrateToLatest(first.db);
      const fund = await seedFund(first.db);
      await first.close();

      const second = await openDatabase({ dataDir });
      expect(await migrateToLatest(second.db)).toEqual([]);
      const found = await second.db.selectFrom("funds").select("chain_address").where("id", "=", fund.id).executeTakeFirst();
      await second.close();
      expect(found).toEqual({ chain_address: fund.chain_address });
    } finally {
      rmSync(join(dataDir, ".."), { recursive: true, force: true });
    }
  });
});

describe.each(ENGINES.filter((e) => e.name === "postgres"))("a PostgreSQL pool on $name", (engine) => {
  const ctx = useDatabase(engine);

  it("keeps its connections through a lull longer than node-postgres' 10 s, for the first payments after it", async () => {
    const pids = async () =>
      new Set(await Promise.all(Array.from({ length: 5 }, async () =>
        (await sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.05)`.execute(ctx.db)).rows[0]!.pid)));
    const before = await pids();
    expect(before.size).toBe(5);
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    expect(await pids()).toEqual(before);
  }, 30_000);

  it("opens all its connections at once when told to (a server), and keeps them; else as queries need them", async () => {
    const warm = await engine.open({ migrate: false, maxConnections: 4, warm: true });
    const cold = await engine.open({ migrate: false, maxConnections: 4 });
    try {
      expect(warm.poolStats!()).toEqual({ total: 4, idle: 4, waiting: 0, max: 4 });
      expect(cold.poolStats!()).toMatchObject({ total: 1, max: 4 });
    } finally {
      await Promise.all([warm.close(), cold.close()]);
    }
  });
});

describe("openDatabase with a URL", () => {
  it("fails at once with where it tried, never the password, when the server cannot be reached", async () => {
    const opening = openDatabase({ databaseUrl: "postgres://tegoed:s3cret@127.0.0.1:1/tegoed" });

    await expect(opening).rejects.toThrow(/^Cannot reach PostgreSQL at 127\.0\.0\.1:1\/tegoed: /);
    await expect(opening).rejects.not.toThrow(/s3cret/);
  });
});
