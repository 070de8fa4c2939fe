// Which process holds a claim. Each backend process holds a session advisory lock of its own while it
// runs and marks the claims it makes with the lock's key. A replica that is killed loses its sessions
// and so its lock at once: a retry on another replica sees that the claim's holder is gone and may take
// it over now, instead of after the claim's age says it was abandoned (minutes, while a family waits at
// the till). Safe either way: the permit's nonce lets at most one payment through.
import { randomInt } from "node:crypto";
import { leaderLoop } from "./leader.ts";
import type { Db } from "./transaction.ts";

/** Holders' lock keys: 2^40 and up, far from the jobs' fixed keys (32-bit). */
const HOLDER_KEYS = 2 ** 40;

export interface ClaimHolder {
  /** The mark for this process's claims: its lock's key while it holds the lock, else null (no mark). */
  readonly id: number | null;
  stop(): Promise<void>;
}

/**
 * Starts holding this process's lock (PostgreSQL; on PGlite one process holds every claim and there is
 * nobody to take one over, so its claims carry no mark). The lock's connection is checked every
 * `intervalMs` and taken again after a lost one.
 */
export function holdClaims(options: { db: Db; kind: "pglite" | "postgres"; intervalMs?: number; onError: (error: unknown) => void }): ClaimHolder {
  if (options.kind === "pglite") return { id: null, stop: async () => {} };
  const key = HOLDER_KEYS + randomInt(2 ** 32);
  const loop = leaderLoop({ db: options.db, kind: "postgres", lockKey: key, work: async () => false, intervalMs: options.intervalMs ?? 5_000, onError: options.onError });
  loop.start();
  return {
    get id() {
      return loop.leader ? key : null;
    },
    stop: () => loop.stop(),
  };
}
