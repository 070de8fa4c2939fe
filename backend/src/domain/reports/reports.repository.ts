// The SQL of the reports: aggregates over families, budgets, the indexed payments and refunds, shops and
// settled payouts of one fund, and the audit log's pages. Read-only; sums come back as bigint cents.
import { sql } from "kysely";
import type { ActorType, JsonObject } from "../../db/schema.ts";
import type { PaymentTables } from "../../db/payments-schema.ts";
import type { PayoutTables } from "../../db/payouts-schema.ts";
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
}

export interface PeriodSpending {
  period: string;
  /** Lower-case address of the receiving shop. */
  merchant: string;
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

export function reportsRepository(handle: Db) {
  const db = handle.withTables<PaymentTables & PayoutTables>();

  return {
    async figures(fundId: string): Promise<FundFigures> {
      const families = await db
        .selectFrom("families")
        .where("fund_id", "=", fundId)
        .where("deleted_at", "is", null)
        .select([
          sql<string>`count(*)::int8`.as("families"),
          sql<string>`count(approved_at)::int8`.as("approved"),
          sql<string>`count(activated_at)::int8`.as("activated"),
        ])
        .executeTakeFirstOrThrow();
      const children = await db
        .selectFrom("children")
        .innerJoin("families", "families.id", "children.family_id")
        .where("families.fund_id", "=", fundId)
        .where("families.deleted_at", "is", null)
        .select(sql<string>`count(*)::int8`.as("n"))
        .executeTakeFirstOrThrow();
      // Budgets of deleted families stay: their money is still on chain, only the person is gone.
      const budgets = await db
        .selectFrom("budgets")
        .where("fund_id", "=", fundId)
        .select([
          sql<string>`count(*) filter (where status in ('issued', 'frozen'))::int8`.as("n"),
          sql<string>`count(*) filter (where status = 'frozen')::int8`.as("frozen"),
          sql<string>`count(*) filter (where status = 'pending')::int8`.as("pending"),
          sql<string>`coalesce(sum(issued_cents) filter (where status in ('issued', 'frozen')), 0)::int8`.as("issued"),
        ])
        .executeTakeFirstOrThrow();
      const payments = await db
        .selectFrom("payments")
        .where("fund_id", "=", fundId)
        .select([sql<string>`count(*)::int8`.as("n"), sql<string>`coalesce(sum(amount_cents), 0)::int8`.as("spent")])
        .executeTakeFirstOrThrow();
      const refunds = await db
        .selectFrom("refunds")
        .innerJoin("payments", "payments.payment_id", "refunds.payment_id")
        .where("payments.fund_id", "=", fundId)
        .select(sql<string>`coalesce(sum(refunds.amount_cents), 0)::int8`.as("refunded"))
        .executeTakeFirstOrThrow();
      const paidOut = await db
        .selectFrom("payouts")
        .where("fund_id", "=", fundId)
        .where("status", "=", "settled")
        .select(sql<string>`coalesce(sum(amount_cents), 0)::int8`.as("paid"))
        .executeTakeFirstOrThrow();
      const shops = await db
        .selectFrom("merchant_funds")
        .innerJoin("merchants", "merchants.id", "merchant_funds.merchant_id")
        .where("merchant_funds.fund_id", "=", fundId)
        .where("merchants.status", "=", "approved")
        .select(sql<string>`count(*)::int8`.as("n"))
        .executeTakeFirstOrThrow();
      return {
        families: big(families.families),
        familiesApproved: big(families.approved),
        familiesActivated: big(families.activated),
        children: big(children.n),
        budgets: big(budgets.n),
        budgetsFrozen: big(budgets.frozen),
        budgetsPending: big(budgets.pending),
        issuedCents: big(budgets.issued),
        spentCents: big(payments.spent),
        payments: big(payments.n),
        refundedCents: big(refunds.refunded),
        paidOutCents: big(paidOut.paid),
        shops: big(shops.n),
      };
    },

    /** Spending per receiving address, with the shop behind it when known. Largest first. */
    async byShop(fundId: string): Promise<ShopSpending[]> {
      const refunded = db
        .selectFrom("refunds")
        .select(["payment_id", sql<string>`sum(amount_cents)::int8`.as("refunded")])
        .groupBy("payment_id")
        .as("r");
      const rows = await db
        .selectFrom("payments as p")
        .leftJoin(refunded, "r.payment_id", "p.payment_id")
        .where("p.fund_id", "=", fundId)
        .groupBy("p.merchant")
        .select([
          "p.merchant",
          sql<string>`count(*)::int8`.as("payments"),
          sql<string>`sum(p.amount_cents)::int8`.as("spent"),
          sql<string>`coalesce(sum(r.refunded), 0)::int8`.as("refunded"),
        ])
        .execute();
      const addresses = rows.map((r) => r.merchant.toLowerCase());
      const shops = addresses.length
        ? await db
            .selectFrom("merchants")
            .leftJoin("merchant_funds", (join) =>
              join.onRef("merchant_funds.merchant_id", "=", "merchants.id").on("merchant_funds.fund_id", "=", fundId),
            )
            .where(sql<string>`lower(merchants.chain_address)`, "in", addresses)
            .select(["merchants.id", "merchants.name", "merchants.chain_address", "merchants.categories", sql<string | null>`merchant_funds.categories_mask::int8`.as("mask")])
            .execute()
        : [];
      const byAddress = new Map(shops.map((s) => [s.chain_address!.toLowerCase(), s]));
      return rows
        .map((row) => {
          const shop = byAddress.get(row.merchant.toLowerCase());
          return {
            merchantAddress: row.merchant.toLowerCase(),
            merchantId: shop?.id ?? null,
            name: shop?.name ?? null,
            categoriesMask: shop?.mask === null || shop?.mask === undefined ? null : big(shop.mask),
            shopCategories: shop?.categories ?? [],
            payments: big(row.payments),
            spentCents: big(row.spent),
            refundedCents: big(row.refunded),
          };
        })
        .sort((a, b) => (b.spentCents > a.spentCents ? 1 : b.spentCents < a.spentCents ? -1 : a.merchantAddress.localeCompare(b.merchantAddress)));
    },

    /** Spending per UTC day or ISO week (by the block's time) and receiving shop, oldest first. */
    async overTime(fundId: string, interval: "day" | "week"): Promise<PeriodSpending[]> {
      const unit = interval === "week" ? sql.lit("week") : sql.lit("day");
      const period = sql<string>`to_char(date_trunc(${unit}, p.block_time at time zone 'UTC'), 'YYYY-MM-DD')`;
      const refunded = db
        .selectFrom("refunds")
        .select(["payment_id", sql<string>`sum(amount_cents)::int8`.as("refunded")])
        .groupBy("payment_id")
        .as("r");
      const rows = await db
        .selectFrom("payments as p")
        .leftJoin(refunded, "r.payment_id", "p.payment_id")
        .where("p.fund_id", "=", fundId)
        .select([
          period.as("period"),
          sql<string>`lower(p.merchant)`.as("merchant"),
          sql<string>`count(*)::int8`.as("payments"),
          sql<string>`sum(p.amount_cents)::int8`.as("spent"),
          sql<string>`coalesce(sum(r.refunded), 0)::int8`.as("refunded"),
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
