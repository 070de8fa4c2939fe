// The chain side of bench/results/latest.json: tills against the tight ceilings, CPU per charge, interval
// mining, replicas, the card, the soak. Each top-level figure is the worst engine's (the lowest rate, the
// highest latency or CPU); ratios are taken within each engine first (never from two engines' figures),
// and `chain_per_engine` has every engine's value of each beside it.
import type { EngineFigures, FailoverFigure, ReplicaRun } from "./chain.ts";
import type { CpuPerOperation } from "./cpu.ts";
import { percentile, ratio, round } from "./stats.ts";

export const CHAIN_GOALS = {
  charge_vs_ceiling_min: 0.7,
  till_charge_latency_p95_ms_max: 200,
  block1s_p95_ms_max: 1_300,
  block2s_p95_ms_max: 2_300,
  backend_cpu_ms_per_charge_max: 1.0,
  replicas_2_vs_1_min: 1.5,
  soak_rss_growth_pct_max: 10,
} as const;

export const CHAIN_RESULT_KEYS = [
  "till_charges_per_s", "raw_erc20_ceiling_tps", "direct_pay_ceiling_tps", "raw_erc20_naive_tps", "charge_vs_ceiling", "direct_pay_vs_ceiling",
  "till_charge_latency_ms", "cpu_ms_per_charge", "total_cpu_ms_per_charge", "backend_cpu_ms_per_charge", "charges_per_s_per_core",
  "charge_latency_ms_block1s", "charge_latency_ms_block2s", "interval_tps_200", "replicas", "replicas_2_vs_1", "replicas_2_vs_1_cpu_normalised",
  "failover", "card_charge_latency_ms", "indexer_lag_ms", "soak_rss_growth_pct", "chain_per_engine",
] as const;

type Percentiles = { p50: number | null; p95: number | null; p99: number | null };

/** What `npm run bench -- --soak` wrote (bench/results/soak.json), as far as latest.json repeats it. */
export interface SoakSummary {
  measured_at: string;
  minutes: number;
  rss_growth_pct: number | null;
}

export interface ChainFigures {
  till_charges_per_s: Record<string, number | null> | null;
  /** The tight ERC-20 client, in the 50-till rounds. */
  raw_erc20_ceiling_tps: number | null;
  /** Batched `pay` multicalls (the backend's batch size) sent straight to the node, in the 50-till rounds. */
  direct_pay_ceiling_tps: number | null;
  raw_erc20_naive_tps: number | null;
  /** Till charges/s at 50 tills ÷ the tight ERC-20 ceiling of the same rounds (worst engine). */
  charge_vs_ceiling: number | null;
  /** What batching buys: batched pays straight to the node ÷ the ERC-20 ceiling (worst engine). */
  direct_pay_vs_ceiling: number | null;
  till_charge_latency_ms: (Percentiles & { rounds_p95: { min: number | null; median: number | null; max: number | null } }) | null;
  cpu_ms_per_charge: Pick<CpuPerOperation, "backend" | "node" | "postgres" | "load"> | null;
  total_cpu_ms_per_charge: number | null;
  backend_cpu_ms_per_charge: number | null;
  /** 1000 ÷ total CPU ms per charge (backend + node + PostgreSQL): charges/s one core would carry. */
  charges_per_s_per_core: number | null;
  charge_latency_ms_block1s: Percentiles | null;
  charge_latency_ms_block2s: Percentiles | null;
  interval_tps_200: Record<string, number | null> | null;
  /** Charges/s and CPU per charge per replica count and tills (the first engine that measured them). */
  replicas: { engine: string; runs: ReplicaRun[] } | null;
  replicas_2_vs_1: number | null;
  /** Charges per busy core with 2 replicas ÷ with 1: ≈ 1 means a replica adds no CPU per charge, so charges/s scale with cores. */
  replicas_2_vs_1_cpu_normalised: number | null;
  failover: (FailoverFigure & { engine: string }) | null;
  card_charge_latency_ms: { p50: number | null; p95: number | null; shops: number; phone_p50_10_tills: number | null; phone_p95_10_tills: number | null } | null;
  indexer_lag_ms: number | null;
  soak_rss_growth_pct: number | null;
  chain_per_engine: Record<string, Record<string, number | null>>;
}

const nums = (values: (number | null | undefined)[]) => values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
const lowest = (values: (number | null | undefined)[]) => (nums(values).length ? Math.min(...nums(values)) : null);
const highest = (values: (number | null | undefined)[]) => (nums(values).length ? Math.max(...nums(values)) : null);

/** The engine whose `key` is worst (highest, or lowest with `low`); null when none measured it. */
function worstEngine(engines: EngineFigures[], key: (e: EngineFigures) => number | null | undefined, low = false): EngineFigures | null {
  let worst: EngineFigures | null = null;
  for (const e of engines) {
    const v = key(e);
    if (typeof v !== "number") continue;
    const w = worst ? key(worst)! : null;
    if (w === null || (low ? v < w : v > w)) worst = e;
  }
  return worst;
}

const totalCpu = (c: CpuPerOperation | null | undefined) => (c ? round(c.backend + c.node + c.postgres, 2) : null);
const pct = (l: { p50: number | null; p95: number | null; p99: number | null } | undefined): Percentiles | null => (l ? { p50: l.p50, p95: l.p95, p99: l.p99 } : null);

/** Per engine, each scalar figure of the chain block. */
function perEngine(e: EngineFigures): Record<string, number | null> {
  const n50 = e.till_charges.n50;
  const block = (s: number) => e.interval.find((i) => i.block_seconds === s);
  const replicasRatio = replicasVs(e.replicas);
  return {
    ...Object.fromEntries(Object.entries(e.till_charges).map(([k, s]) => [`till_charges_per_s.${k}`, s.tps])),
    raw_erc20_ceiling_tps: e.raw_erc20_ceiling.n50?.tps ?? null,
    direct_pay_ceiling_tps: e.direct_pay_ceiling.n50?.tps ?? null,
    raw_erc20_naive_tps: e.raw_erc20_naive?.tps ?? null,
    charge_vs_ceiling: ratio(n50?.tps, e.raw_erc20_ceiling.n50?.tps),
    direct_pay_vs_ceiling: ratio(e.direct_pay_ceiling.n50?.tps, e.raw_erc20_ceiling.n50?.tps),
    "till_charge_latency_ms.p95": n50?.latency_ms.p95 ?? null,
    backend_cpu_ms_per_charge: n50?.cpu_ms_per_charge?.backend ?? null,
    total_cpu_ms_per_charge: totalCpu(n50?.cpu_ms_per_charge),
    "charge_latency_ms_block1s.p95": block(1)?.latency_ms.p95 ?? null,
    "charge_latency_ms_block2s.p95": block(2)?.latency_ms.p95 ?? null,
    "interval_tps_200.block1s": block(1)?.tps_200 ?? null,
    "interval_tps_200.block2s": block(2)?.tps_200 ?? null,
    replicas_2_vs_1: replicasRatio.plain,
    replicas_2_vs_1_cpu_normalised: replicasRatio.perCore,
    "card_charge_latency_ms.p95": e.card?.latency_ms.p95 ?? null,
    indexer_lag_ms: e.indexer_lag_ms.p95,
  };
}

/** 2 replicas against 1 at the most tills measured: charges/s, and charges per busy core. */
export function replicasVs(runs: ReplicaRun[]): { plain: number | null; perCore: number | null } {
  const tills = highest(runs.map((r) => r.tills));
  const one = runs.find((r) => r.replicas === 1 && r.tills === tills);
  const two = runs.find((r) => r.replicas === 2 && r.tills === tills);
  if (!one || !two) return { plain: null, perCore: null };
  const perCore = (r: ReplicaRun) => (r.tps !== null && r.cpu_ms_per_charge?.cores_busy ? r.tps / r.cpu_ms_per_charge.cores_busy : null);
  return { plain: ratio(two.tps, one.tps), perCore: ratio(perCore(two), perCore(one)) };
}

export function chainFigures(engines: EngineFigures[], soak: SoakSummary | null = null): ChainFigures {
  const per = Object.fromEntries(engines.map((e) => [e.engine, perEngine(e)]));
  const keys = [...new Set(Object.values(per).flatMap((p) => Object.keys(p)))];
  const chain_per_engine = Object.fromEntries(keys.map((k) => [k, Object.fromEntries(engines.map((e) => [e.engine, per[e.engine]![k] ?? null]))]));
  const all = (k: string) => engines.map((e) => per[e.engine]![k]);
  const stageKeys = [...new Set(engines.flatMap((e) => Object.keys(e.till_charges)))];

  const latencyEngine = worstEngine(engines, (e) => e.till_charges.n50?.latency_ms.p95);
  const n50 = latencyEngine?.till_charges.n50;
  const roundsP95 = nums(n50?.round_p95_ms ?? []);
  const cpuEngine = worstEngine(engines, (e) => totalCpu(e.till_charges.n50?.cpu_ms_per_charge));
  const cpu = cpuEngine?.till_charges.n50?.cpu_ms_per_charge ?? null;
  const total = highest(all("total_cpu_ms_per_charge"));
  const blockLatency = (s: number) => pct(worstEngine(engines, (e) => e.interval.find((i) => i.block_seconds === s)?.latency_ms.p95)?.interval.find((i) => i.block_seconds === s)?.latency_ms);
  const withReplicas = engines.find((e) => e.replicas.length > 0);
  const withFailover = engines.find((e) => e.failover);
  const cardEngine = worstEngine(engines, (e) => e.card?.latency_ms.p95);
  return {
    till_charges_per_s: stageKeys.length ? Object.fromEntries(stageKeys.map((k) => [k, lowest(engines.map((e) => e.till_charges[k]?.tps))])) : null,
    raw_erc20_ceiling_tps: lowest(all("raw_erc20_ceiling_tps")),
    direct_pay_ceiling_tps: lowest(all("direct_pay_ceiling_tps")),
    raw_erc20_naive_tps: lowest(all("raw_erc20_naive_tps")),
    charge_vs_ceiling: lowest(all("charge_vs_ceiling")),
    direct_pay_vs_ceiling: lowest(all("direct_pay_vs_ceiling")),
    till_charge_latency_ms: n50
      ? { ...pct(n50.latency_ms)!, rounds_p95: { min: lowest(roundsP95), median: percentile(roundsP95, 50), max: highest(roundsP95) } }
      : null,
    cpu_ms_per_charge: cpu ? { backend: cpu.backend, node: cpu.node, postgres: cpu.postgres, load: cpu.load } : null,
    total_cpu_ms_per_charge: total,
    backend_cpu_ms_per_charge: highest(all("backend_cpu_ms_per_charge")),
    charges_per_s_per_core: total ? round(1000 / total, 1) : null,
    charge_latency_ms_block1s: blockLatency(1),
    charge_latency_ms_block2s: blockLatency(2),
    interval_tps_200: engines.some((e) => e.interval.length)
      ? { block1s: lowest(all("interval_tps_200.block1s")), block2s: lowest(all("interval_tps_200.block2s")) }
      : null,
    replicas: withReplicas ? { engine: withReplicas.engine, runs: withReplicas.replicas } : null,
    replicas_2_vs_1: lowest(all("replicas_2_vs_1")),
    replicas_2_vs_1_cpu_normalised: lowest(all("replicas_2_vs_1_cpu_normalised")),
    failover: withFailover ? { engine: withFailover.engine, ...withFailover.failover! } : null,
    card_charge_latency_ms: cardEngine?.card
      ? {
        p50: cardEngine.card.latency_ms.p50, p95: cardEngine.card.latency_ms.p95, shops: cardEngine.card.shops,
        phone_p50_10_tills: cardEngine.card.phone_latency_ms_10?.p50 ?? null, phone_p95_10_tills: cardEngine.card.phone_latency_ms_10?.p95 ?? null,
      }
      : null,
    indexer_lag_ms: highest(all("indexer_lag_ms")),
    soak_rss_growth_pct: soak?.rss_growth_pct ?? null,
    chain_per_engine,
  };
}

export interface ChainGoal {
  goal: string;
  value: number | null;
  met: boolean | null;
}

const goal = (text: string, value: number | null | undefined, met: (v: number) => boolean): ChainGoal => ({
  goal: text, value: value ?? null, met: value === null || value === undefined ? null : met(value),
});

/** The issue's chain goals, each judged on the worst engine's figure. */
export function chainGoals(c: ChainFigures): Record<string, ChainGoal> {
  const g = CHAIN_GOALS;
  return {
    charge_vs_ceiling: goal(`charge_vs_ceiling ≥ ${g.charge_vs_ceiling_min} (50 tills, automine, every engine)`, c.charge_vs_ceiling, (v) => v >= g.charge_vs_ceiling_min),
    till_charge_latency_p95: goal(`till_charge_latency_ms.p95 ≤ ${g.till_charge_latency_p95_ms_max} (50 tills, automine, every engine)`, c.till_charge_latency_ms?.p95, (v) => v <= g.till_charge_latency_p95_ms_max),
    block1s_p95: goal(`charge_latency_ms_block1s.p95 ≤ ${g.block1s_p95_ms_max.toLocaleString("en")} (50 tills)`, c.charge_latency_ms_block1s?.p95, (v) => v <= g.block1s_p95_ms_max),
    block2s_p95: goal(`charge_latency_ms_block2s.p95 ≤ ${g.block2s_p95_ms_max.toLocaleString("en")} (50 tills)`, c.charge_latency_ms_block2s?.p95, (v) => v <= g.block2s_p95_ms_max),
    backend_cpu_ms_per_charge: goal(`backend_cpu_ms_per_charge ≤ ${g.backend_cpu_ms_per_charge_max} (50 tills)`, c.backend_cpu_ms_per_charge, (v) => v <= g.backend_cpu_ms_per_charge_max),
    replicas_2_vs_1: goal(`replicas_2_vs_1 ≥ ${g.replicas_2_vs_1_min} where CPU is not the limit (here it is: see the CPU-normalised figure)`, c.replicas_2_vs_1, (v) => v >= g.replicas_2_vs_1_min),
    soak_rss_growth_pct: goal(`soak_rss_growth_pct ≤ ${g.soak_rss_growth_pct_max} (npm run bench -- --soak)`, c.soak_rss_growth_pct, (v) => v <= g.soak_rss_growth_pct_max),
  };
}

const fmt = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? "–" : v.toLocaleString("en", { maximumFractionDigits: digits }));
const lat = (l: { p50: number | null; p95: number | null; p99?: number | null } | null | undefined) =>
  l ? `${fmt(l.p50, 0)} / ${fmt(l.p95, 0)}${l.p99 === undefined ? "" : ` / ${fmt(l.p99, 0)}`}` : "–";

/** Rows of the table (figure, value, baseline, ratio) for each engine's chain figures. */
export function chainSummaryRows(engines: EngineFigures[]): [string, string, string, string][] {
  const rows: [string, string, string, string][] = [];
  for (const e of engines) {
    const name = e.engine;
    const ceiling = (k: string) => e.raw_erc20_ceiling[k]?.tps;
    for (const [k, s] of Object.entries(e.till_charges)) {
      rows.push([`${name}: lookups+charges/s, ${s.tills} till${s.tills > 1 ? "s" : ""}${s.failed ? ` (${s.failed} failed)` : ""}`, fmt(s.tps), `tight ERC-20 ${fmt(ceiling(k))}/s (same rounds)`, `${fmt(ratio(s.tps, ceiling(k)), 2)}×`]);
    }
    const n50 = e.till_charges.n50;
    if (n50) {
      rows.push([`${name}: batched pay straight to the node (${e.direct_pay_ceiling.n50?.batch ?? "–"} per multicall), 50-till rounds`, `${fmt(e.direct_pay_ceiling.n50?.tps)}/s`, `tight ERC-20 ${fmt(ceiling("n50"))}/s`, `${fmt(ratio(e.direct_pay_ceiling.n50?.tps, ceiling("n50")), 2)}×`]);
      if (e.raw_erc20_naive) rows.push([`${name}: naive ERC-20 baseline (50 workers, poll per transfer)`, `${fmt(e.raw_erc20_naive.tps)}/s`, `tight ERC-20 ${fmt(ceiling("n50"))}/s`, `${fmt(ratio(e.raw_erc20_naive.tps, ceiling("n50")), 2)}×`]);
      rows.push([`${name}: lookup+charge latency p50/p95/p99 ms, 50 tills`, lat(n50.latency_ms), `rounds' p95 ${(n50.round_p95_ms ?? []).map((v) => fmt(v, 0)).join(", ")}`, ""]);
      const cpu = n50.cpu_ms_per_charge;
      if (cpu) {
        const total = totalCpu(cpu)!;
        rows.push([`${name}: CPU ms per charge, 50 tills: backend / node / PostgreSQL / load (cores busy)`, `${fmt(cpu.backend, 2)} / ${fmt(cpu.node, 2)} / ${fmt(cpu.postgres, 2)} / ${fmt(cpu.load, 2)} (${fmt(cpu.cores_busy, 2)})`, `total without load ${fmt(total, 2)} ms`, `${fmt(1000 / total, 0)} charges/s per core`]);
      }
    }
    if (e.card) rows.push([`${name}: card unlock+charge p50/p95 ms, ${e.card.shops} shops${e.card.failed ? ` (${e.card.failed} failed)` : ""}`, lat({ p50: e.card.latency_ms.p50, p95: e.card.latency_ms.p95 }), `phone lookup+charge at 10 tills ${lat({ p50: e.card.phone_latency_ms_10?.p50 ?? null, p95: e.card.phone_latency_ms_10?.p95 ?? null })}`, ""]);
    for (const i of e.interval) {
      rows.push([`${name}: block every ${i.block_seconds} s: latency p50/p95/p99 ms, 50 tills`, lat(i.latency_ms), `200 tills ${fmt(i.tps_200)}/s`, `${fmt(i.blocks.payments_per_block)} payments in ${fmt(i.blocks.txs_per_block, 2)} tx per block`]);
    }
    for (const r of e.replicas) {
      rows.push([`${name}: ${r.replicas} replica${r.replicas > 1 ? "s" : ""}, ${r.tills} tills: charges/s`, fmt(r.tps), `CPU ms per charge: backend ${fmt(r.cpu_ms_per_charge?.backend, 2)} (each ${r.backend_cpu_ms_per_charge_each.map((v) => fmt(v, 2)).join(" / ")}), total ${fmt(totalCpu(r.cpu_ms_per_charge), 2)}`, `${fmt(r.cpu_ms_per_charge?.cores_busy, 2)} cores busy`]);
    }
    if (e.failover) {
      const f = e.failover;
      rows.push([`${name}: ${f.replicas} replicas, one SIGKILLed: receipts / not on chain once / charged twice / not indexed`, `${f.receipts} / ${f.receipts_not_on_chain_once} / ${f.charged_twice} / ${f.not_indexed}`, `of ${f.charges_asked} asked`, `leader moved in ${Object.entries(f.handover_ms).map(([k, v]) => `${k} ${fmt(v, 0)}`).join(", ")} ms`]);
    }
    rows.push([`${name}: indexer lag p50/p95 ms`, `${fmt(e.indexer_lag_ms.p50, 0)} / ${fmt(e.indexer_lag_ms.p95, 0)}`, "indexer polls every 250 ms", ""]);
  }
  return rows;
}
