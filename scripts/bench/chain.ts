// The chain figures on one engine: the real backend (its own process, or several replicas, on one
// PostgreSQL, N relayer lanes each) in front of a local node, used by tills over HTTP as a till does (the
// QR lookup, then the charge); next to it, in the same rounds on the same node, what tight clients get
// out of the node (`tight.ts`: ERC-20 transfers, and the backend's own batched `pay` traffic) and the
// older, naive baseline; then the card charge, interval mining like QBFT's, backend replicas with one
// killed mid-stream, and the indexer's lag from a payment's mining to its row.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pg from "pg";
import {
  Contract, ContractFactory, HDNodeWallet, Interface, type InterfaceAbi, JsonRpcProvider, Mnemonic, Network, Wallet, id, parseEther,
} from "ethers";
import { createApiClient, encodePaymentQr, qrFromPermit, signPaymentPermit, type ApiClient, type ChargeReceipt } from "@tegoed/sdk";
import { deploy, parseDeployConfig } from "../deploy.ts";
import { ROOT, readArtifact } from "../lib/artifacts.ts";
import { writeDeployment } from "../lib/deployment-file.ts";
import { type ChainEngine, freePort, startLocalChain, type LocalChain } from "../lib/local-chain.ts";
import { pdfTextLines } from "../lib/pdf-text.ts";
import { tillFetch } from "./till-fetch.ts";
import { CpuMeter, parentPid, type CpuPerOperation, type CpuRoots } from "./cpu.ts";
import { latencySummary, percentile, rate, round, sleep, inParallel, type Latency } from "./stats.ts";
import { type CeilingFigure, fundAccounts, mnemonicKey, prepareDirectPay, prepareErc20Ceiling, rpc, rpcBatch } from "./tight.ts";

const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
/** The node's funded development account i (anvil funds 0..9, Hardhat 0..19). */
export const devKey = (i: number) => HDNodeWallet.fromMnemonic(MNEMONIC, `m/44'/60'/0'/0/${i}`).privateKey;
/**
 * Accounts 0..7 may be the first replica's relayer lanes; 8 funds the baselines' senders; 9 sends the
 * indexer-lag payments and funds the other replicas' lanes (mnemonic accounts from 100 on).
 */
const MAX_LANES = 8;
const ADMIN = { email: "admin@bench.example", password: "tegoed-bench-admin-password" };
/** 10 cents: a budget of 300 euros pays 3,000 of them, enough for every stage from one budget per till. */
export const CHARGE_CENTS = 10;
/** Shops at most; more tills than this are several tills at the same shops. */
const SHOPS_MAX = 50;
/** Rounds of baselines-then-charges per number of tills. */
const ROUNDS = 4;
/** The backend's PayBatcher: at most this many pays in one multicall (its default). */
export const BACKEND_PAY_BATCH = 40;

export interface EngineOptions {
  engine: ChainEngine;
  /** postgres:// URL of a server where a database may be created. */
  pgServerUrl: string;
  /** Relayer lanes (signer keys) of each backend replica, 1..8. */
  lanes: number;
  /** Charges per till at each number of tills, automine: { 1: 40, 10: 20, 50: 20, 200: 5 }. */
  chargesPerTill: Record<number, number>;
  /** Transfers of the tight ERC-20 client per number of tills (over its rounds). */
  ceilingTransfers: number;
  /** Pays of the tight batched-pay client per number of tills (over its rounds). */
  directPays: number;
  /** Transfers of the naive baseline (the 50-till rounds only); 0: not measured. */
  naiveTransfers: number;
  lagSamples: number;
  /** Children (budgets) of each family, 1..20: one phone key signs for all of them, each till pays from its own. */
  childrenPerFamily?: number;
  /** Card charges: shops (each its own card) and charges per shop; absent: not measured. */
  cards?: { shops: number; chargesPerShop: number };
  /** Interval mining: block times in s, charges per till at 50 tills (latency) and at 200 (throughput). */
  interval?: { blockSeconds: number[]; chargesPerTill50: number; chargesPerTill200: number };
  /** Backend replicas: counts compared, charges per till at each number of tills, rounds, and the kill run. */
  replicas?: { counts: number[]; chargesPerTill: Record<number, number>; rounds: number; killChargesPerTill: number };
  /** Run the (first) backend with --cpu-prof into this folder. */
  cpuProfDir?: string;
  log?: (line: string) => void;
}

export interface TillStage {
  tills: number;
  charges: number;
  failed: number;
  seconds: number;
  tps: number | null;
  /** QR lookup + charge, as a till does. */
  latency_ms: Latency;
  /** The charge request alone. */
  charge_only_ms: Latency;
  /** p95 of each round (the spread over rounds). */
  round_p95_ms?: (number | null)[];
  errors?: Record<string, number>;
  /** Requests sent again with the same idempotency key after a lost answer (NETWORK). */
  retried?: number;
  /** CPU ms per charge of each process over the charge rounds (Linux /proc), and the cores they kept busy. */
  cpu_ms_per_charge?: CpuPerOperation | null;
}

export interface IntervalFigure {
  block_seconds: number;
  /** 50 tills: lookup + charge. */
  latency_ms: Latency;
  charges_50: number;
  /** 200 tills. */
  tps_200: number | null;
  charges_200: number;
  failed: number;
  errors?: Record<string, number>;
  /** Over the 200-till stage: blocks holding payments, transactions and payments per such block. */
  blocks: { with_payments: number; txs_per_block: number | null; payments_per_block: number | null; max_payments_in_a_block: number };
}

export interface ReplicaRun {
  replicas: number;
  tills: number;
  charges: number;
  failed: number;
  errors?: Record<string, number>;
  tps: number | null;
  latency_ms: Latency;
  /** CPU ms per charge: every replica together (backend), node, PostgreSQL, load generator. */
  cpu_ms_per_charge: CpuPerOperation | null;
  /** CPU ms per charge of each replica's process tree. */
  backend_cpu_ms_per_charge_each: (number | null)[];
}

export interface FailoverFigure {
  replicas: number;
  killed: string;
  charges_asked: number;
  receipts: number;
  /** Receipts whose payment is not on chain exactly once (goal 0). */
  receipts_not_on_chain_once: number;
  /** QRs paid more than once, or one payment answered to two charges (goal 0). */
  charged_twice: number;
  /** Payments on chain in the run that the indexer had not stored 30 s after the run. */
  not_indexed: number;
  refused: Record<string, number>;
  /** From the SIGKILL to the indexer's and payout scheduler's lock being held by another replica. */
  handover_ms: Record<string, number | null>;
}

export interface EngineFigures {
  engine: ChainEngine;
  lanes: number;
  database: "postgresql";
  /** Automine: tills at 1, 10, 50, 200. */
  till_charges: Record<string, TillStage>;
  /** The tight clients, measured in the rounds of each number of tills ("n50": with the 50-till rounds). */
  raw_erc20_ceiling: Record<string, CeilingFigure>;
  direct_pay_ceiling: Record<string, CeilingFigure>;
  /** The earlier baseline: 50 workers, each signing in the timed loop and polling its own receipt every 10 ms. */
  raw_erc20_naive: { transfers: number; seconds: number; tps: number | null; latency_ms: Latency; cpu_ms_per_transfer?: CpuPerOperation | null } | null;
  /** Card charges at N shops (unlock with the PIN + charge, as the till does) next to the phone's at 10 tills. */
  card: { shops: number; latency_ms: Latency; charge_only_ms: Latency; phone_latency_ms_10: Latency | null; failed: number; errors?: Record<string, number> } | null;
  interval: IntervalFigure[];
  replicas: ReplicaRun[];
  failover: FailoverFigure | null;
  indexer_lag_ms: Latency;
  setup_seconds: number;
  errors?: Record<string, string>;
}

/** A till: its shop's logged-in client(s) (one per replica), the budget it charges and that budget's next nonce. */
export interface Till {
  clients: ApiClient[];
  shopAddress: string;
  budgetId: string;
  key: Wallet;
  nonce: bigint;
}

export interface Prepared {
  fundId: string;
  fundAddress: string;
  fundIndex: number;
  chainId: bigint;
  deadline: bigint;
  tills: Till[];
  /** Budgets the direct-pay senders pay from. */
  direct: { budgetId: string; key: Wallet }[];
  lag: { budgetId: string; key: Wallet; nonce: bigint };
  cards: { code: string; pin: string }[];
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
export interface Backend {
  /** Its connections' application_name in PostgreSQL. */
  name: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startBackend(env: Record<string, string>, name: string, cpuProfDir?: string): Promise<Backend> {
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
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}): ${stderr.trim()}`);
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
    name,
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

/** Budgets, activations, shops, tills and cards, all made through the API (of the first replica) before anything is timed. */
async function prepare(options: {
  log: (line: string) => void; urls: string[]; db: pg.Client; chainId: bigint; chainNow: bigint; tills: number; directSenders: number;
  children: number; cardShops: number;
}): Promise<Prepared> {
  const { log, urls, db, children } = options;
  const baseUrl = urls[0]!;
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
  // One budget per till, one per direct-pay sender, one for the indexer-lag payments; a card per card shop.
  const budgetsNeeded = options.tills + options.directSenders + 1;
  const phoneFamilies = Math.ceil(budgetsNeeded / children);
  await office.funds.deposit(fund.id, { amountCents: (phoneFamilies * children + options.cardShops) * 300_00, bankReference: `BENCH-${tag()}` });
  const familyIds: string[] = [];
  await inParallel(Array.from({ length: phoneFamilies + options.cardShops }, (_, i) => i), 4, async (i) => {
    const kids = i < phoneFamilies ? children : 1;
    const added = await office.eligibility.addFamily(fund.id, {
      displayName: `Familie ${i}`, addressLines: ["Hoofdstraat 1", "9801 AA  Zuidhorn"],
      children: Array.from({ length: kids }, (_, c) => ({ firstName: `Kind${c}`, birthYear: 2014 + (c % 8) })),
    });
    familyIds[i] = added.id;
  });
  await office.eligibility.approveFamilies(fund.id, { familyIds });
  done(`fund and ${familyIds.length} families`);
  await office.eligibility.issueBudgets(fund.id);
  done("budgets issued");
  const budgets: { budgetId: string; key: Wallet }[] = [];
  const families: { key: Wallet; budgetIds: string[] }[] = [];
  await inParallel(familyIds.slice(0, phoneFamilies), 4, async (familyId, i) => {
    const { code } = await office.eligibility.issueLetter(familyId);
    const key = Wallet.createRandom() as unknown as Wallet;
    const session = await createApiClient({ baseUrl }).family.activate({ code, holderAddress: key.address });
    families[i] = { key, budgetIds: session.budgetIds };
  });
  for (const f of families) for (const budgetId of f.budgetIds) budgets.push({ budgetId, key: f.key });
  done("families activated");
  const cards: { code: string; pin: string }[] = [];
  await inParallel(familyIds.slice(phoneFamilies), 2, async (familyId, i) => {
    const issued = await office.cards.issue(familyId);
    const cardText = pdfTextLines(Buffer.from(issued.cardPdf, "base64")).flat();
    const code = cardText.slice(cardText.findIndex((line) => line.startsWith("Code")) + 1).join(" ");
    const pin = pdfTextLines(Buffer.from(issued.pinLetterPdf, "base64")).flat().find((line) => /^\d{5}$/.test(line));
    if (!pin) throw new Error("the card's PIN letter could not be read");
    cards[i] = { code, pin };
  });
  if (options.cardShops) done(`${options.cardShops} cards issued`);
  const { rows } = await db.query<{ factory_index: number; chain_address: string }>("select factory_index, chain_address from funds where id = $1", [fund.id]);

  // Up to 50 shops, each with its own logged-in till; beyond that more tills at the same shops (200 tills:
  // 4 per shop), each with its own budget, on the session of its shop's first till.
  const shops = Math.min(options.tills, SHOPS_MAX);
  const tills: Till[] = [];
  await inParallel(Array.from({ length: shops }, (_, i) => i), 4, async (i) => {
    const { id } = await createApiClient({ baseUrl }).merchants.apply({
      name: `Winkel ${i}`, kvkNumber: String(kvkCounter++), iban: "NL91 ABNA 0417 1643 00", categories: ["sport"],
      address: "Hoofdstraat 12, 9801 AA Zuidhorn", contactEmail: `winkel-${i}-${tag()}@bench.example`,
    });
    const approved = await office.merchants.approve(id, { fundId: fund.id });
    const login = { email: `kassa-${i}-${tag()}@bench.example`, password: ADMIN.password };
    await office.merchants.createUser(id, login);
    const till = createApiClient({ baseUrl, fetch: tillFetch });
    await till.merchant.login(login);
    tills[i] = { clients: [till], shopAddress: (approved as { chainAddress?: string | null }).chainAddress ?? "", ...budgets[i]!, nonce: 0n };
  });
  for (let i = 0; i < options.tills; i++) {
    const shop = tills[i % shops]!;
    const cookie = shop.clients[0]!.sessionCookie;
    // The same session on every replica: behind a load balancer any of them may answer.
    const clients = urls.map((url, r) => (r === 0 && i < shops ? shop.clients[0]! : Object.assign(createApiClient({ baseUrl: url, fetch: tillFetch }), { sessionCookie: cookie, csrfToken: shop.clients[0]!.csrfToken })));
    tills[i] = { clients, shopAddress: shop.shopAddress, ...budgets[i]!, nonce: 0n };
  }
  done(`${shops} shops approved with a logged-in till, ${options.tills} tills`);
  const lag = budgets[options.tills + options.directSenders]!;
  return {
    fundId: fund.id, fundAddress: rows[0]!.chain_address, fundIndex: rows[0]!.factory_index, chainId: options.chainId,
    deadline: options.chainNow + 6n * 3600n, tills, direct: budgets.slice(options.tills, options.tills + options.directSenders),
    lag: { ...lag, nonce: 0n }, cards,
  };
}

/**
 * Each till's next nonce as its budget has it on chain. A charge that failed left its till's later QRs of
 * that round a nonce ahead (PERMIT_USED); a phone would show a fresh QR, so the next round's are signed
 * from the chain's nonce. One JSON-RPC batch, between rounds, not timed.
 */
export async function syncNonces(url: string, p: Prepared, tills: readonly Till[]): Promise<void> {
  const fund = new Interface(readArtifact("Fund").abi as InterfaceAbi);
  const answers = await rpcBatch(url, tills.map((t) => ({ method: "eth_call", params: [{ to: p.fundAddress, data: fund.encodeFunctionData("budgetOf", [t.budgetId]) }, "latest"] })));
  tills.forEach((t, i) => {
    const [budget] = fund.decodeFunctionResult("budgetOf", answers[i] as string);
    t.nonce = BigInt(budget.nonce);
  });
}

/** The next `n` QRs of a till's budget, signed now (before the clock of the stage that uses them). */
export async function signQrs(p: Prepared, till: Till, n: number): Promise<string[]> {
  const qrs: string[] = [];
  for (let k = 0; k < n; k++) {
    const permit = { fund: p.fundAddress, budgetId: till.budgetId, maxAmount: BigInt(CHARGE_CENTS), nonce: till.nonce++, deadline: p.deadline };
    const signature = await signPaymentPermit(till.key, p.chainId, permit);
    qrs.push(encodePaymentQr(qrFromPermit(permit, p.fundIndex, signature)));
  }
  return qrs;
}

/** Calls `call` on the till's first client; after a lost answer (NETWORK) again on the next, with the same idempotency key. */
async function failover<T>(clients: ApiClient[], call: (c: ApiClient) => Promise<T>, onRetry: () => void): Promise<T> {
  const order = clients.length > 1 ? clients : [clients[0]!, clients[0]!];
  for (let i = 0; ; i++) {
    try {
      return await call(order[i]!);
    } catch (error) {
      if ((error as { code?: string }).code !== "NETWORK" || i === order.length - 1) throw error;
      onRetry();
    }
  }
}

export interface ChargeOutcome {
  key: string;
  ms: number;
  chargeMs: number;
  receipt?: ChargeReceipt;
  error?: string;
}

/** What a till does for one payment: the QR lookup (the scan shows the budget), then the charge. */
export async function tillCharge(clients: ApiClient[], qr: string, key: string, onRetry: () => void = () => {}): Promise<ChargeOutcome> {
  const t = performance.now();
  try {
    await failover(clients, (c) => c.merchant.lookupQr({ qr }), onRetry);
    const c0 = performance.now();
    const receipt = await failover(clients, (c) => c.merchant.charge({ qr, amountCents: CHARGE_CENTS }, key), onRetry);
    const now = performance.now();
    return { key, ms: now - t, chargeMs: now - c0, receipt };
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message?.slice(0, 60) ?? "error";
    return { key, ms: performance.now() - t, chargeMs: 0, error: code };
  }
}

interface RoundResult {
  outcomes: ChargeOutcome[];
  ms: number;
  retried: number;
}

/**
 * One timed round: `tills[i]` charges its `qrs[i]` one after the other, all tills at once. `clientsOf`
 * picks the replica order of till i (default: its own clients as they are).
 */
async function tillRound(tills: Till[], qrs: string[][], clientsOf: (i: number) => ApiClient[] = (i) => tills[i]!.clients, onEach?: (o: ChargeOutcome) => void): Promise<RoundResult> {
  const outcomes: ChargeOutcome[] = [];
  let retried = 0;
  const started = performance.now();
  await Promise.all(tills.map(async (_, i) => {
    for (const qr of qrs[i]!) {
      const o = await tillCharge(clientsOf(i), qr, `bench-${i}-${tag()}-${tag()}`, () => retried++);
      outcomes.push(o);
      onEach?.(o);
    }
  }));
  return { outcomes, ms: performance.now() - started, retried };
}

function summarise(tillsCount: number, rounds: RoundResult[], cpu: CpuMeter | null): TillStage {
  const ok = rounds.flatMap((r) => r.outcomes.filter((o) => o.receipt));
  const bad = rounds.flatMap((r) => r.outcomes.filter((o) => o.error));
  const ms = rounds.reduce((t, r) => t + r.ms, 0);
  const errors: Record<string, number> = {};
  for (const o of bad) errors[o.error!] = (errors[o.error!] ?? 0) + 1;
  const retried = rounds.reduce((t, r) => t + r.retried, 0);
  return {
    tills: tillsCount, charges: ok.length, failed: bad.length, seconds: round(ms / 1000, 3), tps: rate(ok.length, ms),
    latency_ms: latencySummary(ok.map((o) => o.ms)), charge_only_ms: latencySummary(ok.map((o) => o.chargeMs)),
    ...(rounds.length > 1 ? { round_p95_ms: rounds.map((r) => latencySummary(r.outcomes.filter((o) => o.receipt).map((o) => o.ms)).p95) } : {}),
    ...(bad.length ? { errors } : {}), ...(retried ? { retried } : {}),
    ...(cpu ? { cpu_ms_per_charge: cpu.perOperation(ok.length) } : {}),
  };
}

/** Splits `total` into `parts` near-equal whole parts. */
const split = (total: number, parts: number) => Array.from({ length: parts }, (_, r) => Math.floor(total / parts) + (r < total % parts ? 1 : 0));

/**
 * The naive baseline (`raw_erc20_naive_tps`), kept to compare with earlier runs: plain ERC-20 transfers straight to the node: `concurrency` workers over `senders` accounts, each with
 * its own nonces. Each worker signs in the timed loop and polls for its own receipt every 10 ms, so the node spends much of its time answering polls: not a ceiling.
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
export async function indexerLag(url: string, db: pg.Client, p: Prepared, merchant: string, samples: number, spreadMs = 550): Promise<Latency> {
  const provider = new JsonRpcProvider(url, Network.from(p.chainId), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 20 });
  try {
    const payer = new Wallet(devKey(9), provider);
    const fund = new Contract(p.fundAddress, readArtifact("Fund").abi as InterfaceAbi, payer);
    const lags: number[] = [];
    for (let n = 0; n < samples; n++) {
      const permit = { fund: p.fundAddress, budgetId: p.lag.budgetId, maxAmount: BigInt(CHARGE_CENTS), nonce: p.lag.nonce++, deadline: p.deadline };
      const signature = await signPaymentPermit(p.lag.key, p.chainId, permit);
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
      if (spreadMs) await sleep(150 + Math.random() * spreadMs); // spread samples over the indexer's poll cycle
    }
    return latencySummary(lags);
  } finally {
    provider.destroy();
  }
}

/** The card at the till: unlock with the PIN (the till shows the children), then charge one child's budget. */
async function cardStage(p: Prepared, perShop: number): Promise<NonNullable<EngineFigures["card"]>> {
  const shops = p.cards.length;
  const total: number[] = [];
  const chargeOnly: number[] = [];
  const errors: Record<string, number> = {};
  let failed = 0;
  await Promise.all(p.cards.map(async (card, i) => {
    const till = p.tills[i]!.clients[0]!;
    for (let k = 0; k < perShop; k++) {
      const t = performance.now();
      try {
        const { children: [child] } = await till.cards.unlock({ card: card.code, pin: card.pin });
        const c0 = performance.now();
        await till.cards.charge({ card: card.code, pin: card.pin, amountCents: CHARGE_CENTS, childId: child!.childId }, `bench-card-${i}-${k}-${tag()}`);
        const now = performance.now();
        total.push(now - t);
        chargeOnly.push(now - c0);
      } catch (error) {
        failed++;
        const code = (error as { code?: string }).code ?? "error";
        errors[code] = (errors[code] ?? 0) + 1;
      }
    }
  }));
  return { shops, latency_ms: latencySummary(total), charge_only_ms: latencySummary(chargeOnly), phone_latency_ms_10: null, failed, ...(failed ? { errors } : {}) };
}

/** Mines a block every `seconds` (null: on every transaction again). anvil takes seconds, Hardhat's node ms. */
async function setMining(url: string, engine: ChainEngine, seconds: number | null): Promise<void> {
  if (seconds === null) {
    if (engine === "hardhat") await rpc(url, "evm_setIntervalMining", [0]);
    await rpc(url, "evm_setAutomine", [true]);
    return;
  }
  await rpc(url, "evm_setAutomine", [false]);
  await rpc(url, "evm_setIntervalMining", [engine === "anvil" ? seconds : seconds * 1000]);
}

async function blockNumber(url: string): Promise<number> {
  return Number(await rpc(url, "eth_blockNumber"));
}

/** Blocks (from, to]: how many held payments, and transactions and payments per such block. */
async function blockFill(url: string, fund: string, from: number, to: number): Promise<IntervalFigure["blocks"]> {
  const topic = new Interface(readArtifact("Fund").abi as InterfaceAbi).getEvent("PaymentMade")!.topicHash;
  const logs = (await rpc(url, "eth_getLogs", [{ address: fund, topics: [topic], fromBlock: `0x${(from + 1).toString(16)}`, toBlock: `0x${to.toString(16)}` }])) as { blockNumber: string; transactionHash: string }[];
  const byBlock = new Map<string, { txs: Set<string>; pays: number }>();
  for (const log of logs) {
    const b = byBlock.get(log.blockNumber) ?? { txs: new Set(), pays: 0 };
    b.txs.add(log.transactionHash);
    b.pays++;
    byBlock.set(log.blockNumber, b);
  }
  const blocks = [...byBlock.values()];
  const n = blocks.length;
  return {
    with_payments: n,
    txs_per_block: n ? round(blocks.reduce((t, b) => t + b.txs.size, 0) / n, 2) : null,
    payments_per_block: n ? round(logs.length / n, 1) : null,
    max_payments_in_a_block: Math.max(0, ...blocks.map((b) => b.pays)),
  };
}

async function intervalStage(url: string, engine: ChainEngine, p: Prepared, seconds: number, o: NonNullable<EngineOptions["interval"]>): Promise<IntervalFigure> {
  const t50 = p.tills.slice(0, 50);
  const t200 = p.tills.slice(0, 200);
  const qrs50 = await Promise.all(t50.map((t) => signQrs(p, t, o.chargesPerTill50)));
  await setMining(url, engine, seconds);
  try {
    const r50 = await tillRound(t50, qrs50);
    if (r50.outcomes.some((x) => x.error)) await syncNonces(url, p, t50);
    const qrs200 = await Promise.all(t200.map((t) => signQrs(p, t, o.chargesPerTill200)));
    const from = await blockNumber(url);
    const r200 = await tillRound(t200, qrs200);
    await sleep(seconds * 1000 + 200);
    const to = await blockNumber(url);
    const s50 = summarise(t50.length, [r50], null);
    const s200 = summarise(t200.length, [r200], null);
    return {
      block_seconds: seconds, latency_ms: s50.latency_ms, charges_50: s50.charges, tps_200: s200.tps, charges_200: s200.charges,
      failed: s50.failed + s200.failed, ...(s50.errors || s200.errors ? { errors: { ...s50.errors, ...s200.errors } } : {}),
      blocks: await blockFill(url, p.fundAddress, from, to),
    };
  } finally {
    await setMining(url, engine, null);
  }
}

/** Runs `work` with every meter measuring it. */
function measuredBy<T>(meters: CpuMeter[], work: () => Promise<T>): Promise<T> {
  return meters.reduce<() => Promise<T>>((inner, m) => () => m.measure(inner), work)();
}

/** Tills spread over `count` replicas (till i on replica i mod count, the next ones after a lost answer). */
const replicaOrder = (tills: Till[], count: number) => (i: number) =>
  Array.from({ length: count }, (_, k) => tills[i]!.clients[(i + k) % count]!);

async function replicaStage(url: string, p: Prepared, backends: Backend[], others: CpuRoots, o: NonNullable<EngineOptions["replicas"]>): Promise<ReplicaRun[]> {
  const runs = new Map<string, { replicas: number; tills: number; rounds: RoundResult[]; all: CpuMeter; each: CpuMeter[] }>();
  // Not timed: the replicas that served nothing yet open their connections, prepare their statements and
  // warm their JIT, as the first one did in the thousands of charges of the stages before (with a few
  // dozen each, the later replicas spent up to twice the first one's CPU per charge).
  const most = Math.max(...o.counts);
  if (most > 1) {
    const warm = p.tills.slice(0, Math.min(p.tills.length, 50));
    const perTill = Math.ceil((REPLICA_WARM_UP * (most - 1)) / warm.length);
    await tillRound(warm, await Promise.all(warm.map((t) => signQrs(p, t, perTill))), (i) => [warm[i]!.clients[1 + (i % (most - 1))]!]);
    await syncNonces(url, p, warm);
  }
  for (let r = 0; r < o.rounds; r++) {
    for (const count of o.counts) {
      for (const tills of Object.keys(o.chargesPerTill).map(Number)) {
        const id = `${count}:${tills}`;
        const used = backends.slice(0, count);
        const entry = runs.get(id) ?? {
          replicas: count, tills, rounds: [],
          all: new CpuMeter({ ...others, backend: used.map((b) => b.child.pid) }),
          each: used.map((b) => new CpuMeter({ backend: b.child.pid })),
        };
        runs.set(id, entry);
        const group = p.tills.slice(0, tills);
        const qrs = await Promise.all(group.map((t) => signQrs(p, t, o.chargesPerTill[tills]!)));
        entry.rounds.push(await measuredBy([entry.all, ...entry.each], () => tillRound(group, qrs, replicaOrder(group, count))));
        if (entry.rounds.at(-1)!.outcomes.some((o) => o.error)) await syncNonces(url, p, group);
      }
    }
  }
  return [...runs.values()].map((e) => {
    const s = summarise(e.tills, e.rounds, e.all);
    return {
      replicas: e.replicas, tills: e.tills, charges: s.charges, failed: s.failed, ...(s.errors ? { errors: s.errors } : {}), tps: s.tps, latency_ms: s.latency_ms,
      cpu_ms_per_charge: s.cpu_ms_per_charge ?? null, backend_cpu_ms_per_charge_each: e.each.map((m) => m.perOperation(s.charges)?.backend ?? null),
    };
  });
}

/** Charges each replica but the first serves, untimed, before the replica rounds. */
const REPLICA_WARM_UP = 600;

const LEADER_LOCKS = { indexer: 0x7465676f, payouts: 0x7061796f } as const;

/** Which replica (by its connections' application_name) holds each leader lock now. */
async function lockHolders(db: pg.Client): Promise<Record<string, string | null>> {
  const { rows } = await db.query<{ objid: number; name: string }>(
    "select l.objid::int as objid, a.application_name as name from pg_locks l join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' and l.granted and l.objid = any($1::oid[])",
    [Object.values(LEADER_LOCKS)],
  );
  return Object.fromEntries(Object.entries(LEADER_LOCKS).map(([job, key]) => [job, rows.find((r) => r.objid === key)?.name ?? null]));
}

/**
 * The correctness run: tills on every replica; once a third of the charges are answered, the replica that
 * leads the indexer is SIGKILLed; tills whose answer is lost ask the next replica with the same key.
 */
async function failoverRun(url: string, db: pg.Client, p: Prepared, backends: Backend[], perTill: number, log: (line: string) => void): Promise<FailoverFigure> {
  const count = backends.length;
  const group = p.tills.slice(0, Math.min(50, p.tills.length));
  const qrs = await Promise.all(group.map((t) => signQrs(p, t, perTill)));
  const asked = group.length * perTill;
  const from = await blockNumber(url);
  let holders = await lockHolders(db);
  for (let i = 0; i < 40 && !holders.indexer; i++) {
    await sleep(250);
    holders = await lockHolders(db);
  }
  const victimName = holders.indexer ?? `bench-replica-${count}`;
  const victim = backends.find((b) => b.name === victimName) ?? backends.at(-1)!;
  let answered = 0;
  let killedAt = 0;
  const handover: Record<string, number | null> = Object.fromEntries(Object.keys(LEADER_LOCKS).map((k) => [k, null]));
  let watching: Promise<void> | undefined;
  const watch = async () => {
    const deadline = killedAt + 60_000;
    while (Object.values(handover).some((v) => v === null) && performance.now() < deadline) {
      const now = await lockHolders(db);
      for (const job of Object.keys(LEADER_LOCKS)) {
        if (handover[job] === null && now[job] && now[job] !== victim.name) handover[job] = round(performance.now() - killedAt);
      }
      await sleep(20);
    }
  };
  const result = await tillRound(group, qrs, replicaOrder(group, count), (o) => {
    if (o.receipt && ++answered === Math.floor(asked / 3)) {
      victim.child.kill("SIGKILL");
      killedAt = performance.now();
      log(`    failover: SIGKILLed ${victim.name} (it led: ${Object.entries(holders).filter(([, v]) => v === victim.name).map(([k]) => k).join(", ") || "nothing"}) after ${answered} receipts`);
      watching = watch();
    }
  });
  await watching;
  await sleep(1_000);
  const to = await blockNumber(url);
  const fund = new Interface(readArtifact("Fund").abi as InterfaceAbi);
  const logs = (await rpc(url, "eth_getLogs", [{ address: p.fundAddress, topics: [fund.getEvent("PaymentMade")!.topicHash], fromBlock: `0x${(from + 1).toString(16)}`, toBlock: `0x${to.toString(16)}` }])) as { topics: string[]; data: string }[];
  const onChain = new Map<string, number>();
  const permits = new Map<string, number>();
  for (const l of logs) {
    const e = fund.parseLog(l)!;
    const id = String(e.args[0]).toLowerCase();
    onChain.set(id, (onChain.get(id) ?? 0) + 1);
    const permit = `${e.args[1]}:${e.args[4]}`;
    permits.set(permit, (permits.get(permit) ?? 0) + 1);
  }
  const receipts = result.outcomes.filter((o) => o.receipt).map((o) => o.receipt!);
  const answeredIds = new Map<string, number>();
  for (const r of receipts) answeredIds.set(r.paymentId.toLowerCase(), (answeredIds.get(r.paymentId.toLowerCase()) ?? 0) + 1);
  const refused: Record<string, number> = {};
  for (const o of result.outcomes) if (o.error) refused[o.error] = (refused[o.error] ?? 0) + 1;
  // The indexer (on its new leader) stores every payment of the run, whoever relayed it.
  let notIndexed = onChain.size;
  for (const started = performance.now(); performance.now() - started < 30_000; await sleep(250)) {
    const { rows } = await db.query<{ n: string }>("select count(*) as n from payments where payment_id = any($1)", [[...onChain.keys()]]);
    notIndexed = onChain.size - Number(rows[0]!.n);
    if (notIndexed === 0) break;
  }
  return {
    replicas: count, killed: victim.name, charges_asked: asked, receipts: receipts.length,
    receipts_not_on_chain_once: receipts.filter((r) => onChain.get(r.paymentId.toLowerCase()) !== 1).length,
    charged_twice: [...permits.values()].filter((n) => n > 1).length + [...answeredIds.values()].filter((n) => n > 1).length,
    not_indexed: notIndexed, refused, handover_ms: handover,
  };
}

function cpuLine(cpu: CpuPerOperation | null | undefined, what: string): string {
  if (!cpu) return "";
  return `; CPU ms per ${what}: backend ${cpu.backend}, node ${cpu.node}, PostgreSQL ${cpu.postgres}, load ${cpu.load} (${cpu.cores_busy} cores busy)`;
}

export interface Engine {
  chain: LocalChain;
  backends: Backend[];
  db: pg.Client;
  /** PostgreSQL's postmaster (this run's cluster only), when found. */
  postmaster: number | undefined;
  prepared: Prepared;
  setupSeconds: number;
  stop(): Promise<void>;
}

/**
 * A node, a database and `replicas` backends (each its own `lanes` relayer keys, every key granted the
 * deployment's roles; the first creates the fund, so its lanes hold the fund's roles, and `pay` needs none),
 * with the fund, families, shops, tills and cards of `prepare`.
 */
export async function openEngine(o: {
  engine: ChainEngine; pgServerUrl: string; lanes: number; replicas: number; tills: number; directSenders: number; children: number;
  cardShops: number; cpuProfDir?: string; log: (line: string) => void;
}): Promise<Engine> {
  const started = performance.now();
  const lanes = Math.max(1, Math.min(MAX_LANES, o.lanes));
  const folder = mkdtempSync(join(tmpdir(), `tegoed-bench-${o.engine}-`));
  const dbName = `bench_${o.engine}_${Date.now()}`;
  const chain = await startLocalChain({ engine: o.engine });
  const backends: Backend[] = [];
  let db: pg.Client | undefined;
  const stop = async () => {
    await db?.end().catch(() => {});
    await Promise.all(backends.map((b) => b.stop()));
    await chain.stop();
    await dropDatabase(o.pgServerUrl, dbName).catch(() => {});
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    const keys = Array.from({ length: o.replicas }, (_, r) => Array.from({ length: lanes }, (_, i) => (r === 0 ? devKey(i) : mnemonicKey(100 + r * MAX_LANES + i))));
    const chainId = BigInt(await rpc(chain.url, "eth_chainId"));
    if (o.replicas > 1) await fundAccounts(chain.url, chainId, devKey(9), keys.slice(1).flat().map((k) => new Wallet(k).address));
    const laneAddresses = keys.flat().map((k) => new Wallet(k).address).join(",");
    const deployment = await deploy(parseDeployConfig({ CHAIN_RPC_URL: chain.url, GRANT_ROLES_TO: laneAddresses }), () => {});
    const deploymentFile = writeDeployment(deployment, join(folder, "deployment.json"));
    if (o.replicas > 1) {
      // Each replica's keys may create funds, as the first's (the deployer, account 0, is among them).
      const factory = new Contract(deployment.factory, ["function grantRole(bytes32 role, address account)"], new Wallet(devKey(0), chain.provider));
      for (const key of keys.slice(1).flat()) await (await factory.getFunction("grantRole")(id("FUND_CREATOR_ROLE"), new Wallet(key).address)).wait();
    }
    const databaseUrl = await createDatabase(o.pgServerUrl, dbName);
    const env = (r: number) => ({
      CHAIN_RPC_URL: chain.url, DEPLOYMENT_FILE: deploymentFile, DATABASE_URL: `${databaseUrl}?application_name=bench-replica-${r + 1}`,
      STAFF_ADMIN_EMAIL: ADMIN.email, STAFF_ADMIN_PASSWORD: ADMIN.password, APPLICATIONS_PER_HOUR: "1000000",
      RELAYER_PRIVATE_KEYS: keys[r]!.join(","), CARD_PEPPER_FILE: join(folder, "card-pepper"),
    });
    // The first alone (it migrates the database and writes the card pepper), then the others.
    backends.push(await startBackend(env(0), "bench-replica-1", o.cpuProfDir));
    for (let r = 1; r < o.replicas; r++) backends.push(await startBackend(env(r), `bench-replica-${r + 1}`));
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const chainNow = BigInt((await chain.provider.getBlock("latest"))!.timestamp);
    const prepared = await prepare({
      log: o.log, urls: backends.map((b) => b.url), db, chainId, chainNow, tills: o.tills, directSenders: o.directSenders,
      children: Math.max(1, Math.min(20, o.children)), cardShops: o.cardShops,
    });
    const { rows } = await db.query<{ pid: number }>("select pg_backend_pid() as pid");
    return { chain, backends, db, postmaster: parentPid(rows[0]!.pid), prepared, setupSeconds: round((performance.now() - started) / 1000, 1), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

const DIRECT_SENDERS = 4;

export async function benchEngine(options: EngineOptions): Promise<EngineFigures> {
  const log = options.log ?? (() => {});
  const lanes = Math.max(1, Math.min(MAX_LANES, options.lanes));
  const stages = Object.keys(options.chargesPerTill).map(Number).sort((a, b) => a - b);
  const replicaCounts = options.replicas?.counts ?? [1];
  const maxTills = Math.max(...stages, options.interval ? 200 : 0, ...Object.keys(options.replicas?.chargesPerTill ?? {}).map(Number));
  const engine = await openEngine({
    engine: options.engine, pgServerUrl: options.pgServerUrl, lanes, replicas: Math.max(...replicaCounts), tills: maxTills,
    directSenders: DIRECT_SENDERS, children: options.childrenPerFamily ?? 20, cardShops: options.cards?.shops ?? 0, cpuProfDir: options.cpuProfDir, log,
  });
  const { chain, backends, db, prepared: p } = engine;
  const errors: Record<string, string> = {};
  try {
    log(`  ${options.engine}: set up ${maxTills} tills, ${backends.length} replica(s) × ${lanes} relayer lane${lanes > 1 ? "s" : ""} in ${engine.setupSeconds} s`);
    const url = chain.url;
    // The first replica serves the automine stages; every replica's process counts as the backend.
    const roots: CpuRoots = { backend: backends.map((b) => b.child.pid), node: chain.process.pid, postgres: engine.postmaster };
    const ceiling = await prepareErc20Ceiling(url, p.chainId, devKey(8), roots);
    const direct = await prepareDirectPay({
      url, chainId: p.chainId, funderKey: devKey(8), roots, fund: p.fundAddress, merchant: p.tills[0]!.shopAddress, budgets: p.direct,
      amountCents: BigInt(CHARGE_CENTS), batch: BACKEND_PAY_BATCH, chunk: 2, deadline: p.deadline,
    });
    const naive = options.naiveTransfers > 0 ? await prepareRawErc20(url, p.chainId, 10, 50, new CpuMeter(roots)) : null;
    const till_charges: Record<string, TillStage> = {};
    const raw_erc20_ceiling: Record<string, CeilingFigure> = {};
    const direct_pay_ceiling: Record<string, CeilingFigure> = {};
    const single = (i: number) => [p.tills[i]!.clients[0]!];
    let card: EngineFigures["card"] = null;
    try {
      // The machine is shared and anvil slows as its chain grows: the ceilings and the tills take turns in
      // rounds, so each figure of a stage sees the same load and the same chain length.
      for (const n of stages) {
        const perTill = options.chargesPerTill[n]!;
        const rounds = Math.max(1, Math.min(ROUNDS, perTill));
        const group = p.tills.slice(0, n);
        const cpu = new CpuMeter(roots);
        const results: RoundResult[] = [];
        const perRound = split(perTill, rounds);
        const ceilingPerRound = split(options.ceilingTransfers, rounds);
        const directPerRound = split(options.directPays, rounds);
        for (let r = 0; r < rounds; r++) {
          const signedRaw = await ceiling.sign(ceilingPerRound[r]!);
          const signedPays = await direct.sign(directPerRound[r]!);
          const qrs = await Promise.all(group.map((t) => signQrs(p, t, perRound[r]!)));
          await ceiling.run(signedRaw);
          await direct.run(signedPays);
          if (naive && n === 50) await naive.run(Math.ceil(options.naiveTransfers / rounds));
          // Each round's own CPU as well: a stage's first round is its slowest, and this says in which process.
          const roundCpu = new CpuMeter(roots);
          results.push(await roundCpu.measure(() => cpu.measure(() => tillRound(group, qrs, (i) => single(i)))));
          const paid = results.at(-1)!.outcomes.filter((o) => o.receipt);
          if (rounds > 1) log(`    round ${r + 1} of ${n} till${n > 1 ? "s" : ""}: p95 ${latencySummary(paid.map((o) => o.ms)).p95} ms${cpuLine(roundCpu.perOperation(paid.length), "charge")}`);
          if (results.at(-1)!.outcomes.some((o) => o.error)) await syncNonces(url, p, group);
        }
        const stage = summarise(n, results, cpu);
        till_charges[`n${n}`] = stage;
        raw_erc20_ceiling[`n${n}`] = ceiling.take();
        direct_pay_ceiling[`n${n}`] = direct.take();
        log(`  ${options.engine}: ${n} till${n > 1 ? "s" : ""}: ${stage.charges} lookups+charges in ${stage.seconds} s = ${stage.tps}/s, p50 ${stage.latency_ms.p50} p95 ${stage.latency_ms.p95} ms${stage.round_p95_ms ? ` (rounds' p95 ${stage.round_p95_ms.join(", ")})` : ""}${stage.failed ? `, ${stage.failed} FAILED ${JSON.stringify(stage.errors)}` : ""}${cpuLine(stage.cpu_ms_per_charge, "charge")}`);
        log(`    same rounds: tight ERC-20 ${raw_erc20_ceiling[`n${n}`]!.tps}/s, batched pay straight to the node ${direct_pay_ceiling[`n${n}`]!.tps}/s`);
        if (n === 10 && options.cards && p.cards.length) {
          try {
            card = { ...(await cardStage(p, options.cards.chargesPerShop)), phone_latency_ms_10: stage.latency_ms };
            log(`  ${options.engine}: card at ${card.shops} shops: unlock+charge p50 ${card.latency_ms.p50} p95 ${card.latency_ms.p95} ms (phone lookup+charge at 10 tills p95 ${stage.latency_ms.p95})${card.failed ? `, ${card.failed} FAILED ${JSON.stringify(card.errors)}` : ""}`);
          } catch (error) {
            errors.card = (error as Error).message.slice(0, 300);
          }
        }
      }
    } finally {
      naive?.stop();
    }
    const raw_erc20_naive = naive ? (({ transfers, seconds, tps, latency_ms, cpu_ms_per_transfer }) => ({ transfers, seconds, tps, latency_ms, cpu_ms_per_transfer }))(naive.result()) : null;
    if (raw_erc20_naive) log(`  ${options.engine}: naive ERC-20 baseline (50-till rounds): ${raw_erc20_naive.tps}/s`);

    const replicas: ReplicaRun[] = [];
    if (options.replicas) {
      try {
        replicas.push(...(await replicaStage(url, p, backends, { node: chain.process.pid, postgres: engine.postmaster }, options.replicas)));
        for (const r of replicas) log(`  ${options.engine}: ${r.replicas} replica(s), ${r.tills} tills: ${r.tps}/s, p95 ${r.latency_ms.p95} ms, backend CPU ms per charge ${r.cpu_ms_per_charge?.backend} (each ${r.backend_cpu_ms_per_charge_each.join(" / ")}), total ${r.cpu_ms_per_charge?.total}, ${r.cpu_ms_per_charge?.cores_busy} cores busy${r.failed ? `, ${r.failed} FAILED ${JSON.stringify(r.errors)}` : ""}`);
      } catch (error) {
        errors.replicas = (error as Error).message.slice(0, 300);
      }
    }
    const interval: IntervalFigure[] = [];
    for (const seconds of options.interval?.blockSeconds ?? []) {
      try {
        const f = await intervalStage(url, options.engine, p, seconds, options.interval!);
        interval.push(f);
        log(`  ${options.engine}: a block every ${seconds} s: 50 tills p50 ${f.latency_ms.p50} p95 ${f.latency_ms.p95} p99 ${f.latency_ms.p99} ms; 200 tills ${f.tps_200}/s, ${f.blocks.payments_per_block} payments in ${f.blocks.txs_per_block} transactions per block (${f.blocks.with_payments} blocks)${f.failed ? `, ${f.failed} FAILED ${JSON.stringify(f.errors)}` : ""}`);
      } catch (error) {
        errors[`interval_${seconds}s`] = (error as Error).message.slice(0, 300);
      }
    }
    const indexer_lag_ms = await indexerLag(url, db, p, p.tills[0]!.shopAddress, options.lagSamples);
    log(`  ${options.engine}: indexer lag p50 ${indexer_lag_ms.p50} p95 ${indexer_lag_ms.p95} ms`);
    let failover: FailoverFigure | null = null;
    if (options.replicas && backends.length > 1) {
      try {
        failover = await failoverRun(url, db, p, backends, options.replicas.killChargesPerTill, log);
        log(`  ${options.engine}: failover: ${failover.receipts} receipts of ${failover.charges_asked}, ${failover.receipts_not_on_chain_once} not on chain once, ${failover.charged_twice} charged twice, ${failover.not_indexed} not indexed; leader moved in ${JSON.stringify(failover.handover_ms)} ms; refused ${JSON.stringify(failover.refused)}`);
      } catch (error) {
        errors.failover = (error as Error).message.slice(0, 300);
      }
    }
    for (const [k, v] of Object.entries(errors)) log(`  ${options.engine}: ${k} failed: ${v}`);
    return {
      engine: options.engine, lanes, database: "postgresql", till_charges, raw_erc20_ceiling, direct_pay_ceiling, raw_erc20_naive, card,
      interval, replicas, failover, indexer_lag_ms, setup_seconds: engine.setupSeconds, ...(Object.keys(errors).length ? { errors } : {}),
    };
  } finally {
    await engine.stop();
  }
}
