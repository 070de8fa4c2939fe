// Rollups of the indexed payments and refunds for the staff dashboard and the public figures, so that a
// fund's figures read a few thousand rows instead of every payment (bench/README.md, dashboard_p95_ms):
//
// - spending_by_shop: per fund and receiving address (lower-case, as in payments.merchant) the number of
//   payments, the cents spent and the cents refunded. Also the category the shop's payments are counted
//   under in spending_daily (resolved from the shop's categories in the fund at its first payment; the
//   reports check it against the shop's current category on every read and correct for a shop that
//   changed category since, see reports.repository.ts).
// - spending_daily: per fund, UTC day of the block time and category, the same three sums.
//
// A refund counts on its payment's fund, day and shop. Both are kept by triggers on payments and refunds,
// in the transaction that inserts the rows, whoever inserts them (the charge, the refund, the indexer);
// a row not inserted (ON CONFLICT DO NOTHING) fires no trigger. The triggers are deferred to the commit
// and serialised by one transaction-level advisory lock: a transaction that inserted payments waits for
// nothing else once it takes the lock, so two writers of the same shop or day can never deadlock on the
// rollup rows, nor on a payment both are inserting (the indexer and the charge recording the same one).
// Payments and refunds are facts from the chain: changing their amount, fund, shop or time, or deleting
// them, is refused (the rollup could not follow an UPDATE or DELETE made in the transaction that inserted
// the row); a TRUNCATE rebuilds the rollups from what is left. `spending_rebuild()` refills them.
import { sql, type Kysely } from "kysely";

/** pg_advisory_xact_lock key of the rollups' writers (any constant, unique within the application). */
const LOCK = sql.lit(7_300_009);

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table spending_by_shop (
      fund_id uuid not null references funds (id),
      merchant text not null,
      category text not null,
      payments int8 not null,
      spent_cents int8 not null,
      refunded_cents int8 not null,
      primary key (fund_id, merchant)
    )`.execute(db);
  await sql`
    create table spending_daily (
      fund_id uuid not null references funds (id),
      day date not null,
      category text not null,
      payments int8 not null,
      spent_cents int8 not null,
      refunded_cents int8 not null,
      -- Covering: a fund's periods are read by an index-only scan.
      primary key (fund_id, day, category) include (payments, spent_cents, refunded_cents)
    )`.execute(db);
  await sql`comment on table spending_by_shop is ${sql.lit(
    "Rollup of payments and refunds per fund and receiving shop, kept by triggers on payments and refunds. No personal data.",
  )}`.execute(db);
  await sql`comment on table spending_daily is ${sql.lit(
    "Rollup of payments and refunds per fund, UTC day and shop category, kept by triggers on payments and refunds. No personal data.",
  )}`.execute(db);

  // The category the reports give a shop (reports.service.ts categoryOf): its first category in the
  // fund, else its own first category, else "other" (also for an address no shop has).
  await sql`
    create function spending_category(p_fund uuid, p_merchant text) returns text
    language sql stable as $$
      select coalesce(
        (select f.categories[i + 1]
           from funds f
           join merchants m on m.chain_address = p_merchant
           join merchant_funds mf on mf.merchant_id = m.id and mf.fund_id = f.id
           cross join generate_series(0, least(cardinality(f.categories), 63) - 1) i
          where f.id = p_fund and (mf.categories_mask >> i) & 1 = 1 and f.categories[i + 1] is not null
          order by i limit 1),
        (select m.categories[1] from merchants m where m.chain_address = p_merchant),
        'other')
    $$`.execute(db);

  await sql`
    create function spending_add(p_fund uuid, p_merchant text, p_day date, p_payments int8, p_spent int8, p_refunded int8)
    returns void language plpgsql as $$
    declare
      v_category text;
    begin
      perform pg_advisory_xact_lock(${LOCK});
      update spending_by_shop
         set payments = payments + p_payments, spent_cents = spent_cents + p_spent, refunded_cents = refunded_cents + p_refunded
       where fund_id = p_fund and merchant = p_merchant
      returning category into v_category;
      if not found then
        v_category := spending_category(p_fund, p_merchant);
        insert into spending_by_shop (fund_id, merchant, category, payments, spent_cents, refunded_cents)
        values (p_fund, p_merchant, v_category, p_payments, p_spent, p_refunded);
      end if;
      insert into spending_daily as d (fund_id, day, category, payments, spent_cents, refunded_cents)
      values (p_fund, p_day, v_category, p_payments, p_spent, p_refunded)
      on conflict (fund_id, day, category) do update
        set payments = d.payments + excluded.payments, spent_cents = d.spent_cents + excluded.spent_cents,
            refunded_cents = d.refunded_cents + excluded.refunded_cents;
    end
    $$`.execute(db);

  await sql`
    create function spending_payment_inserted() returns trigger language plpgsql as $$
    begin
      perform spending_add(new.fund_id, new.merchant, (new.block_time at time zone 'UTC')::date, 1, new.amount_cents, 0);
      return null;
    end
    $$`.execute(db);
  await sql`
    create function spending_refund_inserted() returns trigger language plpgsql as $$
    declare
      p record;
    begin
      select fund_id, merchant, block_time into strict p from payments where payment_id = new.payment_id;
      perform spending_add(p.fund_id, p.merchant, (p.block_time at time zone 'UTC')::date, 0, 0, new.amount_cents);
      return null;
    end
    $$`.execute(db);
  await sql`
    create constraint trigger spending_payment_inserted after insert on payments
    deferrable initially deferred for each row execute function spending_payment_inserted()`.execute(db);
  await sql`
    create constraint trigger spending_refund_inserted after insert on refunds
    deferrable initially deferred for each row execute function spending_refund_inserted()`.execute(db);

  await sql`
    create function spending_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception '% of %: payments and refunds are facts from the chain and are not changed or deleted (their rollups could not follow)',
        tg_op, tg_table_name using errcode = 'restrict_violation';
    end
    $$`.execute(db);
  await sql`
    create trigger spending_payment_changed before update on payments for each row
    when (old.payment_id is distinct from new.payment_id or old.fund_id is distinct from new.fund_id
      or old.merchant is distinct from new.merchant or old.amount_cents is distinct from new.amount_cents
      or old.block_time is distinct from new.block_time)
    execute function spending_refuse_change()`.execute(db);
  await sql`
    create trigger spending_refund_changed before update on refunds for each row
    when (old.payment_id is distinct from new.payment_id or old.amount_cents is distinct from new.amount_cents)
    execute function spending_refuse_change()`.execute(db);
  await sql`create trigger spending_payment_deleted before delete on payments for each row execute function spending_refuse_change()`.execute(db);
  await sql`create trigger spending_refund_deleted before delete on refunds for each row execute function spending_refuse_change()`.execute(db);

  // Fills the rollups from the rows there are (the backfill below; the bench's bulk load).
  await sql`
    create function spending_rebuild() returns void language plpgsql as $$
    begin
      perform pg_advisory_xact_lock(${LOCK});
      lock table payments, refunds in share mode;
      delete from spending_daily;
      delete from spending_by_shop;
      insert into spending_by_shop (fund_id, merchant, category, payments, spent_cents, refunded_cents)
      select p.fund_id, p.merchant, spending_category(p.fund_id, p.merchant), count(*), sum(p.amount_cents), coalesce(sum(r.refunded), 0)
        from payments p
        left join (select payment_id, sum(amount_cents) as refunded from refunds group by payment_id) r on r.payment_id = p.payment_id
       group by p.fund_id, p.merchant
       order by p.fund_id, p.merchant;
      insert into spending_daily (fund_id, day, category, payments, spent_cents, refunded_cents)
      select p.fund_id, (p.block_time at time zone 'UTC')::date, s.category, count(*), sum(p.amount_cents), coalesce(sum(r.refunded), 0)
        from payments p
        join spending_by_shop s on s.fund_id = p.fund_id and s.merchant = p.merchant
        left join (select payment_id, sum(amount_cents) as refunded from refunds group by payment_id) r on r.payment_id = p.payment_id
       group by 1, 2, 3
       order by 1, 2, 3;
    end
    $$`.execute(db);
  await sql`
    create function spending_truncated() returns trigger language plpgsql as $$
    begin
      perform spending_rebuild();
      return null;
    end
    $$`.execute(db);
  await sql`create trigger spending_payments_truncated after truncate on payments for each statement execute function spending_truncated()`.execute(db);
  await sql`create trigger spending_refunds_truncated after truncate on refunds for each statement execute function spending_truncated()`.execute(db);

  await sql`select spending_rebuild()`.execute(db);

  // The other counts of a fund's figures at national scale (12,500 families, 25,000 budgets in the
  // largest fund): index-only scans instead of visiting every row of the fund.
  await sql`create index families_fund_live_idx on families (fund_id) include (approved_at, activated_at) where deleted_at is null`.execute(db);
  await sql`create index budgets_fund_status_idx on budgets (fund_id, status) include (issued_cents)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index budgets_fund_status_idx`.execute(db);
  await sql`drop index families_fund_live_idx`.execute(db);
  for (const [table, trigger] of [
    ["payments", "spending_payments_truncated"], ["refunds", "spending_refunds_truncated"],
    ["payments", "spending_payment_deleted"], ["refunds", "spending_refund_deleted"],
    ["payments", "spending_payment_changed"], ["refunds", "spending_refund_changed"],
    ["payments", "spending_payment_inserted"], ["refunds", "spending_refund_inserted"],
  ] as const) {
    await sql`drop trigger ${sql.id(trigger)} on ${sql.table(table)}`.execute(db);
  }
  for (const fn of ["spending_truncated()", "spending_rebuild()", "spending_refuse_change()", "spending_refund_inserted()", "spending_payment_inserted()"]) {
    await sql.raw(`drop function ${fn}`).execute(db);
  }
  await sql`drop function spending_add(uuid, text, date, int8, int8, int8)`.execute(db);
  await sql`drop function spending_category(uuid, text)`.execute(db);
  await sql`drop table spending_daily`.execute(db);
  await sql`drop table spending_by_shop`.execute(db);
}
