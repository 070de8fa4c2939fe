// Faults injected for real while 10 tills charge continuously through the HTTP API of a backend process
// on a real PostgreSQL server and anvil: PostgreSQL stopped with `-m fast` and with `-m immediate` and
// started again, and anvil stopped and started again on its
// state file. Each time the process stays up; afterwards every receipt a till got is on chain exactly once
// and in the database, every charge refused as SERVICE_UNAVAILABLE left nothing on chain, and the tills
// go on with the sessions they had. Last, a payout run loses the node and then the database in the middle
// of paying and settling: afterwards the bank's transfers and the chain's settles agree, each shop once.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, JsonRpcProvider, Wallet, id, type HDNodeWallet } from "ethers";
import pg from "pg";
import { composeIBAN } from "ibantools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApiError, HealthSchema, SESSION_COOKIE, createApiClient, encodePaymentQr, fundAbi, qrFromPermit, signPaymentPermit, type ApiClient, type ChargeReceipt,
} from "@tegoed/sdk";
import { deploy, parseDeployConfig } from "../../scripts/deploy.ts";
import { ROOT } from "../../scripts/lib/artifacts.ts";
import { writeDeployment } from "../../scripts/lib/deployment-file.ts";
import { freePort, startLocalChain, type LocalChain } from "../../scripts/lib/local-chain.ts";
import { findPostgresBin, postgresSkipReason, startTestPostgres, type TestPostgres } from "../../backend/test/support/postgres.ts";

const ADMIN = { email: "admin@tegoed.example", password: "tegoed-demo-admin" };
const PASSWORD = "correct horse battery staple";
const YEAR = new Date().getUTCFullYear();
const TILLS = 10;
const CENTS = 10;

const skip = postgresSkipReason() ?? (process.env.TEST_DATABASE_URL ? "needs a throwaway cluster to stop (TEST_DATABASE_URL is set)" : null) ??
  (findPostgresBin() ? null : "no PostgreSQL binaries");

let folder: string;
let chain: LocalChain;
let chainPort: number;
let stateFile: string;
let postgres: TestPostgres;
let backend: ChildProcess;
let baseUrl: string;
let stderr = "";
let fundAddress: string;
let fundId: string;
let staff: ApiClient;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const client = (): ApiClient => createApiClient({ baseUrl });

async function health(path = "/api/health"): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${baseUrl}${path}`);
  return { status: response.status, body: await response.json() };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, seconds = 60): Promise<T> {
  for (let i = 0; i < seconds * 10; i++) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    expect(backend.exitCode, `the backend exited while waiting for ${what}: ${stderr.slice(-2000)}`).toBeNull();
    await sleep(100);
  }
  throw new Error(`${what}: not within ${seconds} s. Backend log: ${stderr.slice(-2000)}`);
}

interface Till {
  client: ApiClient;
  budgetId: string;
  nonce: bigint;
  index: number;
  chainId: bigint;
  receipts: (ChargeReceipt & { nonce: bigint; startedAt: number; answeredAt: number })[];
  /** Charges answered SERVICE_UNAVAILABLE: the nonce they were for, and the key. */
  refused: { nonce: bigint; key: string }[];
  /** Uncertain answers (the till kept its key and asked again). */
  retried: string[];
}

let phone: HDNodeWallet;

/**
 * For `npm run bench -- --faults` (TEGOED_FAULTS_REPORT names the file): seconds from a dependency back to
 * the first charge asked and paid after it, receipts not on chain, payments on chain twice. Recorded, not asserted.
 */
const figures: Record<string, number> = { charges_lost: 0, charged_twice: 0, charges_answered: 0 };
function recoverySeconds(backAt: number): number {
  const first = Math.min(...tills.flatMap((t) => t.receipts.filter((r) => r.startedAt >= backAt).map((r) => r.answeredAt)));
  return Math.round((first - backAt) / 10) / 100;
}
let tills: Till[] = [];

async function qrFor(till: Till): Promise<string> {
  const permit = { fund: fundAddress, budgetId: till.budgetId, maxAmount: 100_00n, nonce: till.nonce, deadline: BigInt(Math.floor(Date.now() / 1000) + 3600) };
  return encodePaymentQr(qrFromPermit(permit, till.index, await signPaymentPermit(phone, till.chainId, permit)));
}

/**
 * One till charging until told to stop, as the shop's app does: one key per attempt, kept after an
 * uncertain answer (asked again with it), dropped after a definite one. SERVICE_UNAVAILABLE to a fresh
 * attempt means nothing was charged: the next attempt is the same payment with a new key.
 */
async function charging(till: Till, stop: { now: boolean; abort?: boolean }): Promise<void> {
  let attempt: { key: string; qr: string; uncertain: boolean } | null = null;
  while (!stop.abort && (!stop.now || attempt?.uncertain)) {
    const a = (attempt ??= { key: randomUUID(), qr: await qrFor(till), uncertain: false });
    const startedAt = performance.now();
    try {
      const receipt = await till.client.merchant.charge({ qr: a.qr, amountCents: CENTS }, a.key);
      till.receipts.push({ ...receipt, nonce: till.nonce, startedAt, answeredAt: performance.now() });
      till.nonce += 1n;
      attempt = null;
    } catch (error) {
      if (!(error instanceof ApiError) || error.code === "NETWORK") throw new Error(`the backend did not answer: ${String(error)}\n${stderr.slice(-2000)}`);
      if (error.code === "SERVICE_UNAVAILABLE" && !a.uncertain) {
        till.refused.push({ nonce: till.nonce, key: a.key });
        attempt = null;
      } else if (["SERVICE_UNAVAILABLE", "CHAIN_UNAVAILABLE", "CHAIN_TIMEOUT", "INTERNAL", "CONFLICT"].includes(error.code)) {
        a.uncertain = true;
        till.retried.push(error.code);
      } else {
        throw error;
      }
      await sleep(100);
    }
  }
}

/** Runs the tills around `fault`; resolves once they stopped, with the receipts counted before and after. */
async function chargingThrough(fault: () => Promise<void>): Promise<void> {
  const stop: { now: boolean; abort?: boolean } = { now: false };
  const count = () => tills.reduce((n, t) => n + t.receipts.length, 0);
  const loops = tills.map((t) => charging(t, stop));
  const failed = Promise.race(loops.map((l) => l.then(() => new Promise<never>(() => {}))));
  try {
    const start = count();
    await Promise.race([until("charges before the fault", async () => count() >= start + TILLS), failed]);
    await Promise.race([fault(), failed]);
    const back = count();
    // Every till is paid again after the fault, with the session it had.
    await Promise.race([until("every till paid again", async () => tills.every((t) => t.receipts.length > 0) && count() >= back + 2 * TILLS), failed]);
  } catch (error) {
    stop.abort = true;
    throw error;
  } finally {
    stop.now = true;
    await Promise.all(loops);
  }
}

/** The chain's PaymentMade events of the fund, by payment id. */
async function paymentsOnChain(): Promise<Map<string, { budgetId: string; nonce: bigint; merchant: string }>> {
  const provider = new JsonRpcProvider(chain.url, undefined, { staticNetwork: true });
  try {
    const contract = new Contract(fundAddress, fundAbi, provider);
    const events = await contract.queryFilter(contract.filters.PaymentMade!());
    const byId = new Map<string, { budgetId: string; nonce: bigint; merchant: string }>();
    for (const e of events) {
      const args = (e as unknown as { args: { paymentId: string; budgetId: string; nonce: bigint; merchant: string } }).args;
      expect(byId.has(args.paymentId.toLowerCase()), `payment ${args.paymentId} twice on chain`).toBe(false);
      byId.set(args.paymentId.toLowerCase(), { budgetId: args.budgetId.toLowerCase(), nonce: args.nonce, merchant: args.merchant });
    }
    return byId;
  } finally {
    provider.destroy();
  }
}

/** The invariants after a fault: the chain and the database agree with what the tills were told. */
async function expectLedgerMatchesTills(): Promise<void> {
  await until("the indexer caught up", async () => {
    const h = await health();
    const body = HealthSchema.parse(h.body);
    return body.indexer.ok && body.indexer.lagBlocks === 0;
  });
  const onChain = await paymentsOnChain();
  const receipts = tills.flatMap((t) => t.receipts);
  figures.charges_lost = receipts.filter((r) => !onChain.has(r.paymentId)).length;
  figures.charged_twice = onChain.size - new Set([...onChain.values()].map((p) => `${p.budgetId}:${p.nonce}`)).size + (receipts.length - new Set(receipts.map((r) => r.paymentId)).size);
  figures.charges_answered = receipts.length;
  // Each answered receipt once, and on chain.
  expect(new Set(receipts.map((r) => r.paymentId)).size).toBe(receipts.length);
  for (const r of receipts) expect(onChain.has(r.paymentId), `receipt ${r.paymentId} on chain`).toBe(true);
  // Nothing on chain that no till was told about: a refused charge left nothing behind.
  expect(onChain.size).toBe(receipts.length);
  for (const till of tills) {
    for (const refusal of till.refused) {
      const paidLater = till.receipts.find((r) => r.nonce === refusal.nonce);
      const payment = [...onChain.values()].find((p) => p.budgetId === till.budgetId.toLowerCase() && p.nonce === refusal.nonce);
      // The nonce of a refused charge is paid only by the later attempt whose receipt the till has.
      if (payment) expect(paidLater, `refused charge of nonce ${refusal.nonce} is on chain without a receipt`).toBeDefined();
    }
    // In the database: the shop's list (the same session as before the fault) holds every payment it was told of.
    const listed = await till.client.merchant.payments();
    expect(listed.payments.map((p) => p.paymentId).sort()).toEqual(till.receipts.map((r) => r.paymentId).sort());
    // Confirmed by the indexer's next round at the latest (the lag figure is read apart from that round).
    let unconfirmed = listed.payments.filter((p) => !p.confirmed);
    for (let i = 0; i < 200 && unconfirmed.length > 0; i++) {
      await sleep(100);
      unconfirmed = (await till.client.merchant.payments()).payments.filter((p) => !p.confirmed);
    }
    expect(unconfirmed).toEqual([]);
  }
}

/**
 * Stops anvil and waits until the node itself has exited (it writes its state file on the way out):
 * `node_modules/.bin/anvil` is a launcher whose own exit comes first, while the node may still hold the port.
 */
async function stopAnvil(node: LocalChain): Promise<void> {
  const launcher = node.process.pid;
  const children = launcher ? execFileSync("ps", ["-o", "pid=", "--ppid", String(launcher)]).toString().split(/\s+/).filter(Boolean).map(Number) : [];
  await node.stop();
  for (const pid of children) {
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        break; // gone
      }
      await sleep(100);
    }
  }
}

async function startBackend(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(`${ROOT}node_modules/.bin/node`, [`${ROOT}backend/src/main.ts`], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on("data", (d: Buffer) => (stderr += d.toString()));
  backend = child;
  await until("the backend up", async () => (await health()).status === 200, 120);
  return child;
}

beforeAll(async () => {
  if (skip) return;
  folder = mkdtempSync(join(tmpdir(), "tegoed-faults-"));
  stateFile = join(folder, "anvil-state.json");
  chainPort = await freePort();
  chain = await startLocalChain({ engine: "anvil", port: chainPort, stateFile });
  postgres = await startTestPostgres({ crashSafe: true });
  const deployment = await deploy(parseDeployConfig({ CHAIN_RPC_URL: chain.url }), () => {});
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env, PORT: String(port), CHAIN_RPC_URL: chain.url, DEPLOYMENT_FILE: writeDeployment(deployment, join(folder, "deployment.json")),
    DATABASE_URL: postgres.url, DATABASE_POOL_SIZE: "12", STAFF_ADMIN_EMAIL: ADMIN.email, STAFF_ADMIN_PASSWORD: ADMIN.password,
    APPLICATIONS_PER_HOUR: "100", PAYOUT_INTERVAL_SECONDS: "3600",
  };
  delete env.RELAYER_PRIVATE_KEYS;
  await startBackend(env);

  const admin = client();
  await admin.staff.login(ADMIN);
  await admin.staff.createUser({ email: "alles@gemeente.test", password: PASSWORD, roles: ["admin", "finance", "validator", "merchant_manager"] });
  staff = client();
  await staff.staff.login({ email: "alles@gemeente.test", password: PASSWORD });
  const fund = await staff.funds.create({ name: "Kindpakket storing", amountPerChildCents: 100_00, budgetExpiry: `${YEAR + 1}-12-31`, categories: ["sport"] });
  fundId = fund.id;
  fundAddress = fund.chainAddress;
  await staff.funds.deposit(fund.id, { amountCents: TILLS * 100_00, bankReference: "DEP-STORING" });
  const children = Array.from({ length: TILLS }, (_, i) => ({ firstName: `Kind ${i + 1}`, birthYear: YEAR - 8 }));
  const family = await staff.eligibility.addFamily(fund.id, { displayName: "Familie Storing", addressLines: ["Stationsweg 1"], children });
  await staff.eligibility.approveFamilies(fund.id, { familyIds: [family.id] });
  await staff.eligibility.issueBudgets(fund.id);
  const { code } = await staff.eligibility.issueLetter(family.id);
  phone = Wallet.createRandom();
  const wallet = client();
  await wallet.family.activate({ code, holderAddress: phone.address });
  const budgets = (await wallet.family.children()).children;

  tills = [];
  for (let i = 0; i < TILLS; i++) {
    const shop = await client().merchants.apply({
      name: `Sport ${i + 1}`, kvkNumber: String(40_000_000 + i), iban: composeIBAN({ countryCode: "NL", bban: `ABNA${String(417_164_300 + i).padStart(10, "0")}` })!,
      categories: ["sport"], address: `Hoofdstraat ${i + 1}`, contactEmail: `s${i}@storing.example`,
    });
    await staff.merchants.approve(shop.id, { fundId: fund.id });
    await staff.merchants.createUser(shop.id, { email: `kassa${i}@storing.example`, password: PASSWORD });
    const till = client();
    await till.merchant.login({ email: `kassa${i}@storing.example`, password: PASSWORD });
    const b = budgets[i]!;
    tills.push({ client: till, budgetId: b.budgetId, nonce: BigInt(b.nonce!), index: b.fund.index, chainId: BigInt(b.fund.chainId), receipts: [], refused: [], retried: [] });
  }
}, 240_000);

afterAll(async () => {
  const report = process.env.TEGOED_FAULTS_REPORT;
  if (report) writeFileSync(report, `${JSON.stringify(figures, null, 2)}\n`);
  // Each step on its own: a failed one must not leave the others' processes behind.
  const steps = [
    async () => {
      if (backend?.exitCode !== null) return;
      const exited = new Promise((r) => backend.once("exit", r));
      backend.kill("SIGTERM");
      await exited;
    },
    async () => chain && (await stopAnvil(chain)),
    async () => postgres?.stop(),
    async () => folder && rmSync(folder, { recursive: true, force: true }),
  ];
  for (const step of steps) await step().catch((error: unknown) => console.error("faults test clean-up:", error));
});

describe.skipIf(skip)("PostgreSQL going away under 10 charging tills", () => {
  for (const mode of ["fast", "immediate"] as const) {
    it(`pg_ctl stop -m ${mode}: the backend stays up, answers 503 with Retry-After, and resumes with nothing lost or doubled`, async () => {
      const refusedBefore = tills.reduce((n, t) => n + t.refused.length, 0);
      let backAt = 0;
      await chargingThrough(async () => {
        await postgres.halt!(mode);
        // While it is down: alive, not ready (saying which part is down), and a request needing the database is refused with a wait.
        expect((await health("/api/health/live")).status).toBe(200);
        const ready = await health("/api/health/ready");
        expect(ready.status).toBe(503);
        expect(ready.body).toMatchObject({ status: "down", database: { ok: false } });
        await until("a till refused with SERVICE_UNAVAILABLE", async () => tills.reduce((n, t) => n + t.refused.length, 0) > refusedBefore, 20);
        await postgres.resume!();
        backAt = performance.now();
        await until("ready again", async () => (await health("/api/health/ready")).status === 200);
      });
      figures[`db_recovery_s_${mode}`] = recoverySeconds(backAt);
      expect(backend.exitCode).toBeNull();
      // Each lost connection logged, with its cause.
      expect(stderr).toContain("PostgreSQL connection lost");
      await expectLedgerMatchesTills();
    }, 120_000);
  }

  it("a refusal while the database is down is SERVICE_UNAVAILABLE with Retry-After", async () => {
    await postgres.halt!("fast");
    try {
      const till = tills[0]!;
      const response = await fetch(`${baseUrl}/api/merchant/me`, { headers: { cookie: `${SESSION_COOKIE}=${"A".repeat(43)}` } });
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect((await response.json()).error.code).toBe("SERVICE_UNAVAILABLE");
      const charge = await till.client.merchant.charge({ qr: await qrFor(till), amountCents: CENTS }, randomUUID()).catch((e: unknown) => e);
      expect(charge).toBeInstanceOf(ApiError);
      expect((charge as ApiError).code).toBe("SERVICE_UNAVAILABLE");
    } finally {
      await postgres.resume!();
    }
    await until("ready again", async () => (await health("/api/health/ready")).status === 200);
  }, 60_000);
});

describe.skipIf(skip)("anvil stopped and started again on its state file under 10 charging tills", () => {
  it("health says degraded, then ok; the backend stays up; nothing lost or doubled", async () => {
    let backAt = 0;
    await chargingThrough(async () => {
      await stopAnvil(chain);
      const degraded = await until("health degraded", async () => {
        const h = await health();
        return h.status === 200 && (h.body as { status: string }).status === "degraded" && h.body;
      });
      expect(degraded).toMatchObject({ chain: { ok: false }, database: { ok: true } });
      await sleep(500);
      chain = await startLocalChain({ engine: "anvil", port: chainPort, stateFile });
      backAt = performance.now();
      await until("health ok", async () => (await health()).status === 200 && ((await health()).body as { status: string }).status === "ok");
    });
    figures.chain_recovery_s = recoverySeconds(backAt);
    expect(backend.exitCode).toBeNull();
    await expectLedgerMatchesTills();
  }, 120_000);
});

describe.skipIf(skip)("PostgreSQL stopped with -m immediate and anvil restarted while a payout run pays and settles", () => {
  /** The bank's side: the simulated bank's ledger (its own table, committed per transfer as a bank's would be). */
  async function bankTransfers(references: readonly string[]): Promise<{ reference: string; amount: bigint }[]> {
    const db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
    try {
      const rows = await db.query<{ reference: string; amount_cents: string }>(
        "select reference, amount_cents::text from simulated_bank_transfers where reference = any($1) order by id", [references],
      );
      return rows.rows.map((r) => ({ reference: r.reference, amount: BigInt(r.amount_cents) }));
    } finally {
      await db.end();
    }
  }

  async function rpc<T>(work: (node: JsonRpcProvider) => Promise<T>): Promise<T> {
    const provider = new JsonRpcProvider(chain.url, undefined, { staticNetwork: true });
    try {
      return await work(provider);
    } finally {
      provider.destroy();
    }
  }

  /** The chain's MerchantSettled events of the fund: who was paid how much under which bank reference. */
  async function settledOnChain(): Promise<{ merchant: string; amount: bigint; bankRef: string }[]> {
    return rpc(async (provider) => {
      const contract = new Contract(fundAddress, fundAbi, provider);
      const events = await contract.queryFilter(contract.filters.MerchantSettled!());
      return events.map((e) => {
        const args = (e as unknown as { args: { merchant: string; amount: bigint; bankRef: string } }).args;
        return { merchant: args.merchant.toLowerCase(), amount: args.amount, bankRef: args.bankRef.toLowerCase() };
      });
    });
  }

  it("each shop is paid once by the bank and settled once on chain; the run completes by itself", async () => {
    // Every shop is owed something (also when this test runs on its own).
    for (const till of tills) {
      const receipt = await till.client.merchant.charge({ qr: await qrFor(till), amountCents: CENTS }, randomUUID());
      till.receipts.push({ ...receipt, nonce: till.nonce, startedAt: 0, answeredAt: 0 });
      till.nonce += 1n;
    }
    const owed = await staff.payouts.owed(fundId);
    const due = owed.shops.filter((s) => s.owedCents > 0);
    expect(due.length).toBe(TILLS);
    const settledBefore = await settledOnChain();

    // The run pays at the bank and sends its first settle, which the node keeps in its pool (no mining):
    // then the database dies under the run, and the node restarts from its state file without its pool.
    await rpc((node) => node.send("evm_setAutomine", [false]));
    const run = await staff.payouts.start({ fundId, minimumCents: 1 });
    expect(run.status).toBe("processing");
    const detail = await until("a transfer booked at the bank, its settle waiting in the node's pool", async () => {
      const d = await staff.payouts.run(run.id);
      return d.payouts.some((p) => p.status === "confirmed") && d;
    }, 30);
    expect(detail.payouts.some((p) => p.status === "settled")).toBe(false);
    await postgres.halt!("immediate");
    expect((await health("/api/health/ready")).status).toBe(503);
    await stopAnvil(chain);
    chain = await startLocalChain({ engine: "anvil", port: chainPort, stateFile });
    await postgres.resume!();

    const done = await until("the run completed", async () => {
      const d = await staff.payouts.run(run.id);
      return d.status === "completed" && d;
    }, 90);
    expect(backend.exitCode).toBeNull();
    expect(done.payouts.length).toBe(TILLS);
    expect(done.payouts.every((p) => p.status === "settled")).toBe(true);
    expect(new Set(done.payouts.map((p) => p.merchantId)).size).toBe(TILLS);
    expect(detail.payouts.map((p) => p.reference).sort()).toEqual(done.payouts.map((p) => p.reference).sort());

    // The bank paid each payout exactly once, for its amount.
    const references = done.payouts.map((p) => p.reference);
    const transfers = await bankTransfers(references);
    figures.payouts_paid_twice = transfers.length - new Set(transfers.map((t) => t.reference)).size;
    figures.payouts_lost = due.length - new Set(transfers.map((t) => t.reference)).size;
    expect(transfers.map((t) => t.reference).sort()).toEqual([...references].sort());
    for (const p of done.payouts) expect(transfers.find((t) => t.reference === p.reference)!.amount).toBe(BigInt(p.amountCents));

    // The chain recorded each of them once, under its reference, and nothing else.
    const settled = (await settledOnChain()).slice(settledBefore.length);
    expect(settled.map((s) => s.bankRef).sort()).toEqual(references.map((r) => id(r).toLowerCase()).sort());
    const paidByBank = transfers.reduce((sum, t) => sum + t.amount, 0n);
    expect(settled.reduce((sum, s) => sum + s.amount, 0n)).toBe(paidByBank);
    expect(BigInt(done.totalCents)).toBe(paidByBank);
    expect(new Set(settled.map((s) => s.merchant)).size).toBe(TILLS);

    // Nothing lost: the fund owes its shops nothing any more (no charges since the run started).
    expect((await staff.payouts.owed(fundId)).totalOwedCents).toBe(0);
    expect(stderr).toContain("PostgreSQL connection lost");
  }, 180_000);
});
