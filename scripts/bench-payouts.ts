// `npm run bench:payouts`: 10,000 shops owed money on a local chain, settled in one SEPA payout run:
// the run written (receivables read, payouts stored), its pain.001 file made (and checked with xmllint
// when installed), marked sent, and every payout recorded on chain with settle(). Prints the times and
// writes bench/results/payouts.json. Not a test. BENCH_PAYOUTS=n for another count, BENCH_CHAIN=hardhat
// for Hardhat's node (default anvil), DATABASE_URL for PostgreSQL (default embedded PGlite in memory),
// BENCH_LANES relayer lanes (default 24), BENCH_SETTLE_CONCURRENCY settle transactions at once (default
// 2 per lane), BENCH_CHAIN_CONCURRENCY bulk reads at once (default 4), BENCH_POLL_MS receipt polling of the
// relayer and the baseline (default 10), BENCH_BASELINE plain transfers per baseline round (default
// min(count, 1000)), BENCH_BLOCK_SECONDS=n a block every n seconds in the timed part and the baseline
// (default: automine, a block per transaction), BENCH_VERBOSE=1 prints each set-up step as it ends,
// BENCH_CPU_PROF=dir writes a CPU profile of the timed part there.
//
// The set-up (not timed) goes straight to the node: the node's own unlocked development accounts send
// the approvals, the budgets' holders and the payments (and sign the families' permits), with explicit
// nonces, 500 to a JSON-RPC request, automine off and one large block per request; every receipt is
// checked. Budgets are issued 100 to a transaction and the database rows inserted 1,000 at a time.
//
// The baseline, measured in the same run (the machine is shared and noisy): plain value transfers signed
// here, sent raw and waited for (receipt polled as often as the relayer does), with as many in flight
// as the settle step, before and after the timed part. The figures are reported as ratios to it.
//
// On anvil with automine every transaction is a block of its own, and a block costs the node more the
// larger the chain's state: with 10,000 shops paid, plain transfers and settles alike run at tens per
// second, not hundreds. The settle step is then bound by the node's blocks per second, which is what
// the ratio to the baseline shows.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session } from "node:inspector/promises";
import { HDNodeWallet, Interface, JsonRpcProvider, Mnemonic, Network, Wallet, getAddress, hexlify, id, randomBytes } from "ethers";
import { PAYMENT_PERMIT_TYPES, fundAbi, fundDomain, signPaymentPermit, type PaymentPermit } from "@tegoed/sdk";
import { ROOT } from "./lib/artifacts.ts";
import { createFund, deployFactory, FUND_ROLES } from "./lib/deploy.ts";
import { DEV_PRIVATE_KEYS, devWallet, startLocalChain, type ChainEngine } from "./lib/local-chain.ts";
import { FundClient } from "../backend/src/chain/fund-client.ts";
import { HttpJsonRpcProvider } from "../backend/src/chain/http-provider.ts";
import { useWasmKeccak } from "../backend/src/chain/keccak.ts";
import { Relayer } from "../backend/src/chain/relayer.ts";
import { MEMORY, migrateToLatest, openDatabase } from "../backend/src/db/index.ts";
import { sepaFileBank } from "../backend/src/bank/index.ts";
import { markRunSent, processRun, runFile, startRun, type PayoutDeps } from "../backend/src/domain/payouts/index.ts";

const COUNT = Number(process.env.BENCH_PAYOUTS ?? 10_000);
const ENGINE = (process.env.BENCH_CHAIN ?? "anvil") as ChainEngine;
const PER_BUDGET = 100;
const IBANS = ["NL91ABNA0417164300", "NL20INGB0001234567", "NL39RABO0300065264", "NL69INGB0123456789"];
const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
const LANES = Number(process.env.BENCH_LANES ?? 24);
const SETTLE_CONCURRENCY = Number(process.env.BENCH_SETTLE_CONCURRENCY ?? 2 * LANES);
const BASELINE = Number(process.env.BENCH_BASELINE ?? Math.min(COUNT, 1_000));
const BASELINE_SENDERS = 32;
/** How often the relayer (and the baseline) ask for a receipt. */
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 10);
/** Bulk reads of the chain at once (receivables, bank references), each one eth_call of up to 500 views. */
const CHAIN_CONCURRENCY = Number(process.env.BENCH_CHAIN_CONCURRENCY ?? 4);
/** Blocks every n seconds for the baseline and the timed part instead of one block per transaction (automine). */
const BLOCK_SECONDS = process.env.BENCH_BLOCK_SECONDS ? Number(process.env.BENCH_BLOCK_SECONDS) : undefined;
/** Transactions per JSON-RPC request of the set-up. */
const RPC_BATCH = 500;
/** Generous fixed gas for the set-up's calls (no estimate: they run against a pending state). */
const GAS = { grant: 120_000n, approve: 120_000n, setHolder: 100_000n, pay: 200_000n, transfer: 21_000n };
const fundInterface = new Interface(fundAbi);

const seconds = (from: number) => Math.round(performance.now() - from) / 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hex = (n: bigint | number) => `0x${n.toString(16)}`;

/** Plain JSON-RPC, many calls per request: the set-up's way to the node. */
function rpcClient(url: string) {
  let nextId = 1;
  async function batch<T = unknown>(calls: readonly [method: string, params: unknown[]][]): Promise<T[]> {
    const out: T[] = [];
    for (let i = 0; i < calls.length; i += RPC_BATCH) {
      const body = calls.slice(i, i + RPC_BATCH).map(([method, params]) => ({ jsonrpc: "2.0", id: nextId++, method, params }));
      const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const answers = (await response.json()) as { id: number; result?: T; error?: { message: string; data?: unknown } }[];
      const byId = new Map(answers.map((a) => [a.id, a]));
      for (const request of body) {
        const answer = byId.get(request.id);
        if (!answer || answer.error) throw new Error(`${request.method} failed: ${answer?.error?.message ?? "no answer"} ${JSON.stringify(answer?.error?.data ?? "")}`);
        out.push(answer.result as T);
      }
    }
    return out;
  }
  return { batch, call: async <T = unknown>(method: string, params: unknown[] = []) => (await batch<T>([[method, params]]))[0]! };
}
type Rpc = ReturnType<typeof rpcClient>;

interface Call {
  to: string;
  data?: string;
  value?: bigint;
  gas: bigint;
}

/**
 * Sends `calls` from `from` (an account the node holds unlocked, so the node signs) with consecutive
 * nonces, a request of hundreds in flight at once, automine off, a block mined after each request; then
 * checks every receipt. Calls from one account are mined in their order.
 */
async function sendAllFrom(rpc: Rpc, from: string, calls: readonly Call[]): Promise<void> {
  if (calls.length === 0) return;
  const first = Number(await rpc.call<string>("eth_getTransactionCount", [from, "pending"]));
  const head = Number(await rpc.call<string>("eth_blockNumber"));
  const hashes: string[] = [];
  // A block after each request: the node's pool slows down (worse than linearly) with thousands pending.
  for (let i = 0; i < calls.length; i += RPC_BATCH) {
    hashes.push(...(await rpc.batch<string>(calls.slice(i, i + RPC_BATCH).map((c, j) => ["eth_sendTransaction", [{
      from, to: c.to, data: c.data ?? "0x", value: hex(c.value ?? 0n), gas: hex(c.gas), nonce: hex(first + i + j),
      // Far above any base fee the set-up's blocks reach: none waits in the pool for a cheaper block.
      maxFeePerGas: hex(100n * 10n ** 9n), maxPriorityFeePerGas: hex(10n ** 9n),
    }]]))));
    await rpc.call("evm_mine");
  }
  const last = first + calls.length;
  for (let blocks = 0; Number(await rpc.call<string>("eth_getTransactionCount", [from, "latest"])) < last; blocks++) {
    if (blocks > 10_000) throw new Error("the set-up's transactions are not being mined");
    await rpc.call("evm_mine");
  }
  const top = Number(await rpc.call<string>("eth_blockNumber"));
  const status = new Map<string, string>();
  const blocks = await rpc.batch<{ transactions: { hash: string }[] | string[] }>(
    Array.from({ length: top - head }, (_, i) => ["eth_getBlockByNumber", [hex(head + 1 + i), false]]),
  );
  const inBlocks = new Set(blocks.flatMap((b) => b.transactions.map((t) => (typeof t === "string" ? t : t.hash))));
  const ours = hashes.filter((h) => inBlocks.has(h));
  if (ours.length !== hashes.length) throw new Error(`${hashes.length - ours.length} set-up transactions missing from the mined blocks`);
  const receipts = await rpc.batch<{ transactionHash: string; status: string }>(ours.map((h) => ["eth_getTransactionReceipt", [h]]));
  for (const r of receipts) status.set(r.transactionHash, r.status);
  const failed = hashes.filter((h) => status.get(h) !== "0x1");
  if (failed.length) throw new Error(`${failed.length} of ${hashes.length} set-up transactions failed, e.g. ${failed[0]}`);
}

/** One engine-neutral switch for the bulk phase: automine off and room for thousands of calls per block. */
async function bulkMode(rpc: Rpc, on: boolean, gasLimit: bigint) {
  await rpc.call("evm_setAutomine", [!on]);
  await rpc.call("evm_setBlockGasLimit", [hex(gasLimit)]);
}

/**
 * EIP-712 signatures of many permits by an account the node holds unlocked: the node signs them, many
 * to a request (signing 10,000 here would cost the set-up most of its time).
 */
async function signPermitsOnNode(rpc: Rpc, holder: string, chainId: bigint, permits: readonly PaymentPermit[]): Promise<string[]> {
  const domain = fundDomain(permits[0]!.fund, chainId);
  const types = {
    EIP712Domain: [
      { name: "name", type: "string" }, { name: "version", type: "string" }, { name: "chainId", type: "uint256" }, { name: "verifyingContract", type: "address" },
    ],
    ...PAYMENT_PERMIT_TYPES,
  };
  return rpc.batch<string>(permits.map((p) => ["eth_signTypedData_v4", [holder, {
    types, primaryType: "PaymentPermit", domain: { ...domain, chainId: Number(chainId) },
    message: { fund: p.fund, budgetId: p.budgetId, maxAmount: p.maxAmount.toString(), nonce: p.nonce.toString(), deadline: p.deadline.toString() },
  }]]));
}

/**
 * The baseline: `count` plain value transfers straight to the node, `concurrency` in flight over the
 * senders (each with its own nonces), each signed here, sent raw and its receipt polled every 10 ms.
 */
async function plainTransfers(provider: JsonRpcProvider, chainId: bigint, senders: readonly Wallet[], count: number, concurrency: number) {
  const nonces = await Promise.all(senders.map((w) => provider.getTransactionCount(w.address, "pending")));
  const fees = await provider.getFeeData();
  const to = getAddress(hexlify(randomBytes(20)));
  let left = count;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    const s = worker % senders.length;
    while (left > 0) {
      left--;
      const raw = await senders[s]!.signTransaction({
        to, value: 1n, nonce: nonces[s]!++, gasLimit: GAS.transfer, chainId, type: 2,
        maxFeePerGas: fees.maxFeePerGas! * 2n, maxPriorityFeePerGas: fees.maxPriorityFeePerGas!,
      });
      const hash: string = await provider.send("eth_sendRawTransaction", [raw]);
      for (let polls = 0; !(await provider.getTransactionReceipt(hash)); polls++) await sleep(Math.min(POLL_MS, 5 * 2 ** polls));
    }
  }));
  const s = seconds(started);
  return { transfers: count, concurrency, seconds: s, perSecond: Math.round(count / s) };
}

async function main() {
  await useWasmKeccak(); // as the server does at start
  const chain = await startLocalChain({ engine: ENGINE });
  const database = await openDatabase(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : { dataDir: MEMORY });
  try {
    console.log(`bench:payouts: ${COUNT} payouts, ${ENGINE}${BLOCK_SECONDS ? ` (a block every ${BLOCK_SECONDS} s)` : ""}, ${database.kind}, ${LANES} relayer lanes, ${SETTLE_CONCURRENCY} settles at once`);
    const rpc = rpcClient(chain.url);
    const setupStart = performance.now();
    const step = (() => {
      let t = performance.now();
      const steps: Record<string, number> = {};
      return Object.assign((name: string) => {
        steps[name] = seconds(t);
        if (process.env.BENCH_VERBOSE) console.log(`  set-up ${name}: ${steps[name]} s`);
        t = performance.now();
      }, { steps });
    })();
    const admin = devWallet(chain.provider, 0);
    const { factory } = await deployFactory(admin, admin.address);
    const now = BigInt((await chain.provider.getBlock("latest"))!.timestamp);
    const created = await createFund(factory, { admin: admin.address, name: "Bench 2027", currency: "EUR", defaultBudgetExpiry: now + 86_400n * 365n });
    const chainId = (await chain.provider.getNetwork()).chainId;
    const normalGasLimit = BigInt((await chain.provider.getBlock("latest"))!.gasLimit);
    const laneKeys = Array.from({ length: LANES }, (_, i) => HDNodeWallet.fromMnemonic(MNEMONIC, `m/44'/60'/0'/1/${i}`).privateKey);
    const provider = new JsonRpcProvider(chain.url, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1, batchStallTime: 0 });
    // The backend's own transport, as the server makes it (ethers' converts every request and answer in JavaScript).
    const backendProvider = new HttpJsonRpcProvider(chain.url, Network.from(chainId), { staticNetwork: Network.from(chainId), batchStallTime: 0 });
    const baselineSenders = Array.from({ length: BASELINE_SENDERS }, (_, i) => new Wallet(HDNodeWallet.fromMnemonic(MNEMONIC, `m/44'/60'/0'/2/${i}`).privateKey, provider));
    // No fee-bump re-sends: on a busy 2-core machine a slow receipt is not a stuck one.
    const relayer = new Relayer({ provider: backendProvider, keys: laneKeys, pollIntervalMs: POLL_MS, stuckAfterMs: 600_000, timeoutMs: 900_000 });
    const fund = new FundClient(relayer, created.address);
    step("deploy");

    // The node's development account (the fund's admin) sends the bulk: it may approve shops and set holders too.
    await bulkMode(rpc, true, 2n ** 40n);
    const grant = (role: string, account: string): Call => ({ to: created.address, gas: GAS.grant, data: fundInterface.encodeFunctionData("grantRole", [id(`${role}_ROLE`), account]) });
    await sendAllFrom(rpc, admin.address, [
      ...[...relayer.addresses, ...baselineSenders.map((w) => w.address)].map((to): Call => ({ to, value: 10n ** 20n, gas: GAS.transfer })),
      ...FUND_ROLES.flatMap((role) => relayer.addresses.map((lane) => grant(role, lane))),
      grant("MERCHANT_MANAGER", admin.address), grant("VALIDATOR", admin.address),
    ]);
    step("lanesAndRoles");

    await migrateToLatest(database.db);
    const db = database.db;
    const { id: fundId } = await db.insertInto("funds").values({
      chain_address: created.address.toLowerCase(), factory_index: created.index, name: "Bench 2027", amount_per_child_cents: 300_00n,
      budget_expiry: "2027-12-31", categories: ["sport"], payout_schedule: JSON.stringify({ kind: "daily", at: "17:00" }),
    }).returning("id").executeTakeFirstOrThrow();

    // COUNT approved shops, each owed 1..999 cents after one payment on chain.
    const shops = Array.from({ length: COUNT }, (_, i) => ({ address: getAddress(hexlify(randomBytes(20))), cents: BigInt(1 + (i % 999)), iban: IBANS[i % IBANS.length]! }));
    const merchantIds: string[] = [];
    for (let i = 0; i < COUNT; i += 1000) {
      const rows = await db.insertInto("merchants").values(shops.slice(i, i + 1000).map((s, j) => ({
        name: `Winkel ${i + j}`, kvk_number: String(10_000_000 + i + j), iban: s.iban, bic: null, categories: ["sport"], address: "Hoofdstraat 1, Zuidhorn",
        contact_email: `winkel${i + j}@bench.example`, status: "approved" as const, chain_address: s.address.toLowerCase(),
      }))).returning("id").execute();
      merchantIds.push(...rows.map((r) => r.id));
    }
    for (let i = 0; i < COUNT; i += 1000) {
      await db.insertInto("merchant_funds").values(merchantIds.slice(i, i + 1000).map((id) => ({
        merchant_id: id, fund_id: fundId, categories_mask: 1n, approved_at: new Date(), approve_tx_hash: `0x${"0".repeat(64)}`,
      }))).execute();
    }
    step("databaseRows");

    await sendAllFrom(rpc, admin.address, shops.map((s) => ({ to: created.address, gas: GAS.approve, data: fundInterface.encodeFunctionData("approveMerchant", [s.address, 1]) })));
    step("approveShops");

    // Budgets of 100 shops each, issued 100 to a transaction, through the relayer (one lane: the sponsor).
    // Their holder: a development account of the node, which signs the permits.
    const family = new Wallet(DEV_PRIVATE_KEYS[2]!);
    const groups = Array.from({ length: Math.ceil(COUNT / PER_BUDGET) }, (_, g) => shops.slice(g * PER_BUDGET, (g + 1) * PER_BUDGET));
    const budgets = groups.map((group) => ({ budgetId: hexlify(randomBytes(32)), amount: group.reduce((s, x) => s + x.cents, 0n), group }));
    await bulkMode(rpc, false, normalGasLimit);
    await fund.deposit(relayer.addresses[0]!, budgets.reduce((s, b) => s + b.amount, 0n), hexlify(randomBytes(32)));
    await fund.issueBudgets(relayer.addresses[0]!, budgets.map((b) => ({ budgetId: b.budgetId, amountCents: b.amount })));
    await bulkMode(rpc, true, 2n ** 40n);
    await sendAllFrom(rpc, admin.address, budgets.map((b) => ({ to: created.address, gas: GAS.setHolder, data: fundInterface.encodeFunctionData("setHolder", [b.budgetId, family.address]) })));
    step("budgets");

    // Each shop paid once from its group's budget: a budget's permits in nonce order, which one sender keeps.
    const deadline = now + 86_400n * 30n;
    const permits = budgets.flatMap((b) => b.group.map((shop, nonce): PaymentPermit & { shop: typeof shop } => ({
      fund: created.address, budgetId: b.budgetId, maxAmount: shop.cents, nonce: BigInt(nonce), deadline, shop,
    })));
    const signatures = await signPermitsOnNode(rpc, family.address, chainId, permits);
    const { shop: _, ...firstPermit } = permits[0]!;
    if (signatures[0] !== (await signPaymentPermit(family, chainId, firstPermit))) throw new Error("the node's permit signature differs from the SDK's");
    const payments = permits.map((p, i): Call => ({
      to: created.address, gas: GAS.pay,
      data: fundInterface.encodeFunctionData("pay", [[p.fund, p.budgetId, p.maxAmount, p.nonce, p.deadline], signatures[i], p.shop.address, p.shop.cents]),
    }));
    step("signPermits");
    await sendAllFrom(rpc, dev(1), payments);
    await bulkMode(rpc, false, normalGasLimit);
    step("payShops");
    const owedTotal = shops.reduce((s, x) => s + x.cents, 0n);
    for (const i of [0, Math.floor(COUNT / 2), COUNT - 1]) {
      const { receivable, approved } = await fund.merchantOf(shops[i]!.address);
      if (!approved || receivable !== shops[i]!.cents) throw new Error(`set-up: shop ${i} is owed ${receivable}, not ${shops[i]!.cents}`);
    }
    const setupSeconds = seconds(setupStart);
    console.log(`set-up: ${COUNT} shops approved and paid on chain in ${setupSeconds} s (${Object.entries(step.steps).map(([k, v]) => `${k} ${v}`).join(", ")})`);

    if (BLOCK_SECONDS) {
      // Like a QBFT network's block period (Besu here: 2 s): a transaction waits for the next block.
      await rpc.call("evm_setAutomine", [false]);
      await rpc.call("evm_setIntervalMining", [ENGINE === "anvil" ? BLOCK_SECONDS : BLOCK_SECONDS * 1000]);
    }

    // anvil's automine makes a block when a transaction arrives, and what did not fit in it (two settle
    // batches fill a block) waits for the next arrival; with none coming it waited for good. A block a
    // second takes it, as a real chain's next block would.
    const ticker = ENGINE === "anvil" && !BLOCK_SECONDS ? setInterval(() => void rpc.call("evm_mine").catch(() => {}), 1_000).unref() : undefined;

    // Baseline before the timed part (and again after).
    const before = await plainTransfers(provider, chainId, baselineSenders, BASELINE, SETTLE_CONCURRENCY);
    console.log(`baseline before: ${before.transfers} plain transfers in ${before.seconds} s (${before.perSecond}/s, ${SETTLE_CONCURRENCY} in flight)`);

    // The timed part: one SEPA run for all of them.
    const deps: PayoutDeps = {
      db: database.db, fund: () => fund, log: () => {}, bank: sepaFileBank({ name: "Gemeente Westerkwartier", iban: "NL02ABNA0123456789", bic: "ABNANL2A" }),
      chainConcurrency: CHAIN_CONCURRENCY, settleConcurrency: SETTLE_CONCURRENCY, dbKind: database.kind === "postgres" ? "postgres" : "pglite",
    };
    // BENCH_CPU_PROF=dir: a CPU profile of this process for the timed part only (for `node --cpu-prof`'s viewers).
    const profiler = process.env.BENCH_CPU_PROF ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post("Profiler.enable");
      await profiler.post("Profiler.start");
    }
    const total = performance.now();
    let t = performance.now();
    const run = await startRun(deps, { fundId, trigger: "manual", staffUserId: null });
    const startSeconds = seconds(t);
    t = performance.now();
    await processRun(deps, run.id);
    const file = await runFile(deps, run.id);
    const fileSeconds = seconds(t);
    t = performance.now();
    const done = await markRunSent(deps, run.id, "00000000-0000-4000-8000-000000000000");
    const settleSeconds = seconds(t);
    const totalSeconds = seconds(total);
    if (profiler) {
      const { profile } = await profiler.post("Profiler.stop");
      mkdirSync(process.env.BENCH_CPU_PROF!, { recursive: true });
      writeFileSync(join(process.env.BENCH_CPU_PROF!, `payouts-run-${COUNT}.cpuprofile`), JSON.stringify(profile));
      profiler.disconnect();
    }

    const after = await plainTransfers(provider, chainId, baselineSenders, BASELINE, SETTLE_CONCURRENCY);
    clearInterval(ticker);
    console.log(`baseline after: ${after.transfers} plain transfers in ${after.seconds} s (${after.perSecond}/s)`);
    const baselinePerSecond = Math.round((before.transfers + after.transfers) / (before.seconds + after.seconds));

    let xsd: string = "xmllint not installed";
    const dir = mkdtempSync(join(tmpdir(), "bench-pain001-"));
    writeFileSync(join(dir, "run.xml"), file.xml);
    t = performance.now();
    const lint = spawnSync("xmllint", ["--noout", "--schema", join(ROOT, "backend/src/bank/sepa/pain.001.001.03.xsd"), join(dir, "run.xml")], { encoding: "utf8", maxBuffer: 64 << 20 });
    if (!lint.error) xsd = lint.status === 0 ? "valid" : `INVALID: ${lint.stderr.slice(0, 300)}`;
    const lintSeconds = seconds(t);

    const sample = await fund.merchantOf(shops[COUNT - 1]!.address);
    const payoutsPerSecond = Math.round(COUNT / totalSeconds);
    const settlesPerSecond = Math.round(COUNT / settleSeconds);
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    const results = {
      payouts: COUNT, chain: ENGINE, database: database.kind,
      run: { status: done.status, settled: done.progress.settled, failed: done.progress.failed, totalCents: Number(run.totalCents), owedCents: Number(owedTotal) },
      seconds: { startRun: startSeconds, sepaFile: fileSeconds, markSentAndSettleOnChain: settleSeconds, total: totalSeconds, xmllint: lintSeconds, setup: setupSeconds },
      setupSteps: step.steps,
      payoutsPerSecond,
      settlesPerSecond,
      baseline: { what: `plain value transfers signed in the bench, sent raw, receipt polled every ${POLL_MS} ms; before and after the run`, before, after, perSecond: baselinePerSecond },
      ratioToBaseline: { payouts: ratio(payoutsPerSecond, baselinePerSecond), settles: ratio(settlesPerSecond, baselinePerSecond) },
      sepaFileBytes: Buffer.byteLength(file.xml), xsd, lastShopReceivableAfter: Number(sample.receivable),
      lanes: LANES, settleConcurrency: SETTLE_CONCURRENCY, chainConcurrency: CHAIN_CONCURRENCY, pollMs: POLL_MS, mining: BLOCK_SECONDS ? `a block every ${BLOCK_SECONDS} s` : "automine (a block per transaction)",
      note: "One backend process with the server's transport, one local node, one relayer; receivables and bank references read 500 to an eth_call, settles up to 100 to a multicall transaction (the chain records each bank reference once).",
      measuredAt: new Date().toISOString(),
    };
    console.log(
      `run of ${COUNT} payouts: start ${startSeconds} s, SEPA file ${fileSeconds} s, mark sent + settle on chain ${settleSeconds} s, total ${totalSeconds} s ` +
      `(${payoutsPerSecond}/s; settle ${settlesPerSecond}/s); baseline ${baselinePerSecond} plain transfers/s → ratio ${results.ratioToBaseline.payouts} ` +
      `(settle step ${results.ratioToBaseline.settles}); file ${results.sepaFileBytes} bytes, XSD ${xsd}`,
    );
    mkdirSync(join(ROOT, "bench/results"), { recursive: true });
    writeFileSync(join(ROOT, "bench/results/payouts.json"), `${JSON.stringify(results, null, 2)}\n`);
    if (done.status !== "completed" || xsd.startsWith("INVALID") || sample.receivable !== 0n) process.exitCode = 1;
    provider.destroy();
    backendProvider.destroy();
  } finally {
    await database.close();
    await chain.stop();
  }
}

/** A development account the node holds unlocked (it signs what it sends). */
function dev(index: number): string {
  return new Wallet(DEV_PRIVATE_KEYS[index]!).address;
}

await main();
