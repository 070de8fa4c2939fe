// The rollups of migration 0009 without a lock in the writers' path. Every transaction that recorded a
// payment took the rollups' advisory lock and held it through its commit, so no two such commits could
// overlap (nor be flushed together). Now:
//
// - The triggers on payments and refunds append one row to spending_deltas (fund, shop, UTC day of the
//   payment, the three sums) and nothing else: a new row, which no other writer waits for or updates.
//   So they run at once, as plain AFTER INSERT row triggers (the deferral to the commit was there to hold
//   the lock briefly); a rolled-back transaction's deltas go with it, and a row not inserted (ON CONFLICT
//   DO NOTHING) fires no trigger, as before.
// - spending_fold() moves the committed deltas into spending_by_shop and spending_daily, under the
//   advisory lock, which only folders (and spending_rebuild) take now. It deletes the deltas it can see
//   (READ COMMITTED: another transaction's delta is folded once it has committed, by a later fold), and
//   adds their sums; a shop new to the rollup gets its category as 0009 gave it (spending_category).
// - The readers of the rollups fold first (reports.repository.ts), so the reports stay exact up to the
//   last committed payment; the indexer folds after each batch, so the deltas stay few. The charge and
//   the refund never fold.
//
// spending_rebuild() (and so a TRUNCATE of payments or refunds) clears the deltas too. Changing or
// deleting a payment or refund is still refused (0009).
import { sql, type Kysely } from "kysely";

/** pg_advisory_xact_lock key of the rollups' writers, as in 0009. */
const LOCK = sql.lit(7_300_009);

const PAYMENT_DAY = sql`(new.block_time at time zone 'UTC')::date`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table spending_deltas (
      fund_id uuid not null,
      merchant text not null,
      day date not null,
      payments int8 not null,
      spent_cents int8 not null,
      refunded_cents int8 not null
    )`.execute(db);
  await sql`comment on table spending_deltas is ${sql.lit(
    "Payments and refunds not yet added to spending_by_shop and spending_daily: one row per payment or refund, appended by triggers, deleted by spending_fold(). No personal data.",
  )}`.execute(db);

  await sql`drop trigger spending_payment_inserted on payments`.execute(db);
  await sql`drop trigger spending_refund_inserted on refunds`.execute(db);
  await sql`
    create or replace function spending_payment_inserted() returns trigger language plpgsql as $$
    begin
      insert into spending_deltas (fund_id, merchant, day, payments, spent_cents, refunded_cents)
      values (new.fund_id, new.merchant, ${PAYMENT_DAY}, 1, new.amount_cents, 0);
      return null;
    end
    $$`.execute(db);
  // On its payment's fund, shop and day. The payment is there: the foreign key's trigger fires first (by name).
  await sql`
    create or replace function spending_refund_inserted() returns trigger language plpgsql as $$
    begin
      insert into spending_deltas (fund_id, merchant, day, payments, spent_cents, refunded_cents)
      select fund_id, merchant, (block_time at time zone 'UTC')::date, 0, 0, new.amount_cents
        from payments where payment_id = new.payment_id;
      return null;
    end
    $$`.execute(db);
  await sql`create trigger spending_payment_inserted after insert on payments for each row execute function spending_payment_inserted()`.execute(db);
  await sql`create trigger spending_refund_inserted after insert on refunds for each row execute function spending_refund_inserted()`.execute(db);

  await sql`
    create function spending_fold() returns void language plpgsql as $$
    begin
      -- The common case, nothing committed since the last fold: one look, no lock.
      perform from spending_deltas limit 1;
      if not found then
        return;
      end if;
      perform pg_advisory_xact_lock(${LOCK});
      -- A new statement, so a new snapshot: what a folder before us deleted is gone.
      with folded as (
        delete from spending_deltas returning fund_id, merchant, day, payments, spent_cents, refunded_cents
      ), shops as (
        insert into spending_by_shop as s (fund_id, merchant, category, payments, spent_cents, refunded_cents)
        select f.fund_id, f.merchant,
               coalesce((select k.category from spending_by_shop k where k.fund_id = f.fund_id and k.merchant = f.merchant),
                        spending_category(f.fund_id, f.merchant)),
               sum(f.payments), sum(f.spent_cents), sum(f.refunded_cents)
          from folded f
         group by f.fund_id, f.merchant
         order by f.fund_id, f.merchant
        on conflict (fund_id, merchant) do update
          set payments = s.payments + excluded.payments, spent_cents = s.spent_cents + excluded.spent_cents,
              refunded_cents = s.refunded_cents + excluded.refunded_cents
        returning s.fund_id, s.merchant, s.category
      )
      insert into spending_daily as d (fund_id, day, category, payments, spent_cents, refunded_cents)
      select f.fund_id, f.day, s.category, sum(f.payments), sum(f.spent_cents), sum(f.refunded_cents)
        from folded f
        join shops s on s.fund_id = f.fund_id and s.merchant = f.merchant
       group by 1, 2, 3
       order by 1, 2, 3
      on conflict (fund_id, day, category) do update
        set payments = d.payments + excluded.payments, spent_cents = d.spent_cents + excluded.spent_cents,
            refunded_cents = d.refunded_cents + excluded.refunded_cents;
    end
    $$`.execute(db);

  await rebuild(db, sql`delete from spending_deltas;`);
  await sql`drop function spending_add(uuid, text, date, int8, int8, int8)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // Dropping the triggers locks payments and refunds: every writer has committed, and the fold sees all.
  await sql`drop trigger spending_payment_inserted on payments`.execute(db);
  await sql`drop trigger spending_refund_inserted on refunds`.execute(db);
  await sql`select spending_fold()`.execute(db);
  await sql`drop function spending_fold()`.execute(db);

  // 0009's writers, as they were.
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
    create or replace function spending_payment_inserted() returns trigger language plpgsql as $$
    begin
      perform spending_add(new.fund_id, new.merchant, ${PAYMENT_DAY}, 1, new.amount_cents, 0);
      return null;
    end
    $$`.execute(db);
  await sql`
    create or replace function spending_refund_inserted() returns trigger language plpgsql as $$
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
  await rebuild(db, sql``);
  await sql`drop table spending_deltas`.execute(db);
}

/** spending_rebuild() of 0009, clearing `also` (the deltas, when there are) with the rollups. */
async function rebuild(db: Kysely<any>, also: ReturnType<typeof sql>): Promise<void> {
  await sql`
    create or replace function spending_rebuild() returns void language plpgsql as $$
    begin
      perform pg_advisory_xact_lock(${LOCK});
      lock table payments, refunds in share mode;
      ${also}
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
}
