// CPU time per process over a timed stretch, from Linux's /proc: which process a charge's milliseconds
// go to (the backend, the node, PostgreSQL, the load generator itself). On a 2-core machine throughput
// is what the CPU allows, so this says where a cut would pay off. Elsewhere (no /proc) it reads nothing.
import { readdirSync, readFileSync } from "node:fs";

/** Linux's USER_HZ: /proc counts CPU time in these ticks on every architecture it runs on. */
const TICK_MS = 10;

export type CpuRole = "backend" | "node" | "postgres" | "load";

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, in ms. */
  cpuMs: number;
}

/** The fields of one /proc/<pid>/stat line; null when it is gone or unreadable. */
export function parseProcStat(line: string): ProcStat | null {
  // comm is in parentheses and may itself hold spaces and parentheses: the fields follow the last ')'.
  const open = line.indexOf("(");
  const close = line.lastIndexOf(")");
  if (open < 0 || close < open) return null;
  const rest = line.slice(close + 2).split(" ");
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return { pid: Number(line.slice(0, open)), ppid: Number(rest[1]), comm: line.slice(open + 1, close), cpuMs: (utime + stime) * TICK_MS };
}

function readProcesses(): ProcStat[] {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const all: ProcStat[] = [];
  for (const pid of pids) {
    try {
      const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
      if (stat) all.push(stat);
    } catch {
      // exited meanwhile
    }
  }
  return all;
}

/**
 * The process trees measured: the backend (one pid, or one per replica), the node, and PostgreSQL's
 * postmaster (absent: every `postgres` process on the machine, other clusters too).
 */
export type CpuRoots = { backend?: number | readonly (number | undefined)[]; node?: number; postgres?: number };
type Roots = CpuRoots;

/** Each measured process's CPU ms now, by pid, with its role: the trees under `roots` (and every `postgres` process when no postmaster is given). */
export function cpuSnapshot(roots: Roots): Map<number, { role: CpuRole; ms: number }> {
  const processes = readProcesses();
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const children = new Map<number, ProcStat[]>();
  for (const p of processes) {
    const siblings = children.get(p.ppid);
    if (siblings) siblings.push(p);
    else children.set(p.ppid, [p]);
  }
  const snapshot = new Map<number, { role: CpuRole; ms: number }>();
  const addTree = (pid: number | undefined, role: CpuRole) => {
    if (pid === undefined) return;
    const p = byPid.get(pid);
    if (p) snapshot.set(pid, { role, ms: p.cpuMs });
    for (const child of children.get(pid) ?? []) addTree(child.pid, role);
  };
  for (const pid of [roots.backend ?? []].flat()) addTree(pid, "backend");
  addTree(roots.node, "node");
  if (roots.postgres !== undefined) addTree(roots.postgres, "postgres");
  else for (const p of processes) if (p.comm === "postgres") snapshot.set(p.pid, { role: "postgres", ms: p.cpuMs });
  const self = process.cpuUsage();
  snapshot.set(process.pid, { role: "load", ms: (self.user + self.system) / 1000 });
  return snapshot;
}

/** CPU ms per role between two snapshots: a process that started in between counts whole, one that ended is lost. */
export function cpuBetween(before: Map<number, { role: CpuRole; ms: number }>, after: Map<number, { role: CpuRole; ms: number }>): Record<CpuRole, number> {
  const spent: Record<CpuRole, number> = { backend: 0, node: 0, postgres: 0, load: 0 };
  for (const [pid, { role, ms }] of after) spent[role] += ms - (before.get(pid)?.ms ?? 0);
  return spent;
}

/** Adds up CPU ms per role over several timed stretches (`measure`), for a per-operation figure after. */
export class CpuMeter {
  readonly #roots: Roots;
  readonly #spent: Record<CpuRole, number> = { backend: 0, node: 0, postgres: 0, load: 0 };
  #wallMs = 0;

  constructor(roots: Roots) {
    this.#roots = roots;
  }

  get roots(): Roots {
    return this.#roots;
  }

  async measure<T>(work: () => Promise<T>): Promise<T> {
    const before = cpuSnapshot(this.#roots);
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.#wallMs += performance.now() - started;
      const spent = cpuBetween(before, cpuSnapshot(this.#roots));
      for (const role of Object.keys(this.#spent) as CpuRole[]) this.#spent[role] += spent[role];
    }
  }

  /**
   * CPU ms per operation for each role, and `cores_busy`: all roles' CPU over the wall time (how much of
   * the machine the measured processes kept busy). Null when nothing was measured or /proc is missing.
   */
  perOperation(operations: number): CpuPerOperation | null {
    const total = Object.values(this.#spent).reduce((s, v) => s + v, 0);
    if (operations <= 0 || this.#wallMs <= 0 || this.#spent.node + this.#spent.backend + this.#spent.postgres === 0) return null;
    const per = (ms: number) => Math.round((ms / operations) * 100) / 100;
    return {
      backend: per(this.#spent.backend), node: per(this.#spent.node), postgres: per(this.#spent.postgres), load: per(this.#spent.load),
      total: per(total), cores_busy: Math.round((total / this.#wallMs) * 100) / 100,
    };
  }
}

export interface CpuPerOperation extends Record<CpuRole, number> {
  total: number;
  cores_busy: number;
}

/**
 * Memory in MB of each role's processes (summed), from /proc/<pid>/status; the load generator is this
 * process. `field` VmRSS: resident memory, where PostgreSQL's shared buffers count once in every process
 * that touched them (the sum grows as its connections touch more of the same 128 MB); RssAnon: private
 * memory only, what a leak would grow.
 */
export function memoryMb(roots: Roots, field: "VmRSS" | "RssAnon" = "VmRSS"): Record<CpuRole, number> {
  const pids = cpuSnapshot(roots);
  const out: Record<CpuRole, number> = { backend: 0, node: 0, postgres: 0, load: 0 };
  const pattern = new RegExp(`${field}:\\s+(\\d+)`);
  for (const [pid, { role }] of pids) {
    try {
      const kb = Number(pattern.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
      out[role] += kb / 1024;
    } catch {
      // exited meanwhile
    }
  }
  for (const role of Object.keys(out) as CpuRole[]) out[role] = Math.round(out[role] * 10) / 10;
  return out;
}

/** The parent of a process (PostgreSQL's postmaster, for one of its connections' `pg_backend_pid()`); undefined off Linux. */
export function parentPid(pid: number): number | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"))?.ppid;
  } catch {
    return undefined;
  }
}
