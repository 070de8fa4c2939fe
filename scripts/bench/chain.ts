// The chain figures on one engine: the real backend (its own process, PostgreSQL, N relayer lanes) in
// front of a local node, charged over HTTP by N concurrent shops; plain ERC-20 transfers sent straight
// to the same node as the baseline; and the indexer's lag from a payment's mining to its row.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pg from "pg";
import {
  Contract, ContractFactory, HDNodeWallet, type InterfaceAbi, JsonRpcProvider, Mnemonic, Network, Wallet, parseEther,
} from "ethers";
import { createApiClient, encodePaymentQr, qrFromPermit, signPaymentPermit, type ApiClient } from "@tegoed/sdk";
import { deploy, parseDeployConfig } from "../deploy.ts";
import { ROOT, readArtifact } from "../lib/artifacts.ts";
import { writeDeployment } from "../lib/deployment-file.ts";
import { type ChainEngine, freePort, startLocalChain } from "../lib/local-chain.ts";
import { CpuMeter, type CpuPerOperation } from "./cpu.ts";
import { inParallel, latencySummary, rate, sleep, type Latency } from "./stats.ts";

const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
/** The node's funded development account i (anvil funds 0..9, Hardhat 0..19). */
export const devKey = (i: number) => HDNodeWallet.fromMnemonic(MNEMONIC, `m/44'/60'/0'/0/${i}`).privateKey;
/** Accounts 0..7 may be relayer lanes; 8 funds the baseline's senders; 9 sends the indexer-lag payments. */
const MAX_LANES = 8;
const ADMIN = { email: "admin@bench.example", password: "tegoed-bench-admin-password" };
const CHARGE_CENTS = 1_00;
/** Rounds of baseline-then-charges per concurrency level. */
const ROUNDS = 4;

export interface EngineOptions {
  engine: ChainEngine;
  /** postgres:// URL of a server where a database may be created. */
  pgServerUrl: string;
  /** Relayer lanes (signer keys) of the backend, 1..8. */
  lanes: number;
  /** Charges per shop at each concurrency: { 1: 60, 10: 30, 50: 12 }. */
  chargesPerShop: Record<number, number>;
  rawTransfers: number;
  lagSamples: number;
  /** Children (budgets) of each shop's family, 1..20: one phone key signs for all of them. */
  childrenPerFamily?: number;
  /** Run the backend with --cpu-prof into this folder. */
  cpuProfDir?: string;
  log?: (line: string) => void;
}

export interface ThroughputStage {
  shops: number;
  charges: number;
  failed: number;
  seconds: number;
  tps: number | null;
  latency_ms: Latency;
  errors?: Record<string, number>;
  /** Charges sent twice with the same idempotency key after a lost answer (NETWORK). */
  retried?: number;
  /** CPU ms per charge of each process over the charge rounds (Linux /proc), and the cores they kept busy. */
  cpu_ms_per_charge?: CpuPerOperation | null;
}

export interface EngineFigures {
  engine: ChainEngine;
  lanes: number;
  database: "postgresql";
  charge_throughput: Record<string, ThroughputStage>;
  raw_erc20: {
    transfers: number; senders: number; concurrency: number; seconds: number; tps: number | null; latency_ms: Latency;
    cpu_ms_per_transfer?: CpuPerOperation | null;
  };
  indexer_lag_ms: Latency;
  setup_seconds: number;
}

interface Shop {
  till: ApiClient;
  /** Signed QR texts in the order this shop charges them. */
  qrs: string[];
}

async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(serverUrl: string, name: string) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`).catch(() => {});
  await admin.end();
}

/** The backend as it runs in production: its own Node process (`backend/src/main.ts`). */
async function startBackend(env: Record<string, string>, cpuProfDir?: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const args = [...(cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`] : []), join(ROOT, "backend/src/main.ts")];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), NODE_ENV: "development", PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}` },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`backend exited (${child.exitCode}): ${stderr.trim()}`);
    try {
      if ((await fetch(`${url}/api/health`)).status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 90_000) {
      child.kill();
      throw new Error(`backend did not answer within 90 s: ${stderr.trim()}`);
    }
    await sleep(200);
  }
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(15_000).then(() => child.kill("SIGKILL"))]);
    },
  };
}

const tag = () => Math.random().toString(36).slice(2, 8);
let kvkCounter = 10_000_000 + Math.floor(Math.random() * 80_000_000);

/** Budgets, activations, shops and signed QRs, all made through the API before anything is timed. */
async function prepare(log: (line: string) => void, baseUrl: string, db: pg.Client, chainId: bigint, chainNow: bigint, shopsNeeded: number, chargesPerShop: number, lagSamples: number, CHILDREN_PER_FAMILY: number) {
  let phase = performance.now();
  const done = (what: string) => {
    log(`    set-up: ${what} in ${Math.round(performance.now() - phase) / 1000} s`);
    phase = performance.now();
  };
  const staff = createApiClient({ baseUrl });
  await staff.staff.login(ADMIN);
  const email = `bench-${tag()}@bench.example`;
  await staff.staff.createUser({ email, password: ADMIN.password, roles: ["admin", "finance", "validator", "merchant_manager"] });
  const office = createApiClient({ baseUrl });
  await office.staff.login({ email, password: ADMIN.password });
  const fund = await office.funds.create({
    name: "Kindpakket bench", amountPerChildCents: 300_00, budgetExpiry: "2027-12-31", categories: ["sport", "books", "bike"],
  });
  const familiesNeeded = shopsNeeded + 1; // the last family pays for the indexer-lag samples
  await office.funds.deposit(fund.id, { amountCents: familiesNeeded * CHILDREN_PER_FAMILY * 300_00, bankReference: `BENCH-${tag()}` });
  const familyIds: string[] = [];
  await inParallel(Array.from({ length: familiesNeeded }, (_, i) => i), 4, async (i) => {
    const added = await office.eligibility.addFamily(fund.id, {
      displayName: `Familie ${i}`, addressLines: ["Hoofdstraat 1", "9801 AA  Zuidhorn"],
      children: Array.from({ length: CHILDREN_PER_FAMILY }, (_, c) => ({ firstName: `Kind${c}`, birthYear: 2014 + (c % 8) })),
    });
    familyIds[i] = added.id;
  });
  await office.eligibility.approveFamilies(fund.id, { familyIds });
  done(`fund and ${familiesNeeded} families`);
  await office.eligibility.issueBudgets(fund.id);
  done("budgets issued");
  const families: { key: Wallet; budgetIds: string[] }[] = [];
  await inParallel(familyIds, 4, async (familyId, i) => {
    const { code } = await office.eligibility.issueLetter(familyId);
    const key = Wallet.createRandom() as unknown as Wallet;
    const session = await createApiClient({ baseUrl }).family.activate({ code, holderAddress: key.address });
    families[i] = { key, budgetIds: session.budgetIds };
  });
  done("families activated");
  const { rows } = await db.query<{ factory_index: number; chain_address: string }>("select factory_index, chain_address from funds where id = $1", [fund.id]);
  const fundIndex = rows[0]!.factory_index;
  const fundAddress = rows[0]!.chain_address;

  const shops: Shop[] = [];
  const shopAddresses: string[] = [];
  await inParallel(Array.from({ length: shopsNeeded }, (_, i) => i), 4, async (i) => {
    const { id } = await createApiClient({ baseUrl }).merchants.apply({
      name: `Winkel ${i}`, kvkNumber: String(kvkCounter++), iban: "NL91 ABNA 0417 1643 00", categories: ["sport"],
      address: "Hoofdstraat 12, 9801 AA Zuidhorn", contactEmail: `winkel-${i}-${tag()}@bench.example`,
    });
    const approved = await office.merchants.approve(id, { fundId: fund.id });
    const login = { email: `kassa-${i}-${tag()}@bench.example`, password: ADMIN.password };
    await office.merchants.createUser(id, login);
    const till = createApiClient({ baseUrl });
    await till.merchant.login(login);
    shops[i] = { till, qrs: [] };
    shopAddresses[i] = (approved as { chainAddress?: string | null }).chainAddress ?? "";
  });

  done(`${shopsNeeded} shops approved with a logged-in till`);
  // Each shop pays from its own family's budgets, round robin: budget b of shop i gets nonces 0, 1, 2, …
  const deadline = chainNow + 4n * 3600n;
  const sign = async (family: { key: Wallet; budgetIds: string[] }, n: number) => {
    const budgetId = family.budgetIds[n % family.budgetIds.length]!;
    const permit = { fund: fundAddress, budgetId, maxAmount: 10_00n, nonce: BigInt(Math.floor(n / family.budgetIds.length)), deadline };
    const signature = await signPaymentPermit(family.key, chainId, permit);
    return { permit, signature, qr: encodePaymentQr(qrFromPermit(permit, fundIndex, signature)) };
  };
  for (let i = 0; i < shopsNeeded; i++) {
    for (let n = 0; n < chargesPerShop; n++) shops[i]!.qrs.push((await sign(families[i]!, n)).qr);
  }
  const lagPermits = [];
  for (let n = 0; n < lagSamples; n++) lagPermits.push(await sign(families[shopsNeeded]!, n));
  done("QRs signed");
  return { fund, fundAddress, shops, shopAddresses, lagPermits };
}

async function chargeStage(shops: Shop[], count: number, perShop: number, cursor: number[]): Promise<ThroughputStage & { samples: number[] }> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let failed = 0;
  let retried = 0;
  const started = performance.now();
  await Promise.all(
    shops.slice(0, count).map(async (shop, i) => {
      for (let k = 0; k < perShop; k++) {
        const qr = shop.qrs[cursor[i]!++]!;
        const t = performance.now();
        const key = `bench-${i}-${cursor[i]}-${tag()}`;
        try {
          try {
            await shop.till.merchant.charge({ qr, amountCents: CHARGE_CENTS }, key);
          } catch (error) {
            // A till retries a charge whose answer got lost with the same idempotency key (a kept-alive
            // socket closed under the request): the backend answers the first attempt's receipt.
            if ((error as { code?: string }).code !== "NETWORK") throw error;
            retried++;
            await shop.till.merchant.charge({ qr, amountCents: CHARGE_CENTS }, key);
          }
          latencies.push(performance.now() - t);
        } catch (error) {
          failed++;
          const code = (error as { code?: string }).code ?? (error as Error).message?.slice(0, 60) ?? "error";
          errors[code] = (errors[code] ?? 0) + 1;
        }
      }
    }),
  );
  const ms = performance.now() - started;
  return {
    shops: count, charges: latencies.length, failed, seconds: Math.round(ms) / 1000, tps: rate(latencies.length, ms),
    latency_ms: latencySummary(latencies), ...(failed ? { errors } : {}), ...(retried ? { retried } : {}), samples: latencies,
  };
}

/**
 * Plain ERC-20 transfers straight to the node: `concurrency` workers over `senders` accounts, each with
 * its own nonces. Set-up here; `run(n)` is the timed part, called in rounds between the charge rounds.
 */
async function prepareRawErc20(url: string, chainId: bigint, senders: number, concurrency: number, cpu: CpuMeter) {
  const provider = new JsonRpcProvider(url, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 1, pollingInterval: 20 });
  const funder = new Wallet(devKey(8), provider);
  const token = readArtifact("BaselineToken");
  const erc20 = (await new ContractFactory(token.abi as InterfaceAbi, token.bytecode, funder).deploy(funder.address, 10n ** 30n)) as Contract;
  await erc20.waitForDeployment();
  const tokenAddress = await erc20.getAddress();
  const wallets = Array.from({ length: senders }, () => Wallet.createRandom().connect(provider));
  let nonce = await provider.getTransactionCount(funder.address, "pending");
  const fundings = [];
  for (const w of wallets) {
    fundings.push(await funder.sendTransaction({ to: w.address, value: parseEther("10"), nonce: nonce++ }));
    fundings.push(await erc20.getFunction("transfer")(w.address, 10n ** 24n, { nonce: nonce++ }));
  }
  const recipients = Array.from({ length: 64 }, () => Wallet.createRandom().address);
  // Make every recipient an existing holder, as shops are: the baseline is the cheaper transfer.
  for (const to of recipients) fundings.push(await erc20.getFunction("transfer")(to, 1n, { nonce: nonce++ }));
  await Promise.all(fundings.map((tx) => tx.wait()));
  const fees = await provider.getFeeData();
  const nonces = await Promise.all(wallets.map((w) => provider.getTransactionCount(w.address, "pending")));
  const samples: number[] = [];
  let totalMs = 0;
  let sent = 0;
  return {
    async run(transfers: number) {
      let left = transfers;
      const started = performance.now();
      await cpu.measure(() => Promise.all(
        Array.from({ length: concurrency }, async (_, worker) => {
          while (left > 0) {
            left--;
            const n = sent++;
            const s = worker % senders;
            const t = performance.now();
            const raw = await wallets[s]!.signTransaction({
              to: tokenAddress, data: erc20.interface.encodeFunctionData("transfer", [recipients[n % recipients.length], 1n]),
              nonce: nonces[s]!++, gasLimit: 80_000n, chainId, type: 2,
              maxFeePerGas: fees.maxFeePerGas! * 2n, maxPriorityFeePerGas: fees.maxPriorityFeePerGas!,
            });
            const hash: string = await provider.send("eth_sendRawTransaction", [raw]);
            while (!(await provider.getTransactionReceipt(hash))) await sleep(10);
            samples.push(performance.now() - t);
          }
        }),
      ));
      totalMs += performance.now() - started;
    },
    result() {
      return {
        transfers: samples.length, senders, concurrency, seconds: Math.round(totalMs) / 1000, tps: rate(samples.length, totalMs),
        latency_ms: latencySummary(samples), cpu_ms_per_transfer: cpu.perOperation(samples.length),
      };
    },
    stop: () => provider.destroy(),
  };
}

/** Payments sent straight to the chain (not through the backend): mined → the indexer's row in PostgreSQL. */
async function indexerLag(url: string, chainId: bigint, db: pg.Client, fundAddress: string, merchant: string, permits: { permit: any; signature: string }[]) {
  const provider = new JsonRpcProvider(url, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 20 });
  try {
    const payer = new Wallet(devKey(9), provider);
    const fund = new Contract(fundAddress, readArtifact("Fund").abi as InterfaceAbi, payer);
    const lags: number[] = [];
    for (const { permit, signature } of permits) {
      const tx = await fund.getFunction("pay")(permit, signature, merchant, CHARGE_CENTS);
      const receipt = await tx.wait();
      const mined = performance.now();
      const paymentId = receipt.logs.map((log: any) => { try { return fund.interface.parseLog(log); } catch { return null; } })
        .find((e: any) => e?.name === "PaymentMade")?.args[0] as string;
      for (;;) {
        const { rowCount } = await db.query("select 1 from payments where payment_id = $1", [paymentId.toLowerCase()]);
        if (rowCount) break;
        if (performance.now() - mined > 30_000) throw new Error("the indexer did not store a payment within 30 s");
        await sleep(5);
      }
      lags.push(performance.now() - mined);
      await sleep(150 + Math.random() * 400); // spread samples over the indexer's poll cycle
    }
    return latencySummary(lags);
  } finally {
    provider.destroy();
  }
}

function cpuLine(cpu: CpuPerOperation | null | undefined, what: string): string {
  if (!cpu) return "";
  return `; CPU ms per ${what}: backend ${cpu.backend}, node ${cpu.node}, PostgreSQL ${cpu.postgres}, load ${cpu.load} (${cpu.cores_busy} cores busy)`;
}

export async function benchEngine(options: EngineOptions): Promise<EngineFigures> {
  const log = options.log ?? (() => {});
  const lanes = Math.max(1, Math.min(MAX_LANES, options.lanes));
  const setupStarted = performance.now();
  const children = Math.max(1, Math.min(20, options.childrenPerFamily ?? 20));
  const folder = mkdtempSync(join(tmpdir(), `tegoed-bench-${options.engine}-`));
  const dbName = `bench_${options.engine}_${Date.now()}`;
  const chain = await startLocalChain({ engine: options.engine });
  let backend: Awaited<ReturnType<typeof startBackend>> | undefined;
  let db: pg.Client | undefined;
  try {
    // Every lane holds every role of the deployed fund: the backend checks its keys' roles at start.
    const laneAddresses = Array.from({ length: lanes }, (_, i) => new Wallet(devKey(i)).address).join(",");
    const deployment = await deploy(parseDeployConfig({ CHAIN_RPC_URL: chain.url, GRANT_ROLES_TO: laneAddresses }), () => {});
    const deploymentFile = writeDeployment(deployment, join(folder, "deployment.json"));
    const databaseUrl = await createDatabase(options.pgServerUrl, dbName);
    backend = await startBackend({
      CHAIN_RPC_URL: chain.url, DEPLOYMENT_FILE: deploymentFile, DATABASE_URL: databaseUrl,
      STAFF_ADMIN_EMAIL: ADMIN.email, STAFF_ADMIN_PASSWORD: ADMIN.password, APPLICATIONS_PER_HOUR: "1000000",
      RELAYER_PRIVATE_KEYS: Array.from({ length: lanes }, (_, i) => devKey(i)).join(","),
    }, options.cpuProfDir);
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const chainId = BigInt(deployment.chainId);
    const chainNow = BigInt((await chain.provider.getBlock("latest"))!.timestamp);
    const stages = Object.keys(options.chargesPerShop).map(Number).sort((a, b) => a - b);
    const maxShops = Math.max(...stages);
    const perShopTotal = (i: number) => stages.filter((n) => i < n).reduce((s, n) => s + options.chargesPerShop[n]!, 0);
    const prepared = await prepare(log, backend.url, db, chainId, chainNow, maxShops, perShopTotal(0), options.lagSamples, children);
    const setup_seconds = Math.round(performance.now() - setupStarted) / 1000;
    log(`  ${options.engine}: set up ${maxShops} shops, ${maxShops + 1} families × ${children} budgets in ${setup_seconds} s (${lanes} relayer lane${lanes > 1 ? "s" : ""})`);

    const cursor = prepared.shops.map(() => 0);
    const roots = { backend: backend.child.pid, node: chain.process.pid };
    const raw = await prepareRawErc20(chain.url, chainId, 10, maxShops, new CpuMeter(roots));
    const charge_throughput: Record<string, ThroughputStage> = {};
    let raw_erc20;
    try {
      // The machine is shared: the baseline and the charges take turns in rounds, so both see the same load.
      for (const n of stages) {
        const perShop = options.chargesPerShop[n]!;
        const rounds = Math.max(1, Math.min(ROUNDS, perShop));
        const parts: (ThroughputStage & { samples: number[] })[] = [];
        const cpu = new CpuMeter(roots);
        for (let r = 0; r < rounds; r++) {
          await raw.run(Math.ceil(options.rawTransfers / stages.length / rounds));
          const charges = Math.floor(perShop / rounds) + (r < perShop % rounds ? 1 : 0);
          parts.push(await cpu.measure(() => chargeStage(prepared.shops, n, charges, cursor)));
        }
        const samples = parts.flatMap((p) => p.samples);
        const seconds = parts.reduce((t, p) => t + p.seconds, 0);
        const failed = parts.reduce((t, p) => t + p.failed, 0);
        const retried = parts.reduce((t, p) => t + (p.retried ?? 0), 0);
        const errors: Record<string, number> = {};
        for (const p of parts) for (const [k, v] of Object.entries(p.errors ?? {})) errors[k] = (errors[k] ?? 0) + v;
        const stage: ThroughputStage = {
          shops: n, charges: samples.length, failed, seconds: Math.round(seconds * 1000) / 1000, tps: rate(samples.length, seconds * 1000),
          latency_ms: latencySummary(samples), ...(failed ? { errors } : {}), ...(retried ? { retried } : {}),
          cpu_ms_per_charge: cpu.perOperation(samples.length),
        };
        charge_throughput[`n${n}`] = stage;
        log(`  ${options.engine}: ${n} shops: ${stage.charges} charges in ${stage.seconds} s = ${stage.tps}/s, p50 ${stage.latency_ms.p50} p95 ${stage.latency_ms.p95} ms${stage.failed ? `, ${stage.failed} FAILED ${JSON.stringify(stage.errors)}` : ""}${cpuLine(stage.cpu_ms_per_charge, "charge")}`);
      }
      raw_erc20 = raw.result();
    } finally {
      raw.stop();
    }
    log(`  ${options.engine}: raw ERC-20 (in the same rounds): ${raw_erc20.transfers} transfers at concurrency ${raw_erc20.concurrency} in ${raw_erc20.seconds} s = ${raw_erc20.tps}/s${cpuLine(raw_erc20.cpu_ms_per_transfer, "transfer")}`);
    const indexer_lag_ms = await indexerLag(chain.url, chainId, db, prepared.fundAddress, prepared.shopAddresses[0]!, prepared.lagPermits);
    log(`  ${options.engine}: indexer lag p50 ${indexer_lag_ms.p50} p95 ${indexer_lag_ms.p95} ms`);
    return { engine: options.engine, lanes, database: "postgresql", charge_throughput, raw_erc20, indexer_lag_ms, setup_seconds };
  } finally {
    await db?.end().catch(() => {});
    await backend?.stop();
    await chain.stop();
    await dropDatabase(options.pgServerUrl, dbName).catch(() => {});
    rmSync(folder, { recursive: true, force: true });
  }
}
