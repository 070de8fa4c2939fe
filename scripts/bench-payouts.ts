// `npm run bench:payouts`: 10,000 shops owed money on a local chain, settled in one SEPA payout run:
// the run written (receivables read, payouts stored), its pain.001 file made (and checked with xmllint
// when installed), marked sent, and every payout recorded on chain with settle(). Prints the times and
// writes bench/results/payouts.json. Not a test. BENCH_PAYOUTS=n for another count, BENCH_CHAIN=hardhat
// for Hardhat's node (default anvil), DATABASE_URL for PostgreSQL (default embedded PGlite in memory).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HDNodeWallet, JsonRpcProvider, Mnemonic, Network, Wallet, getAddress, hexlify, randomBytes } from "ethers";
import { signPaymentPermit } from "@tegoed/sdk";
import { ROOT } from "./lib/artifacts.ts";
import { createFund, deployFactory, FUND_ROLES, grantFundRoles } from "./lib/deploy.ts";
import { devWallet, startLocalChain, type ChainEngine } from "./lib/local-chain.ts";
import { FundClient } from "../backend/src/chain/fund-client.ts";
import { Relayer } from "../backend/src/chain/relayer.ts";
import { MEMORY, migrateToLatest, openDatabase } from "../backend/src/db/index.ts";
import { withPayoutTables } from "../backend/src/db/payouts-schema.ts";
import { sepaFileBank } from "../backend/src/bank/index.ts";
import { markRunSent, processRun, runFile, startRun, type PayoutDeps } from "../backend/src/domain/payouts/index.ts";

const COUNT = Number(process.env.BENCH_PAYOUTS ?? 10_000);
const ENGINE = (process.env.BENCH_CHAIN ?? "anvil") as ChainEngine;
const PER_BUDGET = 100;
const IBANS = ["NL91ABNA0417164300", "NL20INGB0001234567", "NL39RABO0300065264", "NL69INGB0123456789"];
const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
const LANES = Number(process.env.BENCH_LANES ?? 24);

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i]!, i);
    }
  }));
}

const seconds = (from: number) => Math.round(performance.now() - from) / 1000;

async function main() {
  const chain = await startLocalChain({ engine: ENGINE });
  const database = await openDatabase(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : { dataDir: MEMORY });
  try {
    console.log(`bench:payouts: ${COUNT} payouts, ${ENGINE}, ${database.kind}`);
    const admin = devWallet(chain.provider, 0);
    const { factory } = await deployFactory(admin, admin.address);
    const now = BigInt((await chain.provider.getBlock("latest"))!.timestamp);
    const created = await createFund(factory, { admin: admin.address, name: "Bench 2027", currency: "EUR", defaultBudgetExpiry: now + 86_400n * 365n });
    const chainId = (await chain.provider.getNetwork()).chainId;
    // Relayer lanes: each sends one transaction at a time, so the set-up and the settlement scale with them.
    const laneKeys = Array.from({ length: LANES }, (_, i) => HDNodeWallet.fromMnemonic(MNEMONIC, `m/44'/60'/0'/1/${i}`).privateKey);
    for (const key of laneKeys) await (await admin.sendTransaction({ to: new Wallet(key).address, value: 10n ** 20n })).wait();
    const provider = new JsonRpcProvider(chain.url, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1, batchStallTime: 0 });
    // No fee-bump re-sends in the set-up: on a busy 2-core machine a slow receipt is not a stuck one.
    const relayer = new Relayer({ provider, keys: laneKeys, pollIntervalMs: 10, stuckAfterMs: 600_000, timeoutMs: 900_000 });
    await grantFundRoles(created.fund, Object.fromEntries(FUND_ROLES.map((role) => [role, relayer.addresses])));
    const fund = new FundClient(relayer, created.address);
    await migrateToLatest(database.db);
    const db = withPayoutTables(database.db);
    const { id: fundId } = await db.insertInto("funds").values({
      chain_address: created.address.toLowerCase(), factory_index: created.index, name: "Bench 2027", amount_per_child_cents: 300_00n,
      budget_expiry: "2027-12-31", categories: ["sport"], payout_schedule: JSON.stringify({ kind: "daily", at: "17:00" }),
    }).returning("id").executeTakeFirstOrThrow();

    // Set-up (not timed): COUNT approved shops, each owed 1..999 cents after one payment on chain.
    const setupStart = performance.now();
    const shops = Array.from({ length: COUNT }, (_, i) => ({ address: getAddress(hexlify(randomBytes(20))), cents: BigInt(1 + (i % 999)), iban: IBANS[i % IBANS.length]! }));
    const merchantIds: string[] = [];
    for (let i = 0; i < COUNT; i += 1000) {
      const rows = await db.insertInto("merchants").values(shops.slice(i, i + 1000).map((s, j) => ({
        name: `Winkel ${i + j}`, kvk_number: String(10_000_000 + i + j), iban: s.iban, bic: null, categories: ["sport"], address: "Hoofdstraat 1, Zuidhorn",
        contact_email: `winkel${i + j}@bench.example`, status: "approved" as const, chain_address: s.address.toLowerCase(),
      }))).returning("id").execute();
      merchantIds.push(...rows.map((r) => r.id));
    }
    await inParallel(shops, 32, (s) => fund.approveMerchant(s.address, 1));
    for (let i = 0; i < COUNT; i += 1000) {
      await db.insertInto("merchant_funds").values(merchantIds.slice(i, i + 1000).map((id) => ({
        merchant_id: id, fund_id: fundId, categories_mask: 1n, approved_at: new Date(), approve_tx_hash: `0x${"0".repeat(64)}`,
      }))).execute();
    }
    const groups = Array.from({ length: Math.ceil(COUNT / PER_BUDGET) }, (_, g) => shops.slice(g * PER_BUDGET, (g + 1) * PER_BUDGET));
    const budgets = groups.map((group) => ({ budgetId: hexlify(randomBytes(32)), family: Wallet.createRandom(), amount: group.reduce((s, x) => s + x.cents, 0n), group }));
    await fund.deposit(relayer.addresses[0]!, budgets.reduce((s, b) => s + b.amount, 0n), hexlify(randomBytes(32)));
    await fund.issueBudgets(relayer.addresses[0]!, budgets.map((b) => ({ budgetId: b.budgetId, amountCents: b.amount })));
    await inParallel(budgets, 32, (b) => fund.setHolder(b.budgetId, b.family.address));
    // A budget's permits go one after the other (nonces); budgets side by side.
    await inParallel(budgets, 64, async (b) => {
      for (const [nonce, shop] of b.group.entries()) {
        const permit = { fund: fund.address, budgetId: b.budgetId, maxAmount: shop.cents, nonce: BigInt(nonce), deadline: now + 86_400n * 30n };
        await fund.pay(permit, await signPaymentPermit(b.family, chainId, permit), shop.address, shop.cents);
      }
    });
    const setupSeconds = seconds(setupStart);
    console.log(`set-up: ${COUNT} shops approved and paid on chain in ${setupSeconds} s`);

    // The timed part: one SEPA run for all of them.
    const deps: PayoutDeps = {
      db: database.db, fund: () => fund, log: () => {}, bank: sepaFileBank({ name: "Gemeente Westerkwartier", iban: "NL02ABNA0123456789", bic: "ABNANL2A" }),
      chainConcurrency: 32, settleConcurrency: 32,
    };
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

    let xsd: string = "xmllint not installed";
    const dir = mkdtempSync(join(tmpdir(), "bench-pain001-"));
    writeFileSync(join(dir, "run.xml"), file.xml);
    t = performance.now();
    const lint = spawnSync("xmllint", ["--noout", "--schema", join(ROOT, "backend/src/bank/sepa/pain.001.001.03.xsd"), join(dir, "run.xml")], { encoding: "utf8" });
    if (!lint.error) xsd = lint.status === 0 ? "valid" : `INVALID: ${lint.stderr.slice(0, 300)}`;
    const lintSeconds = seconds(t);

    const sample = await fund.merchantOf(shops[COUNT - 1]!.address);
    const results = {
      payouts: COUNT, chain: ENGINE, database: database.kind, run: { status: done.status, settled: done.progress.settled, failed: done.progress.failed, totalCents: Number(run.totalCents) },
      seconds: { startRun: startSeconds, sepaFile: fileSeconds, markSentAndSettleOnChain: settleSeconds, total: totalSeconds, xmllint: lintSeconds, setup: setupSeconds },
      payoutsPerSecond: Math.round(COUNT / totalSeconds),
      sepaFileBytes: Buffer.byteLength(file.xml), xsd, lastShopReceivableAfter: Number(sample.receivable),
      lanes: LANES,
      note: "One backend process, one local node, one relayer; settle() is one transaction per payout (the chain records each bank reference once).",
      measuredAt: new Date().toISOString(),
    };
    console.log(`run of ${COUNT} payouts: start ${startSeconds} s, SEPA file ${fileSeconds} s, mark sent + settle on chain ${settleSeconds} s, total ${totalSeconds} s (${results.payoutsPerSecond}/s); file ${results.sepaFileBytes} bytes, XSD ${xsd}`);
    mkdirSync(join(ROOT, "bench/results"), { recursive: true });
    writeFileSync(join(ROOT, "bench/results/payouts.json"), `${JSON.stringify(results, null, 2)}\n`);
    if (done.status !== "completed" || xsd.startsWith("INVALID")) process.exitCode = 1;
    provider.destroy();
  } finally {
    await database.close();
    await chain.stop();
  }
}

await main();
