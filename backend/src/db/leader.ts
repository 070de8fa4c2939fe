// One job across replicas (the indexer, the payout scheduler): on PostgreSQL only the holder of a
// session advisory lock works, on PGlite (one process) this process always does. A session lock lives
// exactly as long as its connection: when the server restarts or fails over, the connection and the lock
// are gone together, so the loop stops working at once, waits for the server, takes a new connection
// and runs for the lock again. Each round checks its connection first, so a lock lost between two rounds
// is never mistaken for one still held.
import { sql } from "kysely";
import { isDatabaseUnavailable } from "./connect.ts";
import type { Db } from "./transaction.ts";

export interface LeaderLoopOptions {
  db: Db;
  kind: "pglite" | "postgres";
  lockKey: number;
  /** One round of the job, run only while leading. Resolves true when there is more to do at once. */
  work: () => Promise<boolean>;
  /** Pause between rounds (and between tries for the lock). */
  intervalMs: number;
  /** A round's failure. The same failure again in the next rounds is reported once. */
  onError: (error: unknown) => void;
}

export interface LeaderLoop {
  /** Starts the loop (no-op when running). */
  start(): void;
  /** Stops after the current round and gives the lock back; resolves when stopped. */
  stop(): Promise<void>;
  readonly running: boolean;
  readonly leader: boolean;
}

/** After a lost connection, how soon to ask for a new one: a few seconds at most, whatever the job's pace. */
const RECONNECT_MS = 1_000;

export function leaderLoop(options: LeaderLoopOptions): LeaderLoop {
  const { db, lockKey, work } = options;
  let stopped = true;
  let leader = options.kind === "pglite";
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let lastFailure: string | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  function report(error: unknown): void {
    const e = error as { name?: string; code?: string; message?: string } | null;
    const key = isDatabaseUnavailable(error) ? "database unavailable" : `${e?.name}:${e?.code}:${e?.message}`;
    if (key === lastFailure) return;
    lastFailure = key;
    options.onError(error);
  }

  /** Rounds on one connection (null: PGlite); returns when stopped or when the connection is lost. */
  async function rounds(conn: Db | null): Promise<void> {
    while (!stopped) {
      if (conn) {
        try {
          if (leader) await sql`select 1`.execute(conn);
          else leader = (await sql<{ locked: boolean }>`select pg_try_advisory_lock(${lockKey}) as locked`.execute(conn)).rows[0]?.locked === true;
        } catch (error) {
          leader = false;
          report(error);
          return;
        }
      }
      let more = false;
      if (leader) {
        try {
          more = await work();
          lastFailure = undefined;
        } catch (error) {
          report(error);
        }
      }
      if (!stopped && !more) await pause(options.intervalMs);
    }
  }

  async function run(): Promise<void> {
    if (options.kind === "pglite") return rounds(null);
    while (!stopped) {
      try {
        await db.connection().execute(async (conn) => {
          try {
            await rounds(conn);
          } finally {
            // On a lost connection this fails, and the server has dropped the lock with the session anyway.
            if (leader) await sql`select pg_advisory_unlock(${lockKey})`.execute(conn).catch(() => {});
            leader = false;
          }
        });
      } catch (error) {
        report(error); // no connection to be had: the server is still away
      }
      if (!stopped) await pause(Math.min(options.intervalMs, RECONNECT_MS));
    }
  }

  return {
    start() {
      if (loop) return;
      stopped = false;
      loop = run()
        .catch(options.onError)
        .finally(() => {
          loop = undefined;
        });
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
    get running() {
      return loop !== undefined;
    },
    get leader() {
      return leader;
    },
  };
}
