// A real PostgreSQL server for tests: TEST_DATABASE_URL when set, else a throwaway cluster made with
// the system's PostgreSQL binaries (Debian: `apt-get install -y postgresql`) in a temp folder, on a
// free port on 127.0.0.1, stopped and removed afterwards. Works as a normal user and as root (initdb
// refuses root, so as root the cluster runs as the `postgres` system user, via runuser).
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TestPostgres {
  /** Superuser (or at least CREATEDB) URL of the server's `postgres` database. */
  url: string;
  /** Where it came from, for messages. */
  origin: "TEST_DATABASE_URL" | "throwaway cluster";
  stop(): Promise<void>;
  /** A throwaway cluster only: stops the server as an operator would (`pg_ctl stop -m …`), keeping its data. */
  halt?(mode: "fast" | "immediate"): Promise<void>;
  /** A throwaway cluster only: starts the halted server again, same data, same port. */
  resume?(): Promise<void>;
}

/** Why the PostgreSQL variant of the tests is skipped, or null when it runs. */
export function postgresSkipReason(): string | null {
  return process.env.TEGOED_SKIP_POSTGRES === "1" ? "TEGOED_SKIP_POSTGRES=1" : null;
}

/** The folder holding initdb and pg_ctl: the newest /usr/lib/postgresql/N/bin, else PATH. */
export function findPostgresBin(): string | null {
  const debian = "/usr/lib/postgresql";
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const candidates = [...versions.map((v) => join(debian, v, "bin")), ...(process.env.PATH ?? "").split(delimiter)];
  return candidates.find((dir) => dir && existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"))) ?? null;
}

export const NO_POSTGRES_MESSAGE =
  "No PostgreSQL server for the PostgreSQL variant of the database tests: TEST_DATABASE_URL is not set and " +
  "no initdb/pg_ctl were found in /usr/lib/postgresql/*/bin or on PATH. Install them " +
  "(Debian/Ubuntu: apt-get install -y postgresql), or set TEST_DATABASE_URL=postgres://…, " +
  "or set TEGOED_SKIP_POSTGRES=1 to skip this variant.";

/**
 * `crashSafe`: a commit is on disk before it is answered (synchronous_commit on), as on a real server; a
 * test that crashes the server (`halt("immediate")`) needs it, or the last commits are lost with it.
 * `durable`: a production server's durability as well (fsync and full-page writes on): what the
 * benchmarks measure, since a commit's flush is part of every payment's cost and latency.
 */
export async function startTestPostgres(options: { crashSafe?: boolean; durable?: boolean } = {}): Promise<TestPostgres> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) return { url, origin: "TEST_DATABASE_URL", stop: async () => {} };
  const bin = findPostgresBin();
  if (!bin) throw new Error(NO_POSTGRES_MESSAGE);
  return startCluster(bin, options.durable ? "durable" : options.crashSafe ? "crash-safe" : "fast");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function startCluster(bin: string, durability: "fast" | "crash-safe" | "durable"): Promise<TestPostgres> {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "tegoed-pg-"));
  const dataDir = join(dir, "data");
  const logFile = join(dir, "server.log");
  const as = (command: string, args: string[]): [string, string[]] =>
    asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, command), ...args]] : [join(bin, command), args];

  if (asRoot) {
    let ids: string[];
    try {
      ids = [execFileSync("id", ["-u", "postgres"]).toString().trim(), execFileSync("id", ["-g", "postgres"]).toString().trim()];
    } catch {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(
        "Running as root, and initdb refuses root: the throwaway PostgreSQL cluster runs as the `postgres` " +
          "system user, which does not exist here. Install Debian's postgresql package (it creates that user), " +
          "run the tests as a normal user, or set TEST_DATABASE_URL.",
      );
    }
    chownSync(dir, Number(ids[0]), Number(ids[1]));
    chmodSync(dir, 0o700);
  }

  const stopSync = () => {
    if (existsSync(join(dataDir, "postmaster.pid"))) {
      spawnSync(...as("pg_ctl", ["stop", "-D", dataDir, "-m", "immediate", "-w"]), { stdio: "ignore" });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // If the test process ends without calling stop (a crash, a killed run), do not leave a server behind.
  process.once("exit", stopSync);

  try {
    await run(...as("initdb", ["-D", dataDir, "-U", "tegoed", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]));
    let port = 0;
    let options = "";
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      options = [
        `-p ${port}`,
        `-k ${dir}`,
        "-c listen_addresses=127.0.0.1",
        // A throwaway cluster: durability against a lost machine buys nothing here (a crashed server
        // process keeps what it wrote: the operating system has it).
        ...(durability === "durable" ? [] : ["-c fsync=off", "-c full_page_writes=off"]),
        ...(durability === "fast" ? ["-c synchronous_commit=off"] : []),
      ].join(" ");
      try {
        await run(...as("pg_ctl", ["start", "-w", "-t", "30", "-D", dataDir, "-l", logFile, "-o", options]));
        break;
      } catch (error) {
        // Another process may have taken the port between freePort() and the start: try another one.
        if (attempt === 3) throw error;
      }
    }
    return {
      url: `postgres://tegoed@127.0.0.1:${port}/postgres`,
      origin: "throwaway cluster",
      stop: async () => {
        process.off("exit", stopSync);
        stopSync();
      },
      halt: async (mode) => {
        await run(...as("pg_ctl", ["stop", "-D", dataDir, "-m", mode, "-w", "-t", "30"]));
      },
      resume: async () => {
        await run(...as("pg_ctl", ["start", "-w", "-t", "30", "-D", dataDir, "-l", logFile, "-o", options]));
      },
    };
  } catch (error) {
    const log = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n") : "";
    const stderr = (error as { stderr?: string }).stderr ?? "";
    process.off("exit", stopSync);
    stopSync();
    throw new Error(`Could not start a throwaway PostgreSQL cluster with ${bin}: ${(error as Error).message}\n${stderr}\n${log}`, {
      cause: error,
    });
  }
}
