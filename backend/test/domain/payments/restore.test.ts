// Restoring an old backup loses no money facts: a backup is taken (pg_dump / the PGlite folder), tills
// go on paying, a refund and a payout are made, the database is restored to the backup, and a new
// indexer catches up from the restored cursor: every payment and refund on chain is back, the shop's
// figures equal the chain's, and the payout run made after the backup comes back from its MerchantSettled
// event: settled, with the shop and amount, named by the bank's reference once the bank's statement is
// read (the bank keeps its own books, outside the backup), and it cannot be recorded or paid twice. Then the money side is rebuilt from nothing: the index emptied, every
// event read again, the fund's totals checked against the contract. On anvil and both database engines.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFundEvents } from "../../../src/chain/events.ts";
import { bankRefOf } from "../../../src/chain/fund-client.ts";
import { MEMORY, openDatabase, type OpenDatabase } from "../../../src/db/connect.ts";
import { simulatedBank } from "../../../src/bank/simulated.ts";
import { merchantPayouts, owedPerShop, reconcilePayouts, runPayouts, startAndProcess, listRuns, type PayoutDeps } from "../../../src/domain/payouts/payouts.service.ts";
import { migrateToLatest } from "../../../src/db/migrate.ts";
import { createIndexer } from "../../../src/domain/indexer/indexer.ts";
import { activeBudgets, signPermit, startTestChain, type TestChain } from "../../chain/harness.ts";
import { findPostgresBin, postgresSkipReason, startTestPostgres, type TestPostgres } from "../../support/postgres.ts";
import { approvedMerchant, depsFor, seedChainFunds } from "./support.ts";

let t: TestChain;
let dir: string;
beforeAll(async () => {
  t = await startTestChain("anvil");
  dir = mkdtempSync(join(tmpdir(), "tegoed-restore-"));
}, 120_000);
afterAll(async () => {
  await t?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One engine's database with its backup and restore, as scripts/backup.sh and restore.sh do them. */
interface Store {
  open(): Promise<OpenDatabase>;
  backup(): Promise<void>;
  restore(): Promise<void>;
  stop(): Promise<void>;
}

async function pgliteStore(): Promise<Store> {
  const folder = join(dir, "pglite");
  return {
    open: () => openDatabase({ dataDir: folder }),
    async backup() {
      cpSync(folder, join(dir, "pglite-backup"), { recursive: true });
    },
    async restore() {
      rmSync(folder, { recursive: true, force: true });
      cpSync(join(dir, "pglite-backup"), folder, { recursive: true });
    },
    async stop() {},
  };
}

async function postgresStore(): Promise<Store> {
  const server: TestPostgres = await startTestPostgres();
  const name = `tegoed_restore_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  const bin = findPostgresBin()!;
  const file = join(dir, "tegoed.dump");
  return {
    open: () => openDatabase({ databaseUrl: url.toString() }),
    async backup() {
      execFileSync(join(bin, "pg_dump"), ["--format=custom", "--no-owner", `--file=${file}`, url.toString()]);
    },
    async restore() {
      execFileSync(join(bin, "pg_restore"), ["--clean", "--if-exists", "--no-owner", "--single-transaction", `--dbname=${url.toString()}`, file]);
    },
    stop: () => server.stop(),
  };
}

const ENGINES = [
  { name: "pglite", skip: null, store: pgliteStore },
  { name: "postgres", skip: postgresSkipReason(), store: postgresStore },
] as const;

describe.each(ENGINES)("restore an old backup on $name", ({ skip, store: makeStore }) => {
  it.skipIf(skip !== null)("brings back every payment and refund since the backup from the chain, no payout can be recorded twice, and a rebuild from nothing matches the contract", async () => {
    const store = await makeStore();
    let db = await store.open();
    // The bank keeps its own books: outside our database and its backup.
    const bankDb = await openDatabase({ dataDir: MEMORY });
    await migrateToLatest(bankDb.db);
    const payoutDeps = (handle: OpenDatabase): PayoutDeps => ({
      db: handle.db, fund: depsFor(handle.db, t).fund, bank: simulatedBank(bankDb.db), dbKind: handle.kind, log: () => {},
    });
    try {
      await migrateToLatest(db.db);
      const funds = await seedChainFunds(db.db, t);
      const shop = await approvedMerchant(depsFor(db.db, t), funds);
      const pay = async (count: number) => {
        const ids: { paymentId: string; budgetId: string }[] = [];
        for (const b of await activeBudgets(t, count)) {
          const { permit, signature } = await signPermit(t, b.family, t.fund, b.budgetId);
          const paid = await t.fund.pay(permit, signature, shop.chainAddress!, 5_00n);
          ids.push({ paymentId: paid.paymentId, budgetId: b.budgetId });
        }
        return ids;
      };
      const catchUp = async (handle: OpenDatabase) => {
        const indexer = createIndexer({ db: handle.db, dbKind: handle.kind, provider: t.provider, pollIntervalMs: 20, onError: () => {}, startBlock: 0 });
        await indexer.catchUp();
        await indexer.stop();
      };

      await pay(3);
      await catchUp(db);
      await db.close();
      await store.backup();
      db = await store.open();

      // After the backup: more payments, a refund and a payout recorded on chain.
      const later = await pay(3);
      await t.fund.refund(later[0]!.budgetId, 0n, 2_00n);
      const run = await startAndProcess(payoutDeps(db), { fundId: funds.fundId, trigger: "manual", staffUserId: null, minimumCents: 1n });
      const [payout] = await runPayouts(payoutDeps(db), run.id);
      expect(payout).toMatchObject({ status: "settled", merchantId: shop.id });
      const reference = payout!.reference;
      await catchUp(db);
      await db.close();

      await store.restore();
      db = await store.open();
      const restored = await db.db.selectFrom("payments").select("payment_id").execute();
      for (const p of later) expect(restored.map((r) => r.payment_id)).not.toContain(p.paymentId.toLowerCase());
      await catchUp(db);

      const head = await t.provider.getBlockNumber();
      const events = (await readFundEvents({ provider: t.provider, funds: [t.fundAddress], fromBlock: 0, toBlock: head }))
        .filter((e) => (e.kind === "payment" || e.kind === "refund"));
      const onChainPayments = events.filter((e) => e.kind === "payment" && e.merchant.toLowerCase() === shop.chainAddress!.toLowerCase());
      const stored = (await db.db.selectFrom("payments").select(["payment_id", "amount_cents", "merchant"]).execute())
        .filter((r) => r.merchant.toLowerCase() === shop.chainAddress!.toLowerCase());
      expect(stored.map((r) => r.payment_id).sort()).toEqual(onChainPayments.map((e) => e.kind === "payment" && e.paymentId.toLowerCase()).sort());
      const refunds = await db.db.selectFrom("refunds").select(["payment_id", "amount_cents"]).where("payment_id", "=", later[0]!.paymentId.toLowerCase()).execute();
      expect(refunds.map((r) => r.amount_cents)).toEqual([2_00n]);

      // The shop's figures from the restored index equal the chain's: paid − refunded = receivable + paid out.
      const paid = stored.reduce((sum, r) => sum + r.amount_cents, 0n);
      const onChain = await t.fund.merchantOf(shop.chainAddress!);
      expect(paid - 2_00n).toBe(onChain.receivable + onChain.paidOut);
      expect(onChain.paidOut).toBeGreaterThanOrEqual(payout!.amountCents);

      // The payout made after the backup is back from its MerchantSettled event: settled, the shop's, its
      // amount and transaction, in a run of payouts rebuilt from the chain; named by its bankRef until the
      // bank's statement is read, then by the reference the bank paid it under.
      const rebuilt = await db.db.selectFrom("payouts").selectAll().where("bank_ref", "=", bankRefOf(reference).toLowerCase()).execute();
      expect(rebuilt).toHaveLength(1);
      expect(rebuilt[0]).toMatchObject({
        status: "settled", merchant_id: shop.id, amount_cents: payout!.amountCents, settle_tx_hash: payout!.settleTxHash, reference: expect.stringMatching(/^CHAIN-[0-9A-F]{29}$/),
      });
      await reconcilePayouts(payoutDeps(db));
      const shopSees = await merchantPayouts(payoutDeps(db), shop.id);
      expect(shopSees.map((p) => [p.reference, p.amountCents, p.status])).toEqual([[reference, payout!.amountCents, "settled"]]);
      const runs = await listRuns(payoutDeps(db), { fundId: funds.fundId });
      expect(runs.map((r) => [r.trigger, r.status, r.payoutCount, r.totalCents])).toEqual([["recovered", "completed", 1, payout!.amountCents]]);

      // It cannot be recorded again, and a new run pays only what is owed now: the bank paid it once.
      expect(await t.fund.isBankRefUsed(bankRefOf(reference))).toBe(true);
      await expect(t.fund.settle(shop.chainAddress!, payout!.amountCents, bankRefOf(reference))).rejects.toMatchObject({ code: "BANK_REF_USED" });
      expect((await owedPerShop(payoutDeps(db), funds.fundId)).find((l) => l.merchantId === shop.id)?.owedCents).toBe(onChain.receivable);
      expect((await bankDb.db.selectFrom("simulated_bank_transfers").select("reference").execute()).map((r) => r.reference)).toEqual([reference]);

      // Rebuild the money side from nothing: the index emptied (funds and shops, the personal side,
      // kept), the indexer reads every event again, and the fund's totals match the contract's.
      await sql`truncate refunds, payments, spending_by_shop, spending_daily, chain_cursors`.execute(db.db);
      await catchUp(db);
      expect(await db.db.selectFrom("payouts").select("reference").execute()).toEqual([{ reference }]);
      const all = await db.db.selectFrom("payments").select(["payment_id", "amount_cents"]).where("fund_id", "=", funds.fundId).execute();
      const chainPayments = events.filter((e) => e.kind === "payment");
      expect(all.map((r) => r.payment_id).sort()).toEqual(chainPayments.map((e) => e.kind === "payment" && e.paymentId.toLowerCase()).sort());
      const allRefunds = await db.db.selectFrom("refunds").innerJoin("payments", "payments.payment_id", "refunds.payment_id")
        .select("refunds.amount_cents").where("payments.fund_id", "=", funds.fundId).execute();
      // Every shop's receivable and paid-out on the contract, summed: what the rebuilt index says was paid net.
      const shops = [...new Set(chainPayments.map((e) => (e.kind === "payment" ? e.merchant.toLowerCase() : "")))];
      const owed = (await Promise.all(shops.map((a) => t.fund.merchantOf(a)))).reduce((sum, m) => sum + m.receivable + m.paidOut, 0n);
      const net = all.reduce((sum, r) => sum + r.amount_cents, 0n) - allRefunds.reduce((sum, r) => sum + r.amount_cents, 0n);
      expect(net).toBe(owed);
      expect((await t.fund.totals()).paidOut).toBe((await Promise.all(shops.map((a) => t.fund.merchantOf(a)))).reduce((sum, m) => sum + m.paidOut, 0n));
    } finally {
      await db.close();
      await bankDb.close();
      await store.stop();
    }
  }, 180_000);
});
