// `npm run bench`: cost, speed and scale of Tegoed, each figure next to a baseline measured in the same
// run (the machine is shared and noisy). Runs on local nodes started for the run: Hardhat's node and
// anvil. Writes bench/results/latest.json (the keys of the benchmarks issue) and latest.md, and prints
// a table. Not a test: nothing here asserts a time.
//
//   npm run bench                    everything, both engines, national-scale dashboard (< 15 min on a quiet machine)
//   npm run bench -- --quick         a small version (anvil only, 1% dashboard, 200 payouts): < 3 min
//   npm run bench -- --soak [--minutes=20]   the backend at half its capacity for that long (not in the default run)
//   options: --only=static,gas,chain,dashboard,payouts,firstload   --engines=anvil,hardhat   --lanes=N (relayer
//   lanes of the backend, default 8)   --out=NAME (results/NAME.json instead of latest)   --cpu-prof (profiles of the backend into bench/results/profiles)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import pg from "pg";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { ROOT } from "./lib/artifacts.ts";
import type { ChainEngine } from "./lib/local-chain.ts";
import { startTestPostgres, type TestPostgres } from "../backend/test/support/postgres.ts";
import { benchEngine, type EngineOptions } from "./bench/chain.ts";
import { benchDashboard } from "./bench/dashboard.ts";
import { benchFaults } from "./bench/faults.ts";
import { benchSoak, type SoakFigures } from "./bench/soak.ts";
import { buildResults, charts, markdown, summaryRows, type GasFigure, type PayoutFigure, type Sections } from "./bench/results.ts";
import { benchSlowPhone } from "./bench/slow-phone.ts";
import { qrVersion, walletBundle } from "./bench/static.ts";
import { ratio, round } from "./bench/stats.ts";

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const QUICK = flag("quick");
const ONLY = option("only")?.split(",");
const ENGINES = (option("engines")?.split(",") ?? (QUICK ? ["anvil"] : ["anvil", "hardhat"])) as ChainEngine[];
const LANES = Number(option("lanes") ?? 8);
/** Another name than latest for the results files (a partial or experimental run). */
const OUT = option("out") ?? "latest";
const RESULTS = join(ROOT, "bench/results");

const SIZE = QUICK
  ? { dashboardScale: 0.01, dashboardRepeats: 10, dashboardRounds: 3, payouts: 200, qrPermits: 200, pageLoads: 1 }
  : { dashboardScale: 1, dashboardRepeats: 7, dashboardRounds: 5, payouts: 10_000, qrPermits: 1_000, pageLoads: 5 };
/** The chain section's sizes (scripts/bench/chain.ts): charges per till at 1, 10, 50 and 200 tills, and the rest. */
const CHAIN: Pick<EngineOptions, "chargesPerTill" | "ceilingTransfers" | "directPays" | "naiveTransfers" | "lagSamples" | "cards" | "interval" | "replicas"> & { children: number } = QUICK
  ? {
    chargesPerTill: { 1: 6, 10: 3, 50: 2, 200: 1 }, children: 20, ceilingTransfers: 200, directPays: 160, naiveTransfers: 100, lagSamples: 6,
    cards: { shops: 10, chargesPerShop: 2 }, interval: { blockSeconds: [1], chargesPerTill50: 2, chargesPerTill200: 1 },
    replicas: { counts: [1, 2], chargesPerTill: { 50: 2 }, rounds: 1, killChargesPerTill: 3 },
  }
  : {
    chargesPerTill: { 1: 40, 10: 20, 50: 20, 200: 6 }, children: 20, ceilingTransfers: 1_200, directPays: 1_600, naiveTransfers: 1_000, lagSamples: 30,
    cards: { shops: 10, chargesPerShop: 10 }, interval: { blockSeconds: [1, 2], chargesPerTill50: 4, chargesPerTill200: 2 },
    replicas: { counts: [1, 2, 3], chargesPerTill: { 50: 4, 200: 2 }, rounds: 2, killChargesPerTill: 6 },
  };

/** --dashboard-scale=0.1: the dashboard's seed at another fraction of national scale. */
if (option("dashboard-scale")) SIZE.dashboardScale = Number(option("dashboard-scale"));
const log = (line: string) => console.log(line);
const wants = (section: string) => !ONLY || ONLY.includes(section.split(":")[0]!);
const node22 = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}` };

function runScript(script: string, env: Record<string, string> = {}, timeoutMs = 1_800_000): void {
  const result = spawnSync(process.execPath, [join(ROOT, script)], { cwd: ROOT, env: { ...node22, ...env }, encoding: "utf8", timeout: timeoutMs });
  if (result.status !== 0) {
    const tail = `${result.stderr ?? ""}${result.stdout ?? ""}`.trim().split("\n").slice(-4).join(" | ");
    throw new Error(`${script} exited ${result.status ?? result.signal}: ${tail}`);
  }
}

function gasSection(): GasFigure {
  runScript("scripts/bench-gas.ts");
  const g = JSON.parse(readFileSync(join(RESULTS, "gas.json"), "utf8")) as Record<string, number>;
  return {
    pay: g.pay_next!, pay_first: g.pay_first!, refund: g.refund!, settle: g.settle!, issue_per_budget: g.issue_per_budget!,
    baseline_erc20_transfer: g.baseline_erc20_transfer!, pay_vs_erc20: ratio(g.pay_next, g.baseline_erc20_transfer), detail: g,
  };
}

/** The payout run on a fresh database of the PostgreSQL server at `serverUrl`, or on embedded PGlite without it. */
async function payoutsSection(count: number, serverUrl?: string): Promise<PayoutFigure> {
  if (!existsSync(join(ROOT, "scripts/bench-payouts.ts"))) throw new Error("scripts/bench-payouts.ts does not exist yet (settlement is being built)");
  const env: Record<string, string> = { BENCH_PAYOUTS: String(count) };
  if (serverUrl) {
    const name = `bench_payouts_${Date.now()}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${name}`).finally(() => admin.end());
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
  }
  runScript("scripts/bench-payouts.ts", env);
  const p = JSON.parse(readFileSync(join(RESULTS, "payouts.json"), "utf8")) as { payouts: number; seconds: { total: number }; payoutsPerSecond?: number; run?: { status?: string } };
  if (p.run?.status && p.run.status !== "completed") throw new Error(`the payout run ended ${p.run.status}`);
  const extrapolated = p.payouts !== 10_000;
  return {
    payouts: p.payouts,
    seconds: round(extrapolated ? (p.seconds.total * 10_000) / p.payouts : p.seconds.total, 1),
    extrapolated,
    payouts_per_second: p.payoutsPerSecond ?? ratio(p.payouts, p.seconds.total),
    detail: p as unknown as Record<string, unknown>,
  };
}

async function faultsOnly() {
  mkdirSync(RESULTS, { recursive: true });
  log(`bench --faults: ${cpus().length} cores, load average ${loadavg().map((v) => round(v, 2)).join(" ")}`);
  const f = benchFaults(RESULTS, log);
  const goal = (value: number) => (Number.isFinite(value) && value <= 5 ? "✓" : "✗");
  log(`${goal(f.db_recovery_s)} db_recovery_s ${f.db_recovery_s} (fast ${f.db_recovery_s_fast}, immediate ${f.db_recovery_s_immediate}; goal ≤ 5)`);
  log(`${goal(f.chain_recovery_s)} chain_recovery_s ${f.chain_recovery_s} (goal ≤ 5)`);
  log(`${f.charges_lost === 0 ? "✓" : "✗"} charges lost ${f.charges_lost}, ${f.charged_twice === 0 ? "✓" : "✗"} charged twice ${f.charged_twice} (of ${f.charges_answered} answered)`);
  log(`${f.payouts_paid_twice === 0 ? "✓" : "✗"} payouts paid twice ${f.payouts_paid_twice}, ${f.payouts_lost === 0 ? "✓" : "✗"} payouts lost ${f.payouts_lost}`);
  log("wrote bench/results/faults.json");
}

async function soakOnly() {
  mkdirSync(RESULTS, { recursive: true });
  const minutes = Number(option("minutes") ?? 20);
  log(`bench --soak: ${minutes} min, ${cpus().length} cores, load average ${loadavg().map((v) => round(v, 2)).join(" ")}`);
  const postgres = await startTestPostgres({ durable: true });
  try {
    const f = await benchSoak({
      engine: ENGINES[0]!, pgServerUrl: postgres.url, minutes, lanes: LANES, results: RESULTS, log, loadAverage: () => loadavg().map((v) => round(v, 2)),
    });
    log(`${f.rss_growth_pct === null ? "–" : f.rss_growth_pct <= 10 ? "✓" : "✗"} soak_rss_growth_pct ${f.rss_growth_pct} (backend ${f.rss_growth_pct_by_process.backend}, PostgreSQL ${f.rss_growth_pct_by_process.postgres}, node ${f.rss_growth_pct_by_process.node}; goal ≤ 10)`);
    log(`${Object.keys(f.errors).length ? "✗" : "✓"} errors ${JSON.stringify(f.errors)}; ${f.achieved_tps}/s of ${f.target_tps}/s asked (capacity ${f.capacity_tps}/s)`);
    log("wrote bench/results/soak.json");
  } finally {
    await postgres.stop();
  }
}

/** The last soak's summary, for latest.json: the soak is not part of the default run. */
function lastSoak(): Sections["soak"] {
  const file = join(RESULTS, "soak.json");
  if (!existsSync(file)) return null;
  const soak = JSON.parse(readFileSync(file, "utf8")) as SoakFigures;
  return { measured_at: soak.measured_at, minutes: soak.minutes, rss_growth_pct: soak.rss_growth_pct };
}

async function main() {
  if (flag("faults")) return faultsOnly();
  if (flag("soak")) return soakOnly();
  const started = performance.now();
  const load_average_before = loadavg().map((v) => round(v, 2));
  log(`bench (${QUICK ? "quick" : "full"}): ${cpus().length} cores, load average ${load_average_before.join(" ")}`);
  const sections: Sections = { engines: [], soak: lastSoak() };
  const errors: Record<string, string> = {};
  const seconds: Record<string, number> = {};
  const section = async (name: string, work: () => Promise<void> | void) => {
    if (!wants(name)) return;
    const t = performance.now();
    log(`\n▸ ${name}`);
    try {
      await work();
    } catch (error) {
      errors[name] = (error as Error)?.message?.split("\n")[0]?.slice(0, 400) ?? String(error);
      log(`  ${name} failed: ${errors[name]}`);
    }
    seconds[name] = round((performance.now() - t) / 1000, 1);
  };

  await section("static", async () => {
    sections.qr = await qrVersion(SIZE.qrPermits);
    log(`  QR: ${sections.qr.characters} characters → at most version ${sections.qr.version} at ECC M over ${sections.qr.permits} random permits (worst case ${sections.qr.worst_case_version})`);
    sections.wallet = walletBundle();
    log(`  wallet first-load JS: ${sections.wallet.gzipKb} kB gzipped (${sections.wallet.rawKb} kB raw, ${sections.wallet.files.length} file(s))`);
  });
  await section("gas", () => {
    sections.gas = gasSection();
    log(`  pay ${sections.gas.pay} gas = ${sections.gas.pay_vs_erc20}× an ERC-20 transfer (${sections.gas.baseline_erc20_transfer})`);
  });

  await section("firstload", async () => {
    sections.slowPhone = await benchSlowPhone({ runs: SIZE.pageLoads, log });
  });

  let postgres: TestPostgres | undefined;
  try {
    if (wants("chain") || wants("dashboard") || wants("payouts")) {
      // A production server's durability (fsync, full-page writes, synchronous commit): a payment's commit waits for its flush.
      postgres = await startTestPostgres({ durable: true });
      log(`\nPostgreSQL: ${postgres.origin}, durable (fsync and synchronous commit on)`);
    }
    for (const engine of ENGINES) {
      await section(engine === ENGINES[0] ? "chain" : `chain:${engine}`, async () => {
        if (!wants("chain")) return;
        const cpuProfDir = flag("cpu-prof") ? join(RESULTS, "profiles") : undefined;
        if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
        sections.engines.push(await benchEngine({
          engine, pgServerUrl: postgres!.url, lanes: LANES, chargesPerTill: CHAIN.chargesPerTill, childrenPerFamily: CHAIN.children,
          ceilingTransfers: CHAIN.ceilingTransfers, directPays: CHAIN.directPays, naiveTransfers: CHAIN.naiveTransfers, lagSamples: CHAIN.lagSamples,
          cards: CHAIN.cards, interval: CHAIN.interval, replicas: CHAIN.replicas, cpuProfDir, log,
        }));
      });
    }
    await section("dashboard", async () => {
      sections.dashboard = await benchDashboard({ serverUrl: postgres!.url, scale: SIZE.dashboardScale, repeats: SIZE.dashboardRepeats, rounds: SIZE.dashboardRounds, log });
      const rounds = sections.dashboard.worst_p95_ms_rounds;
      log(`  seeded ${sections.dashboard.scale.payments.toLocaleString("en")} payments in ${sections.dashboard.seedSeconds} s; worst query p95 ${sections.dashboard.worst_p95_ms} ms (median of ${rounds?.n} rounds, ${rounds?.min}–${rounds?.max})`);
    });
    // Last: it starts its own node, and a 10,000-shop set-up is the longest part. On PostgreSQL (the
    // production database), then the same on embedded PGlite.
    await section("payouts", async () => {
      sections.payouts = await payoutsSection(SIZE.payouts, postgres!.url);
      log(`  PostgreSQL: ${sections.payouts.payouts} payouts in one run: ${sections.payouts.extrapolated ? "→ 10,000 extrapolated " : ""}${sections.payouts.seconds} s`);
    });
    await section("payouts:pglite", async () => {
      sections.payoutsPglite = await payoutsSection(SIZE.payouts);
      log(`  PGlite: ${sections.payoutsPglite.payouts} payouts in one run: ${sections.payoutsPglite.extrapolated ? "→ 10,000 extrapolated " : ""}${sections.payoutsPglite.seconds} s`);
    });
  } finally {
    await postgres?.stop();
  }

  seconds.total = round((performance.now() - started) / 1000, 1);
  const results = buildResults({
    mode: QUICK ? "quick" : "full", sections, errors, seconds,
    machine: { cpus: cpus().length, load_average_before, load_average_after: loadavg().map((v) => round(v, 2)), node: process.version },
  });
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${OUT}.json`), `${JSON.stringify(results, null, 2)}\n`);
  for (const chart of charts(results, OUT)) writeFileSync(join(RESULTS, chart.file), chart.svg);
  writeFileSync(join(RESULTS, `${OUT}.md`), markdown(results, OUT));
  console.log("");
  console.table(summaryRows(results).map(([figure, value, baseline, ratio]) => ({ figure, value, baseline, ratio })));
  for (const g of Object.values(results.goals)) console.log(`${g.met === null ? "–" : g.met ? "✓" : "✗"} ${g.goal}: ${g.value ?? "not measured"}`);
  console.log(`\nwrote bench/results/${OUT}.json and ${OUT}.md in ${seconds.total} s`);
}

await main();
