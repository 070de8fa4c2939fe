// Each fund's payout schedule (instant after payments, or daily at a set local time, with an optional
// minimum amount) and the scheduler that runs it. One scheduler runs at a time: on PostgreSQL the
// holder of an advisory lock (as the indexer does), on PGlite the one process.
import { DomainError } from "@tegoed/sdk";
import { auditLogRepository } from "../../db/audit-log.repository.ts";
import { leaderLoop } from "../../db/leader.ts";
import { inTransaction, type Db } from "../../db/transaction.ts";
import { payoutsRepository } from "./payouts.repository.ts";
import { localDateTime, processRun, reconcilePayouts, startAndProcess, type PayoutDeps } from "./payouts.service.ts";

export type Schedule = { kind: "instant" } | { kind: "daily"; at: string };

export interface FundPayoutSchedule {
  fundId: string;
  schedule: Schedule;
  minimumCents: bigint;
  lastDailyRunOn: string | null;
}

function parseSchedule(value: unknown): Schedule {
  const v = value as { kind?: string; at?: string } | null;
  if (v?.kind === "instant") return { kind: "instant" };
  return { kind: "daily", at: typeof v?.at === "string" && /^([01]\d|2[0-3]):[0-5]\d$/.test(v.at) ? v.at : "17:00" };
}

export async function getPayoutSchedule(deps: { db: Db }, fundId: string): Promise<FundPayoutSchedule> {
  const fund = /^[0-9a-f-]{36}$/i.test(fundId) ? await payoutsRepository(deps.db).fundSchedule(fundId) : undefined;
  if (!fund) throw new DomainError("FUND_UNKNOWN", undefined, { fundId });
  return { fundId, schedule: parseSchedule(fund.payout_schedule), minimumCents: fund.payout_minimum_cents, lastDailyRunOn: fund.payout_last_daily_on };
}

export async function setPayoutSchedule(
  deps: { db: Db }, cmd: { fundId: string; schedule: Schedule; minimumCents: bigint; staffUserId: string },
): Promise<FundPayoutSchedule> {
  if (cmd.minimumCents < 0n) throw new DomainError("INVALID_INPUT", undefined, { field: "minimumCents" });
  await getPayoutSchedule(deps, cmd.fundId);
  await inTransaction(deps.db, async (trx) => {
    await payoutsRepository(trx).setFundSchedule(cmd.fundId, JSON.stringify(cmd.schedule), cmd.minimumCents);
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: cmd.staffUserId, action: "fund.payout_schedule", subjectType: "fund", subjectId: cmd.fundId,
      details: { kind: cmd.schedule.kind, at: cmd.schedule.kind === "daily" ? cmd.schedule.at : "", minimumCents: cmd.minimumCents.toString() },
    });
  });
  return getPayoutSchedule(deps, cmd.fundId);
}

/**
 * One scheduler tick: finishes open runs, then for each fund starts what its schedule says is due
 * (instant: whenever something is owed; daily: once per local day at or after its time).
 * Returns the ids of the runs it started.
 */
export async function runDuePayouts(deps: PayoutDeps): Promise<string[]> {
  const now = (deps.clock ?? (() => new Date()))();
  await reconcilePayouts(deps);
  const started: string[] = [];
  for (const fund of await payoutsRepository(deps.db).allFundSchedules()) {
    const schedule = parseSchedule(fund.payout_schedule);
    if (schedule.kind === "daily") {
      // The fund's own clock: "daily at 17:00" is 17:00 where the fund is.
      const local = localDateTime(now, fund.time_zone);
      if (local.time < schedule.at) continue;
      if (!(await payoutsRepository(deps.db).claimDaily(fund.id, local.date))) continue;
    }
    try {
      const run = await startAndProcess(deps, { fundId: fund.id, trigger: schedule.kind, staffUserId: null });
      started.push(run.id);
    } catch (error) {
      if (error instanceof DomainError && error.code === "PAYOUT_NOTHING_OWED") continue;
      throw error;
    }
  }
  return started;
}

export interface PayoutScheduler {
  /** Runs one tick now (tests; the loop calls it every interval). */
  tick(): Promise<string[]>;
  start(): void;
  stop(): Promise<void>;
}

export function createPayoutScheduler(
  deps: PayoutDeps & { dbKind: "pglite" | "postgres"; intervalMs?: number; lockKey?: number; onError?: (error: unknown) => void },
): PayoutScheduler {
  const intervalMs = deps.intervalMs ?? 15_000;
  const lockKey = deps.lockKey ?? 0x7061796f; // "payo"
  const onError = deps.onError ?? ((error: unknown) => console.error("payout scheduler:", error));
  let running: Promise<unknown> = Promise.resolve();

  const tick = () => {
    // Never two ticks at once in one process.
    const next = running.then(() => runDuePayouts(deps));
    running = next.catch(() => undefined);
    return next;
  };
  const loop = leaderLoop({
    db: deps.db, kind: deps.dbKind, lockKey, intervalMs, onError,
    work: async () => {
      await tick();
      return false;
    },
  });

  return {
    tick,
    start: () => loop.start(),
    async stop() {
      await loop.stop();
      await running;
    },
  };
}

export { processRun };
