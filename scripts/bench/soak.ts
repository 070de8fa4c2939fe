// `npm run bench -- --soak [--minutes=20] [--engines=anvil]`: the backend under steady load for a long
// stretch. First the capacity: 50 tills charging one after the other for a few seconds; then for the
// minutes asked, payments arrive at half that rate (open loop: a new one every 1/rate s on a free till of
// 100, whether or not earlier ones are done), each a QR lookup and a charge as a till does. Per minute:
// p50/p95, charges and errors, every process's resident memory, the indexer's lag. Not in the default run.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChainEngine } from "../lib/local-chain.ts";
import { type ChargeOutcome, openEngine, indexerLag, signQrs, tillCharge, type Till } from "./chain.ts";
import type { SoakSummary } from "./chain-results.ts";
import { memoryMb, type CpuRole } from "./cpu.ts";
import { latencySummary, rate, round, sleep, type Latency } from "./stats.ts";

export interface SoakMinute {
  minute: number;
  charges: number;
  errors: number;
  latency_ms: Latency;
  /** Payments due that found no free till (the backend fell behind the arrival rate). */
  no_free_till: number;
  rss_mb: Record<CpuRole, number>;
  /** Private (anonymous) memory: what a leak grows; PostgreSQL's shared buffers are not in it. */
  private_mb: Record<CpuRole, number>;
  indexer_lag_ms: number | null;
}

export interface SoakFigures extends SoakSummary {
  engine: ChainEngine;
  capacity_tps: number | null;
  target_tps: number;
  achieved_tps: number | null;
  errors: Record<string, number>;
  per_minute: SoakMinute[];
  /** Growth of each process's private memory in the steady part (from `steady_from_minute`), in % ({@link steadyGrowth}). */
  rss_growth_pct_by_process: Record<string, number | null>;
  /** The same from the first minute: the heaps growing to their working size are in it. */
  private_growth_pct_from_first_minute: Record<string, number | null>;
  steady_from_minute: number;
  /** The same for resident memory (VmRSS): PostgreSQL's includes its shared buffers as they are touched. */
  vmrss_growth_pct_by_process: Record<string, number | null>;
  load_average: number[];
}

/**
 * Memory growth in % from the minute `from` (0 = the first) to the last; null with fewer than two
 * minutes from there. From the first minute it includes a fresh process's heap growing to its working
 * size, which is not a leak.
 */
export function rssGrowth(minutes: readonly SoakMinute[], role: string, of: "rss_mb" | "private_mb" = "private_mb", from = 0): number | null {
  if (minutes.length - from < 2) return null;
  const first = minutes[from]![of][role as CpuRole];
  const last = minutes.at(-1)![of][role as CpuRole];
  return first > 0 ? round(((last - first) / first) * 100, 1) : null;
}

/** The first minute of the steady part: after the first quarter of the soak. */
export const steadyFrom = (minutes: number) => Math.floor(minutes / 4);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * The goal's figure: growth in % of the steady part (after the first quarter), as the median of its last
 * third against the median of its first third. One minute's reading swings with what the process holds
 * at that moment (PostgreSQL's connections ±50 % from their sorts and hashes); a leak moves the medians.
 * Null with fewer than 3 steady minutes.
 */
export function steadyGrowth(minutes: readonly SoakMinute[], role: string, of: "rss_mb" | "private_mb" = "private_mb"): number | null {
  const steady = minutes.slice(steadyFrom(minutes.length)).map((m) => m[of][role as CpuRole]);
  if (steady.length < 3) return null;
  const third = Math.floor(steady.length / 3);
  const first = median(steady.slice(0, third));
  const last = median(steady.slice(-third));
  return first > 0 ? round(((last - first) / first) * 100, 1) : null;
}

export async function benchSoak(o: { engine: ChainEngine; pgServerUrl: string; minutes: number; lanes: number; results: string; log: (line: string) => void; loadAverage: () => number[] }): Promise<SoakFigures> {
  const { log } = o;
  const TILLS = 100;
  const engine = await openEngine({ engine: o.engine, pgServerUrl: o.pgServerUrl, lanes: o.lanes, replicas: 1, tills: TILLS, directSenders: 0, children: 20, cardShops: 0, log });
  try {
    const p = engine.prepared;
    const roots = { backend: engine.backends[0]!.child.pid, node: engine.chain.process.pid, postgres: engine.postmaster };
    // Capacity: 50 tills, 6 charges each, closed loop.
    const group = p.tills.slice(0, 50);
    const qrs = await Promise.all(group.map((t) => signQrs(p, t, 6)));
    const started = performance.now();
    let ok = 0;
    await Promise.all(group.map(async (t, i) => {
      for (const qr of qrs[i]!) if ((await tillCharge(t.clients, qr, `soak-cap-${i}-${Math.random()}`)).receipt) ok++;
    }));
    const capacity = rate(ok, performance.now() - started);
    const target = Math.max(1, Math.floor((capacity ?? 2) / 2));
    log(`  soak: capacity ${capacity}/s at 50 tills; ${o.minutes} min at ${target}/s on ${TILLS} tills`);

    const free: Till[] = [...p.tills];
    const minutes: SoakMinute[] = [];
    const allErrors: Record<string, number> = {};
    let current: ChargeOutcome[] = [];
    let noFree = 0;
    let total = 0;
    const inFlight = new Set<Promise<void>>();
    const launch = (till: Till) => {
      const work = (async () => {
        const [qr] = await signQrs(p, till, 1);
        const outcome = await tillCharge(till.clients, qr!, `soak-${Math.random().toString(36).slice(2)}`);
        current.push(outcome);
        if (outcome.error) allErrors[outcome.error] = (allErrors[outcome.error] ?? 0) + 1;
        else total++;
        free.push(till);
      })();
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    };
    // One clock for the whole soak: payments keep arriving across the minutes' bookkeeping, and each
    // minute's indexer-lag sample is waited for in the background, never by the arrivals.
    const soakStarted = performance.now();
    let launched = 0;
    const lags: Promise<void>[] = [];
    for (let minute = 1; minute <= o.minutes; minute++) {
      const minuteEnd = soakStarted + minute * 60_000;
      const lagged = indexerLag(engine.chain.url, engine.db, p, p.tills[0]!.shopAddress, 1, 0).catch(() => null);
      while (performance.now() < minuteEnd) {
        const due = Math.floor(((performance.now() - soakStarted) / 1000) * target);
        while (launched < due) {
          launched++;
          const till = free.shift();
          if (till) launch(till);
          else noFree++;
        }
        await sleep(20);
      }
      const outcomes = current;
      current = [];
      const m: SoakMinute = {
        minute, charges: outcomes.filter((x) => x.receipt).length, errors: outcomes.filter((x) => x.error).length,
        latency_ms: latencySummary(outcomes.filter((x) => x.receipt).map((x) => x.ms)), no_free_till: noFree,
        rss_mb: memoryMb(roots), private_mb: memoryMb(roots, "RssAnon"), indexer_lag_ms: null,
      };
      lags.push(lagged.then((lag) => void (m.indexer_lag_ms = lag?.p95 ?? null)));
      noFree = 0;
      minutes.push(m);
      log(`  soak minute ${minute}: ${m.charges} charges, ${m.errors} errors, p50 ${m.latency_ms.p50} p95 ${m.latency_ms.p95} ms, private MB backend ${m.private_mb.backend} node ${m.private_mb.node} PostgreSQL ${m.private_mb.postgres} (RSS ${m.rss_mb.backend} / ${m.rss_mb.node} / ${m.rss_mb.postgres})${m.no_free_till ? `, ${m.no_free_till} found no free till` : ""}`);
    }
    await Promise.all([...inFlight, ...lags]);
    log(`  soak: indexer lag per minute ${minutes.map((m) => m.indexer_lag_ms).join(", ")} ms`);
    const steady = steadyFrom(minutes.length);
    const byProcess = Object.fromEntries(["backend", "node", "postgres"].map((r) => [r, steadyGrowth(minutes, r)]));
    const byProcessFromStart = Object.fromEntries(["backend", "node", "postgres"].map((r) => [r, rssGrowth(minutes, r)]));
    const byProcessRss = Object.fromEntries(["backend", "node", "postgres"].map((r) => [r, steadyGrowth(minutes, r, "rss_mb")]));
    // Our processes: the backend and PostgreSQL. The node keeps every block in memory by design.
    const growth = [byProcess.backend, byProcess.postgres].filter((v): v is number => v !== null);
    const figures: SoakFigures = {
      measured_at: new Date().toISOString(), engine: o.engine, minutes: o.minutes, capacity_tps: capacity, target_tps: target,
      achieved_tps: rate(total, performance.now() - soakStarted), errors: allErrors, per_minute: minutes,
      rss_growth_pct: growth.length ? Math.max(...growth) : null, rss_growth_pct_by_process: byProcess, private_growth_pct_from_first_minute: byProcessFromStart,
      vmrss_growth_pct_by_process: byProcessRss, steady_from_minute: steady + 1, load_average: o.loadAverage(),
    };
    writeFileSync(join(o.results, "soak.json"), `${JSON.stringify(figures, null, 2)}\n`);
    return figures;
  } finally {
    await engine.stop();
  }
}
