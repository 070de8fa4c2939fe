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

// --- GET /api/family/children
export const HistoryEntrySchema = z
  .object({
    type: z.enum(["payment", "refund"]),
    paymentId: z.string(),
    merchant: z.string(),
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
    /** Payments and refunds, newest first. */
    history: z.array(HistoryEntrySchema),
  })
  .meta({ id: "ChildBudget" });
export type ChildBudget = z.infer<typeof ChildBudgetSchema>;

export const FamilyChildrenSchema = z.object({ children: z.array(ChildBudgetSchema) }).meta({ id: "FamilyChildren" });
export type FamilyChildren = z.infer<typeof FamilyChildrenSchema>;
