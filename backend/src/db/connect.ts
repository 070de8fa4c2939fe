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
}

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
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.maxConnections ?? 10) : openPglite(options.dataDir);
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

/** pg's client, naming the marked statements (the hash of their text) so the server keeps them prepared. */
class PreparingClient extends pg.Client {
  override query(config: unknown, values?: unknown, callback?: unknown): any {
    if (typeof config === "string" && config.endsWith(PREPARED_MARK) && Array.isArray(values)) {
      const name = `tegoed_${createHash("sha256").update(config).digest("hex").slice(0, 24)}`;
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

async function openPostgres(connectionString: string, max: number): Promise<OpenDatabase> {
  const pool = new pg.Pool({ connectionString, max, types: pgTypeParsers, Client: PreparingClient });
  // An idle client that loses its server emits 'error' on the pool; unhandled, it would end the
  // process. The pool drops that client and the next query gets a new one.
  pool.on("error", (error) => console.error(`PostgreSQL pool: idle client failed: ${error.message}`));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
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

/** host:port/database of a connection URL, without user or password. */
function describeUrl(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname}:${url.port || 5432}${url.pathname}`;
  } catch {
    return "DATABASE_URL (not a valid URL)";
  }
}
