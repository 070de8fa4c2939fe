// Charts of the benchmark's results as plain SVG text, drawn here (no plotting library: a few lines and
// labels), written next to latest.md and shown in it: latency percentiles against the number of tills,
// and charges per second against the number of backend replicas.
import { round } from "./stats.ts";

export interface Series {
  name: string;
  points: [x: number, y: number][];
  color: string;
  /** An SVG stroke-dasharray: percentiles of one engine share its colour and differ in dash. */
  dash?: string;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** A log scale spreads 1, 10, 50, 200 tills evenly enough to read. */
  xScale?: "linear" | "log";
  /** A goal drawn as a horizontal line. */
  reference?: { y: number; label: string };
}

/** Okabe–Ito: told apart also by people with colour blindness. */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"] as const;

const W = 640;
const H = 360;
const M = { left: 64, right: 150, top: 36, bottom: 48 };

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Round tick values from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = 0; v < max + step / 2; v += step) ticks.push(round(v, 6));
  if (ticks.at(-1)! < max) ticks.push(round(ticks.at(-1)! + step, 6));
  return ticks;
}

const label = (v: number) => v.toLocaleString("en", { maximumFractionDigits: 2 });

/** A line chart as a standalone SVG document; null when no series has a point. */
export function lineChart(spec: ChartSpec): string | null {
  const series = spec.series.filter((s) => s.points.length > 0);
  if (!series.length) return null;
  const xs = [...new Set(series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b);
  const log = spec.xScale === "log" && xs[0]! > 0;
  const fx = (x: number) => (log ? Math.log10(x) : x);
  const [x0, x1] = [fx(xs[0]!), fx(xs.at(-1)!)];
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const px = (x: number) => M.left + (x1 === x0 ? plotW / 2 : ((fx(x) - x0) / (x1 - x0)) * plotW);
  // A little headroom, so the highest point and the goal's label stay clear of the title.
  const yTicks = niceTicks(1.05 * Math.max(...series.flatMap((s) => s.points.map(([, y]) => y)), spec.reference?.y ?? 0));
  const yMax = yTicks.at(-1)!;
  const py = (y: number) => M.top + plotH - (y / yMax) * plotH;
  const f = (n: number) => round(n, 1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escape(spec.title)}" font-family="sans-serif" font-size="12">`,
    `<title>${escape(spec.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${M.left}" y="20" font-size="14" font-weight="bold">${escape(spec.title)}</text>`,
  ];
  for (const t of yTicks) {
    out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${f(py(t))}" y2="${f(py(t))}" stroke="#ddd"/>`);
    out.push(`<text x="${M.left - 6}" y="${f(py(t) + 4)}" text-anchor="end">${label(t)}</text>`);
  }
  for (const x of xs) {
    out.push(`<line x1="${f(px(x))}" x2="${f(px(x))}" y1="${M.top + plotH}" y2="${M.top + plotH + 4}" stroke="#333"/>`);
    out.push(`<text x="${f(px(x))}" y="${M.top + plotH + 18}" text-anchor="middle">${label(x)}</text>`);
  }
  out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + plotH}" stroke="#333"/>`);
  out.push(`<text x="${M.left + plotW / 2}" y="${H - 8}" text-anchor="middle">${escape(spec.xLabel)}${log ? " (log scale)" : ""}</text>`);
  out.push(`<text transform="translate(16 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(spec.yLabel)}</text>`);
  if (spec.reference) {
    const y = f(py(spec.reference.y));
    out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${y}" y2="${y}" stroke="#000" stroke-dasharray="2 3"/>`);
    out.push(`<text x="${M.left + plotW - 4}" y="${y - 4}" text-anchor="end">${escape(spec.reference.label)}</text>`);
  }
  series.forEach((s, i) => {
    const points = [...s.points].sort((a, b) => a[0] - b[0]);
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : "";
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${points.map(([x, y]) => `${f(px(x))},${f(py(y))}`).join(" ")}"/>`);
    for (const [x, y] of points) out.push(`<circle cx="${f(px(x))}" cy="${f(py(y))}" r="3" fill="${s.color}"><title>${escape(`${s.name}: ${label(x)} → ${label(y)}`)}</title></circle>`);
    const ly = M.top + 8 + i * 18;
    out.push(`<line x1="${W - M.right + 12}" x2="${W - M.right + 36}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${W - M.right + 42}" y="${ly + 4}">${escape(s.name)}</text>`);
  });
  out.push("</svg>", "");
  return out.join("\n");
}

/** What the latency chart reads of each engine: its till stages' till counts and latency percentiles. */
export interface LatencyStage {
  tills: number;
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
}

const PERCENTILE_DASH = { p50: "", p95: "6 3", p99: "2 3" } as const;

export function latencyVsTillsChart(engines: Record<string, { till_charges: Record<string, LatencyStage> }>, goalP95Ms?: number): string | null {
  const series: Series[] = [];
  Object.entries(engines).forEach(([engine, figures], i) => {
    for (const p of ["p50", "p95", "p99"] as const) {
      const points = Object.values(figures.till_charges ?? {})
        .filter((stage) => typeof stage.latency_ms[p] === "number")
        .map((stage): [number, number] => [stage.tills, stage.latency_ms[p]!]);
      series.push({ name: `${engine} ${p}`, points, color: PALETTE[i % PALETTE.length]!, ...(PERCENTILE_DASH[p] ? { dash: PERCENTILE_DASH[p] } : {}) });
    }
  });
  return lineChart({
    title: "Latency of a till's lookup + charge against tills at once (automine)",
    xLabel: "tills", yLabel: "lookup + charge (ms)", xScale: "log", series,
    ...(goalP95Ms ? { reference: { y: goalP95Ms, label: `goal p95 ≤ ${goalP95Ms} ms` } } : {}),
  });
}

/** One scale-out measurement: charges/s with this many backend replicas at this many tills. */
export interface ReplicaPoint {
  engine: string;
  replicas: number;
  tills: number;
  charges_per_s: number;
}

export function throughputVsReplicasChart(points: readonly ReplicaPoint[]): string | null {
  const groups = new Map<string, [number, number][]>();
  for (const p of points) {
    const key = `${p.engine}, ${p.tills} tills`;
    groups.set(key, [...(groups.get(key) ?? []), [p.replicas, p.charges_per_s]]);
  }
  const engines = [...new Set(points.map((p) => p.engine))];
  const tills = [...new Set(points.map((p) => p.tills))].sort((a, b) => a - b);
  const series = [...groups].map(([name, pts]): Series => {
    const point = points.find((p) => `${p.engine}, ${p.tills} tills` === name)!;
    const dash = ["", "6 3", "2 3"][tills.indexOf(point.tills) % 3];
    return { name, points: pts, color: PALETTE[engines.indexOf(point.engine) % PALETTE.length]!, ...(dash ? { dash } : {}) };
  });
  return lineChart({ title: "Charges per second against backend replicas", xLabel: "backend replicas", yLabel: "charges per second", series });
}

export interface Chart {
  /** File name next to the markdown. */
  file: string;
  title: string;
  svg: string;
}
