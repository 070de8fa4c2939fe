// The settlement API's wire format: what the fund owes each shop, payout runs (start, approve, progress,
// SEPA file, mark sent), what each shop was paid over a period, each fund's payout schedule, and a
// shop's own payouts (/api/merchant/payouts). Money: integer cents as JSON numbers.
import { z } from "zod";
import { CentsAmountSchema, FundIdSchema, PayoutScheduleSchema } from "./funds.ts";
import { MerchantIdSchema } from "./merchants.ts";

export const PayoutRunIdSchema = z.uuid("must be a payout run id (a UUID)");
export const PayoutRunParamsSchema = z.object({ id: PayoutRunIdSchema });

export const PAYOUT_STATUSES = ["pending", "sent", "confirmed", "settled", "failed"] as const;
export const PayoutStatusSchema = z.enum(PAYOUT_STATUSES).meta({
  id: "PayoutStatus",
  description: "pending: written, not yet confirmed by the bank; sent: in a SEPA file staff sent; confirmed: the bank made the transfer; settled: recorded on chain; failed: not paid (the money stays owed).",
});
export const PAYOUT_RUN_STATUSES = ["awaiting_approval", "processing", "awaiting_sent", "completed", "rejected"] as const;
export const PayoutRunStatusSchema = z.enum(PAYOUT_RUN_STATUSES).meta({ id: "PayoutRunStatus" });
export const BankNameSchema = z.enum(["simulated", "bunq", "sepa"]).meta({ id: "BankName" });

const Instant = z.iso.datetime();

export const BankInfoSchema = z
  .object({ name: BankNameSchema, label: z.string().meta({ description: "e.g. \"simulated bank (no real money)\"" }) })
  .meta({ id: "BankInfo" });

// --- GET /api/funds/:id/payouts/owed
export const OwedShopSchema = z
  .object({
    merchantId: MerchantIdSchema,
    name: z.string(),
    /** What the fund's contract says it owes the shop. */
    receivableCents: CentsAmountSchema,
    /** In an open payout (being paid). */
    openCents: CentsAmountSchema,
    /** What a new run would pay: receivable minus the open payout. */
    owedCents: CentsAmountSchema,
  })
  .meta({ id: "OwedShop" });
export const OwedListSchema = z
  .object({ fundId: FundIdSchema, bank: BankInfoSchema, shops: z.array(OwedShopSchema), totalOwedCents: CentsAmountSchema })
  .meta({ id: "OwedList" });
export type OwedList = z.infer<typeof OwedListSchema>;

// --- payout runs
export const StartPayoutRunRequestSchema = z
  .object({
    fundId: FundIdSchema,
    /** Shops owed less are left for later. Default: the fund's minimum. */
    minimumCents: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict()
  .meta({ id: "StartPayoutRunRequest" });
export type StartPayoutRunRequest = z.input<typeof StartPayoutRunRequestSchema>;

export const PayoutRunProgressSchema = z
  .object({ pending: z.number().int(), sent: z.number().int(), confirmed: z.number().int(), settled: z.number().int(), failed: z.number().int() })
  .meta({ id: "PayoutRunProgress" });

export const PayoutRunSchema = z
  .object({
    id: PayoutRunIdSchema,
    fundId: FundIdSchema,
    /** recovered: payouts rebuilt from the chain's settles after a restored backup (reference CHAIN-… until the bank's statement names them). */
    trigger: z.enum(["manual", "instant", "daily", "recovered"]),
    bank: BankInfoSchema,
    status: PayoutRunStatusSchema,
    totalCents: CentsAmountSchema,
    payoutCount: z.number().int(),
    progress: PayoutRunProgressSchema,
    startedBy: z.string().nullable(),
    approvedBy: z.string().nullable(),
    approvedAt: Instant.nullable(),
    /** The SEPA file's MsgId, once written. */
    messageId: z.string().nullable(),
    hasFile: z.boolean(),
    sentAt: Instant.nullable(),
    createdAt: Instant,
    completedAt: Instant.nullable(),
  })
  .meta({ id: "PayoutRun" });
export type PayoutRun = z.infer<typeof PayoutRunSchema>;

export const PayoutSchema = z
  .object({
    id: z.uuid(),
    /** Ours, unique; in the bank transfer's description, so the shop can match it. */
    reference: z.string(),
    runId: PayoutRunIdSchema,
    fundId: FundIdSchema,
    merchantId: MerchantIdSchema,
    shopName: z.string(),
    amountCents: CentsAmountSchema,
    status: PayoutStatusSchema,
    description: z.string(),
    periodFrom: Instant,
    periodTo: Instant,
    createdAt: Instant,
    confirmedAt: Instant.nullable(),
    settledAt: Instant.nullable(),
    settleTxHash: z.string().nullable(),
    lastError: z.string().nullable(),
  })
  .meta({ id: "Payout" });
export type Payout = z.infer<typeof PayoutSchema>;

export const PayoutRunDetailSchema = PayoutRunSchema.extend({ payouts: z.array(PayoutSchema) }).meta({ id: "PayoutRunDetail" });
export type PayoutRunDetail = z.infer<typeof PayoutRunDetailSchema>;

export const PayoutRunListQuerySchema = z.object({ fundId: FundIdSchema.optional() }).strict();
export type PayoutRunListQuery = z.input<typeof PayoutRunListQuerySchema>;
export const PayoutRunListSchema = z.object({ runs: z.array(PayoutRunSchema) }).meta({ id: "PayoutRunList" });
export type PayoutRunList = z.infer<typeof PayoutRunListSchema>;

export const SepaFileSchema = z
  .object({ runId: PayoutRunIdSchema, messageId: z.string(), fileName: z.string(), xml: z.string() })
  .meta({ id: "SepaFile", description: "The run's pain.001.001.03 file; GET …/sepa-file?download=1 answers the XML itself." });
export type SepaFile = z.infer<typeof SepaFileSchema>;
export const SepaFileQuerySchema = z.object({ download: z.enum(["0", "1"]).optional() }).strict();

// --- GET /api/payouts/paid
export const PaidPerShopQuerySchema = z
  .object({ fundId: FundIdSchema.optional(), from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .strict();
export type PaidPerShopQuery = z.input<typeof PaidPerShopQuerySchema>;
export const PaidPerShopSchema = z
  .object({
    from: Instant,
    to: Instant,
    shops: z.array(z.object({ merchantId: MerchantIdSchema, name: z.string(), payoutCount: z.number().int(), paidCents: CentsAmountSchema })),
    totalCents: CentsAmountSchema,
  })
  .meta({ id: "PaidPerShop" });
export type PaidPerShop = z.infer<typeof PaidPerShopSchema>;

// --- GET/PUT /api/funds/:id/payout-schedule
export const SetPayoutScheduleRequestSchema = z
  .object({ schedule: PayoutScheduleSchema, minimumCents: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(0) })
  .strict()
  .meta({ id: "SetPayoutScheduleRequest" });
export type SetPayoutScheduleRequest = z.input<typeof SetPayoutScheduleRequestSchema>;
export const FundPayoutScheduleSchema = z
  .object({
    fundId: FundIdSchema,
    schedule: PayoutScheduleSchema,
    minimumCents: CentsAmountSchema,
    /** The last day (Europe/Amsterdam) the daily run ran. */
    lastDailyRunOn: z.string().nullable(),
  })
  .meta({ id: "FundPayoutSchedule" });
export type FundPayoutSchedule = z.infer<typeof FundPayoutScheduleSchema>;

// --- GET /api/merchant/payouts
export const MerchantPayoutSchema = z
  .object({
    reference: z.string(),
    fundId: FundIdSchema,
    amountCents: CentsAmountSchema,
    status: PayoutStatusSchema,
    description: z.string(),
    periodFrom: Instant,
    periodTo: Instant,
    /** When the payout was made (written); `paidAt` once the bank confirmed it. */
    createdAt: Instant,
    paidAt: Instant.nullable(),
  })
  .meta({ id: "MerchantPayout" });
export const MerchantPayoutsSchema = z
  .object({
    bank: BankInfoSchema,
    payouts: z.array(MerchantPayoutSchema),
    /** Per fund: what it owes the shop now, and what is being paid. */
    owed: z.array(z.object({ fundId: FundIdSchema, fundName: z.string(), owedCents: CentsAmountSchema, openCents: CentsAmountSchema })),
  })
  .meta({ id: "MerchantPayouts" });
export type MerchantPayouts = z.infer<typeof MerchantPayoutsSchema>;

// --- POST /api/payout-statements (camt.053 of the municipality's account)
export const ImportStatementRequestSchema = z
  .object({
    camt053: z
      .union([z.string().min(1, "must not be empty"), z.array(z.string().min(1, "must not be empty")).min(1).max(100)])
      .meta({ description: "The statement's XML (ISO 20022 camt.053), or several statement files (e.g. a month of daily ones)." }),
  })
  .strict()
  .meta({ id: "ImportStatementRequest" });
export type ImportStatementRequest = z.input<typeof ImportStatementRequestSchema>;
export const StatementImportSchema = z
  .object({
    /** References of the payouts the statement confirmed; they are now recorded on chain. */
    confirmed: z.array(z.string()),
    /** Ours, but with another amount: left for a person to look at. */
    mismatched: z.array(z.string()),
    ignored: z.number().int(),
  })
  .meta({ id: "StatementImport" });
export type StatementImport = z.infer<typeof StatementImportSchema>;
