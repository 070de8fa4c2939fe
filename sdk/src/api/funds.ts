// The funds API's wire format: /api/funds/… (create a fund, read it, record a deposit, pause).
// Money on the wire: integer euro cents as a JSON number. The backend holds bigint; every amount it
// answers is below 2^53 (Number.MAX_SAFE_INTEGER), and every amount it accepts is checked to be.
import { z } from "zod";
import { DomainError } from "../errors.ts";
import { isTimeZone } from "../dates.ts";

/** Integer cents, more than zero, safe as a JSON number. The one definition of money on the wire. */
export const CentsSchema = z
  .number("must be a number of cents")
  .int("must be whole cents")
  .positive("must be more than zero")
  .max(Number.MAX_SAFE_INTEGER, "is too large")
  .meta({ id: "Cents", description: "Euro cents as a whole number: 12,50 EUR is 1250.", example: 30000 });

/** Cents in an answer (may be zero). */
export const CentsAmountSchema = z.number().int().nonnegative().meta({ description: "Euro cents as a whole number." });

/** bigint cents → wire. AMOUNT_TOO_LARGE for an amount a JSON number cannot hold exactly (a sum of huge amounts). */
export function centsToWire(cents: bigint): number {
  if (cents > BigInt(Number.MAX_SAFE_INTEGER) || cents < 0n) {
    throw new DomainError("AMOUNT_TOO_LARGE", undefined, { cents: cents.toString() });
  }
  return Number(cents);
}

export const FundIdSchema = z.uuid("must be a fund id (a UUID)").meta({ example: "0b8f5f3e-7c1d-4a43-9b1e-5a7c3d2e1f00" });
export const FundParamsSchema = z.object({ id: FundIdSchema });

const IsoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date (YYYY-MM-DD)")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), "must be a date (YYYY-MM-DD)")
  .meta({ example: "2027-12-31" });

export const PayoutScheduleSchema = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("instant") }).strict(),
    z.object({ kind: z.literal("daily"), at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time (HH:MM)") }).strict(),
  ])
  .meta({ id: "PayoutSchedule" });

export const FundSchema = z
  .object({
    id: FundIdSchema,
    chainAddress: z.string(),
    name: z.string(),
    currency: z.string(),
    amountPerChildCents: CentsAmountSchema,
    /** The last day a budget can be spent. */
    budgetExpiry: z.string(),
    categories: z.array(z.string()),
    payoutSchedule: PayoutScheduleSchema,
    /** The zone the fund's days are counted and its dates shown in. */
    timeZone: z.string(),
    paused: z.boolean(),
    pausedReason: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "Fund" });
export type Fund = z.infer<typeof FundSchema>;

export const FundListSchema = z.object({ funds: z.array(FundSchema) }).meta({ id: "FundList" });
export type FundList = z.infer<typeof FundListSchema>;

// --- POST /api/funds
export const CreateFundRequestSchema = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
    currency: z.literal("EUR").optional(),
    amountPerChildCents: CentsSchema,
    budgetExpiry: IsoDateSchema,
    categories: z.array(z.string().trim().min(1).max(40)).max(32).optional(),
    payoutSchedule: PayoutScheduleSchema.optional(),
    timeZone: z.string().refine(isTimeZone, "must be a time zone such as Europe/Amsterdam").optional(),
  })
  .strict()
  .meta({ id: "CreateFundRequest" });
export type CreateFundRequest = z.input<typeof CreateFundRequestSchema>;

// --- POST /api/funds/:id/deposits
export const DepositRequestSchema = z
  .object({
    amountCents: CentsSchema,
    /** The bank's reference of the incoming transfer: recorded once only. */
    bankReference: z.string().trim().min(1, "must not be empty").max(140, "must be at most 140 characters"),
  })
  .strict()
  .meta({ id: "DepositRequest" });
export type DepositRequest = z.input<typeof DepositRequestSchema>;

export const DepositReceiptSchema = z
  .object({
    fundId: FundIdSchema,
    amountCents: CentsAmountSchema,
    bankRef: z.string(),
    txHash: z.string(),
    /** The sponsor's reserve in the fund after the deposit. */
    reserveCents: CentsAmountSchema,
  })
  .meta({ id: "DepositReceipt" });
export type DepositReceipt = z.infer<typeof DepositReceiptSchema>;

// --- POST /api/funds/:id/pause, /unpause
export const PauseRequestSchema = z
  .object({ reason: z.string().trim().min(1, "must not be empty").max(500, "must be at most 500 characters") })
  .strict()
  .meta({ id: "PauseRequest" });
export type PauseRequest = z.input<typeof PauseRequestSchema>;
