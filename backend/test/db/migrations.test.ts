import { sql } from "kysely";
import { Migrator, NO_MIGRATIONS } from "kysely/migration";
import { describe, expect, it } from "vitest";
import { chainIndexRepository } from "../../src/db/chain-index.repository.ts";
import { appliedMigrations, MIGRATIONS, migrateToLatest } from "../../src/db/migrate.ts";
import { ENGINES, useDatabase } from "../support/engines.ts";
import { paymentEvent, randomAddress, randomUUID, refundEvent, seedFund, tableNames } from "../support/fixtures.ts";

const TABLES = [
  "activation_codes",
  "applicant_identities",
  "application_children",
  "application_documents",
  "application_messages",
  "application_settings",
  "applications",
  "audit_log",
  "budgets",
  "card_fund_settings",
  "card_payments",
  "cards",
  "chain_cursors",
  "children",
  "email_login_codes",
  "families",
  "family_login_challenges",
  "funds",
  "idempotency_keys",
  "login_attempts",
  "login_clients",
  "merchant_funds",
  "merchant_users",
  "merchants",
  "notification_optouts",
  "notification_outbox",
  "oidc_logins",
  "pay_codes",
  "payments",
  "payout_runs",
  "payouts",
  "refunds",
  "sessions",
  "simulated_bank_transfers",
  "spending_by_shop",
  "spending_category_changes",
  "spending_daily",
  "spending_deltas",
  "sponsors",
  "staff_users",
];

const PERSONAL_DATA_TABLES = [
  "families",
  "children",
  "activation_codes",
  "merchants",
  "merchant_users",
  "staff_users",
  "sessions",
  "audit_log",
  "notification_outbox",
  "notification_optouts",
  "applicant_identities",
  "email_login_codes",
  "applications",
  "application_children",
  "application_documents",
  "application_messages",
];

describe.each(ENGINES)("migrations on $name", (engine) => {
  useDatabase(engine);

  it("migrates an empty database to the latest schema", async () => {
    const { db } = await engine.open({ migrate: false });
    expect(await tableNames(db)).toEqual([]);

    expect(await migrateToLatest(db)).toEqual(Object.keys(MIGRATIONS));

    expect(await tableNames(db)).toEqual(TABLES);
    expect(await appliedMigrations(db)).toEqual(Object.keys(MIGRATIONS));
  });

  it("runs nothing the second time and leaves the schema as it was", async () => {
    const { db } = await engine.open();
    const columns = () =>
      sql<{ c: string }>`select table_name || '.' || column_name || ':' || data_type as c
        from information_schema.columns where table_schema = 'public' order by 1`.execute(db);
    const before = (await columns()).rows;

    expect(await migrateToLatest(db)).toEqual([]);

    expect((await columns()).rows).toEqual(before);
    expect(await appliedMigrations(db)).toEqual(Object.keys(MIGRATIONS));
  });

  it("names the failed migration and keeps none of its changes", async () => {
    const { db } = await engine.open();
    const broken = {
      ...MIGRATIONS,
      "0099_broken": {
        async up(trx: typeof db) {
          await trx.schema.createTable("half_done").addColumn("id", "integer").execute();
          throw new Error("column kind_of_money does not exist");
        },
      },
    };

    await expect(migrateToLatest(db, broken)).rejects.toThrow(
      'Database migration "0099_broken" failed: column kind_of_money does not exist',
    );
    expect(await tableNames(db)).not.toContain("half_done");
    expect(await appliedMigrations(db)).toEqual(Object.keys(MIGRATIONS));
  });

  it("migrates down to an empty database and up again", async () => {
    const { db } = await engine.open();
    const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });

    const down = await migrator.migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    expect(await tableNames(db)).toEqual([]);

    expect(await migrateToLatest(db)).toEqual(Object.keys(MIGRATIONS));
    expect(await tableNames(db)).toEqual(TABLES);
  });

  it("gives the children of a database made before 0022 their family's fund, and every child inserted after it", async () => {
    const { db } = await engine.open({ migrate: false });
    const before = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name < "0022"));
    await migrateToLatest(db, before);
    const family = async (fundId: string) => (await sql<{ id: string }>`insert into families (fund_id, display_name) values (${fundId}, 'Ouder') returning id`.execute(db)).rows[0]!.id;
    const [a, b] = [(await seedFund(db)).id, (await seedFund(db)).id];
    const [fa, fb] = [await family(a), await family(b)];
    await sql`insert into children (family_id, first_name, birth_year) values (${fa}, 'Sam', 2018), (${fb}, 'Noor', 2019), (${fb}, 'Daan', 2020)`.execute(db);

    expect(await migrateToLatest(db)).toEqual(Object.keys(MIGRATIONS).filter((name) => name >= "0022"));
    await db.insertInto("children").values({ family_id: fa, first_name: "Lotte", birth_year: 2021 }).execute();

    // A child of no family is refused as the foreign key would refuse it.
    await expect(db.insertInto("children").values({ family_id: randomUUID(), first_name: "Niemand", birth_year: 2021 }).execute())
      .rejects.toMatchObject({ code: "23503" });

    const rows = await db.selectFrom("children").select(["first_name", "fund_id"]).orderBy("first_name").execute();
    expect(rows).toEqual([
      { first_name: "Daan", fund_id: b }, { first_name: "Lotte", fund_id: a }, { first_name: "Noor", fund_id: b }, { first_name: "Sam", fund_id: a },
    ]);
  });

  it("keeps the spending rollups exact over 0023 up, down and up again, with payments before and between", async () => {
    const { db } = await engine.open({ migrate: false });
    const upTo = (last: string) => Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name <= last));
    const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
    await migrateToLatest(db, upTo("0022_children_fund"));
    const fund = await seedFund(db);
    const shop = randomAddress();
    let block = 0;
    /** Indexes a payment of `cents` at the shop and refunds 1 cent of it. */
    const pay = async (cents: bigint) => {
      const p = paymentEvent(fund.chain_address, { merchant: shop, amountCents: cents, blockNumber: ++block, blockTime: new Date(Date.UTC(2027, 0, block)) });
      await chainIndexRepository(db).applyChainEvents(`funds:${fund.id}`, block + 1, [p, refundEvent(p, { amountCents: 1n })]);
    };
    const rollup = async () => {
      const [shops, days] = await Promise.all([
        sql<{ n: string; spent: string; refunded: string }>`
          select sum(payments)::text as n, sum(spent_cents)::text as spent, sum(refunded_cents)::text as refunded from spending_by_shop where fund_id = ${fund.id}`.execute(db),
        sql<{ days: string; n: string }>`select count(*)::text as days, sum(payments)::text as n from spending_daily where fund_id = ${fund.id}`.execute(db),
      ]);
      return { ...shops.rows[0], ...days.rows[0] };
    };

    await pay(10_00n);
    expect(await migrateToLatest(db, upTo("0023_spending_deltas"))).toEqual(["0023_spending_deltas"]);
    expect(await rollup()).toEqual({ n: "1", spent: "1000", refunded: "1", days: "1" });
    await pay(20_00n); // a delta, not folded

    expect((await migrator.migrateTo("0022_children_fund")).error).toBeUndefined();
    expect(await tableNames(db)).not.toContain("spending_deltas");
    expect(await rollup()).toEqual({ n: "2", spent: "3000", refunded: "2", days: "2" });
    await pay(40_00n); // by 0009's triggers

    expect(await rollup()).toEqual({ n: "3", spent: "7000", refunded: "3", days: "3" });
    expect(await migrateToLatest(db, upTo("0023_spending_deltas"))).toEqual(["0023_spending_deltas"]);
    await pay(80_00n);
    await sql`select spending_fold()`.execute(db);
    expect(await rollup()).toEqual({ n: "4", spent: "15000", refunded: "4", days: "4" });
  });

  it("states the purpose of every table holding personal data", async () => {
    const { db } = await engine.open();
    const comments = await sql<{ table_name: string; comment: string | null }>`
      select c.relname as table_name, obj_description(c.oid, 'pg_class') as comment
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r'`.execute(db);
    const byTable = new Map(comments.rows.map((r) => [r.table_name, r.comment]));

    for (const table of PERSONAL_DATA_TABLES) {
      expect(byTable.get(table), table).toMatch(/^Personal data.*Purpose: /s);
    }
    for (const table of TABLES) expect(byTable.get(table), table).toBeTruthy();
  });
});
