// dashboard_p95_ms: the staff dashboard's queries on a real PostgreSQL seeded at national scale
// (250,000 budgets, 25,000 shops, 5,000,000 payments over 100 municipal funds, the largest holding a
// tenth of everything), seeded in SQL with generate_series. Each query is timed on the largest fund and
// on a typical one; the figure is the p95 per query.
import pg from "pg";
import { sql } from "kysely";
import { migrateToLatest, openDatabase } from "../../backend/src/db/index.ts";
import { reportsRepository } from "../../backend/src/domain/reports/reports.repository.ts";
import { TOP_SHOPS, fundDashboard } from "../../backend/src/domain/reports/reports.service.ts";
import { latencySummary, round, spread, type Latency, type Spread } from "./stats.ts";

export const NATIONAL = { budgets: 250_000, shops: 25_000, payments: 5_000_000, funds: 100 } as const;

export interface DashboardOptions {
  /** postgres:// URL of a server where we may create a database. */
  serverUrl: string;
  /** 1 = national scale; 0.01 for --quick. */
  scale: number;
  repeats: number;
  /** Rounds of every query × repeats, one after the other: the spread of the worst p95 between them. */
  rounds?: number;
  /** Keep the seeded database (to look at its plans afterwards). */
  keep?: boolean;
  /** Called with the seeded database and the largest fund's id (for EXPLAIN while tuning). */
  inspect?: (client: pg.Client, largestFundId: string) => Promise<void>;
  log?: (line: string) => void;
}

export interface DashboardFigure {
  scale: { budgets: number; shops: number; payments: number; funds: number; largestFundPayments: number; typicalFundPayments: number };
  seedSeconds: number;
  /** Per query: p95 over the largest and the typical fund's runs, and each one's detail. */
  queries: Record<string, { p95_ms: number | null; largest: Latency; typical: Latency }>;
  /** The worst query's p95: the median over the rounds of each round's worst. */
  worst_p95_ms: number | null;
  /** Each round's worst query p95: min/median/max over the rounds. */
  worst_p95_ms_rounds: Spread | null;
  /** Same run, same database: one payment by primary key (50 reads). */
  baseline_pk_lookup_ms: Latency;
}

const fundOf = (i: string, n: number) => `(case when (${i}) < ${Math.floor(n / 10)} then 0 else 1 + ((${i}) - ${Math.floor(n / 10)})::bigint * ${NATIONAL.funds - 1} / ${n - Math.floor(n / 10)} end)`;
const fundUuid = (f: string) => `md5('fund' || (${f}))::uuid`;

export function seedStatements(counts: { budgets: number; shops: number; payments: number }): [string, string][] {
  const B = counts.budgets, M = counts.shops, P = counts.payments, FAM = Math.ceil(B / 2), F = NATIONAL.funds;
  const cats = `'{books,bike,sport,swimming,computer,clothing,toys}'`;
  return [
    ["funds", `insert into funds (id, chain_address, factory_index, name, amount_per_child_cents, budget_expiry, categories, payout_schedule)
      select ${fundUuid("f")}, '0x' || lpad(to_hex(f + 1), 40, '0'), f, 'Kindpakket gemeente ' || f, 30000, '2027-12-31', ${cats}, '{"kind":"daily"}'
      from generate_series(0, ${F - 1}) f`],
    ["families", `insert into families (id, fund_id, display_name, address_lines, approved_at, activated_at)
      select md5('fam' || i)::uuid, ${fundUuid(fundOf("i", FAM))}, 'Familie ' || i, '{"Hoofdstraat 1","9801 AA  Zuidhorn"}', now(),
        case when i % 4 = 0 then null else now() end
      from generate_series(0, ${FAM - 1}) i`],
    ["children", `insert into children (id, family_id, first_name, birth_year)
      select md5('child' || j)::uuid, md5('fam' || (j / 2))::uuid, 'Kind', 2012 + j % 10 from generate_series(0, ${B - 1}) j`],
    ["budgets", `insert into budgets (id, budget_id, fund_id, child_id, issued_cents, status)
      select md5('bud' || j)::uuid, '0x' || md5('b' || j) || md5('c' || j), ${fundUuid(fundOf("j / 2", FAM))}, md5('child' || j)::uuid, 30000,
        case when j % 500 = 0 then 'frozen' else 'issued' end
      from generate_series(0, ${B - 1}) j`],
    ["merchants", `insert into merchants (id, name, kvk_number, iban, categories, address, contact_email, status, chain_address)
      select md5('m' || m)::uuid, 'Winkel ' || m, lpad((10000000 + m)::text, 8, '0'), 'NL91ABNA0417164300', array[(${cats}::text[])[1 + m % 7]],
        'Hoofdstraat ' || m, 'winkel' || m || '@bench.example', 'approved', '0x' || lpad(to_hex(m + 1), 40, '0')
      from generate_series(0, ${M - 1}) m`],
    ["merchant_funds", `insert into merchant_funds (merchant_id, fund_id, categories_mask, approved_at, approve_tx_hash)
      select md5('m' || m)::uuid, ${fundUuid(fundOf("m", M))}, 1::bigint << (m % 7), now(), '0x' || repeat('0', 64)
      from generate_series(0, ${M - 1}) m`],
    ["fund_shops", `create unlogged table bench_fund_shops as
      select f, min(m) as lo, count(*) as n from (select m, ${fundOf("m", M)} as f from generate_series(0, ${M - 1}) m) x group by f`],
    ["payments", `insert into payments (payment_id, fund_id, budget_id, merchant, amount_cents, nonce, tx_hash, block_number, log_index, block_time)
      select '0x' || md5('p' || p) || md5('q' || p), ${fundUuid("s.f")}, '0x' || md5('b' || x.b) || md5('c' || x.b),
        '0x' || lpad(to_hex(s.lo + p % s.n + 1), 40, '0'), 100 + p % 4900, p / ${B}, '0x' || md5('t' || p) || md5('u' || p), p / 20, 0,
        timestamptz '2027-01-01 08:00:00+00' + ((p::bigint * 31536000) / ${P}) * interval '1 second'
      from (select p, (p::bigint * 7919) % ${B} as b from generate_series(PART, ${P - 1}, PARTS) p) x
      join bench_fund_shops s on s.f = ${fundOf("x.b / 2", FAM)}`],
    ["refunds", `insert into refunds (payment_id, amount_cents, tx_hash, block_number, log_index, block_time)
      select '0x' || md5('p' || p) || md5('q' || p), 50, '0x' || md5('r' || p) || md5('s' || p), ${P} + p, 0, now()
      from generate_series(0, ${P - 1}, 100) p`],
    // The rollups the dashboard reads (migration 0009), filled once from the loaded rows: the triggers that
    // keep them row by row are off during the load (see benchDashboard).
    ["rollups", `select spending_rebuild()`],
    // Over a year some shops change category: one in a hundred moves to the fund's next category (after the
    // rollups, as in life: the dashboard moves their spending when it reads, migration 0024).
    ["recategorised", `update merchant_funds set categories_mask = case when categories_mask >= 64 then 1 else categories_mask << 1 end
      where merchant_id in (select md5('m' || m)::uuid from generate_series(0, ${M - 1}, 100) m)`],
    // Vacuum too: after a year of payments autovacuum has long set the visibility map index-only scans need.
    ["analyze", `vacuum analyze`],
    // The load's gigabytes are flushed now, not by the checkpointer during the timed queries: a database at
    // national scale has its data on disk already (the first round of a run without it was 4-5x slower).
    ["checkpoint", `checkpoint`],
  ];
}

/** The triggers keeping the rollups of payments and refunds (migration 0009_payment_rollups). */
const ROLLUP_TRIGGERS = [["payments", "spending_payment_inserted"], ["refunds", "spending_refund_inserted"]] as const;

/** Drops the tables' indexes and constraints (foreign keys first); returns the statements that restore them. */
async function dropForLoad(client: pg.Client, tables: string[]): Promise<string[]> {
  const { rows: constraints } = await client.query<{ tbl: string; name: string; def: string; type: string }>(
    `select conrelid::regclass::text as tbl, conname as name, pg_get_constraintdef(oid) as def, contype as type
     from pg_constraint where conrelid = any($1::regclass[]) and contype in ('p', 'u', 'f')
     order by case contype when 'f' then 0 else 1 end`, [tables]);
  const { rows: indexes } = await client.query<{ name: string; def: string }>(
    `select indexname as name, indexdef as def from pg_indexes
     where tablename = any($1) and schemaname = current_schema()
       and indexname not in (select conname from pg_constraint where contype in ('p', 'u'))`, [tables]);
  for (const c of constraints) await client.query(`alter table ${c.tbl} drop constraint ${c.name}`);
  for (const i of indexes) await client.query(`drop index ${i.name}`);
  const keys = constraints.filter((c) => c.type !== "f").map((c) => `alter table ${c.tbl} add constraint ${c.name} ${c.def}`);
  const foreign = constraints.filter((c) => c.type === "f").map((c) => `alter table ${c.tbl} add constraint ${c.name} ${c.def}`);
  return [...keys, ...indexes.map((i) => i.def), ...foreign];
}

async function timeIt(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export async function benchDashboard(options: DashboardOptions): Promise<DashboardFigure> {
  const log = options.log ?? (() => {});
  const counts = {
    budgets: Math.round(NATIONAL.budgets * options.scale),
    shops: Math.round(NATIONAL.shops * options.scale),
    payments: Math.round(NATIONAL.payments * options.scale),
  };
  const name = `bench_dashboard_${Date.now()}`;
  const admin = new pg.Client({ connectionString: options.serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(options.serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString() });
  try {
    await migrateToLatest(database.db);
    const seedStarted = performance.now();
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query("set synchronous_commit = off; set maintenance_work_mem = '512MB'; set work_mem = '64MB'");
      // Loading 5 million rows into a table with five B-trees on random keys takes a quarter of an hour;
      // without them, then building each index once by sorting, about a minute. Same schema afterwards.
      const restore = await dropForLoad(client, ["payments", "refunds"]);
      // Row by row, the rollups' deferred triggers would queue 5 million events until the commit.
      for (const [table, trigger] of ROLLUP_TRIGGERS) await client.query(`alter table ${table} disable trigger ${trigger}`);
      for (const [label, statement] of seedStatements(counts)) {
        const t = performance.now();
        if (label === "analyze") {
          for (const again of restore) await client.query(again);
          log(`  rebuilt ${restore.length} indexes and constraints in ${round((performance.now() - t) / 1000, 1)} s`);
        }
        const s = performance.now();
        if (statement.includes("PARTS")) {
          // Two connections, each half of the rows: the load is CPU-bound in the server process.
          const extra = new pg.Client({ connectionString: url.toString() });
          await extra.connect();
          try {
            await extra.query("set synchronous_commit = off; set work_mem = '64MB'");
            await Promise.all([client, extra].map((c, part) => c.query(statement.replaceAll("PARTS", "2").replace("PART", String(part)))));
          } finally {
            await extra.end();
          }
        } else await client.query(statement);
        if (label === "rollups") {
          for (const [table, trigger] of ROLLUP_TRIGGERS) await client.query(`alter table ${table} enable trigger ${trigger}`);
        }
        log(`  seeded ${label} in ${round((performance.now() - s) / 1000, 1)} s`);
      }
    } finally {
      await client.end();
    }
    const seedSeconds = round((performance.now() - seedStarted) / 1000, 1);
    const db = database.db;
    const perFund = await sql<{ fund_id: string; n: string }>`select fund_id, count(*)::int8 as n from payments group by fund_id order by n desc`.execute(db);
    const largest = perFund.rows[0]!;
    const typical = perFund.rows[Math.floor(perFund.rows.length / 2)]!;
    if (options.inspect) {
      const inspector = new pg.Client({ connectionString: url.toString() });
      await inspector.connect();
      await options.inspect(inspector, largest.fund_id).finally(() => inspector.end());
    }
    const repo = reportsRepository(db);
    const deps = { db, clock: () => new Date() };
    // What the dashboard reads, each on its own; then the whole dashboard, and the shops' export (a
    // download on a click, every paid shop of the fund) beside it, neither counted in the worst query.
    const queries: Record<string, (fundId: string) => Promise<unknown>> = {
      figures: (id) => repo.figures(id),
      top_shops: (id) => repo.topShops(id, TOP_SHOPS),
      by_category: (id) => repo.byCountedCategory(id),
      recategorised: (id) => repo.maybeRecategorised(id),
      over_time_day: (id) => repo.overTime(id, "day"),
      over_time_week: (id) => repo.overTime(id, "week"),
      dashboard_total: (id) => fundDashboard(deps, id, "week"),
      shops_export: (id) => repo.byShop(id),
    };
    const notInWorst = new Set(["dashboard_total", "shops_export"]);
    // The baseline of the same run: one payment read by its primary key (the machine's noise in one number).
    const somePayment = (await sql<{ payment_id: string }>`select payment_id from payments limit 1`.execute(db)).rows[0]!.payment_id;
    const baselineTimes: number[] = [];
    for (let i = 0; i < 50; i++) baselineTimes.push(await timeIt(() => db.selectFrom("payments").selectAll().where("payment_id", "=", somePayment).execute()));
    const baseline = latencySummary(baselineTimes);
    log(`  baseline: payment by primary key p95 ${baseline.p95} ms`);
    const times: Record<string, Record<"largest" | "typical", number[]>> = {};
    const roundWorst: number[] = [];
    for (const run of Object.values(queries)) await run(largest.fund_id); // warm the cache and the plans
    for (let round_ = 0; round_ < (options.rounds ?? 1); round_++) {
      let worst = 0;
      for (const [query, run] of Object.entries(queries)) {
        const mine: Record<"largest" | "typical", number[]> = { largest: [], typical: [] };
        for (const [which, fund] of [["largest", largest], ["typical", typical]] as const) {
          await run(fund.fund_id);
          for (let i = 0; i < options.repeats; i++) mine[which].push(await timeIt(() => run(fund.fund_id)));
        }
        times[query] ??= { largest: [], typical: [] };
        times[query].largest.push(...mine.largest);
        times[query].typical.push(...mine.typical);
        if (!notInWorst.has(query)) worst = Math.max(worst, latencySummary([...mine.largest, ...mine.typical]).p95 ?? 0);
      }
      roundWorst.push(worst);
      log(`  round ${round_ + 1}: worst query p95 ${round(worst, 1)} ms`);
    }
    const result: DashboardFigure["queries"] = {};
    for (const [query, t] of Object.entries(times)) {
      const both = latencySummary([...t.largest, ...t.typical]);
      result[query] = { p95_ms: both.p95, largest: latencySummary(t.largest), typical: latencySummary(t.typical) };
      log(`  ${query}: p95 ${both.p95} ms (largest fund p95 ${result[query]!.largest.p95}, typical ${result[query]!.typical.p95})`);
    }
    const rounds = roundWorst.length ? spread(roundWorst, 1) : null;
    return {
      scale: { ...counts, funds: NATIONAL.funds, largestFundPayments: Number(largest.n), typicalFundPayments: Number(typical.n) },
      seedSeconds,
      queries: result,
      worst_p95_ms: rounds?.median ?? null,
      worst_p95_ms_rounds: rounds,
      baseline_pk_lookup_ms: baseline,
    };
  } finally {
    await database.close();
    if (options.keep) log(`  kept database ${name}`);
    const cleanup = options.keep ? undefined : new pg.Client({ connectionString: options.serverUrl });
    if (cleanup) {
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name}`).catch(() => {});
      await cleanup.end();
    }
  }
}
