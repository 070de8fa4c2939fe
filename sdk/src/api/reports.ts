// The reports API's wire format: a fund's dashboard for staff, the read-only audit log, and the public
// figures of each fund (no login, small groups suppressed). Money as in funds.ts: integer cents.
import { z } from "zod";
import { PUBLIC_MIN_GROUP } from "../categories.ts";
import { CentsAmountSchema, FundIdSchema } from "./funds.ts";

// --- GET /api/funds/:id/dashboard?interval=day|week
export const DashboardQuerySchema = z.object({ interval: z.enum(["day", "week"]).optional() }).strict();
export type DashboardQuery = z.input<typeof DashboardQuerySchema>;

export const SpendingLineSchema = z
  .object({
    /** Payments counted (refunds do not lower the count). */
    payments: z.number().int().nonnegative(),
    spentCents: CentsAmountSchema,
    refundedCents: CentsAmountSchema,
  })
  .meta({ id: "SpendingLine" });

export const ShopSpendingSchema = SpendingLineSchema.extend({
  /** Null for a receiving address no shop has (any more). */
  merchantId: z.string().nullable(),
  /** The shop's name, or the address when no shop has it. */
  name: z.string(),
  address: z.string(),
}).meta({ id: "ShopSpending" });
export type ShopSpending = z.infer<typeof ShopSpendingSchema>;

// --- GET /api/funds/:id/spending-by-shop
export const SpendingByShopSchema = z
  .object({
    fundId: z.string(),
    currency: z.string(),
    /** Every shop the fund paid, most spending first. */
    shops: z.array(ShopSpendingSchema),
    generatedAt: z.iso.datetime(),
  })
  .meta({ id: "SpendingByShop" });
export type SpendingByShop = z.infer<typeof SpendingByShopSchema>;

export const DashboardSchema = z
  .object({
    fundId: FundIdSchema,
    currency: z.string(),
    families: z.number().int().nonnegative(),
    familiesApproved: z.number().int().nonnegative(),
    familiesActivated: z.number().int().nonnegative(),
    children: z.number().int().nonnegative(),
    budgets: z.number().int().nonnegative(),
    budgetsFrozen: z.number().int().nonnegative(),
    /** Reserved for approved children and not yet on chain: counts down while budgets are issued in batches. */
    budgetsPending: z.number().int().nonnegative(),
    /** Budgets issued plus top-ups. */
    issuedCents: CentsAmountSchema,
    spentCents: CentsAmountSchema,
    refundedCents: CentsAmountSchema,
    /** issued − spent + refunded: what the budgets still hold. */
    leftCents: CentsAmountSchema,
    /** Settled to shops' bank accounts (recorded on chain). */
    paidOutCents: CentsAmountSchema,
    /** spent − refunded − paid out. */
    owedToShopsCents: CentsAmountSchema,
    shops: z.number().int().nonnegative(),
    interval: z.enum(["day", "week"]),
    byCategory: z.array(SpendingLineSchema.extend({ category: z.string() })),
    /** The shops with the most net spending (spent − refunded), at most 10, most first; every shop: `spendingByShop`. */
    byShop: z.array(ShopSpendingSchema),
    /** The other paid shops: how many, and their spending together. */
    otherShops: SpendingLineSchema.extend({ shops: z.number().int().nonnegative() }),
    /** Oldest first; `period` is the first day (YYYY-MM-DD, UTC) of the day or ISO week. */
    overTime: z.array(
      SpendingLineSchema.extend({
        period: z.string(),
        /** Net spending (spent − refunded) per category in this period. */
        categories: z.record(z.string(), CentsAmountSchema),
      }),
    ),
    generatedAt: z.iso.datetime(),
  })
  .meta({ id: "Dashboard" });
export type Dashboard = z.infer<typeof DashboardSchema>;

// --- GET /api/audit-log
export const AuditLogQuerySchema = z
  .object({
    /** A staff user's id or email (part of it), or a merchant/family id. */
    actor: z.string().trim().min(1).max(254).optional(),
    /** An action or its prefix: "merchant." finds every shop action. */
    action: z.string().trim().min(1).max(100).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    /** `nextCursor` of the previous page. */
    cursor: z.string().regex(/^\d{1,19}$/, "must be a cursor from a previous page").optional(),
  })
  .strict();
export type AuditLogQuery = z.input<typeof AuditLogQuerySchema>;

export const AuditLogEntrySchema = z
  .object({
    id: z.string(),
    at: z.iso.datetime(),
    actorType: z.enum(["staff", "merchant", "family", "system", "applicant"]),
    actorId: z.string().nullable(),
    /** The staff user's email, when the actor is staff. */
    actorEmail: z.string().nullable(),
    action: z.string(),
    subjectType: z.string().nullable(),
    subjectId: z.string().nullable(),
    /** The shop's name when a shop user acted. */
    actorName: z.string().nullable(),
    /** The shop's or fund's name when the subject is one (never a person's). */
    subjectName: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "AuditLogEntry" });
export type AuditLogEntry = z.infer<typeof AuditLogEntrySchema>;

export const AuditLogPageSchema = z
  .object({ entries: z.array(AuditLogEntrySchema), nextCursor: z.string().nullable() })
  .meta({ id: "AuditLogPage" });
export type AuditLogPage = z.infer<typeof AuditLogPageSchema>;

// --- GET /api/public/funds, /api/public/funds/:id
// PUBLIC_MIN_GROUP (categories.ts): counts below it show as "<10". PUBLIC_MIN_FAMILIES_PER_CATEGORY: categories
// in which fewer families paid merge into "other".

/** An exact count, or "<10" when it is too small to show without pointing at a family. */
export const SuppressedCountSchema = z.union([z.number().int().min(PUBLIC_MIN_GROUP), z.literal(`<${PUBLIC_MIN_GROUP}`)]).meta({ id: "SuppressedCount" });
export type SuppressedCount = z.infer<typeof SuppressedCountSchema>;

export const PublicFundSchema = z
  .object({
    id: FundIdSchema,
    name: z.string(),
    currency: z.string(),
    budgetExpiry: z.string(),
    amountPerChildCents: CentsAmountSchema,
    children: SuppressedCountSchema,
    /** Null while fewer than 10 children have a budget: the sums would show what single families spend. */
    totalBudgetCents: CentsAmountSchema.nullable(),
    spentCents: CentsAmountSchema.nullable(),
    paidToShopsCents: CentsAmountSchema.nullable(),
    shops: z.number().int().nonnegative(),
    /** Spending per shop category; categories with fewer than 10 payments are merged into "other". */
    byCategory: z.array(z.object({ category: z.string(), spentCents: CentsAmountSchema })),
    contracts: z.object({ factory: z.string().nullable(), fund: z.string() }),
    /** The chain's block when the figures were read; null when the chain could not be reached. */
    blockNumber: z.number().int().nonnegative().nullable(),
    generatedAt: z.iso.datetime(),
    /**
     * The money figures are as of this full hour, not now: polling around a purchase must not reveal its
     * amount. Payments, refunds and payouts after it count from the next hour on.
     */
    asOf: z.iso.datetime(),
  })
  .meta({ id: "PublicFund" });
export type PublicFund = z.infer<typeof PublicFundSchema>;

export const PublicFundListSchema = z.object({ funds: z.array(PublicFundSchema) }).meta({ id: "PublicFundList" });
export type PublicFundList = z.infer<typeof PublicFundListSchema>;

export const PublicFundParamsSchema = z.object({ id: FundIdSchema });
