// `npm run bench -- --faults`: how the backend rides through its dependencies going away, measured on the
// real fault scene of test/system/faults.test.ts (10 tills charging through the HTTP API; PostgreSQL
// stopped with -m fast and -m immediate; anvil stopped and started on its state file; a payout run losing
// both). The figures:
// seconds from the dependency back to the first charge asked and paid after it, receipts not on chain,
// and payments on chain twice. Not in the default run: it stops servers and takes a few minutes.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { ROOT } from "../lib/artifacts.ts";

export interface FaultFigures {
  db_recovery_s: number;
  db_recovery_s_fast: number;
  db_recovery_s_immediate: number;
  chain_recovery_s: number;
  charges_lost: number;
  charged_twice: number;
  charges_answered: number;
  /** The payout run that loses the node's pool and then PostgreSQL: transfers booked twice, and payouts the bank never made. */
  payouts_paid_twice: number;
  payouts_lost: number;
  load_average: number[];
}

export function benchFaults(results: string, log: (line: string) => void): FaultFigures {
  const report = join(results, "faults.raw.json");
  rmSync(report, { force: true });
  const run = spawnSync(join(ROOT, "node_modules/.bin/vitest"), ["run", "test/system/faults.test.ts"], {
    cwd: ROOT, env: { ...process.env, TEGOED_FAULTS_REPORT: report }, encoding: "utf8", timeout: 900_000,
  });
  if (!existsSync(report)) throw new Error(`the fault scene did not run: ${`${run.stdout}${run.stderr}`.trim().split("\n").slice(-6).join(" | ")}`);
  const raw = JSON.parse(readFileSync(report, "utf8")) as Record<string, number>;
  if (run.status !== 0) log("  the fault tests failed: the figures below are from a failing run");
  const figures: FaultFigures = {
    db_recovery_s: Math.max(raw.db_recovery_s_fast ?? NaN, raw.db_recovery_s_immediate ?? NaN),
    db_recovery_s_fast: raw.db_recovery_s_fast ?? NaN,
    db_recovery_s_immediate: raw.db_recovery_s_immediate ?? NaN,
    chain_recovery_s: raw.chain_recovery_s ?? NaN,
    charges_lost: raw.charges_lost ?? NaN,
    charged_twice: raw.charged_twice ?? NaN,
    charges_answered: raw.charges_answered ?? NaN,
    payouts_paid_twice: raw.payouts_paid_twice ?? NaN,
    payouts_lost: raw.payouts_lost ?? NaN,
    load_average: loadavg().map((v) => Math.round(v * 100) / 100),
  };
  writeFileSync(join(results, "faults.json"), `${JSON.stringify(figures, null, 2)}\n`);
  rmSync(report, { force: true });
  return figures;
}
