// The till's wire format: /api/merchant/… (look up a scanned QR, charge it, refund, list payments).
// Money: integer cents as JSON numbers (CentsSchema in, CentsAmountSchema out).
import { z } from "zod";
import { CentsAmountSchema, CentsSchema, FundIdSchema } from "./funds.ts";

/** The header that makes a charge happen at most once: a retry with the same key gets the same receipt. */
export const IDEMPOTENCY_HEADER = "Idempotency-Key";

const QrSchema = z.string().min(1, "must not be empty").max(1000, "must be at most 1000 characters");
export const PaymentIdSchema = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a payment id (0x and 64 hex digits)");
export const PaymentParamsSchema = z.object({ paymentId: PaymentIdSchema });

// --- POST /api/merchant/qr-lookups
export const QrLookupRequestSchema = z.object({ qr: QrSchema }).strict().meta({ id: "QrLookupRequest" });
export type QrLookupRequest = z.input<typeof QrLookupRequestSchema>;
/** What the shop sees of a QR: nothing personal, no budget id. */
export const QrLookupSchema = z
  .object({
    fundId: FundIdSchema,
    fundName: z.string(),
    /** What may be charged now: min(budget balance, the QR's maximum). */
    spendableCents: CentsAmountSchema,
    validUntil: z.iso.datetime(),
  })
  .meta({ id: "QrLookup" });
export type QrLookup = z.infer<typeof QrLookupSchema>;

// --- POST /api/merchant/pay-code-lookups: the QR a typed short code stands for
export const PayCodeLookupRequestSchema = z
  .object({ code: z.string().min(1, "must not be empty").max(40, "must be at most 40 characters") })
  .strict()
  .meta({ id: "PayCodeLookupRequest" });
export type PayCodeLookupRequest = z.input<typeof PayCodeLookupRequestSchema>;
export const PayCodeLookupSchema = z.object({ qr: QrSchema }).meta({ id: "PayCodeLookup" });
export type PayCodeLookup = z.infer<typeof PayCodeLookupSchema>;

// --- POST /api/family/pay-codes: the wallet registers its signed QR for a short code
export const PayCodeRequestSchema = z.object({ qr: QrSchema }).strict().meta({ id: "PayCodeRequest" });
export type PayCodeRequest = z.input<typeof PayCodeRequestSchema>;
export const PayCodeSchema = z
  .object({
    /** As shown under the QR: "ABC-DEF-GHJ". */
    code: z.string(),
    /** The QR's deadline: the code dies with it. */
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: "PayCode" });
export type PayCode = z.infer<typeof PayCodeSchema>;

// --- POST /api/merchant/charges (header Idempotency-Key)
export const ChargeRequestSchema = z.object({ qr: QrSchema, amountCents: CentsSchema }).strict().meta({ id: "ChargeRequest" });
export type ChargeRequest = z.input<typeof ChargeRequestSchema>;
export const ChargeReceiptSchema = z
  .object({
    status: z.literal("PAID"),
    paymentId: PaymentIdSchema,
    amountCents: CentsAmountSchema,
    newBalanceCents: CentsAmountSchema,
    txHash: z.string(),
    fundId: FundIdSchema,
    paidAt: z.iso.datetime(),
  })
  .meta({ id: "ChargeReceipt" });
export type ChargeReceipt = z.infer<typeof ChargeReceiptSchema>;

// --- POST /api/merchant/payments/:paymentId/refunds
export const RefundRequestSchema = z.object({ amountCents: CentsSchema }).strict().meta({ id: "RefundRequest" });
export type RefundRequest = z.input<typeof RefundRequestSchema>;
export const RefundReceiptSchema = z
  .object({ paymentId: PaymentIdSchema, amountCents: CentsAmountSchema, refundableCents: CentsAmountSchema, txHash: z.string() })
  .meta({ id: "RefundReceipt" });
export type RefundReceipt = z.infer<typeof RefundReceiptSchema>;

// --- GET /api/merchant/payments?from&to
export const PaymentListQuerySchema = z
  .object({
    /** Default: 30 days before `to`. */
    from: z.iso.datetime({ offset: true }).optional(),
    /** Exclusive; default: now (with a day's margin for block clocks running ahead). */
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type PaymentListQuery = z.input<typeof PaymentListQuerySchema>;
export const PaymentListItemSchema = z
  .object({
    paymentId: PaymentIdSchema,
    fundId: FundIdSchema,
    amountCents: CentsAmountSchema,
    refundedCents: CentsAmountSchema,
    txHash: z.string(),
    paidAt: z.iso.datetime(),
    /** Whether the indexer has seen it on chain. */
    confirmed: z.boolean(),
  })
  .meta({ id: "PaymentListItem" });
export const PaymentListSchema = z
  .object({
    payments: z.array(PaymentListItemSchema),
    totals: z.object({ count: z.number().int().nonnegative(), amountCents: CentsAmountSchema, refundedCents: CentsAmountSchema, netCents: CentsAmountSchema }),
  })
  .meta({ id: "PaymentList" });
export type PaymentList = z.infer<typeof PaymentListSchema>;
