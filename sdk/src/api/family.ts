// The family app's wire format: activation (code + the phone's public address) and the children's budgets.
import { z } from "zod";
import { BudgetIdSchema, ChildIdSchema, FamilyIdSchema } from "./eligibility.ts";
import { CentsAmountSchema } from "./funds.ts";

export const AddressSchema = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be an account address (0x and 40 hex digits)");

// --- POST /api/family/activation
export const ActivationRequestSchema = z
  .object({
    /** As on the letter; case, spaces and dashes do not matter. */
    code: z.string().min(1, "must not be empty").max(64, "must be at most 64 characters"),
    /** The public address of the key the app generated on the phone. */
    holderAddress: AddressSchema,
  })
  .strict()
  .meta({ id: "ActivationRequest" });
export type ActivationRequest = z.input<typeof ActivationRequestSchema>;

export const FamilySessionSchema = z
  .object({
    familyId: FamilyIdSchema,
    holderAddress: AddressSchema,
    budgetIds: z.array(BudgetIdSchema),
    /** Send as the X-CSRF-Token header with every state-changing request. */
    csrfToken: z.string(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: "FamilySession" });
export type FamilySession = z.infer<typeof FamilySessionSchema>;

// --- POST /api/family/challenge, then POST /api/family/session/key
// A family that lost its session (not its phone) logs in again with the device key: it asks for a
// challenge and signs `familyLoginMessage(challenge)` (EIP-191 personal message). The letter's code
// works only once.
export const FamilyChallengeRequestSchema = z.object({ holderAddress: AddressSchema }).strict().meta({ id: "FamilyChallengeRequest" });
export type FamilyChallengeRequest = z.input<typeof FamilyChallengeRequestSchema>;

export const FamilyChallengeSchema = z
  .object({ challenge: z.string(), expiresAt: z.iso.datetime() })
  .meta({ id: "FamilyChallenge" });
export type FamilyChallenge = z.infer<typeof FamilyChallengeSchema>;

export const FamilyKeyLoginRequestSchema = z
  .object({
    holderAddress: AddressSchema,
    challenge: z.string().min(1).max(200),
    /** 65-byte signature (0x + 130 hex) of familyLoginMessage(challenge) by the device key. */
    signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "must be a 65-byte signature"),
  })
  .strict()
  .meta({ id: "FamilyKeyLoginRequest" });
export type FamilyKeyLoginRequest = z.input<typeof FamilyKeyLoginRequestSchema>;

/** The text the device key signs to log in: says what it is for, so it is never mistaken for a payment. */
export function familyLoginMessage(challenge: string): string {
  return `Tegoed: log in on this phone\n${challenge}`;
}

// --- GET /api/family/children
export const HistoryEntrySchema = z
  .object({
    type: z.enum(["payment", "refund"]),
    paymentId: z.string(),
    /** The shop's chain address. */
    merchant: z.string(),
    /** The shop's name; null when unknown to this backend. */
    merchantName: z.string().nullable(),
    amountCents: CentsAmountSchema,
    at: z.iso.datetime(),
    txHash: z.string(),
  })
  .meta({ id: "HistoryEntry" });

export const ChildBudgetSchema = z
  .object({
    childId: ChildIdSchema,
    firstName: z.string(),
    birthYear: z.number().int(),
    budgetId: BudgetIdSchema,
    status: z.enum(["pending", "issued", "frozen"]),
    /** From the chain; null while the budget is pending. */
    balanceCents: CentsAmountSchema.nullable(),
    spentCents: CentsAmountSchema.nullable(),
    expiresAt: z.iso.datetime().nullable(),
    frozen: z.boolean(),
    activated: z.boolean(),
    /** The nonce the next payment permit must carry (from the chain); null while pending. */
    nonce: z.number().int().nonnegative().nullable(),
    /** What the phone needs to sign a permit (EIP-712 domain) and build the payment QR. */
    fund: z
      .object({
        id: z.uuid(),
        name: z.string(),
        chainAddress: AddressSchema,
        chainId: z.number().int().positive(),
        /** The fund's index in the factory: the QR carries it instead of the address. */
        index: z.number().int().nonnegative(),
        /** The zone the fund's dates and times are shown in. */
        timeZone: z.string(),
      })
      .meta({ id: "ChildFund" }),
    /** Payments and refunds, newest first. */
    history: z.array(HistoryEntrySchema),
  })
  .meta({ id: "ChildBudget" });
export type ChildBudget = z.infer<typeof ChildBudgetSchema>;

export const FamilyChildrenSchema = z.object({ children: z.array(ChildBudgetSchema) }).meta({ id: "FamilyChildren" });
export type FamilyChildren = z.infer<typeof FamilyChildrenSchema>;

// --- GET /api/public/merchants: the shops where a budget can be spent (no login)
export const ParticipatingMerchantsQuerySchema = z.object({ fundId: z.uuid("must be a fund id (a UUID)").optional() }).strict();
export type ParticipatingMerchantsQuery = z.input<typeof ParticipatingMerchantsQuerySchema>;

export const ParticipatingMerchantSchema = z
  .object({ id: z.uuid(), name: z.string(), categories: z.array(z.string()), address: z.string() })
  .meta({ id: "ParticipatingMerchant" });
export type ParticipatingMerchant = z.infer<typeof ParticipatingMerchantSchema>;

export const ParticipatingMerchantsSchema = z
  .object({ merchants: z.array(ParticipatingMerchantSchema) })
  .meta({ id: "ParticipatingMerchants" });
export type ParticipatingMerchants = z.infer<typeof ParticipatingMerchantsSchema>;
