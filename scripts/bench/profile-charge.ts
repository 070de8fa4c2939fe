// Where a charge's CPU goes: one backend, 50 tills, lookup + charge, with the backend's V8 profile and
// PostgreSQL's pg_stat_statements over the timed part. A tool for cutting the charge path, not a figure.
//   node scripts/bench/profile-charge.ts [--tills=50] [--per-till=20] [--engine=anvil] [--lanes=8] [--pause=0]
// --pause=S: S seconds of quiet between the warm-up and the measured round (a till's lull between customers).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { ROOT } from "../lib/artifacts.ts";
import { startTestPostgres } from "../../backend/test/support/postgres.ts";
import { openEngine, signQrs, tillCharge } from "./chain.ts";
import { CpuMeter } from "./cpu.ts";
import { latencySummary } from "./stats.ts";
import type { ChainEngine } from "../lib/local-chain.ts";

const option = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const TILLS = Number(option("tills", "50"));
const PER_TILL = Number(option("per-till", "20"));
const ENGINE = option("engine", "anvil") as ChainEngine;
const LANES = Number(option("lanes", "8"));
const PAUSE_S = Number(option("pause", "0"));
// The clock of V8's profiles (CLOCK_MONOTONIC), so a round's samples can be cut out of the backend's profile.
const monotonicUs = () => process.hrtime.bigint() / 1000n;
const dir = join(ROOT, "bench/results/profiles");
mkdirSync(dir, { recursive: true });

const postgres = await startTestPostgres({ durable: true });
const admin = new pg.Client({ connectionString: postgres.url });
await admin.connect();
await admin.query("alter system set shared_preload_libraries = 'pg_stat_statements'");
await admin.end();
await postgres.halt!("fast");
await postgres.resume!();
const engine = await openEngine({ engine: ENGINE, pgServerUrl: postgres.url, lanes: LANES, replicas: 1, tills: TILLS, directSenders: 4, children: 20, cardShops: 0, cpuProfDir: dir, log: console.log });
try {
  await engine.db.query("create extension if not exists pg_stat_statements");
  const p = engine.prepared;
  const roots = { backend: engine.backends.map((b) => b.child.pid), node: engine.chain.process.pid, postgres: engine.postmaster };
  // What the same backend spends on a request that does nothing (the health check), and on a lookup alone.
  const measure = async (label: string, count: number, one: (till: number, k: number) => Promise<unknown>) => {
    const cpu = new CpuMeter(roots);
    const started = performance.now();
    const from = monotonicUs();
    await cpu.measure(() => Promise.all(p.tills.map(async (_, i) => {
      for (let k = 0; k < count / p.tills.length; k++) await one(i, k);
    })));
    const seconds = (performance.now() - started) / 1000;
    console.log(`${label}: ${count} in ${seconds.toFixed(2)} s = ${(count / seconds).toFixed(1)}/s; CPU ms each ${JSON.stringify(cpu.perOperation(count))}; profile window ${from}-${monotonicUs()} µs`);
  };
  const base = engine.backends[0]!.url;
  await measure("liveness (warm-up)", 1000, () => fetch(`${base}/api/health/live`).then((r) => r.arrayBuffer()));
  await measure("liveness", 2000, () => fetch(`${base}/api/health/live`).then((r) => r.arrayBuffer()));
  // The same QR (the budget's next nonce) looked up again and again: a lookup changes nothing.
  const lookupQrs = await Promise.all(p.tills.map((t) => signQrs(p, t, 1)));
  for (const t of p.tills) t.nonce -= 1n;
  await measure("lookup only", 1000, (i) => p.tills[i]!.clients[0]!.merchant.lookupQr({ qr: lookupQrs[i]![0]! }));
  // A warm-up round, then the measured one.
  for (const [label, perTill] of [["warm-up", 2], ["measured", PER_TILL]] as const) {
    const qrs = await Promise.all(p.tills.map((t) => signQrs(p, t, perTill)));
    if (label === "measured" && PAUSE_S > 0) await new Promise((resolve) => setTimeout(resolve, PAUSE_S * 1000));
    const latencies: number[] = [];
    await engine.db.query("select pg_stat_statements_reset()");
    const cpu = new CpuMeter(roots);
    let ok = 0;
    const failed: Record<string, number> = {};
    const started = performance.now();
    const from = monotonicUs();
    await cpu.measure(() => Promise.all(p.tills.map(async (t, i) => {
      for (const qr of qrs[i]!) {
        const o = await tillCharge(t.clients, qr, `profile-${i}-${Math.random().toString(36).slice(2)}`);
        if (o.receipt) {
          ok++;
          latencies.push(o.ms);
        }
        else failed[o.error!] = (failed[o.error!] ?? 0) + 1;
      }
    })));
    const seconds = (performance.now() - started) / 1000;
    const { p50, p95 } = latencySummary(latencies);
    console.log(`${label}: ${ok} charges in ${seconds.toFixed(2)} s = ${(ok / seconds).toFixed(1)}/s, p50 ${p50} p95 ${p95} ms; failed ${JSON.stringify(failed)}; CPU ms per charge ${JSON.stringify(cpu.perOperation(ok))}; profile window ${from}-${monotonicUs()} µs`);
    if (label === "measured") {
      const { rows } = await engine.db.query(
        `select calls, round(total_exec_time::numeric, 1) as ms, round((total_exec_time / calls)::numeric, 3) as ms_each, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) as query
         from pg_stat_statements order by total_exec_time desc limit 40`);
      for (const r of rows) console.log(`${String(r.calls).padStart(7)} ${String(r.ms).padStart(9)} ms ${String(r.ms_each).padStart(7)} ${String(r.rows).padStart(7)}  ${r.query}`);
    }
  }
} finally {
  await engine.stop();
  await postgres.stop();
}
