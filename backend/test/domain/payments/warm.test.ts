// Warming a till's statements at start: on several pooled connections at once, each then holding the
// charge's prepared statements (PostgreSQL), and nothing written anywhere, on both engines.
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { warmChargeStatements } from "../../../src/domain/payments/warm.ts";
import { ENGINES, useDatabase } from "../../support/engines.ts";
import { dumpAllRows } from "../../support/fixtures.ts";

describe.each(ENGINES)("warming a till's statements on $name", (engine) => {
  const ctx = useDatabase(engine);

  it("changes nothing, and leaves each connection it used with the charge's statements prepared", async () => {
    const before = await dumpAllRows(ctx.db);
    await warmChargeStatements(ctx.db, 3);
    expect(await dumpAllRows(ctx.db)).toBe(before);
    if (engine.name !== "postgres") return;
    // Three connections held at once: the pool hands out the ones used last, the three it warmed.
    let arrived = 0;
    let all!: () => void;
    const together = new Promise<void>((resolve) => (all = resolve));
    const seen = await Promise.all([1, 2, 3].map(() => ctx.db.connection().execute(async (conn) => {
      if (++arrived === 3) all();
      await together;
      const { rows } = await sql<{ pid: number; prepared: string[] }>`
        select pg_backend_pid() as pid, array(select statement from pg_prepared_statements) as prepared`.execute(conn);
      return rows[0]!;
    })));
    expect(new Set(seen.map((s) => s.pid)).size).toBe(3);
    for (const { prepared } of seen) {
      expect(prepared.some((s) => s.includes('from "sessions" as "s"'))).toBe(true);
      expect(prepared.some((s) => s.includes('insert into "idempotency_keys"'))).toBe(true);
      expect(prepared.some((s) => s.includes("insert into payments"))).toBe(true);
    }
  });
});
