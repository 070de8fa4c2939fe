// What one HTTP request costs the server's CPU: bare node:http, Express with a few routes, and our whole
// app (every middleware, the API's routers, embedded PGlite) answering /api/health/live, each in its own
// process, 50 kept-alive clients (till-fetch.ts), the settings in interleaved rounds. A tool for knowing how
// much of a charge's backend CPU is the HTTP stack, not a figure of `npm run bench`.
//   node scripts/bench/http-cost.ts [--requests=8000] [--rounds=2]   → results/http-cost.json
import { fork } from "node:child_process";
import { createServer, type RequestListener } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import express from "express";
import { ROOT } from "../lib/artifacts.ts";
import { cpuBetween, cpuSnapshot } from "./cpu.ts";
import { tillFetch } from "./till-fetch.ts";

const SETTINGS = ["bare", "express", "app"] as const;
type Setting = (typeof SETTINGS)[number];
const option = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;

async function handlerOf(setting: Setting): Promise<RequestListener> {
  const body = JSON.stringify({ status: "ok" });
  if (setting === "bare") {
    return (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    };
  }
  if (setting === "express") {
    const app = express();
    app.disable("x-powered-by");
    app.set("etag", false);
    const other = express.Router();
    for (let i = 0; i < 20; i++) other.get(`/x${i}/:id`, (_req, res) => void res.json({}));
    app.use("/api/other", other);
    app.get("/api/health/live", (_req, res) => void res.json({ status: "ok" }));
    return app;
  }
  const { openDatabase, migrateToLatest, MEMORY } = await import("../../backend/src/db/index.ts");
  const { sessionService } = await import("../../backend/src/domain/auth/index.ts");
  const { staffService } = await import("../../backend/src/domain/staff/index.ts");
  const { createApp } = await import("../../backend/src/http/app.ts");
  const { createMetrics } = await import("../../backend/src/http/observability.ts");
  const { createLogger } = await import("../../backend/src/log.ts");
  const database = await openDatabase({ dataDir: MEMORY });
  await migrateToLatest(database.db);
  const sessions = sessionService({ db: database.db, secret: "http-cost ".repeat(4), ttlMs: 3_600_000 });
  const staff = staffService({ db: database.db, sessions, secret: "http-cost ".repeat(4) });
  return createApp({ database, sessions, staff, cookieSecure: false, logger: createLogger("info"), metrics: createMetrics() });
}

if (process.argv[2] === "serve") {
  const server = createServer({ keepAliveTimeout: 60_000 }, await handlerOf(process.argv[3] as Setting));
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    process.send!(typeof address === "object" && address ? address.port : 0);
  });
} else {
  const requests = Number(option("requests", "8000"));
  const rounds = Number(option("rounds", "2"));
  const results: Record<Setting, number[]> = { bare: [], express: [], app: [] };
  for (let round = 0; round < rounds; round++) {
    for (const setting of SETTINGS) {
      // The app's request log goes to stdout: to nowhere here, as in the bench.
      const child = fork(process.argv[1]!, ["serve", setting], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
      const port = await new Promise<number>((resolve) => child.once("message", (m) => resolve(Number(m))));
      const url = `http://127.0.0.1:${port}/api/health/live`;
      const load = (count: number) => Promise.all(Array.from({ length: 50 }, async () => {
        for (let k = 0; k < count / 50; k++) await tillFetch(url).then((r) => r.arrayBuffer());
      }));
      await load(requests / 2); // warm-up: JIT, sockets
      const before = cpuSnapshot({ backend: child.pid });
      await load(requests);
      const perRequest = Math.round((cpuBetween(before, cpuSnapshot({ backend: child.pid })).backend / requests) * 1000) / 1000;
      results[setting].push(perRequest);
      console.log(`round ${round + 1}: ${setting}: ${perRequest} ms CPU per request`);
      child.kill();
    }
  }
  const file = join(ROOT, "bench/results/http-cost.json");
  writeFileSync(file, `${JSON.stringify({ measured_at: new Date().toISOString(), requests, clients: 50, cpu_ms_per_request: results }, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
