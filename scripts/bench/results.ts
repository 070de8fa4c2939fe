// The results object of `npm run bench` (bench/results/latest.json), its goals, and the markdown summary.
import type { EngineFigures } from "./chain.ts";
import type { DashboardFigure } from "./dashboard.ts";
import { latencyVsTillsChart, throughputVsReplicasChart, type Chart, type ReplicaPoint } from "./plots.ts";
import type { SlowPhoneFigure } from "./slow-phone.ts";
import type { QrFigure } from "./static.ts";
import { ratio, type Spread } from "./stats.ts";

export const GOALS = {
  pay_gas_max: 65_000,
  charge_vs_raw_min: 0.7,
  charge_latency_p95_ms_max: 250,
  dashboard_p95_ms_max: 25,
  qr_version_max: 8,
  wallet_js_gzip_kb_max: 200,
  wallet_usable_ms_slow_phone_max: 2_500,
  payout_10k_s_max: 20,
} as const;

/** The keys the issue names, in its order: latest.json always has every one (null with a reason when not measured). */
export const RESULT_KEYS = [
  "gas", "charge_throughput", "raw_erc20_tps", "charge_vs_raw", "charge_latency_ms", "indexer_lag_ms", "payout_10k_s",
  "dashboard_p95_ms", "qr_version", "wallet_js_gzip_kb", "wallet_usable_ms_slow_phone",
] as const;

export interface GasFigure {
  pay: number;
  pay_first: number;
  refund: number;
  settle: number;
  issue_per_budget: number;
  baseline_erc20_transfer: number;
  pay_vs_erc20: number | null;
  detail: Record<string, unknown>;
}

export interface PayoutFigure {
  payouts: number;
  seconds: number;
  /** Measured with fewer payouts than 10,000 and scaled linearly. */
  extrapolated: boolean;
  payouts_per_second: number | null;
  detail: Record<string, unknown>;
}

export interface Sections {
  gas?: GasFigure;
  engines: EngineFigures[];
  payouts?: PayoutFigure;
  dashboard?: DashboardFigure;
  qr?: QrFigure;
  wallet?: { gzipKb: number; rawKb: number; files: unknown[]; note?: string };
  /** The same payout run on embedded PGlite (`payouts` is on PostgreSQL). */
  payoutsPglite?: PayoutFigure;
  slowPhone?: SlowPhoneFigure;
}

export type GoalName = "pay_gas" | "charge_vs_raw" | "charge_latency_p95" | "dashboard_p95" | "qr_version" | "wallet_js_gzip_kb"
  | "wallet_usable_ms_slow_phone" | "payout_10k_s";

export interface Goal {
  goal: string;
  value: number | null;
  met: boolean | null;
}

export interface BenchResults {
  measured_at: string;
  mode: "quick" | "full";
  machine: { cpus: number; load_average_before: number[]; load_average_after: number[]; node: string };
  /** The engine the top-level chain figures come from; every engine's figures are under `engines`. */
  primary_engine: string | null;
  gas: GasFigure | null;
  charge_throughput: { n1: number | null; n10: number | null; n50: number | null; [key: string]: number | null } | null;
  raw_erc20_tps: number | null;
  charge_vs_raw: number | null;
  charge_latency_ms: { p50: number | null; p95: number | null; p99: number | null } | null;
  indexer_lag_ms: number | null;
  /** On PostgreSQL. */
  payout_10k_s: number | null;
  payout_10k_s_pglite: number | null;
  dashboard_p95_ms: Record<string, number | null> | null;
  /** The worst query's p95 in each round of the same run: min/median/max. */
  dashboard_p95_ms_spread: Spread | null;
  qr_version: number | null;
  wallet_js_gzip_kb: number | null;
  wallet_usable_ms_slow_phone: number | null;
  goals: Record<GoalName, Goal>;
  engines: Record<string, EngineFigures & { charge_vs_raw: number | null }>;
  detail: {
    payouts: PayoutFigure | null; payouts_pglite: PayoutFigure | null; dashboard: DashboardFigure | null; qr: Sections["qr"] | null;
    wallet: Sections["wallet"] | null; slow_phone: SlowPhoneFigure | null;
  };
  /** Why a figure is null: section → reason. */
  errors: Record<string, string>;
  seconds: Record<string, number>;
}

const goal = (text: string, value: number | null | undefined, met: (v: number) => boolean): Goal => ({
  goal: text,
  value: value ?? null,
  met: value === null || value === undefined ? null : met(value),
});

export function buildResults(input: {
  mode: "quick" | "full";
  sections: Sections;
  errors: Record<string, string>;
  seconds: Record<string, number>;
  machine: BenchResults["machine"];
  measuredAt?: Date;
}): BenchResults {
  const { sections } = input;
  const engines = Object.fromEntries(
    sections.engines.map((e) => [e.engine, { ...e, charge_vs_raw: ratio(e.charge_throughput.n50?.tps ?? null, e.raw_erc20.tps) }]),
  );
  const primary = sections.engines[0] ?? null;
  const charge_throughput = primary
    ? Object.fromEntries(Object.entries(primary.charge_throughput).map(([k, stage]) => [k, stage.tps])) as BenchResults["charge_throughput"]
    : null;
  const n50 = primary?.charge_throughput.n50;
  const raw = primary?.raw_erc20.tps ?? null;
  const chargeVsRaw = ratio(n50?.tps ?? null, raw);
  const dashboard = sections.dashboard
    ? { ...Object.fromEntries(Object.entries(sections.dashboard.queries).map(([q, r]) => [q, r.p95_ms])), worst_query: sections.dashboard.worst_p95_ms }
    : null;
  // The goals hold on every engine: judged on the worst engine's figure.
  const perEngine = (figure: (e: BenchResults["engines"][string]) => number | null | undefined) =>
    Object.values(engines).map(figure).filter((v): v is number => typeof v === "number");
  const ratios = perEngine((e) => e.charge_vs_raw);
  const p95s = perEngine((e) => e.charge_throughput.n50?.latency_ms.p95);
  const worstChargeVsRaw = ratios.length ? Math.min(...ratios) : null;
  const worstP95 = p95s.length ? Math.max(...p95s) : null;
  return {
    measured_at: (input.measuredAt ?? new Date()).toISOString(),
    mode: input.mode,
    machine: input.machine,
    primary_engine: primary?.engine ?? null,
    gas: sections.gas ?? null,
    charge_throughput,
    raw_erc20_tps: raw,
    charge_vs_raw: chargeVsRaw,
    charge_latency_ms: n50 ? { p50: n50.latency_ms.p50, p95: n50.latency_ms.p95, p99: n50.latency_ms.p99 } : null,
    indexer_lag_ms: primary?.indexer_lag_ms.p95 ?? null,
    payout_10k_s: sections.payouts?.seconds ?? null,
    payout_10k_s_pglite: sections.payoutsPglite?.seconds ?? null,
    dashboard_p95_ms: dashboard,
    dashboard_p95_ms_spread: sections.dashboard?.worst_p95_ms_rounds ?? null,
    qr_version: sections.qr?.version ?? null,
    wallet_js_gzip_kb: sections.wallet?.gzipKb ?? null,
    wallet_usable_ms_slow_phone: sections.slowPhone?.wallet_usable_ms_slow_phone ?? null,
    goals: {
      pay_gas: goal(`pay ≤ ${GOALS.pay_gas_max.toLocaleString("en")} gas`, sections.gas ? Math.max(sections.gas.pay, sections.gas.pay_first) : null, (v) => v <= GOALS.pay_gas_max),
      charge_vs_raw: goal(`charge_vs_raw ≥ ${GOALS.charge_vs_raw_min} (every engine)`, worstChargeVsRaw, (v) => v >= GOALS.charge_vs_raw_min),
      charge_latency_p95: goal(`charge p95 ≤ ${GOALS.charge_latency_p95_ms_max} ms at 50 shops (every engine)`, worstP95, (v) => v <= GOALS.charge_latency_p95_ms_max),
      dashboard_p95: goal(`each dashboard query p95 ≤ ${GOALS.dashboard_p95_ms_max} ms (median of the rounds)`, sections.dashboard?.worst_p95_ms, (v) => v <= GOALS.dashboard_p95_ms_max),
      qr_version: goal(`QR version ≤ ${GOALS.qr_version_max} at ECC M (max over ${sections.qr?.permits ?? "–"} random permits)`, sections.qr?.version, (v) => v <= GOALS.qr_version_max),
      wallet_js_gzip_kb: goal(`wallet first-load JS ≤ ${GOALS.wallet_js_gzip_kb_max} kB gzipped`, sections.wallet?.gzipKb, (v) => v <= GOALS.wallet_js_gzip_kb_max),
      ...firstLoadAndPayoutGoals(sections),
    },
    engines,
    detail: {
      payouts: sections.payouts ?? null, payouts_pglite: sections.payoutsPglite ?? null, dashboard: sections.dashboard ?? null, qr: sections.qr ?? null,
      wallet: sections.wallet ?? null, slow_phone: sections.slowPhone ?? null,
    },
    errors: input.errors,
    seconds: input.seconds,
  };
}

const fmt = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? "–" : v.toLocaleString("en", { maximumFractionDigits: digits }));
const met = (g: Goal) => (g.met === null ? "not measured" : g.met ? "met" : "**not met**");

/** The rows of the console table and the markdown summary: figure, value, baseline, ratio. */
export function summaryRows(r: BenchResults): [string, string, string, string][] {
  const rows: [string, string, string, string][] = [];
  if (r.gas) rows.push(["gas: pay", fmt(r.gas.pay, 0), `ERC-20 transfer ${fmt(r.gas.baseline_erc20_transfer, 0)}`, `${fmt(r.gas.pay_vs_erc20, 2)}×`]);
  for (const [name, e] of Object.entries(r.engines)) {
    for (const [k, stage] of Object.entries(e.charge_throughput)) {
      rows.push([`${name}: charges/s, ${stage.shops} shop${stage.shops > 1 ? "s" : ""}${stage.failed ? ` (${stage.failed} failed)` : ""}`, fmt(stage.tps), `raw ERC-20 ${fmt(e.raw_erc20.tps)}/s`, `${fmt(ratio(stage.tps, e.raw_erc20.tps), 2)}×`]);
      if (k === "n50") {
        rows.push([`${name}: charge latency p50/p95/p99 ms, 50 shops`, `${fmt(stage.latency_ms.p50, 0)} / ${fmt(stage.latency_ms.p95, 0)} / ${fmt(stage.latency_ms.p99, 0)}`, `raw ERC-20 p95 ${fmt(e.raw_erc20.latency_ms.p95, 0)}`, `${fmt(ratio(stage.latency_ms.p95, e.raw_erc20.latency_ms.p95), 2)}×`]);
        const cpu = stage.cpu_ms_per_charge;
        const raw = e.raw_erc20.cpu_ms_per_transfer;
        if (cpu && raw) {
          rows.push([
            `${name}: CPU ms per charge, 50 shops: backend / node / PostgreSQL / load (cores busy)`,
            `${fmt(cpu.backend, 2)} / ${fmt(cpu.node, 2)} / ${fmt(cpu.postgres, 2)} / ${fmt(cpu.load, 2)} (${fmt(cpu.cores_busy, 2)})`,
            `raw transfer: node ${fmt(raw.node, 2)}, load ${fmt(raw.load, 2)} (${fmt(raw.cores_busy, 2)})`,
            `${fmt(ratio(cpu.total, raw.total), 2)}×`,
          ]);
        }
      }
    }
    rows.push([`${name}: indexer lag p50/p95 ms`, `${fmt(e.indexer_lag_ms.p50, 0)} / ${fmt(e.indexer_lag_ms.p95, 0)}`, "indexer polls every 250 ms", ""]);
  }
  rows.push(...firstLoadAndPayoutRows(r));
  return rows;
}

export function markdown(r: BenchResults, chartPrefix = "latest"): string {
  const lines = [
    `# Benchmark results (${r.mode}, ${r.measured_at})`,
    "",
    `Machine: ${r.machine.cpus} cores, load average ${r.machine.load_average_before.map((v) => v.toFixed(1)).join(" ")} before and ${r.machine.load_average_after.map((v) => v.toFixed(1)).join(" ")} after (shared); Node ${r.machine.node}. Top-level chain figures from ${r.primary_engine ?? "–"}.`,
    "",
    "| figure | value | baseline (same run) | ratio |",
    "| --- | ---: | --- | ---: |",
    ...summaryRows(r).map((row) => `| ${row.join(" | ")} |`),
    "",
    "## Goals",
    "",
    "| goal | value | |",
    "| --- | ---: | --- |",
    ...Object.values(r.goals).map((g) => `| ${g.goal} | ${fmt(g.value, 2)} | ${met(g)} |`),
  ];
  const drawn = charts(r, chartPrefix);
  if (drawn.length) lines.push("", "## Charts", "", ...drawn.map((c) => `![${c.title}](${c.file})`));
  if (Object.keys(r.errors).length) {
    lines.push("", "## Not measured", "", ...Object.entries(r.errors).map(([k, v]) => `- ${k}: ${v}`));
  }
  lines.push("", `Seconds per section: ${Object.entries(r.seconds).map(([k, v]) => `${k} ${v}`).join(", ")}.`, "");
  return lines.join("\n");
}

// ── The apps' first load, the QR, payouts on PostgreSQL, the dashboard's spread, and the charts ──────

function firstLoadAndPayoutGoals(sections: Sections): Pick<Record<GoalName, Goal>, "wallet_usable_ms_slow_phone" | "payout_10k_s"> {
  return {
    wallet_usable_ms_slow_phone: goal(`wallet usable on a slow phone (6× CPU, 1.6 Mbit/s, 150 ms) ≤ ${GOALS.wallet_usable_ms_slow_phone_max.toLocaleString("en")} ms (median)`,
      sections.slowPhone?.wallet_usable_ms_slow_phone, (v) => v <= GOALS.wallet_usable_ms_slow_phone_max),
    payout_10k_s: goal(`payout run of 10,000 shops on PostgreSQL ≤ ${GOALS.payout_10k_s_max} s`, sections.payouts?.seconds, (v) => v <= GOALS.payout_10k_s_max),
  };
}

function firstLoadAndPayoutRows(r: BenchResults): [string, string, string, string][] {
  const rows: [string, string, string, string][] = [];
  const payout = (p: PayoutFigure, where: string) =>
    rows.push([`payout run, 10,000 shops, ${where} (s)${p.extrapolated ? ` — from ${p.payouts}` : ""}`, fmt(p.seconds, 1), `${fmt(p.payouts_per_second, 0)} payouts/s`, ""]);
  if (r.detail.payouts) payout(r.detail.payouts, "PostgreSQL");
  if (r.detail.payouts_pglite) payout(r.detail.payouts_pglite, "PGlite");
  if (r.detail.dashboard) {
    const d = r.detail.dashboard;
    for (const [q, x] of Object.entries(d.queries)) {
      rows.push([`dashboard ${q} p95 ms (largest / typical fund)`, `${fmt(x.largest.p95)} / ${fmt(x.typical.p95)}`, `payment by key p95 ${fmt(d.baseline_pk_lookup_ms.p95)}`, `${fmt(ratio(x.p95_ms, GOALS.dashboard_p95_ms_max), 2)}× goal`]);
    }
    const spread = d.worst_p95_ms_rounds;
    if (spread) rows.push([`dashboard worst query p95 ms over ${spread.n} rounds: min / median / max`, `${fmt(spread.min)} / ${fmt(spread.median)} / ${fmt(spread.max)}`, `goal ${GOALS.dashboard_p95_ms_max}`, `${fmt(ratio(spread.median, GOALS.dashboard_p95_ms_max), 2)}× goal`]);
  }
  if (r.detail.qr) {
    const q = r.detail.qr;
    const counts = Object.entries(q.versions).map(([v, n]) => `v${v}: ${n}`).join(", ");
    rows.push([`QR version (ECC M), max over ${q.permits} random permits (${counts})`, String(q.version), `worst case ${q.worst_case_version}; all fields 0xff ${q.all_ones_version}`, `goal ${GOALS.qr_version_max}`]);
  }
  if (r.wallet_js_gzip_kb !== null) rows.push(["wallet first-load JS, gzip kB", fmt(r.wallet_js_gzip_kb), `goal ${GOALS.wallet_js_gzip_kb_max}`, `${fmt(ratio(r.wallet_js_gzip_kb, GOALS.wallet_js_gzip_kb_max), 2)}× goal`]);
  if (r.detail.slow_phone) {
    for (const [name, s] of Object.entries(r.detail.slow_phone.screens)) {
      rows.push([
        `${name}: first screen usable, slow phone, ms (median; min–max of ${s.slow_phone_ms.n})`,
        `${fmt(s.slow_phone_ms.median, 0)} (${fmt(s.slow_phone_ms.min, 0)}–${fmt(s.slow_phone_ms.max, 0)})`,
        `unthrottled ${fmt(s.unthrottled_ms.median, 0)} ms; ${fmt(s.transferred_kb)} kB over the wire`,
        `${fmt(ratio(s.slow_phone_ms.median, s.unthrottled_ms.median), 2)}×`,
      ]);
    }
  }
  return rows;
}

/**
 * The charts of a result, as SVG files named `<prefix>-….svg` beside the markdown: latency percentiles
 * against tills for every engine measured, and charges/s against backend replicas when the run measured
 * scale-out (`replicas`: one point per engine, replica count and till count).
 */
export function charts(r: BenchResults, prefix = "latest", replicas: readonly ReplicaPoint[] = replicaPoints(r)): Chart[] {
  const out: Chart[] = [];
  const latency = latencyVsTillsChart(r.engines, GOALS.charge_latency_p95_ms_max);
  if (latency) out.push({ file: `${prefix}-latency-vs-tills.svg`, title: "Charge latency p50/p95/p99 against tills", svg: latency });
  const scale = throughputVsReplicasChart(replicas);
  if (scale) out.push({ file: `${prefix}-throughput-vs-replicas.svg`, title: "Charges per second against backend replicas", svg: scale });
  return out;
}

/** Scale-out points of a result, where a run recorded them as `engines.<name>.replicas[]` ({ replicas, tills, tps }). */
export function replicaPoints(r: BenchResults): ReplicaPoint[] {
  return Object.entries(r.engines).flatMap(([engine, e]) => {
    const measured = (e as { replicas?: { replicas: number; tills: number; tps: number | null }[] }).replicas;
    return Array.isArray(measured)
      ? measured.filter((m) => typeof m.tps === "number").map((m) => ({ engine, replicas: m.replicas, tills: m.tills, charges_per_s: m.tps! }))
      : [];
  });
}
