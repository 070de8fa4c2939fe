// The shops whose category may have changed since the rollup counted them (migration 0009: a shop's
// payments count under its category at its first payment). The dashboard moves such a shop's spending to
// its current category when it reads the rollups; without this list it had to work out the current
// category of every paid shop of the fund on every read (2,500 shops in the largest fund at national
// scale, bench/README.md). A change of a fund's categories, of a shop's categories in a fund or of its
// own, or of its address, lists the shops it touches that the rollup already counts; `spending_rebuild()`
// counts every shop under its current category, and so empties the list. No personal data.
import { sql, type Kysely } from "kysely";

/** The rollups' advisory lock (0009_payment_rollups): a change is listed or not, never lost to a concurrent first count. */
const LOCK = sql.lit(7_300_009);

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table spending_category_changes (
      fund_id uuid not null references funds (id),
      merchant text not null,
      primary key (fund_id, merchant)
    )`.execute(db);
  await sql`comment on table spending_category_changes is ${sql.lit(
    "Shops (per fund, by receiving address) whose category may differ from the one spending_by_shop counts them under. No personal data.",
  )}`.execute(db);

  // Lists the rollup's rows of these funds and addresses (null: any) that a category change may touch.
  await sql`
    create function spending_category_touched(p_fund uuid, p_merchants text[]) returns void language plpgsql as $$
    begin
      perform pg_advisory_xact_lock(${LOCK});
      insert into spending_category_changes (fund_id, merchant)
      select s.fund_id, s.merchant from spending_by_shop s
       where (p_fund is null or s.fund_id = p_fund) and (p_merchants is null or s.merchant = any (p_merchants))
      on conflict do nothing;
    end
    $$`.execute(db);
  await sql`
    create function spending_shop_link_changed() returns trigger language plpgsql as $$
    declare
      r record;
    begin
      for r in select * from (values (old.merchant_id, old.fund_id), (new.merchant_id, new.fund_id)) v (merchant_id, fund_id)
               where v.merchant_id is not null loop
        perform spending_category_touched(r.fund_id, array(select m.chain_address from merchants m where m.id = r.merchant_id and m.chain_address is not null));
      end loop;
      return null;
    end
    $$`.execute(db);
  await sql`
    create function spending_shop_changed() returns trigger language plpgsql as $$
    begin
      perform spending_category_touched(null, array_remove(array[old.chain_address, new.chain_address], null));
      return null;
    end
    $$`.execute(db);
  await sql`
    create function spending_fund_categories_changed() returns trigger language plpgsql as $$
    begin
      perform spending_category_touched(new.id, null);
      return null;
    end
    $$`.execute(db);
  await sql`
    create trigger spending_shop_link_changed after insert or delete on merchant_funds
    for each row execute function spending_shop_link_changed()`.execute(db);
  await sql`
    create trigger spending_shop_link_updated after update on merchant_funds for each row
    when (old.categories_mask is distinct from new.categories_mask or old.merchant_id is distinct from new.merchant_id
      or old.fund_id is distinct from new.fund_id)
    execute function spending_shop_link_changed()`.execute(db);
  await sql`
    create trigger spending_shop_changed after update on merchants for each row
    when (old.categories is distinct from new.categories or old.chain_address is distinct from new.chain_address)
    execute function spending_shop_changed()`.execute(db);
  await sql`
    create trigger spending_fund_categories_changed after update on funds for each row
    when (old.categories is distinct from new.categories)
    execute function spending_fund_categories_changed()`.execute(db);

  // A rebuild counts every shop under its category now: nothing is left to move.
  await sql`
    create function spending_category_changes_cleared() returns trigger language plpgsql as $$
    begin
      delete from spending_category_changes;
      return null;
    end
    $$`.execute(db);
  await sql`
    create trigger spending_category_changes_cleared after delete on spending_by_shop
    for each statement execute function spending_category_changes_cleared()`.execute(db);

  // Shops whose category changed before this migration, among all the rollup counts (the deltas folded in
  // first: a shop the rollup does not count yet gets its category now, when it is folded in).
  await sql`select spending_fold()`.execute(db);
  await sql`
    insert into spending_category_changes (fund_id, merchant)
    select fund_id, merchant from spending_by_shop where category <> spending_category(fund_id, merchant)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger spending_category_changes_cleared on spending_by_shop`.execute(db);
  await sql`drop trigger spending_fund_categories_changed on funds`.execute(db);
  await sql`drop trigger spending_shop_changed on merchants`.execute(db);
  await sql`drop trigger spending_shop_link_updated on merchant_funds`.execute(db);
  await sql`drop trigger spending_shop_link_changed on merchant_funds`.execute(db);
  for (const fn of ["spending_category_changes_cleared()", "spending_fund_categories_changed()", "spending_shop_changed()", "spending_shop_link_changed()", "spending_category_touched(uuid, text[])"]) {
    await sql.raw(`drop function ${fn}`).execute(db);
  }
  await sql`drop table spending_category_changes`.execute(db);
}
