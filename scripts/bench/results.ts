// The results object of `npm run bench` (bench/results/latest.json), its goals, and the markdown summary.
import type { EngineFigures } from "./chain.ts";
import { CHAIN_GOALS, CHAIN_RESULT_KEYS, type ChainFigures, type ChainGoal, chainFigures, chainGoals, chainSummaryRows, type SoakSummary } from "./chain-results.ts";
import type { DashboardFigure } from "./dashboard.ts";
import { latencyVsTillsChart, throughputVsReplicasChart, type Chart, type ReplicaPoint } from "./plots.ts";
import type { SlowPhoneFigure } from "./slow-phone.ts";
import type { QrFigure } from "./static.ts";
import { ratio, type Spread } from "./stats.ts";

export const GOALS = {
  pay_gas_max: 50_000,
  dashboard_p95_ms_max: 25,
  qr_version_max: 8,
  wallet_js_gzip_kb_max: 200,
  wallet_usable_ms_slow_phone_max: 2_500,
  payout_10k_s_max: 20,
} as const;

/** The keys the issue names, in its order: latest.json always has every one (null with a reason when not measured). */
export const RESULT_KEYS = [
  "gas", ...CHAIN_RESULT_KEYS, "payout_10k_s", "dashboard_p95_ms", "qr_version", "wallet_js_gzip_kb", "wallet_usable_ms_slow_phone",
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
  /** bench/results/soak.json of the last `npm run bench -- --soak`, when there is one. */
  soak?: SoakSummary | null;
  payouts?: PayoutFigure;
  dashboard?: DashboardFigure;
  qr?: QrFigure;
  wallet?: { gzipKb: number; rawKb: number; files: unknown[]; note?: string };
  /** The same payout run on embedded PGlite (`payouts` is on PostgreSQL). */
  payoutsPglite?: PayoutFigure;
  slowPhone?: SlowPhoneFigure;
}

export type GoalName = "pay_gas" | "dashboard_p95" | "qr_version" | "wallet_js_gzip_kb" | "wallet_usable_ms_slow_phone" | "payout_10k_s";

export type Goal = ChainGoal;

export interface BenchResults extends ChainFigures {
  measured_at: string;
  mode: "quick" | "full";
  machine: { cpus: number; load_average_before: number[]; load_average_after: number[]; node: string };
  /** The first engine measured; the top-level chain figures are the worst engine's, every engine's under `engines`. */
  primary_engine: string | null;
  gas: GasFigure | null;
  /** On PostgreSQL. */
  payout_10k_s: number | null;
  payout_10k_s_pglite: number | null;
  dashboard_p95_ms: Record<string, number | null> | null;
  /** The worst query's p95 in each round of the same run: min/median/max. */
  dashboard_p95_ms_spread: Spread | null;
  qr_version: number | null;
  wallet_js_gzip_kb: number | null;
  wallet_usable_ms_slow_phone: number | null;
  goals: Record<GoalName, Goal> & Record<string, Goal>;
  engines: Record<string, EngineFigures>;
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
  const engines = Object.fromEntries(sections.engines.map((e) => [e.engine, e]));
  const primary = sections.engines[0] ?? null;
  const chain = chainFigures(sections.engines, sections.soak ?? null);
  const dashboard = sections.dashboard
    ? { ...Object.fromEntries(Object.entries(sections.dashboard.queries).map(([q, r]) => [q, r.p95_ms])), worst_query: sections.dashboard.worst_p95_ms }
    : null;
  return {
    measured_at: (input.measuredAt ?? new Date()).toISOString(),
    mode: input.mode,
    machine: input.machine,
    primary_engine: primary?.engine ?? null,
    gas: sections.gas ?? null,
    ...chain,
    payout_10k_s: sections.payouts?.seconds ?? null,
    payout_10k_s_pglite: sections.payoutsPglite?.seconds ?? null,
    dashboard_p95_ms: dashboard,
    dashboard_p95_ms_spread: sections.dashboard?.worst_p95_ms_rounds ?? null,
    qr_version: sections.qr?.version ?? null,
    wallet_js_gzip_kb: sections.wallet?.gzipKb ?? null,
    wallet_usable_ms_slow_phone: sections.slowPhone?.wallet_usable_ms_slow_phone ?? null,
    goals: {
      pay_gas: goal(`pay ≤ ${GOALS.pay_gas_max.toLocaleString("en")} gas`, sections.gas ? Math.max(sections.gas.pay, sections.gas.pay_first) : null, (v) => v <= GOALS.pay_gas_max),
      ...chainGoals(chain),
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
  rows.push(...chainSummaryRows(Object.values(r.engines)));
  rows.push(...firstLoadAndPayoutRows(r));
  return rows;
}

export function markdown(r: BenchResults, chartPrefix = "latest"): string {
  const lines = [
    `# Benchmark results (${r.mode}, ${r.measured_at})`,
    "",
    `Machine: ${r.machine.cpus} cores, load average ${r.machine.load_average_before.map((v) => v.toFixed(1)).join(" ")} before and ${r.machine.load_average_after.map((v) => v.toFixed(1)).join(" ")} after (shared); Node ${r.machine.node}. Top-level chain figures: the worst engine's of ${Object.keys(r.engines).join(", ") || "–"}.`,
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
  const latency = latencyVsTillsChart(r.engines, CHAIN_GOALS.till_charge_latency_p95_ms_max);
  if (latency) out.push({ file: `${prefix}-latency-vs-tills.svg`, title: "Charge latency p50/p95/p99 against tills", svg: latency });
  const scale = throughputVsReplicasChart(replicas);
  if (scale) out.push({ file: `${prefix}-throughput-vs-replicas.svg`, title: "Charges per second against backend replicas", svg: scale });
  return out;
}

/** Scale-out points of a result: every engine's replica runs ({ replicas, tills, tps }). */
export function replicaPoints(r: BenchResults): ReplicaPoint[] {
  return Object.entries(r.engines).flatMap(([engine, e]) =>
    (e.replicas ?? []).filter((m) => typeof m.tps === "number").map((m) => ({ engine, replicas: m.replicas, tills: m.tills, charges_per_s: m.tps! })));
}
