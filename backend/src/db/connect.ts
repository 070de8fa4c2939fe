// Opens the database: embedded PGlite by default, a real PostgreSQL server when given a URL.
// Both engines hand the same JavaScript types to the code above (see schema.ts):
// int8 → bigint, date → 'YYYY-MM-DD' text, timestamptz → Date, jsonb → parsed, text[] → string[].
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import { Kysely, PGliteDialect, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "./schema.ts";

export interface DatabaseOptions {
  /** postgres://… of a PostgreSQL server. Absent: embedded PGlite. */
  databaseUrl?: string;
  /** PGlite's data folder (default `.data/pglite` in the repository); "memory://" keeps it in memory. */
  dataDir?: string;
  /** Pool size for PostgreSQL (default 10). */
  maxConnections?: number;
  /**
   * Open all of the pool's connections now and keep them (a server), instead of as queries need them
   * (tests, tools): the first payments after a start or a lull would otherwise wait for new ones.
   */
  warm?: boolean;
  /** Where a lost connection is reported (once per connection, with its cause). Default: console. */
  log?: DatabaseLog;
}

/** The part of the server's logger the database uses. */
export interface DatabaseLog {
  error(message: string, fields?: Record<string, unknown>): void;
}

const consoleLog: DatabaseLog = { error: (message, fields) => console.error(message, fields ?? {}) };

/** How long a request waits for a connection when the server does not answer, before it is refused. */
const CONNECT_TIMEOUT_MS = 5_000;
/** How long a pool keeps a connection nobody uses. */
const IDLE_CONNECTION_MS = 5 * 60_000;

export interface OpenDatabase {
  db: Kysely<Database>;
  kind: "pglite" | "postgres";
  /** Closes the pool or the embedded engine; the `db` is unusable after. */
  close(): Promise<void>;
  /** PostgreSQL's pool use, for the metrics (absent on PGlite). */
  poolStats?: () => { total: number; idle: number; waiting: number; max: number };
}

const INT8 = 20;
const DATE = 1082;

/** `.data/pglite` under the repository root. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL("../../../.data/pglite", import.meta.url));
export const MEMORY = "memory://";

export async function openDatabase(options: DatabaseOptions = {}): Promise<OpenDatabase> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.maxConnections ?? 10, options.log ?? consoleLog, options.warm ?? false)
    : openPglite(options.dataDir);
}

async function openPglite(dataDir: string = DEFAULT_DATA_DIR): Promise<OpenDatabase> {
  if (!dataDir.startsWith(MEMORY)) mkdirSync(dataDir, { recursive: true });
  const pglite = new PGlite(dataDir, {
    parsers: {
      [pgliteTypes.INT8]: (value: string) => BigInt(value),
      [pgliteTypes.DATE]: (value: string) => value,
    },
  });
  await pglite.waitReady;
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: "pglite",
    close: async () => {
      await db.destroy();
      // db.destroy() closes PGlite only once Kysely has used it.
      if (!pglite.closed) await pglite.close();
    },
  };
}

/** What `.modifyEnd(PREPARED)` appends to a statement. */
const PREPARED_MARK = "/* prepared */";

/**
 * Marks one of the statements every charge runs (`query.modifyEnd(PREPARED)`): on a PostgreSQL server it
 * is prepared once per connection and then only executed, so the server plans it once instead of on every
 * charge (planning took ~0.14 ms of the session lookup's 0.16). Only for a few fixed statements: each
 * stays prepared on each pooled connection for as long as the connection lives. PGlite ignores it.
 */
export const PREPARED = sql.raw(` ${PREPARED_MARK}`);

/** The name of each marked statement, by its text: a few fixed statements, hashed once per process. */
const preparedNames = new Map<string, string>();

/**
 * pg's client, naming the marked statements (the hash of their text) so the server keeps them prepared.
 * Every client listens for its own 'error': pg emits it when the server goes away (a restart, a
 * failover), also on a client that is checked out (a transaction, a leader's lock connection), and
 * unheard it would end the process. The client is unusable after; the pool drops it on release.
 */
class PreparingClient extends pg.Client {
  constructor(config?: pg.ClientConfig & { lossLog?: DatabaseLog }) {
    super(config);
    const log = config?.lossLog ?? consoleLog;
    let reported = false;
    this.on("error", (error: Error & { code?: string }) => {
      // pg may emit twice for one loss (the server's notice, then the closed socket): the first says why.
      if (reported) return;
      reported = true;
      log.error("PostgreSQL connection lost", { cause: error.message.split("\n")[0], sqlState: error.code });
    });
  }

  override query(config: unknown, values?: unknown, callback?: unknown): any {
    if (typeof config === "string" && config.endsWith(PREPARED_MARK) && Array.isArray(values)) {
      let name = preparedNames.get(config);
      if (!name) preparedNames.set(config, (name = `tegoed_${createHash("sha256").update(config).digest("hex").slice(0, 24)}`));
      return (super.query as (...args: unknown[]) => unknown)({ name, text: config, values }, callback);
    }
    return (super.query as (...args: unknown[]) => unknown)(config, values, callback);
  }
}

// Per pool, not pg's global type table: nothing else in the process is affected.
const pgTypeParsers = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === INT8) return (value: string) => BigInt(value);
    if (oid === DATE) return (value: string) => value;
    return pg.types.getTypeParser(oid, format as "text");
  }) as typeof pg.types.getTypeParser,
};

async function openPostgres(connectionString: string, max: number, log: DatabaseLog, warm: boolean): Promise<OpenDatabase> {
  rejectSeveralHosts(connectionString);
  const pool = new pg.Pool({
    connectionString, max, types: pgTypeParsers, Client: PreparingClient, lossLog: log,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // node-postgres closes a connection idle for 10 s; a new one costs PostgreSQL a process, a login and
    // cold caches, which the first payments after a till's lull would wait for (bench/README.md).
    idleTimeoutMillis: IDLE_CONNECTION_MS,
    ...(warm && { min: max }),
    // A server that vanished without closing the socket (a host down) is noticed by the kernel's probes.
    keepAlive: true,
  } as pg.PoolConfig);
  // The pool re-emits an idle client's 'error' (already logged by the client itself): heard here so it
  // does not end the process. The pool drops that client and the next query gets a new one.
  pool.on("error", () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
    if (warm) {
      const clients = await Promise.all(Array.from({ length: max }, () => pool.connect()));
      for (const client of clients) client.release();
    }
  } catch (error) {
    await db.destroy();
    throw new Error(`Cannot reach PostgreSQL at ${describeUrl(connectionString)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    db, kind: "postgres", close: () => db.destroy(),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }),
  };
}

/**
 * node-postgres connects to one host: given libpq's list (`host=a,b`, or `a:5432,b:5432` in the URL)
 * it would try a host named "a,b", or refuse the URL. Say so at start rather than fail at the first query.
 */
export const SEVERAL_HOSTS_MESSAGE =
  "names several hosts, but node-postgres (pg) connects to one host only and ignores target_session_attrs: " +
  "give one address that follows the primary (HAProxy or PgBouncer in front of the cluster, or a DNS name or " +
  "virtual IP moved on failover; see the README)";

/** Whether a postgres:// URL lists several hosts, as libpq allows (`a:5432,b:5432`, or `?host=a,b`). */
export function namesSeveralHosts(connectionString: string): boolean {
  const authority = /^postgres(?:ql)?:\/\/(?:[^@/?]*@)?([^/?]*)/.exec(connectionString)?.[1] ?? "";
  const hosts = new URLSearchParams(connectionString.split("?")[1] ?? "").get("host") ?? "";
  return authority.includes(",") || hosts.includes(",");
}

function rejectSeveralHosts(connectionString: string): void {
  if (namesSeveralHosts(connectionString)) throw new Error(`DATABASE_URL ${SEVERAL_HOSTS_MESSAGE}`);
}

/**
 * Whether a query failed because the server could not be reached or went away (as opposed to a query the
 * server refused): the request may be tried again once the server is back.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string") {
    // 08: connection exception; 57P01-03: admin/crash shutdown, cannot connect now; 53300: too many connections.
    if (code.startsWith("08") || ["57P01", "57P02", "57P03", "53300"].includes(code)) return true;
    if (["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"].includes(code)) return true;
  }
  return (
    typeof message === "string" &&
    /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Connection terminated due to connection timeout)/.test(message)
  );
}

/** host:port/database of a connection URL, without user or password. */
function describeUrl(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname}:${url.port || 5432}${url.pathname}`;
  } catch {
    return "DATABASE_URL (not a valid URL)";
  }
}
