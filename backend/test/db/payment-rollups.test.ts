// The rollups of payments and refunds (migrations 0009_payment_rollups, 0023_spending_deltas) that the
// dashboard reads: once folded, they must always equal an aggregation of the payment and refund rows
// themselves, whoever wrote those rows (the indexer, the charge and the refund recording the same
// payment), in which order, how often and how many at once.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { Migrator } from "kysely/migration";
import { describe, expect, it } from "vitest";
import { chainIndexRepository, type IndexedEvent } from "../../src/db/chain-index.repository.ts";
import { idempotencyRepository } from "../../src/db/idempotency.repository.ts";
import { MIGRATIONS } from "../../src/db/migrate.ts";
import { spendingRepository } from "../../src/db/spending.repository.ts";
import { inTransaction, type Db } from "../../src/db/transaction.ts";
import { paymentsRepository } from "../../src/domain/payments/payments.repository.ts";
import { fundDashboard } from "../../src/domain/reports/index.ts";
import { ENGINES, useDatabase } from "../support/engines.ts";
import { paymentEvent, randomAddress, randomBytes32, refundEvent, seedFund } from "../support/fixtures.ts";

type Payment = Extract<IndexedEvent, { kind: "payment" }>;
type Refund = Extract<IndexedEvent, { kind: "refund" }>;

interface Line { payments: string; spent: string; refunded: string }

/** The rollup's rows of a fund, folded as a reader folds, and the same figures straight from payments and refunds. */
async function bothWays(db: Db, fundId: string) {
  await spendingRepository(db).fold();
  const refunded = sql`(select payment_id, sum(amount_cents) as refunded from refunds group by payment_id)`;
  const [shops, directShops, days, directDays] = await Promise.all([
    sql<Line & { merchant: string }>`
      select merchant, payments::text as payments, spent_cents::text as spent, refunded_cents::text as refunded
      from spending_by_shop where fund_id = ${fundId} order by merchant`.execute(db),
    sql<Line & { merchant: string }>`
      select p.merchant, count(*)::text as payments, sum(p.amount_cents)::text as spent, coalesce(sum(r.refunded), 0)::text as refunded
      from payments p left join ${refunded} r on r.payment_id = p.payment_id
      where p.fund_id = ${fundId} group by p.merchant order by p.merchant`.execute(db),
    sql<Line & { day: string }>`
      select to_char(day, 'YYYY-MM-DD') as day, sum(payments)::text as payments, sum(spent_cents)::text as spent, sum(refunded_cents)::text as refunded
      from spending_daily where fund_id = ${fundId} group by day order by day`.execute(db),
    sql<Line & { day: string }>`
      select to_char(p.block_time at time zone 'UTC', 'YYYY-MM-DD') as day, count(*)::text as payments, sum(p.amount_cents)::text as spent,
        coalesce(sum(r.refunded), 0)::text as refunded
      from payments p left join ${refunded} r on r.payment_id = p.payment_id
      where p.fund_id = ${fundId} group by 1 order by 1`.execute(db),
  ]);
  return { shops: shops.rows, directShops: directShops.rows, days: days.rows, directDays: directDays.rows };
}

/** Payments and refunds not folded into the rollups yet. */
async function deltas(db: Db): Promise<number> {
  return Number((await sql<{ n: string }>`select count(*)::text as n from spending_deltas`.execute(db)).rows[0]!.n);
}

/** The payment as the charge records it (the same row the indexer writes), with its claimed key. */
async function charge(db: Db, fundId: string, p: Payment) {
  const key = { scope: `charge:${randomUUID()}`, key: randomUUID() };
  expect(await idempotencyRepository(db).claim(key.scope, key.key, "request")).toBe("claimed");
  const recorded = await paymentsRepository(db).recordCharge(
    {
      paymentId: p.paymentId, fundId, budgetId: p.budgetId, merchant: p.merchant, amountCents: p.amountCents, nonce: p.nonce,
      txHash: p.txHash, blockNumber: p.blockNumber, logIndex: p.logIndex, blockTime: p.blockTime,
    },
    { ...key, response: {} },
    { actorId: null, details: {} },
  );
  expect(recorded).toBe(true);
}
const refundAtShop = (db: Db, r: Refund) =>
  paymentsRepository(db).recordRefund({
    paymentId: r.paymentId, amountCents: r.amountCents, txHash: r.txHash, blockNumber: r.blockNumber, logIndex: r.logIndex, blockTime: r.blockTime,
  });

describe.each(ENGINES)("payment rollups on $name", (engine) => {
  const ctx = useDatabase(engine);

  it("equal the payments and refunds after indexing, charges, refunds and the same events recorded twice", async () => {
    const fund = await seedFund(ctx.db);
    const index = chainIndexRepository(ctx.db);
    const cursor = `funds:${randomUUID()}`;
    const [shopA, shopB] = [randomAddress(), randomAddress()];
    // 23:30 UTC is the next day in Amsterdam: the day is the block time's UTC day.
    const late = new Date("2027-03-06T23:30:00Z");
    const p1 = paymentEvent(fund.chain_address, { merchant: shopA, amountCents: 40_00n, blockNumber: 1, blockTime: late });
    const p2 = paymentEvent(fund.chain_address, { merchant: shopA, amountCents: 20_00n, blockNumber: 2, blockTime: new Date("2027-03-07T08:00:00Z") });
    const p3 = paymentEvent(fund.chain_address, { merchant: shopB, amountCents: 15_00n, blockNumber: 3, blockTime: new Date("2027-03-07T09:00:00Z") });
    // The refund counts on its payment's day and shop, not on its own (a week later).
    const r1 = refundEvent(p1, { amountCents: 5_00n, blockNumber: 4, blockTime: new Date("2027-03-14T10:00:00Z") });

    // The charge records p1 and p2 first, the shop its refund; then the indexer sees them all, twice.
    await charge(ctx.db, fund.id, p1);
    await charge(ctx.db, fund.id, p2);
    await refundAtShop(ctx.db, r1);
    expect(await index.applyChainEvents(cursor, 5, [p1, p2, p3, r1])).toMatchObject({ paymentsAdded: 1, refundsAdded: 0 });
    expect(await index.applyChainEvents(cursor, 5, [p1, p2, p3, r1])).toMatchObject({ paymentsAdded: 0, refundsAdded: 0 });
    // And a charge that comes in after the indexer.
    await charge(ctx.db, fund.id, p3);
    await refundAtShop(ctx.db, r1);

    const got = await bothWays(ctx.db, fund.id);
    expect(got.shops).toEqual(got.directShops);
    expect(got.days).toEqual(got.directDays);
    expect(got.shops).toEqual(
      [
        { merchant: shopA, payments: "2", spent: "6000", refunded: "500" },
        { merchant: shopB, payments: "1", spent: "1500", refunded: "0" },
      ].sort((a, b) => (a.merchant < b.merchant ? -1 : 1)),
    );
    expect(got.days).toEqual([
      { day: "2027-03-06", payments: "1", spent: "4000", refunded: "500" },
      { day: "2027-03-07", payments: "2", spent: "3500", refunded: "0" },
    ]);
  });

  it("keep nothing of a transaction that rolled back", async () => {
    const fund = await seedFund(ctx.db);
    const kept = paymentEvent(fund.chain_address, { amountCents: 10_00n });
    await charge(ctx.db, fund.id, kept);
    await expect(
      inTransaction(ctx.db, async (trx) => {
        await charge(trx, fund.id, paymentEvent(fund.chain_address, { merchant: kept.merchant, amountCents: 99_00n }));
        await refundAtShop(trx, refundEvent(kept, { amountCents: 1_00n }));
        throw new Error("the relayer lost the receipt");
      }),
    ).rejects.toThrow("the relayer lost the receipt");

    const got = await bothWays(ctx.db, fund.id);
    expect(got.shops).toEqual([{ merchant: kept.merchant, payments: "1", spent: "1000", refunded: "0" }]);
    expect(got.days).toEqual(got.directDays);
  });

  it("stay equal when the indexer and charges record the same payments at the same time", async () => {
    const fund = await seedFund(ctx.db);
    const shops = [randomAddress(), randomAddress(), randomAddress()];
    const payments = Array.from({ length: 60 }, (_, i) =>
      paymentEvent(fund.chain_address, {
        merchant: shops[i % 3]!, amountCents: BigInt(100 + i), blockNumber: 1 + i, logIndex: i,
        blockTime: new Date(Date.UTC(2027, 2, 1 + (i % 5), 12)),
      }),
    );
    const refunds = payments.filter((_, i) => i % 4 === 0).map((p, i) => refundEvent(p, { amountCents: 50n, blockNumber: 70 + i }));
    const cursor = `funds:${randomUUID()}`;
    // Indexer ranges overlap each other and the charges; on PostgreSQL they run in parallel connections.
    await Promise.all([
      chainIndexRepository(ctx.db).applyChainEvents(cursor, 200, [...payments.slice(0, 40), ...refunds.slice(0, 5)]),
      chainIndexRepository(ctx.db).applyChainEvents(cursor, 200, [...payments.slice(20), ...refunds.slice(5)]),
      ...payments.filter((_, i) => i % 3 === 1).map((p) => charge(ctx.db, fund.id, p)),
    ]);
    // The shops record their refunds (already indexed) while the indexer applies everything again.
    await Promise.all([
      ...refunds.map((r) => refundAtShop(ctx.db, r)),
      chainIndexRepository(ctx.db).applyChainEvents(cursor, 200, [...payments, ...refunds]),
    ]);

    const got = await bothWays(ctx.db, fund.id);
    expect(got.shops).toEqual(got.directShops);
    expect(got.days).toEqual(got.directDays);
    const total = got.shops.reduce((n, s) => n + Number(s.payments), 0);
    const refunded = got.shops.reduce((n, s) => n + Number(s.refunded), 0);
    expect([total, refunded]).toEqual([60, 15 * 50]);
  });

  it("refuse to change or delete a payment or refund, and let the indexer confirm payments", async () => {
    const fund = await seedFund(ctx.db);
    const p = paymentEvent(fund.chain_address, { amountCents: 30_00n });
    const r = refundEvent(p);
    await chainIndexRepository(ctx.db).applyChainEvents(`funds:${randomUUID()}`, 5, [p, r]);

    await paymentsRepository(ctx.db).confirmPayments([{ txHash: p.txHash, logIndex: p.logIndex }], new Date());
    const refused = /payments and refunds are facts from the chain/;
    await expect(ctx.db.updateTable("payments").set({ amount_cents: 1n }).where("payment_id", "=", p.paymentId).execute()).rejects.toThrow(refused);
    await expect(ctx.db.updateTable("payments").set({ merchant: randomAddress() }).where("payment_id", "=", p.paymentId).execute()).rejects.toThrow(refused);
    await expect(ctx.db.updateTable("refunds").set({ amount_cents: 1n }).where("payment_id", "=", p.paymentId).execute()).rejects.toThrow(refused);
    await expect(ctx.db.deleteFrom("refunds").where("payment_id", "=", p.paymentId).execute()).rejects.toThrow(refused);
    await expect(ctx.db.deleteFrom("payments").where("payment_id", "=", p.paymentId).execute()).rejects.toThrow(refused);

    const got = await bothWays(ctx.db, fund.id);
    expect(got.shops).toEqual([{ merchant: p.merchant, payments: "1", spent: "3000", refunded: "250" }]);
  });

  it("are filled by the migration from the payments and refunds there were", async () => {
    const { db } = await engine.open({ migrate: false });
    const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
    const before = Object.keys(MIGRATIONS).filter((name) => name < "0009_payment_rollups").at(-1)!;
    expect((await migrator.migrateTo(before)).error).toBeUndefined();
    const fund = await seedFund(db);
    const events: IndexedEvent[] = [];
    for (let i = 0; i < 12; i++) {
      const p = paymentEvent(fund.chain_address, { merchant: i % 2 ? "0x" + "ab".repeat(20) : "0x" + "cd".repeat(20), amountCents: BigInt(1_00 * (i + 1)), logIndex: i, blockTime: new Date(Date.UTC(2027, 0, 1 + i)) });
      events.push(p);
      if (i % 3 === 0) events.push(refundEvent(p, { amountCents: 10n, logIndex: 100 + i }));
    }
    await chainIndexRepository(db).applyChainEvents(`funds:${randomUUID()}`, 10, events);

    expect((await migrator.migrateToLatest()).error).toBeUndefined();

    const got = await bothWays(db, fund.id);
    expect(got.shops).toEqual(got.directShops);
    expect(got.days).toEqual(got.directDays);
    expect(got.days).toHaveLength(12);
    expect(got.shops.map((s) => [s.payments, s.refunded])).toEqual([["6", "20"], ["6", "20"]]);
  });

  it("give the dashboard a shop's spending under its category now, after it changed category", async () => {
    const fund = await seedFund(ctx.db); // categories: sport, school
    const address = randomAddress();
    const shop = await ctx.db
      .insertInto("merchants")
      .values({
        name: "Fietsenmaker", kvk_number: "12345678", iban: "NL91ABNA0417164300", categories: ["bike"], address: "Hoofdstraat 1",
        contact_email: `${randomUUID().slice(0, 8)}@shop.example`, status: "approved", chain_address: address,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const index = chainIndexRepository(ctx.db);
    const cursor = `funds:${randomUUID()}`;
    const day = new Date("2027-05-03T10:00:00Z");
    const first = paymentEvent(fund.chain_address, { merchant: address, amountCents: 10_00n, blockNumber: 1, blockTime: day });
    const other = paymentEvent(fund.chain_address, { amountCents: 7_00n, blockNumber: 1, logIndex: 1, blockTime: day });
    // Not approved in the fund yet: its own first category.
    await index.applyChainEvents(cursor, 1, [first, other]);
    const byCategory = async () => (await fundDashboard({ db: ctx.db, clock: () => new Date() }, fund.id)).overTime.map((p) => [p.period, p.payments, Object.fromEntries(p.categories)]);
    expect(await byCategory()).toEqual([["2027-05-03", 2n, { bike: 10_00n, other: 7_00n }]]);

    // Approved in the fund for school (bit 1): every payment of the shop counts as school from now on.
    await ctx.db
      .withTables<{ merchant_funds: { merchant_id: string; fund_id: string; categories_mask: bigint; approved_at: Date; approve_tx_hash: string } }>()
      .insertInto("merchant_funds")
      .values({ merchant_id: shop.id, fund_id: fund.id, categories_mask: 0b10n, approved_at: new Date(), approve_tx_hash: randomBytes32() })
      .execute();
    const second = paymentEvent(fund.chain_address, { merchant: address, amountCents: 5_00n, blockNumber: 2, blockTime: new Date("2027-05-04T10:00:00Z") });
    await index.applyChainEvents(cursor, 2, [second, refundEvent(first, { amountCents: 1_00n, blockNumber: 2, logIndex: 5 })]);

    expect(await byCategory()).toEqual([
      ["2027-05-03", 2n, { school: 9_00n, other: 7_00n }],
      ["2027-05-04", 1n, { school: 5_00n }],
    ]);
    const dashboard = await fundDashboard({ db: ctx.db, clock: () => new Date() }, fund.id, "week");
    expect(dashboard.overTime.map((p) => [p.period, p.payments, p.spentCents, p.refundedCents])).toEqual([["2027-05-03", 3n, 22_00n, 1_00n]]);
    expect(dashboard.byCategory.map((c) => [c.category, c.payments, c.spentCents, c.refundedCents])).toEqual([
      ["school", 2n, 15_00n, 1_00n],
      ["other", 1n, 7_00n, 0n],
    ]);
  });

  it("stay exact when 20 connections record payments and refunds at once while the dashboard reads", async () => {
    const { db } = await engine.open({ maxConnections: 24 });
    const fund = await seedFund(db);
    const shops = Array.from({ length: 5 }, () => randomAddress());
    const dashboard = () => fundDashboard({ db, clock: () => new Date() }, fund.id);
    // Each till charges ten payments of 100 + 10 × till + k cents, one transaction each, and refunds four
    // of them; the 21st connection reads the dashboard meanwhile.
    const tills = Array.from({ length: 20 }, async (_, till) => {
      for (let k = 0; k < 10; k++) {
        const p = paymentEvent(fund.chain_address, {
          merchant: shops[(till + k) % shops.length]!, amountCents: BigInt(100 + till * 10 + k),
          blockTime: new Date(Date.UTC(2027, 2, 1 + (k % 3), 23, 30)),
        });
        await charge(db, fund.id, p);
        if (k % 3 === 0) await refundAtShop(db, refundEvent(p, { amountCents: 7n, blockTime: new Date(Date.UTC(2027, 3, 1)) }));
      }
    });
    let reading = true;
    const reader = (async () => {
      let reads = 0;
      while (reading || reads === 0) {
        await dashboard();
        reads++;
      }
      return reads;
    })();
    await Promise.all(tills);
    reading = false;
    expect(await reader).toBeGreaterThan(0);

    const shown = await dashboard();
    const direct = await sql<{ payments: string; spent: string; refunded: string }>`
      select (select count(*) from payments where fund_id = ${fund.id})::text as payments,
             (select sum(amount_cents) from payments where fund_id = ${fund.id})::text as spent,
             (select sum(r.amount_cents) from refunds r join payments p using (payment_id) where p.fund_id = ${fund.id})::text as refunded`.execute(db);
    expect(direct.rows[0]).toEqual({ payments: "200", spent: "39900", refunded: String(20 * 4 * 7) });
    expect([shown.payments, shown.spentCents, shown.refundedCents].map(String)).toEqual([direct.rows[0]!.payments, direct.rows[0]!.spent, direct.rows[0]!.refunded]);
    const got = await bothWays(db, fund.id);
    expect(got.shops).toEqual(got.directShops);
    expect(got.days).toEqual(got.directDays);
    expect(await deltas(db)).toBe(0);
  });

  it("count a refund on its payment's shop and day, folded with its payment or after it", async () => {
    const fund = await seedFund(ctx.db);
    const shop = randomAddress();
    const p1 = paymentEvent(fund.chain_address, { merchant: shop, amountCents: 30_00n, blockTime: new Date("2027-06-01T10:00:00Z") });
    const p2 = paymentEvent(fund.chain_address, { merchant: shop, amountCents: 20_00n, blockTime: new Date("2027-06-02T10:00:00Z") });
    await charge(ctx.db, fund.id, p1);
    await spendingRepository(ctx.db).fold();
    // A week later, by another shop's till: on p1's shop and day, folded apart from p1.
    await refundAtShop(ctx.db, refundEvent(p1, { amountCents: 4_00n, blockTime: new Date("2027-06-08T10:00:00Z") }));
    // p2 and its refund in one fold.
    await charge(ctx.db, fund.id, p2);
    await refundAtShop(ctx.db, refundEvent(p2, { amountCents: 1_00n, blockTime: new Date("2027-06-09T10:00:00Z") }));

    const got = await bothWays(ctx.db, fund.id);
    expect(got.shops).toEqual([{ merchant: shop, payments: "2", spent: "5000", refunded: "500" }]);
    expect(got.days).toEqual([
      { day: "2027-06-01", payments: "1", spent: "3000", refunded: "400" },
      { day: "2027-06-02", payments: "1", spent: "2000", refunded: "100" },
    ]);
  });

  it("change nothing when a fold has nothing to fold", async () => {
    const fund = await seedFund(ctx.db);
    await charge(ctx.db, fund.id, paymentEvent(fund.chain_address));
    await spendingRepository(ctx.db).fold();
    // Row versions too: a fold that wrote the same sums again would give the rows new ones.
    const versions = () => sql<{ v: string }>`
      select 'shop ' || merchant || ' ' || xmin::text || ' ' || ctid::text as v from spending_by_shop where fund_id = ${fund.id}
      union all select 'day ' || day::text || ' ' || xmin::text || ' ' || ctid::text from spending_daily where fund_id = ${fund.id}
      order by 1`.execute(ctx.db);
    const before = (await versions()).rows;
    expect(before).toHaveLength(2);
    expect(await deltas(ctx.db)).toBe(0);

    await spendingRepository(ctx.db).fold();

    expect((await versions()).rows).toEqual(before);
  });

  it("are cleared of the deltas and refilled by spending_rebuild() and by a TRUNCATE of payments", async () => {
    const { db } = await engine.open();
    const fund = await seedFund(db);
    const payments = Array.from({ length: 6 }, (_, i) => paymentEvent(fund.chain_address, { amountCents: BigInt(1_00 * (i + 1)), logIndex: i }));
    await chainIndexRepository(db).applyChainEvents(`funds:${randomUUID()}`, 5, [...payments, refundEvent(payments[0]!, { amountCents: 50n })]);
    expect(await deltas(db)).toBe(7);

    await sql`select spending_rebuild()`.execute(db);
    expect(await deltas(db)).toBe(0);
    const got = await bothWays(db, fund.id);
    expect(got.shops).toEqual(got.directShops);
    expect(got.shops.reduce((n, s) => n + Number(s.spent), 0)).toBe(21_00);

    // Emptied with deltas not folded yet: nothing of them comes back.
    await charge(db, fund.id, paymentEvent(fund.chain_address, { amountCents: 9_99n }));
    await sql`truncate refunds, payments`.execute(db);
    expect(await deltas(db)).toBe(0);
    expect(await bothWays(db, fund.id)).toEqual({ shops: [], directShops: [], days: [], directDays: [] });
    await charge(db, fund.id, paymentEvent(fund.chain_address, { amountCents: 3_00n }));
    expect((await bothWays(db, fund.id)).shops.map((s) => s.spent)).toEqual(["300"]);
  });

  it.runIf(engine.name === "postgres")("fold a payment whose transaction commits after a fold that ran meanwhile", async () => {
    const fund = await seedFund(ctx.db);
    const early = paymentEvent(fund.chain_address, { amountCents: 1_00n });
    const late = paymentEvent(fund.chain_address, { merchant: early.merchant, amountCents: 2_00n });
    await charge(ctx.db, fund.id, early);
    await ctx.db.transaction().execute(async (trx) => {
      await charge(trx, fund.id, late);
      // Another connection folds and reads while `late` is not committed: it sees `early` only.
      expect((await bothWays(ctx.db, fund.id)).shops).toEqual([{ merchant: early.merchant, payments: "1", spent: "100", refunded: "0" }]);
    });
    expect((await bothWays(ctx.db, fund.id)).shops).toEqual([{ merchant: early.merchant, payments: "2", spent: "300", refunded: "0" }]);
  });

  it.runIf(engine.name === "postgres")("add nothing twice when a fold waits for another one", async () => {
    const fund = await seedFund(ctx.db);
    const p = paymentEvent(fund.chain_address, { amountCents: 5_00n });
    await charge(ctx.db, fund.id, p);
    let second: Promise<unknown> | undefined;
    await ctx.db.transaction().execute(async (trx) => {
      // The first fold holds the lock and the deltas it deleted until it commits.
      await spendingRepository(trx).fold();
      second = spendingRepository(ctx.db).fold();
      const waiting = await Promise.race([second.then(() => "done"), new Promise((resolve) => setTimeout(resolve, 200, "waiting"))]);
      expect(waiting).toBe("waiting");
    });
    await second;
    const got = await bothWays(ctx.db, fund.id);
    expect(got.shops).toEqual([{ merchant: p.merchant, payments: "1", spent: "500", refunded: "0" }]);
    expect(got.days).toEqual(got.directDays);
  });
});
