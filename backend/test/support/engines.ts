// The two engines every database test runs on: embedded PGlite (in memory) and a real PostgreSQL
// server. Use with `describe.each(ENGINES)("… on $name", (engine) => { const ctx = useDatabase(engine); … })`.
import { afterAll, beforeAll, beforeEach } from "vitest";
import pg from "pg";
import { MEMORY, openDatabase, type OpenDatabase } from "../../src/db/connect.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import type { Db } from "../../src/db/transaction.ts";
import { postgresSkipReason, startTestPostgres, type TestPostgres } from "./postgres.ts";

export interface TestEngine {
  readonly name: "pglite" | "postgres";
  /** Null when the engine's tests run; else why they are skipped. */
  readonly skipReason: string | null;
  start(): Promise<void>;
  /** Closes every database opened, then stops the server (if any). */
  stop(): Promise<void>;
  /**
   * A new, empty database on this engine, migrated to the latest schema unless told not to.
   * `maxConnections`: the PostgreSQL pool's size (PGlite has one connection).
   */
  open(options?: { migrate?: boolean; maxConnections?: number; warm?: boolean }): Promise<OpenDatabase>;
}

/** Wraps `close` so that it may be called again (by the test and by engine.stop). */
function tracked(opened: OpenDatabase, list: OpenDatabase[]): OpenDatabase {
  let closing: Promise<void> | undefined;
  const handle: OpenDatabase = { ...opened, close: () => (closing ??= opened.close()) };
  list.push(handle);
  return handle;
}

async function ready(opened: OpenDatabase, migrate: boolean): Promise<OpenDatabase> {
  if (migrate) await migrateToLatest(opened.db);
  return opened;
}

function pgliteEngine(): TestEngine {
  const opened: OpenDatabase[] = [];
  return {
    name: "pglite",
    skipReason: null,
    async start() {},
    async stop() {
      await Promise.all(opened.splice(0).map((o) => o.close()));
    },
    async open({ migrate = true } = {}) {
      return ready(tracked(await openDatabase({ dataDir: MEMORY }), opened), migrate);
    },
  };
}

function postgresEngine(): TestEngine {
  const opened: OpenDatabase[] = [];
  const created: string[] = [];
  let server: TestPostgres | undefined;

  async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: server!.url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  return {
    name: "postgres",
    skipReason: postgresSkipReason(),
    async start() {
      server = await startTestPostgres();
    },
    async stop() {
      await Promise.all(opened.splice(0).map((o) => o.close()));
      if (!server) return;
      // A shared server (TEST_DATABASE_URL) keeps nothing of ours; a throwaway cluster is removed whole.
      if (server.origin === "TEST_DATABASE_URL" && created.length) {
        await admin(async (client) => {
          for (const name of created.splice(0)) await client.query(`drop database if exists "${name}"`);
        });
      }
      await server.stop();
      server = undefined;
    },
    async open({ migrate = true, maxConnections, warm } = {}) {
      if (!server) throw new Error("postgres engine not started");
      const name = `tegoed_test_${process.pid}_${Date.now().toString(36)}_${created.length}`;
      await admin((client) => client.query(`create database "${name}"`));
      created.push(name);
      const url = new URL(server.url);
      url.pathname = `/${name}`;
      return ready(tracked(await openDatabase({ databaseUrl: url.toString(), maxConnections, warm }), opened), migrate);
    },
  };
}

export const ENGINES: readonly TestEngine[] = [pgliteEngine(), postgresEngine()];

export interface DatabaseContext {
  /** The migrated database of this describe block. */
  readonly db: Db;
  readonly kind: OpenDatabase["kind"];
}

/**
 * Starts the engine and opens one fresh, migrated database for the enclosing describe block; stops it
 * after. Tests in the block share it, so each test makes its own rows (random ids and hashes).
 * When the engine is skipped, every test of the block is reported as skipped with the reason.
 */
export function useDatabase(engine: TestEngine): DatabaseContext {
  let opened: OpenDatabase | undefined;
  let failure: unknown;
  beforeAll(async () => {
    if (engine.skipReason) return;
    try {
      await engine.start();
      opened = await engine.open();
    } catch (error) {
      // Fail every test of the block with the reason (a failing beforeAll would only skip them).
      failure = error;
    }
  });
  afterAll(async () => {
    if (!engine.skipReason) await engine.stop();
  });
  beforeEach((context) => {
    if (engine.skipReason) context.skip(`${engine.name} skipped: ${engine.skipReason}`);
    if (failure) throw failure;
  });
  return {
    get db() {
      if (!opened) throw new Error(`${engine.name}: the database is not open (did beforeAll fail?)`);
      return opened.db;
    },
    get kind() {
      if (!opened) throw new Error(`${engine.name}: the database is not open`);
      return opened.kind;
    },
  };
}
