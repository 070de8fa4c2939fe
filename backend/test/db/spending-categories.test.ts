// A shop's spending on the dashboard counts under the shop's category now, whatever changed since its
// first payment (its categories in the fund, its own, the fund's), while the dashboard reads only the
// shops that changed (migration 0024_spending_category_changes) instead of every paid shop.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { Migrator } from "kysely/migration";
import { describe, expect, it } from "vitest";
import { chainIndexRepository } from "../../src/db/chain-index.repository.ts";
import { MIGRATIONS } from "../../src/db/migrate.ts";
import type { Db } from "../../src/db/transaction.ts";
import { fundDashboard } from "../../src/domain/reports/index.ts";
import { ENGINES, useDatabase } from "../support/engines.ts";
import { paymentEvent, randomAddress, randomBytes32, refundEvent, seedFund } from "../support/fixtures.ts";

type LinkTable = { merchant_funds: { merchant_id: string; fund_id: string; categories_mask: bigint; approved_at: Date; approve_tx_hash: string } };

async function seedShop(db: Db, categories: string[]) {
  const address = randomAddress();
  const shop = await db
    .insertInto("merchants")
    .values({
      name: `Winkel ${address.slice(2, 8)}`, kvk_number: "12345678", iban: "NL91ABNA0417164300", categories, address: "Hoofdstraat 1",
      contact_email: `${randomUUID().slice(0, 8)}@shop.example`, status: "approved", chain_address: address,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: shop.id, address };
}

const link = (db: Db, merchantId: string, fundId: string, mask: bigint) =>
  db.withTables<LinkTable>().insertInto("merchant_funds")
    .values({ merchant_id: merchantId, fund_id: fundId, categories_mask: mask, approved_at: new Date(), approve_tx_hash: randomBytes32() }).execute();

const listed = async (db: Db, fundId: string) =>
  (await sql<{ merchant: string }>`select merchant from spending_category_changes where fund_id = ${fundId} order by merchant`.execute(db)).rows.map((r) => r.merchant);

/** The dashboard's spending per category, and per day and category, as plain numbers. */
async function categories(db: Db, fundId: string) {
  const d = await fundDashboard({ db, clock: () => new Date() }, fundId);
  return {
    byCategory: d.byCategory.map((c) => [c.category, Number(c.payments), Number(c.spentCents - c.refundedCents)]),
    overTime: d.overTime.map((p) => [p.period, Object.fromEntries([...p.categories].map(([c, cents]) => [c, Number(cents)]))]),
  };
}

describe.each(ENGINES)("spending per category after a change of category, on $name", (engine) => {
  const ctx = useDatabase(engine);

  it("follows a shop's categories in the fund, its own categories and the fund's, and lists only the shops the rollup counts", async () => {
    const fund = await seedFund(ctx.db); // categories: sport, school
    const cursor = `funds:${randomUUID()}`;
    const bikes = await seedShop(ctx.db, ["bike"]);
    const pool = await seedShop(ctx.db, ["swimming"]);
    const never = await seedShop(ctx.db, ["books"]); // never paid: a change of it lists nothing
    await link(ctx.db, bikes.id, fund.id, 0b01n); // sport
    await link(ctx.db, pool.id, fund.id, 0b00n); // none in the fund: its own first category
    const day = new Date("2027-05-03T10:00:00Z");
    const p1 = paymentEvent(fund.chain_address, { merchant: bikes.address, amountCents: 10_00n, blockNumber: 1, blockTime: day });
    const p2 = paymentEvent(fund.chain_address, { merchant: pool.address, amountCents: 4_00n, blockNumber: 1, logIndex: 1, blockTime: day });
    await chainIndexRepository(ctx.db).applyChainEvents(cursor, 1, [p1, p2, refundEvent(p1, { amountCents: 1_00n, blockNumber: 1, logIndex: 2 })]);
    expect(await listed(ctx.db, fund.id)).toEqual([]);
    expect(await categories(ctx.db, fund.id)).toEqual({
      byCategory: [["sport", 1, 9_00], ["swimming", 1, 4_00]],
      overTime: [["2027-05-03", { sport: 9_00, swimming: 4_00 }]],
    });

    // The bike shop now counts as school in this fund.
    await ctx.db.withTables<LinkTable>().updateTable("merchant_funds").set({ categories_mask: 0b10n })
      .where("merchant_id", "=", bikes.id).where("fund_id", "=", fund.id).execute();
    // The pool's own categories change.
    await ctx.db.updateTable("merchants").set({ categories: ["sport", "swimming"] }).where("id", "=", pool.id).execute();
    await ctx.db.updateTable("merchants").set({ categories: ["toys"] }).where("id", "=", never.id).execute();
    expect(await listed(ctx.db, fund.id)).toEqual([bikes.address, pool.address].sort());
    expect(await categories(ctx.db, fund.id)).toEqual({
      byCategory: [["school", 1, 9_00], ["sport", 1, 4_00]],
      overTime: [["2027-05-03", { school: 9_00, sport: 4_00 }]],
    });

    // The fund renames its categories: every paid shop of it may count elsewhere now.
    await ctx.db.updateTable("funds").set({ categories: ["sport en spel", "school"] }).where("id", "=", fund.id).execute();
    await ctx.db.withTables<LinkTable>().updateTable("merchant_funds").set({ categories_mask: 0b01n })
      .where("merchant_id", "=", bikes.id).where("fund_id", "=", fund.id).execute();
    expect(await categories(ctx.db, fund.id)).toEqual({
      byCategory: [["sport en spel", 1, 9_00], ["sport", 1, 4_00]],
      overTime: [["2027-05-03", { "sport en spel": 9_00, sport: 4_00 }]],
    });

    // A rebuild counts every shop under its category now: nothing is left to move, and nothing moves.
    await sql`select spending_rebuild()`.execute(ctx.db);
    expect(await listed(ctx.db, fund.id)).toEqual([]);
    expect(await categories(ctx.db, fund.id)).toEqual({
      byCategory: [["sport en spel", 1, 9_00], ["sport", 1, 4_00]],
      overTime: [["2027-05-03", { "sport en spel": 9_00, sport: 4_00 }]],
    });
  });

  it("names the ten shops with the most net spending and sums the others, which the export lists", async () => {
    const fund = await seedFund(ctx.db);
    const events = [];
    for (let i = 0; i < 13; i++) {
      const shop = await seedShop(ctx.db, ["sport"]);
      await link(ctx.db, shop.id, fund.id, 0b01n);
      const p = paymentEvent(fund.chain_address, { merchant: shop.address, amountCents: BigInt((i + 1) * 1_00), blockNumber: 1, logIndex: 2 * i });
      events.push(p);
      // The largest payment is mostly refunded: by net spending that shop comes last.
      if (i === 12) events.push(refundEvent(p, { amountCents: 12_50n, blockNumber: 1, logIndex: 2 * i + 1 }));
    }
    await chainIndexRepository(ctx.db).applyChainEvents(`funds:${randomUUID()}`, 1, events);

    const d = await fundDashboard({ db: ctx.db, clock: () => new Date() }, fund.id);

    expect(d.byShop.map((s) => Number(s.spentCents - s.refundedCents))).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3].map((e) => e * 1_00));
    expect(d.otherShops).toEqual({ shops: 3, payments: 3n, spentCents: 16_00n, refundedCents: 12_50n });
    expect(d.byCategory).toEqual([{ category: "sport", payments: 13n, spentCents: 91_00n, refundedCents: 12_50n }]);
  });

  it("lists, on migrating a database made before it, the shops whose category had changed", async () => {
    const { db } = await engine.open({ migrate: false });
    const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
    const before = Object.keys(MIGRATIONS).filter((name) => name < "0024").at(-1)!;
    expect((await migrator.migrateTo(before)).error).toBeUndefined();
    const fund = await seedFund(db);
    const [moved, stayed] = [await seedShop(db, ["bike"]), await seedShop(db, ["bike"])];
    for (const shop of [moved, stayed]) await link(db, shop.id, fund.id, 0b01n);
    await chainIndexRepository(db).applyChainEvents(`funds:${randomUUID()}`, 1, [
      paymentEvent(fund.chain_address, { merchant: moved.address, amountCents: 3_00n, blockNumber: 1 }),
      paymentEvent(fund.chain_address, { merchant: stayed.address, amountCents: 2_00n, blockNumber: 1, logIndex: 1 }),
    ]);
    // Counted by the rollup (a report read it), then the shop changed category.
    await sql`select spending_fold()`.execute(db);
    await db.withTables<LinkTable>().updateTable("merchant_funds").set({ categories_mask: 0b10n }).where("merchant_id", "=", moved.id).execute();

    expect((await migrator.migrateToLatest()).error).toBeUndefined();

    expect(await listed(db, fund.id)).toEqual([moved.address]);
    expect((await categories(db, fund.id)).byCategory).toEqual([["school", 1, 3_00], ["sport", 1, 2_00]]);
  });
});
