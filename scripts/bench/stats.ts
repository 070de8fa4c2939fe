// Pure helpers of the benchmarks: percentiles, rates and ratios, rounded the way the tables show them.

/** The p-th percentile (0..100) of `values` by the nearest-rank method; null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  if (p < 0 || p > 100 || Number.isNaN(p)) throw new RangeError("percentile must be between 0 and 100");
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export interface Latency {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  n: number;
}

/** p50/p95/p99/max of durations in ms, rounded to 0.1 ms. */
export function latencySummary(ms: readonly number[]): Latency {
  const r = (v: number | null) => (v === null ? null : round(v, 1));
  return { p50: r(percentile(ms, 50)), p95: r(percentile(ms, 95)), p99: r(percentile(ms, 99)), max: r(percentile(ms, 100)), n: ms.length };
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Operations per second; null when nothing was timed. */
export function rate(count: number, ms: number): number | null {
  return ms > 0 && count > 0 ? round((count * 1000) / ms, 1) : null;
}

/** a / b, two decimals; null when either is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return round(a / b, 2);
}

/** Runs `work` over `items` with at most `limit` at a time, in order of the items. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Spread {
  min: number;
  median: number;
  max: number;
  n: number;
}

/** min/median/max of a few runs, rounded to `digits` (the median of an even count is the lower middle: a measured value). */
export function spread(values: readonly number[], digits = 0): Spread {
  if (!values.length) throw new RangeError("no values");
  const sorted = [...values].sort((a, b) => a - b);
  const r = (v: number) => round(v, digits);
  return { min: r(sorted[0]!), median: r(sorted[Math.floor((sorted.length - 1) / 2)]!), max: r(sorted.at(-1)!), n: sorted.length };
}
