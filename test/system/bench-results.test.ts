// The pure parts of `npm run bench`: percentiles, ratios, and the shape of bench/results/latest.json
// (every key the benchmarks issue names, null with a reason when a section was not measured). No timing
// is asserted here: the benchmarks measure, tests never do.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { buildResults, charts, markdown, replicaPoints, RESULT_KEYS, summaryRows } from "../../scripts/bench/results.ts";
import { inParallel, latencySummary, percentile, rate, ratio, spread } from "../../scripts/bench/stats.ts";
import { lineChart, niceTicks, throughputVsReplicasChart } from "../../scripts/bench/plots.ts";
import type { SlowPhoneFigure } from "../../scripts/bench/slow-phone.ts";
import { seedStatements } from "../../scripts/bench/dashboard.ts";
import { CpuMeter, cpuBetween, cpuSnapshot, parseProcStat } from "../../scripts/bench/cpu.ts";
import type { EngineFigures, ReplicaRun, TillStage } from "../../scripts/bench/chain.ts";
import { CHAIN_RESULT_KEYS, replicasVs } from "../../scripts/bench/chain-results.ts";
import { rssGrowth, steadyFrom, steadyGrowth, type SoakMinute } from "../../scripts/bench/soak.ts";

const machine = { cpus: 2, load_average_before: [1, 1, 1], load_average_after: [1, 1, 1], node: "v22" };
const lat = (p: number) => ({ p50: p / 2, p95: p, p99: p, max: p, n: 10 });
const cpuOf = (backend: number, node: number, cores = 1.5) => ({ backend, node, postgres: 0.5, load: 0.5, total: backend + node + 1, cores_busy: cores });
const stage = (tills: number, tps: number, p95: number, extra: Partial<TillStage> = {}): TillStage => ({
  tills, charges: 10 * tills, failed: 0, seconds: 1, tps, latency_ms: lat(p95), charge_only_ms: lat(p95 / 2), ...extra,
});
const ceiling = (tps: number, batch = 1) => ({ operations: 100, transactions: 100 / batch, seconds: 1, tps, senders: 10, in_flight: 100, batch });
const replicaRun = (replicas: number, tills: number, tps: number, cores: number): ReplicaRun => ({
  replicas, tills, charges: 100, failed: 0, tps, latency_ms: lat(300), cpu_ms_per_charge: cpuOf(1, 1, cores), backend_cpu_ms_per_charge_each: [1],
});
const engine = (name: "anvil" | "hardhat", n50: number, ceilingTps: number, p95 = 900): EngineFigures => ({
  engine: name, lanes: 8, database: "postgresql", setup_seconds: 1,
  till_charges: {
    n1: stage(1, 10, 40),
    n10: stage(10, 40, 200),
    n50: stage(50, n50, p95, { round_p95_ms: [p95 - 20, p95, p95 - 50, p95 - 10] }),
    n200: stage(200, n50 + 5, p95 * 2),
  },
  raw_erc20_ceiling: { n1: ceiling(600), n10: ceiling(600), n50: ceiling(ceilingTps), n200: ceiling(600) },
  direct_pay_ceiling: { n50: ceiling(ceilingTps * 2, 40) },
  raw_erc20_naive: { transfers: 200, seconds: 1, tps: ceilingTps / 4, latency_ms: lat(100) },
  card: null, interval: [], replicas: [], failover: null,
  indexer_lag_ms: lat(250),
});

describe("bench statistics", () => {
  it("takes nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBeNull();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it("summarises latencies, rates and ratios, null when nothing was measured", () => {
    expect(latencySummary([1, 2, 3, 4])).toEqual({ p50: 2, p95: 4, p99: 4, max: 4, n: 4 });
    expect(latencySummary([]).p95).toBeNull();
    expect(rate(50, 1000)).toBe(50);
    expect(rate(0, 1000)).toBeNull();
    expect(ratio(35, 50)).toBe(0.7);
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(null, 3)).toBeNull();
  });

  it("gives the spread of a few runs: min, the lower-middle median (a measured value), max", () => {
    expect(spread([300, 100, 200])).toEqual({ min: 100, median: 200, max: 300, n: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ min: 1, median: 2, max: 4, n: 4 });
    expect(spread([12.345, 7.891], 1)).toEqual({ min: 7.9, median: 7.9, max: 12.3, n: 2 });
    expect(() => spread([])).toThrow(RangeError);
  });

  it("runs work with bounded concurrency, every item once", async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    await inParallel([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 1));
      seen.push(item);
      running--;
    });
    expect(most).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe("CPU per process", () => {
  it("reads pid, parent, name and utime+stime (ticks of 10 ms) from a /proc/<pid>/stat line, whatever the name holds", () => {
    const fields = (name: string) => `4242 (${name}) S 17 4242 4242 0 -1 4194560 900 0 0 0 123 45 0 0 20 0 11 0 777 1000000 2000 18446744073709551615`;
    expect(parseProcStat(fields("postgres"))).toEqual({ pid: 4242, ppid: 17, comm: "postgres", cpuMs: 1680 });
    expect(parseProcStat(fields("node (worker) x"))).toMatchObject({ pid: 4242, ppid: 17, comm: "node (worker) x", cpuMs: 1680 });
    expect(parseProcStat("garbage")).toBeNull();
  });

  it("counts a process that started between two readings whole, and none twice", () => {
    const before = new Map([[1, { role: "backend" as const, ms: 100 }], [2, { role: "postgres" as const, ms: 50 }]]);
    const after = new Map([[1, { role: "backend" as const, ms: 160 }], [2, { role: "postgres" as const, ms: 55 }], [3, { role: "postgres" as const, ms: 20 }]]);
    expect(cpuBetween(before, after)).toEqual({ backend: 60, node: 0, postgres: 25, load: 0 });
  });

  it.skipIf(process.platform !== "linux")("measures the CPU a process tree burns, per operation", async () => {
    // A child that burns 300 ms of CPU, says so, then idles until killed (an ended process's time is lost).
    const burn = "let x = 0; while (process.cpuUsage().user < 300_000) for (let i = 0; i < 1e6; i++) x += i; console.log('done', x > 0); setTimeout(() => {}, 60_000);";
    const child = spawn(process.execPath, ["-e", burn]);
    try {
      const meter = new CpuMeter({ backend: [child.pid] });
      // The same process as a PostgreSQL postmaster: only its tree is PostgreSQL's, not every postgres on the machine.
      const asPostgres = new CpuMeter({ postgres: child.pid });
      await asPostgres.measure(() => meter.measure(() => new Promise((resolve) => child.stdout.once("data", resolve))));
      expect(asPostgres.perOperation(3)!.postgres).toBeGreaterThan(90);
      expect(asPostgres.perOperation(3)!.backend).toBe(0);
      const per = meter.perOperation(3)!;
      expect(per.backend).toBeGreaterThan(90); // ≥ 300 ms of CPU over 3 operations (and Node's start), by /proc's 10 ms ticks
      expect(per.backend).toBeLessThan(400);
      expect(per.node).toBe(0);
      expect(per.total).toBeGreaterThanOrEqual(per.backend);
      expect(cpuSnapshot({}).get(process.pid)?.role).toBe("load");
    } finally {
      child.kill();
    }
  });
});

describe("bench results", () => {
  it("has every key the issue names, null with a reason when a section failed", () => {
    const r = buildResults({ mode: "quick", sections: { engines: [] }, errors: { gas: "no node" }, seconds: { total: 1 }, machine });
    for (const key of RESULT_KEYS) expect(r).toHaveProperty(key);
    for (const key of CHAIN_RESULT_KEYS) expect(RESULT_KEYS).toContain(key);
    expect(r.gas).toBeNull();
    expect(r.charge_vs_ceiling).toBeNull();
    expect(r.soak_rss_growth_pct).toBeNull();
    expect(r.goals.pay_gas.met).toBeNull();
    expect(r.goals.charge_vs_ceiling!.met).toBeNull();
    expect(r.errors.gas).toBe("no node");
    expect(markdown(r)).toContain("gas: no node");
  });

  it("takes each top-level chain figure from the worst engine, ratios within each engine, every engine's value beside", () => {
    const r = buildResults({
      mode: "full", errors: {}, seconds: {}, machine,
      sections: {
        engines: [engine("anvil", 400, 500, 180), engine("hardhat", 300, 600, 240)],
        qr: { version: 8, versions: { 8: 10 }, permits: 10, characters: 188, worst_case_version: 8, all_ones_version: 7, ecc: "M" },
        wallet: { gzipKb: 150, rawKb: 500, files: [] },
      },
    });
    expect(r.primary_engine).toBe("anvil");
    expect(r.till_charges_per_s).toEqual({ n1: 10, n10: 40, n50: 300, n200: 305 });
    expect(r.raw_erc20_ceiling_tps).toBe(500);
    // 400/500 on anvil, 300/600 on hardhat: the worst engine's ratio, not 300/500 across engines.
    expect(r.charge_vs_ceiling).toBe(0.5);
    expect(r.chain_per_engine.charge_vs_ceiling).toEqual({ anvil: 0.8, hardhat: 0.5 });
    expect(r.direct_pay_vs_ceiling).toBe(2);
    expect(r.raw_erc20_naive_tps).toBe(125);
    expect(r.till_charge_latency_ms).toEqual({ p50: 120, p95: 240, p99: 240, rounds_p95: { min: 190, median: 220, max: 240 } });
    expect(r.indexer_lag_ms).toBe(250);
    expect(r.goals.charge_vs_ceiling).toMatchObject({ value: 0.5, met: false });
    expect(r.goals.till_charge_latency_p95).toMatchObject({ value: 240, met: false });
    expect(r.goals.block1s_p95!.met).toBeNull();
    expect(r.goals.qr_version.met).toBe(true);
    expect(summaryRows(r).length).toBeGreaterThan(8);
  });

  it("adds up CPU per charge without the load generator and says what one core would carry", () => {
    const anvil = engine("anvil", 400, 500);
    anvil.till_charges.n50!.cpu_ms_per_charge = cpuOf(0.9, 1.1);
    const hardhat = engine("hardhat", 300, 600);
    hardhat.till_charges.n50!.cpu_ms_per_charge = cpuOf(1.4, 0.6);
    const r = buildResults({ mode: "full", errors: {}, seconds: {}, machine, sections: { engines: [anvil, hardhat] } });
    // anvil 0.9 + 1.1 + 0.5 = 2.5 ms, hardhat 1.4 + 0.6 + 0.5 = 2.5 ms: the load generator's 0.5 is left out.
    expect(r.total_cpu_ms_per_charge).toBe(2.5);
    expect(r.charges_per_s_per_core).toBe(400);
    expect(r.backend_cpu_ms_per_charge).toBe(1.4);
    expect(r.goals.backend_cpu_ms_per_charge).toMatchObject({ value: 1.4, met: false });
    const rows = summaryRows(r).filter(([figure]) => figure.includes("CPU ms per charge"));
    expect(rows[0]).toEqual(["anvil: CPU ms per charge, 50 tills: backend / node / PostgreSQL / load (cores busy)", "0.9 / 1.1 / 0.5 / 0.5 (1.5)", "total without load 2.5 ms", "400 charges/s per core"]);
  });

  it("judges interval mining's latency on the worst engine, and compares replicas at the most tills, per busy core too", () => {
    const anvil = engine("anvil", 400, 500);
    const blocks = { with_payments: 4, txs_per_block: 3, payments_per_block: 50, max_payments_in_a_block: 80 };
    anvil.interval = [
      { block_seconds: 1, latency_ms: lat(1_200), charges_50: 100, tps_200: 150, charges_200: 200, failed: 0, blocks },
      { block_seconds: 2, latency_ms: lat(2_400), charges_50: 100, tps_200: 90, charges_200: 200, failed: 0, blocks },
    ];
    anvil.replicas = [replicaRun(1, 50, 200, 1.5), replicaRun(2, 50, 260, 1.9), replicaRun(1, 200, 220, 1.6), replicaRun(2, 200, 264, 1.8)];
    const r = buildResults({ mode: "full", errors: {}, seconds: {}, machine, sections: { engines: [anvil] } });
    expect(r.charge_latency_ms_block1s).toEqual({ p50: 600, p95: 1_200, p99: 1_200 });
    expect(r.goals.block1s_p95).toMatchObject({ value: 1_200, met: true });
    expect(r.goals.block2s_p95).toMatchObject({ value: 2_400, met: false });
    expect(r.interval_tps_200).toEqual({ block1s: 150, block2s: 90 });
    // 264/220 = 1.2; per busy core (264/1.8) / (220/1.6) = 1.07.
    expect(r.replicas_2_vs_1).toBe(1.2);
    expect(r.replicas_2_vs_1_cpu_normalised).toBe(1.07);
    expect(replicasVs([replicaRun(1, 50, 100, 1)])).toEqual({ plain: null, perCore: null });
    expect(r.goals.replicas_2_vs_1).toMatchObject({ value: 1.2, met: false });
  });

  it("reads the soak's memory growth from its first minute to its last, and takes the last soak into latest.json", () => {
    // Private memory is what a leak grows; PostgreSQL's resident memory also grows as its connections touch its shared buffers.
    const minute = (backend: number, postgresRss: number): SoakMinute => ({
      minute: 1, charges: 0, errors: 0, latency_ms: latencySummary([]), no_free_till: 0, indexer_lag_ms: null,
      rss_mb: { backend: backend + 40, node: 300, postgres: postgresRss, load: 90 }, private_mb: { backend, node: 250, postgres: 100, load: 80 },
    });
    const minutes = [minute(200, 400), minute(210, 600), minute(220, 800)];
    expect(rssGrowth(minutes, "backend")).toBe(10);
    expect(rssGrowth(minutes, "postgres")).toBe(0);
    expect(rssGrowth(minutes, "postgres", "rss_mb")).toBe(100);
    expect(rssGrowth([minute(200, 400)], "backend")).toBeNull();
    // The steady part: a heap that grew in the first minutes and then stayed is flat, one that keeps growing
    // is not, and one minute's swing (a big sort) is not taken for a trend.
    const warmedUp = [150, 200, 220, 220, 221, 300, 222, 222, 221, 222, 222, 223].map((mb) => minute(mb, 400));
    expect(steadyFrom(warmedUp.length)).toBe(3);
    expect(steadyGrowth(warmedUp, "backend")).toBe(0.5);
    expect(rssGrowth(warmedUp, "backend")).toBe(48.7);
    const leaking = warmedUp.map((_, i) => minute(150 + 20 * i, 400));
    expect(steadyGrowth(leaking, "backend")).toBeGreaterThan(10);
    expect(steadyGrowth(warmedUp.slice(0, 2), "backend")).toBeNull();
    const r = buildResults({ mode: "full", errors: {}, seconds: {}, machine, sections: { engines: [], soak: { measured_at: "2026-12-07T05:00:00Z", minutes: 20, rss_growth_pct: 4.5 } } });
    expect(r.soak_rss_growth_pct).toBe(4.5);
    expect(r.goals.soak_rss_growth_pct).toMatchObject({ value: 4.5, met: true });
  });
});

describe("national-scale seeding", () => {
  it("writes every table the dashboard reads, at the counts asked", () => {
    const statements = seedStatements({ budgets: 2500, shops: 250, payments: 50_000 });
    const labels = statements.map(([label]) => label);
    expect(labels).toEqual(expect.arrayContaining(["funds", "families", "children", "budgets", "merchants", "merchant_funds", "payments", "refunds"]));
    // The rollups the dashboard reads are filled after payments and refunds, before the statistics.
    expect(labels.indexOf("rollups")).toBeGreaterThan(labels.indexOf("refunds"));
    expect(labels.indexOf("rollups")).toBeLessThan(labels.indexOf("analyze"));
    // Everything loaded is on disk before the clock starts: the checkpointer does not flush the load during the queries.
    expect(labels.at(-1)).toBe("checkpoint");
    const payments = statements.find(([label]) => label === "payments")![1];
    expect(payments).toContain("generate_series(PART, 49999, PARTS)");
  });
});

describe("first load, QR, payouts on PostgreSQL and the dashboard's spread in the results", () => {
  const screen = (median: number) => ({
    slow_phone_ms: { min: median - 100, median, max: median + 300, n: 5 }, unthrottled_ms: { min: 300, median: 350, max: 400, n: 5 },
    transferred_kb: 150, decoded_kb: 560,
  });
  const slowPhone: SlowPhoneFigure = {
    profile: { cpuSlowdown: 6, downloadKbitPerS: 1600, uploadKbitPerS: 750, latencyMs: 150 }, runs: 5,
    screens: { wallet: screen(2_400), till: screen(2_900), staff: screen(2_700) }, wallet_usable_ms_slow_phone: 2_400,
  };
  const payout = (seconds: number) => ({ payouts: 10_000, seconds, extrapolated: false, payouts_per_second: 10_000 / seconds, detail: {} });

  it("judges the wallet on the slow phone, the payout run on PostgreSQL (PGlite beside it) and the QR over random permits", () => {
    const r = buildResults({
      mode: "full", errors: {}, seconds: {}, machine,
      sections: {
        engines: [], slowPhone, payouts: payout(22.5), payoutsPglite: payout(14),
        qr: { version: 8, versions: { 8: 1000 }, permits: 1000, characters: 188, worst_case_version: 8, all_ones_version: 7, ecc: "M" },
      },
    });
    expect(r.wallet_usable_ms_slow_phone).toBe(2_400);
    expect(r.goals.wallet_usable_ms_slow_phone).toMatchObject({ value: 2_400, met: true });
    expect(r.payout_10k_s).toBe(22.5);
    expect(r.payout_10k_s_pglite).toBe(14);
    expect(r.goals.payout_10k_s).toMatchObject({ value: 22.5, met: false });
    expect(r.goals.qr_version).toMatchObject({ value: 8, met: true });
    const rows = summaryRows(r).map(([figure, value]) => `${figure}: ${value}`);
    expect(rows).toContain("wallet: first screen usable, slow phone, ms (median; min–max of 5): 2,400 (2,300–2,700)");
    expect(rows).toContain("payout run, 10,000 shops, PostgreSQL (s): 22.5");
    expect(rows).toContain("payout run, 10,000 shops, PGlite (s): 14");
    expect(rows).toContain("QR version (ECC M), max over 1000 random permits (v8: 1000): 8");
  });

  it("judges the dashboard on the median of its rounds and shows their spread", () => {
    const lat = { p50: 5, p95: 9, p99: 9, max: 9, n: 7 };
    const r = buildResults({
      mode: "full", errors: {}, seconds: {}, machine,
      sections: {
        engines: [],
        dashboard: {
          scale: { budgets: 1, shops: 1, payments: 1, funds: 1, largestFundPayments: 1, typicalFundPayments: 1 }, seedSeconds: 1,
          queries: { by_shop: { p95_ms: 31, largest: lat, typical: lat } },
          worst_p95_ms: 22.4, worst_p95_ms_rounds: { min: 18.1, median: 22.4, max: 31, n: 5 }, baseline_pk_lookup_ms: lat,
        },
      },
    });
    expect(r.dashboard_p95_ms_spread).toEqual({ min: 18.1, median: 22.4, max: 31, n: 5 });
    expect(r.goals.dashboard_p95).toMatchObject({ value: 22.4, met: true });
    expect(summaryRows(r)).toContainEqual(["dashboard worst query p95 ms over 5 rounds: min / median / max", "18.1 / 22.4 / 31", "goal 25", "0.9× goal"]);
  });
});

describe("charts", () => {
  it("picks round axis ticks that cover the largest value", () => {
    expect(niceTicks(184)).toEqual([0, 50, 100, 150, 200]);
    expect(niceTicks(1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });

  it("draws a line per series through its points, a legend and the goal, as a standalone SVG", () => {
    const svg = lineChart({
      title: "Latency <test>", xLabel: "tills", yLabel: "ms", xScale: "log", reference: { y: 200, label: "goal" },
      series: [{ name: "anvil p95", color: "#0072B2", points: [[1, 40], [10, 100], [200, 150]] }],
    })!;
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(svg).toContain("<title>Latency &lt;test&gt;</title>");
    const polyline = svg.match(/<polyline[^>]*points="([^"]+)"/)![1]!.split(" ").map((p) => p.split(",").map(Number));
    expect(polyline).toHaveLength(3);
    // Left to right on a log scale: 10 tills lies halfway between 1 and 100, so before the middle of 1..200.
    expect(polyline[0]![0]).toBeLessThan(polyline[1]![0]!);
    expect((polyline[1]![0]! - polyline[0]![0]!) / (polyline[2]![0]! - polyline[0]![0]!)).toBeCloseTo(Math.log10(10) / Math.log10(200), 2);
    // Higher latency is drawn higher (smaller y); the goal line sits above every point.
    expect(polyline[2]![1]).toBeLessThan(polyline[0]![1]!);
    const goalY = Number(svg.match(/<line[^>]*y1="([\d.]+)"[^>]*stroke="#000" stroke-dasharray="2 3"/)![1]);
    expect(goalY).toBeLessThan(Math.min(...polyline.map((p) => p[1]!)));
    expect(svg).toContain(">anvil p95</text>");
    expect(lineChart({ title: "empty", xLabel: "x", yLabel: "y", series: [{ name: "none", color: "#000", points: [] }] })).toBeNull();
  });

  it("draws latency percentiles against tills for every engine, linked from the markdown", () => {
    const r = buildResults({ mode: "full", errors: {}, seconds: {}, machine, sections: { engines: [engine("anvil", 80, 100, 200), engine("hardhat", 30, 100, 300)] } });
    const drawn = charts(r, "run-7", []);
    expect(drawn.map((c) => c.file)).toEqual(["run-7-latency-vs-tills.svg"]);
    const svg = drawn[0]!.svg;
    for (const name of ["anvil p50", "anvil p95", "anvil p99", "hardhat p50", "hardhat p95", "hardhat p99"]) expect(svg).toContain(`>${name}</text>`);
    expect(svg.match(/<polyline/g)).toHaveLength(6);
    expect(svg).toContain("<title>hardhat p95: 50 → 300</title>");
    expect(markdown(r, "run-7")).toContain("![Charge latency p50/p95/p99 against tills](run-7-latency-vs-tills.svg)");
  });

  it("draws charges per second against backend replicas, one line per engine and till count, when scale-out was measured", () => {
    const points = [1, 2, 3].flatMap((replicas) => [
      { engine: "anvil", replicas, tills: 50, charges_per_s: 200 + 100 * replicas },
      { engine: "anvil", replicas, tills: 200, charges_per_s: 250 + 120 * replicas },
      { engine: "hardhat", replicas, tills: 50, charges_per_s: 180 + 90 * replicas },
    ]);
    const svg = throughputVsReplicasChart(points)!;
    expect(svg.match(/<polyline/g)).toHaveLength(3);
    expect(svg).toContain(">anvil, 200 tills</text>");
    expect(svg).toContain("<title>hardhat, 50 tills: 3 → 450</title>");
    expect(throughputVsReplicasChart([])).toBeNull();
    // A run that measured replicas gets the chart without being told.
    const measured = engine("anvil", 80, 100);
    measured.replicas = [replicaRun(1, 50, 300, 1.5), replicaRun(2, 50, 520, 1.8), { ...replicaRun(3, 50, 0, 1.9), tps: null }];
    const r = buildResults({ mode: "full", errors: {}, seconds: {}, machine, sections: { engines: [measured] } });
    expect(replicaPoints(r)).toEqual([{ engine: "anvil", replicas: 1, tills: 50, charges_per_s: 300 }, { engine: "anvil", replicas: 2, tills: 50, charges_per_s: 520 }]);
    expect(charts(r).map((c) => c.file)).toEqual(["latest-latency-vs-tills.svg", "latest-throughput-vs-replicas.svg"]);
  });
});
