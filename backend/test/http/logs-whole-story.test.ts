// The logs of a whole story hold no personal data and no secrets: the backend (pino, as main.ts makes
// it) on anvil and PostgreSQL runs the demo through its API (staff log in, shops apply with their IBAN,
// 80 families are imported with names and emails, activate with their letter's code, pay, one refund,
// a payout run), then every log line is scanned for what must never be there. The metrics of the same
// run show the charges, the payouts, the pool and the relayer.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, seedDemo, type DemoLogins } from "../../../scripts/demo/seed.ts";
import { deploy, parseDeployConfig } from "../../../scripts/deploy.ts";
import { writeDeployment } from "../../../scripts/lib/deployment-file.ts";
import { DEV_PRIVATE_KEYS, type LocalChain, startLocalChain } from "../../../scripts/lib/local-chain.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { postgresSkipReason, startTestPostgres, type TestPostgres } from "../support/postgres.ts";

const ADMIN = { email: "beheer@westerkwartier.test", password: "the administrator's own passphrase" };
const METRICS_TOKEN = "metrics-token-of-the-whole-story-test";
/** Values the demo sends that are personal data or secrets. */
const DEMO_IBANS = ["NL91ABNA0417164300", "NL20INGB0001234567", "NL44RABO0123456789"];
const DEMO_SURNAMES = ["El Amrani", "Yilmaz", "Wiersma", "Zijlstra", "Hoekstra"];

const skip = postgresSkipReason();
let chain: LocalChain | undefined;
let postgres: TestPostgres | undefined;
let server: RunningServer | undefined;
let dir: string | undefined;
let demo: DemoLogins;
let base: string;
const lines: string[] = [];

describe.skipIf(skip !== null)("the logs of a whole-story run on anvil and PostgreSQL", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tegoed-logs-"));
    chain = await startLocalChain({ engine: "anvil" });
    postgres = await startTestPostgres();
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    const name = `tegoed_logs_${process.pid}_${Date.now().toString(36)}`;
    await admin.query(`create database "${name}"`);
    await admin.end();
    const url = new URL(postgres.url);
    url.pathname = `/${name}`;
    const deployment = await deploy(parseDeployConfig({ CHAIN_RPC_URL: chain.url }), () => {});
    const config = loadConfig({
      CHAIN_RPC_URL: chain.url, DEPLOYMENT_FILE: writeDeployment(deployment, join(dir, "deployment.json")), DATABASE_URL: url.toString(),
      PORT: "0", STAFF_ADMIN_EMAIL: ADMIN.email, STAFF_ADMIN_PASSWORD: ADMIN.password, APPLICATIONS_PER_HOUR: "1000",
      METRICS_TOKEN, PAYOUT_INTERVAL_SECONDS: "3600",
    });
    const sink = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(...chunk.toString().split("\n").filter(Boolean)); done(); } });
    server = await startServer(config, createLogger("info", sink));
    base = `http://127.0.0.1:${server.port}`;
    demo = await seedDemo(base, ADMIN, () => {});
  }, 600_000);

  afterAll(async () => {
    await server?.close();
    await chain?.stop();
    await postgres?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("logs one JSON line per request, each with a request id", () => {
    const requests = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === "request");
    expect(requests.length).toBeGreaterThan(200);
    for (const entry of requests) {
      expect(entry).toMatchObject({ level: 30, service: "tegoed-backend", requestId: expect.any(String), method: expect.any(String), status: expect.any(Number) });
      expect(String(entry.route)).toMatch(/^(\/api\/|\(unmatched\))/);
    }
    expect(requests.some((entry) => entry.route === "/api/merchant/charges" && entry.status === 201)).toBe(true);
  });

  it("holds no password, activation code, email address, IBAN, family name or key", () => {
    const text = lines.join("\n");
    const secrets = [
      ADMIN.password, DEMO_PASSWORD, ADMIN.email, ...DEV_PRIVATE_KEYS.map((k) => k.slice(2)),
      ...demo.staff.map((s) => s.email), ...demo.shops.map((s) => s.email), ...demo.unusedCodes.map((c) => c.code),
      ...DEMO_IBANS, ...DEMO_SURNAMES,
    ];
    expect(demo.unusedCodes.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(text, `the logs hold ${secret}`).not.toContain(secret);
    expect(text).not.toMatch(/@westerkwartier|@tegoed\.example|tegoed_session=/i);
  });

  it("counts the run in /api/metrics: charges, payouts by state, the pool, the relayer and the indexer", async () => {
    const response = await fetch(`${base}/api/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).toMatch(/tegoed_charge_duration_seconds_count\{status="201"\} [1-9]/);
    expect(text).toMatch(/tegoed_payouts\{state="\w+"\} [1-9]/);
    expect(text).toMatch(/tegoed_db_pool_connections\{use="max"\} 20/);
    expect(text).toMatch(/tegoed_relayer_in_flight\{purpose="payments\+refunds\+settle\+staff",lane="0x[0-9a-fA-F]{40}"\} \d/);
    expect(text).toMatch(/tegoed_indexer_lag_blocks \d+/);
    expect(text).toMatch(/tegoed_indexer_lag_seconds \d+/);
  });
});
