// The SQL of the reports: aggregates over families, budgets, the indexed payments and refunds (through
// their rollups, migrations 0009_payment_rollups, 0023_spending_deltas and 0024_spending_category_changes),
// shops and settled payouts of one fund, and the audit log's pages. Read-only; sums come back as bigint cents.
import { sql, type ColumnType, type Kysely, type RawBuilder } from "kysely";
import type { ActorType, Database, JsonObject } from "../../db/schema.ts";
import { spendingRepository } from "../../db/spending.repository.ts";
import type { Db } from "../../db/transaction.ts";

/** count(*) and sum(bigint) answer int8 / numeric: cast to int8 so both engines hand back bigint. */
const big = (value: unknown): bigint => (value === null || value === undefined ? 0n : BigInt(value as string | number | bigint));

export interface FundFigures {
  families: bigint;
  familiesApproved: bigint;
  familiesActivated: bigint;
  children: bigint;
  budgets: bigint;
  budgetsFrozen: bigint;
  /** Reserved for approved children, not yet on chain: counts down while budgets are being issued. */
  budgetsPending: bigint;
  issuedCents: bigint;
  spentCents: bigint;
  payments: bigint;
  refundedCents: bigint;
  paidOutCents: bigint;
  shops: bigint;
}

export interface SpendingLine {
  payments: bigint;
  spentCents: bigint;
  refundedCents: bigint;
}

export interface ShopSpending {
  merchantAddress: string;
  merchantId: string | null;
  name: string | null;
  /** The shop's categories in this fund (bit i = the fund's category i), or null for an unknown shop. */
  categoriesMask: bigint | null;
  shopCategories: string[];
  payments: bigint;
  spentCents: bigint;
  refundedCents: bigint;
  /** The category the rollup counts this shop's payments under (its category when its first payment was folded in). */
  countedAs: string;
}

export interface ShopPeriodSpending {
  period: string;
  /** Lower-case address of the receiving shop. */
  merchant: string;
  payments: bigint;
  spentCents: bigint;
  refundedCents: bigint;
}

export interface PeriodSpending {
  period: string;
  /** The category of the receiving shops (as categoryOf in reports.service.ts gives it). */
  category: string;
  payments: bigint;
  spentCents: bigint;
  refundedCents: bigint;
}

export interface AuditRow {
  id: bigint;
  at: Date;
  actorType: ActorType;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  /** The shop's name (for a shop user or a shop), the fund's name: never a person's. */
  actorName: string | null;
  subjectName: string | null;
  details: JsonObject;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  from?: Date;
  to?: Date;
  beforeId?: bigint;
  limit: number;
}

/** The name of the shop a shop user (by id, as text) works for. */
const shopOfUser = (userId: RawBuilder<unknown>) =>
  sql<string>`select m.name from merchant_users u join merchants m on m.id = u.merchant_id where u.id::text = ${userId}`;

/** The rollups of migration 0009_payment_rollups, brought up to date by spending_fold() (0023_spending_deltas). */
export type SpendingTables = {
  spending_by_shop: {
    fund_id: string; merchant: string; category: string;
    payments: ColumnType<bigint, never, never>; spent_cents: ColumnType<bigint, never, never>; refunded_cents: ColumnType<bigint, never, never>;
  };
  spending_daily: {
    fund_id: string; day: ColumnType<string, never, never>; category: string; // date: 'YYYY-MM-DD' (connect.ts)
    payments: ColumnType<bigint, never, never>; spent_cents: ColumnType<bigint, never, never>; refunded_cents: ColumnType<bigint, never, never>;
  };
  /** Migration 0024_spending_category_changes. */
  spending_category_changes: { fund_id: string; merchant: string };
};

const net = (s: ShopSpending) => s.spentCents - s.refundedCents;
/** Most net spending first; then by address, as the rollup's `order by` cuts the top. */
const byNetSpending = (a: ShopSpending, b: ShopSpending) => (net(b) > net(a) ? 1 : net(b) < net(a) ? -1 : a.merchantAddress < b.merchantAddress ? -1 : 1);

/** Which of a fund's paid shops: all, the `top` with the most net spending, or those listed in spending_category_changes. */
type ShopSelection = "all" | "recategorised" | { top: number };

/** Rows of spending_by_shop of a fund's paid shops, each with the shop behind its address when known. */
async function shopLines(db: Kysely<Database & SpendingTables>, fundId: string, which: ShopSelection): Promise<ShopSpending[]> {
  let rows = db.selectFrom("spending_by_shop as s").where("s.fund_id", "=", fundId).where("s.payments", ">", 0n).selectAll("s");
  if (which === "recategorised") {
    rows = rows.where((eb) => eb.exists(eb.selectFrom("spending_category_changes as c").select(sql.lit(1).as("one"))
      .whereRef("c.fund_id", "=", "s.fund_id").whereRef("c.merchant", "=", "s.merchant")));
  } else if (which !== "all") {
    // Sorted and cut in the rollup first: only these few shops are looked up.
    rows = rows.orderBy(sql`s.spent_cents - s.refunded_cents`, "desc").orderBy(sql`s.merchant collate "C"`).limit(which.top);
  }
  // Each shop looked up by its address (a join hashed every shop of every fund: 25,000 at national scale
  // for the largest fund's 2,500); `offset 0` keeps the planner from turning it back into that join.
  const found = await db
    .selectFrom(rows.as("s"))
    .leftJoinLateral(
      (eb) => eb.selectFrom("merchants").select(["merchants.id", "merchants.name", "merchants.categories"])
        .whereRef("merchants.chain_address", "=", "s.merchant").offset(0).as("m"),
      (join) => join.onTrue(),
    )
    .select((eb) => [
      "s.merchant", "s.category", "s.payments", "s.spent_cents", "s.refunded_cents", "m.id", "m.name", "m.categories",
      eb.selectFrom("merchant_funds").select(sql<string>`categories_mask::int8`.as("mask"))
        .whereRef("merchant_funds.merchant_id", "=", "m.id").where("merchant_funds.fund_id", "=", fundId).as("mask"),
    ])
    .execute();
  return found.map((row) => ({
    merchantAddress: row.merchant,
    merchantId: row.id ?? null,
    name: row.name ?? null,
    categoriesMask: row.mask === null || row.mask === undefined ? null : big(row.mask),
    shopCategories: row.categories ?? [],
    payments: big(row.payments),
    spentCents: big(row.spent_cents),
    refundedCents: big(row.refunded_cents),
    countedAs: row.category,
  }));
}

export function reportsRepository(handle: Db) {
  const db = handle.withTables<SpendingTables>();
  // Each read of the rollups first folds in the payments committed until then, so a charge shows at once.
  // Reads started together (a report's figures, shops and days) share one fold.
  let folding: Promise<void> | undefined;
  const folded = () => (folding ??= spendingRepository(handle).fold().finally(() => (folding = undefined)));

  return {
    async figures(fundId: string): Promise<FundFigures> {
      await folded();
      // One round trip. Each count reads an index of the fund's rows (families_fund_live_idx and
      // budgets_fund_status_idx of migration 0009: index-only), the payments' figures the fund's rows of the
      // rollup (one per shop paid), not its payments.
      const row = await sql<Record<"families" | "approved" | "activated" | "children" | "budgets" | "frozen" | "pending" | "issued" | "payments" | "spent" | "refunded" | "paid" | "shops", string>>`
        select f.families, f.approved, f.activated, c.children, b.budgets, b.frozen, b.pending, b.issued, s.payments, s.spent, s.refunded, o.paid, m.shops
        from (select count(*)::int8 as families, count(approved_at)::int8 as approved, count(activated_at)::int8 as activated
                from families where fund_id = ${fundId} and deleted_at is null) f,
             -- An erased family's children are deleted with it: the fund's children are those that remain.
             (select count(*)::int8 as children from children where fund_id = ${fundId}) c,
             -- Budgets of deleted families stay: their money is still on chain, only the person is gone.
             (select count(*) filter (where status in ('issued', 'frozen'))::int8 as budgets,
                     count(*) filter (where status = 'frozen')::int8 as frozen,
                     count(*) filter (where status = 'pending')::int8 as pending,
                     coalesce(sum(issued_cents) filter (where status in ('issued', 'frozen')), 0)::int8 as issued
                from budgets where fund_id = ${fundId}) b,
             (select coalesce(sum(payments), 0)::int8 as payments, coalesce(sum(spent_cents), 0)::int8 as spent,
                     coalesce(sum(refunded_cents), 0)::int8 as refunded
                from spending_by_shop where fund_id = ${fundId}) s,
             (select coalesce(sum(amount_cents), 0)::int8 as paid from payouts where fund_id = ${fundId} and status = 'settled') o,
             -- Each of the fund's shops looked up by key: a join hashed every shop of every fund (25,000 at national scale).
             (select count(*)::int8 as shops
                from merchant_funds mf
               where mf.fund_id = ${fundId} and (select m.status from merchants m where m.id = mf.merchant_id) = 'approved') m`.execute(db);
      const r = row.rows[0]!;
      return {
        families: big(r.families),
        familiesApproved: big(r.approved),
        familiesActivated: big(r.activated),
        children: big(r.children),
        budgets: big(r.budgets),
        budgetsFrozen: big(r.frozen),
        budgetsPending: big(r.pending),
        issuedCents: big(r.issued),
        spentCents: big(r.spent),
        payments: big(r.payments),
        refundedCents: big(r.refunded),
        paidOutCents: big(r.paid),
        shops: big(r.shops),
      };
    },

    /**
     * What happened in the fund since `since` (by block time; payouts by settlement time): payments and
     * refunds per receiving address, and the cents settled. Subtracted from the rollups, it gives the
     * figures as of that moment.
     */
    async since(fundId: string, since: Date): Promise<{ byMerchant: Map<string, { payments: bigint; spentCents: bigint; refundedCents: bigint }>; paidOutCents: bigint }> {
      const [payments, refunds, paid] = await Promise.all([
        db.selectFrom("payments").where("fund_id", "=", fundId).where("block_time", ">=", since)
          .select(["merchant", sql<string>`count(*)::int8`.as("n"), sql<string>`sum(amount_cents)::int8`.as("cents")]).groupBy("merchant").execute(),
        db.selectFrom("refunds").innerJoin("payments", "payments.payment_id", "refunds.payment_id")
          .where("payments.fund_id", "=", fundId).where("refunds.block_time", ">=", since)
          .select(["payments.merchant", sql<string>`sum(refunds.amount_cents)::int8`.as("cents")]).groupBy("payments.merchant").execute(),
        db.selectFrom("payouts").where("fund_id", "=", fundId).where("status", "=", "settled").where("settled_at", ">=", since)
          .select(sql<string>`coalesce(sum(amount_cents), 0)::int8`.as("cents")).executeTakeFirstOrThrow(),
      ]);
      const byMerchant = new Map<string, { payments: bigint; spentCents: bigint; refundedCents: bigint }>();
      const line = (merchant: string) => byMerchant.get(merchant) ?? { payments: 0n, spentCents: 0n, refundedCents: 0n };
      for (const p of payments) byMerchant.set(p.merchant, { ...line(p.merchant), payments: big(p.n), spentCents: big(p.cents) });
      for (const r of refunds) byMerchant.set(r.merchant, { ...line(r.merchant), refundedCents: big(r.cents) });
      return { byMerchant, paidOutCents: big(paid.cents) };
    },

    /**
     * Who paid each receiving address before `before` (all time when null): the families' device keys, as
     * the chain knows them (a budget without one counts as itself). The public figures count families per
     * category from it; no person is read.
     */
    async payersByShop(fundId: string, before: Date | null): Promise<Map<string, Set<string>>> {
      let query = db
        .selectFrom("payments as p")
        .innerJoin("budgets as b", "b.budget_id", "p.budget_id")
        .where("p.fund_id", "=", fundId)
        .select(["p.merchant", sql<string>`coalesce(b.holder_address, p.budget_id)`.as("payer")])
        .distinct();
      if (before) query = query.where("p.block_time", "<", before);
      const byShop = new Map<string, Set<string>>();
      for (const row of await query.execute()) {
        let payers = byShop.get(row.merchant);
        if (!payers) byShop.set(row.merchant, (payers = new Set()));
        payers.add(row.payer);
      }
      return byShop;
    },

    /** Spending per receiving address, with the shop behind it when known. Most net spending first. */
    async byShop(fundId: string): Promise<ShopSpending[]> {
      await folded();
      return (await shopLines(db, fundId, "all")).sort(byNetSpending);
    },

    /** The `limit` shops with the most net spending (spent − refunded), most first. */
    async topShops(fundId: string, limit: number): Promise<ShopSpending[]> {
      await folded();
      return (await shopLines(db, fundId, { top: limit })).sort(byNetSpending);
    },

    /** Spending per category the rollup counts shops under (`countedAs`), and the number of shops paid. */
    async byCountedCategory(fundId: string): Promise<{ categories: (SpendingLine & { category: string })[]; shops: number }> {
      await folded();
      const rows = await db
        .selectFrom("spending_by_shop as s")
        .where("s.fund_id", "=", fundId)
        .where("s.payments", ">", 0n)
        .select([
          "s.category", sql<string>`count(*)::int8`.as("shops"), sql<string>`sum(s.payments)::int8`.as("payments"),
          sql<string>`sum(s.spent_cents)::int8`.as("spent"), sql<string>`sum(s.refunded_cents)::int8`.as("refunded"),
        ])
        .groupBy("s.category")
        .execute();
      return {
        categories: rows.map((r) => ({ category: r.category, payments: big(r.payments), spentCents: big(r.spent), refundedCents: big(r.refunded) })),
        shops: rows.reduce((n, r) => n + Number(r.shops), 0),
      };
    },

    /**
     * The paid shops whose category may have changed since the rollup counted them (migration
     * 0024_spending_category_changes): only these can count under another category than their own now.
     */
    async maybeRecategorised(fundId: string): Promise<ShopSpending[]> {
      await folded();
      return shopLines(db, fundId, "recategorised");
    },

    /**
     * Spending per UTC day or ISO week (by the block's time) and the category the rollup counts the
     * receiving shops under (`countedAs` of byShop), oldest period first, then by category.
     */
    async overTime(fundId: string, interval: "day" | "week"): Promise<PeriodSpending[]> {
      await folded();
      if (interval === "day") {
        // The rollup's rows are per day and category already: nothing to add up. Read as one row per day
        // with its categories in JSON, because the client's cost is per row and field (365 rows, not 2,555).
        const days = await db
          .selectFrom("spending_daily as d")
          .where("d.fund_id", "=", fundId)
          .where("d.payments", "<>", 0n)
          .select([
            "d.day",
            sql<[string, string, string, string][]>`json_agg(json_build_array(
              d.category, d.payments::text, d.spent_cents::text, d.refunded_cents::text) order by d.category collate "C")`.as("categories"),
          ])
          .groupBy("d.day")
          .orderBy("d.day")
          .execute();
        return days.flatMap((r) => r.categories.map(([category, payments, spent, refunded]) => ({
          period: r.day, category, payments: BigInt(payments), spentCents: BigInt(spent), refundedCents: BigInt(refunded),
        })));
      }
      const unit = sql.lit("week");
      const rows = await db
        .selectFrom("spending_daily as d")
        .where("d.fund_id", "=", fundId)
        .select([
          sql<string>`to_char(date_trunc(${unit}, d.day::timestamp), 'YYYY-MM-DD')`.as("period"),
          "d.category",
          sql<string>`sum(d.payments)::int8`.as("payments"),
          sql<string>`sum(d.spent_cents)::int8`.as("spent"),
          sql<string>`sum(d.refunded_cents)::int8`.as("refunded"),
        ])
        .groupBy(sql`1, 2`)
        .having(sql`sum(d.payments)`, "<>", 0)
        .orderBy(sql`1`)
        .orderBy(sql`d.category collate "C"`)
        .execute();
      return rows.map((r) => ({ period: r.period, category: r.category, payments: big(r.payments), spentCents: big(r.spent), refundedCents: big(r.refunded) }));
    },

    /**
     * The spending of these shops (lower-case addresses) per UTC day or ISO week, from their payments:
     * to move a shop that changed category since the rollup counted it. Oldest first, then by address.
     */
    async shopsOverTime(fundId: string, interval: "day" | "week", merchants: readonly string[]): Promise<ShopPeriodSpending[]> {
      if (merchants.length === 0) return [];
      const unit = interval === "week" ? sql.lit("week") : sql.lit("day");
      const rows = await db
        .selectFrom("payments as p")
        .where("p.fund_id", "=", fundId)
        .where("p.merchant", "in", [...merchants])
        .select([
          sql<string>`to_char(date_trunc(${unit}, p.block_time at time zone 'UTC'), 'YYYY-MM-DD')`.as("period"),
          "p.merchant",
          sql<string>`count(*)::int8`.as("payments"),
          sql<string>`sum(p.amount_cents)::int8`.as("spent"),
          // Each payment's refunds by refunds_payment_id_idx: only these shops' refunds are read.
          sql<string>`coalesce(sum((select sum(r.amount_cents) from refunds r where r.payment_id = p.payment_id)), 0)::int8`.as("refunded"),
        ])
        .groupBy(sql`1, 2`)
        .orderBy(sql`1, 2`)
        .execute();
      return rows.map((r) => ({ period: r.period, merchant: r.merchant, payments: big(r.payments), spentCents: big(r.spent), refundedCents: big(r.refunded) }));
    },

    /** Newest first. `actor` matches an actor id exactly or a staff email in part; `action` as a prefix. */
    async auditLog(query: AuditQuery): Promise<AuditRow[]> {
      let q = db
        .selectFrom("audit_log")
        .leftJoin("staff_users", (join) =>
          join.on(sql<boolean>`audit_log.actor_type = 'staff' and audit_log.actor_id = staff_users.id::text`),
        )
        .select([
          "audit_log.id", "audit_log.at", "audit_log.actor_type", "audit_log.actor_id", "audit_log.action",
          "audit_log.subject_type", "audit_log.subject_id", "audit_log.details", "staff_users.email",
          sql<string | null>`case when audit_log.actor_type = 'merchant' then (${shopOfUser(sql.ref("audit_log.actor_id"))}) end`.as("actor_name"),
          sql<string | null>`case audit_log.subject_type
            when 'merchant' then (select m.name from merchants m where m.id::text = audit_log.subject_id)
            when 'merchant_user' then (${shopOfUser(sql.ref("audit_log.subject_id"))})
            when 'fund' then (select f.name from funds f where f.id::text = audit_log.subject_id)
          end`.as("subject_name"),
        ]);
      if (query.actor !== undefined) {
        const pattern = `%${query.actor.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        q = q.where((eb) => eb.or([eb("audit_log.actor_id", "=", query.actor!), eb(sql<string>`lower(staff_users.email)`, "like", pattern)]));
      }
      if (query.action !== undefined) {
        const prefix = `${query.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        q = q.where("audit_log.action", "like", prefix);
      }
      if (query.from !== undefined) q = q.where("audit_log.at", ">=", query.from);
      if (query.to !== undefined) q = q.where("audit_log.at", "<", query.to);
      if (query.beforeId !== undefined) q = q.where("audit_log.id", "<", query.beforeId);
      const rows = await q.orderBy("audit_log.id", "desc").limit(query.limit).execute();
      return rows.map((r) => ({
        id: r.id,
        at: r.at,
        actorType: r.actor_type,
        actorId: r.actor_id,
        actorEmail: r.email ?? null,
        action: r.action,
        subjectType: r.subject_type,
        subjectId: r.subject_id,
        actorName: r.actor_name,
        subjectName: r.subject_name,
        details: r.details,
      }));
    },

    /** Fund ids, oldest first (for the public list). */
    async fundIds(): Promise<string[]> {
      const rows = await db.selectFrom("funds").select("id").orderBy("created_at").orderBy("id").execute();
      return rows.map((r) => r.id);
    },
  };
}

export type ReportsRepository = ReturnType<typeof reportsRepository>;
