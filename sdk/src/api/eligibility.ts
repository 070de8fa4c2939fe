// The eligibility API's wire format: families and children of a fund (CSV import, one by hand,
// approval), their budgets (issue, top up, freeze) and activation letters. Money as in funds.ts.
import { z } from "zod";
import { FAMILY_LANGUAGES } from "../languages.ts";
import { CentsAmountSchema, CentsSchema, FundIdSchema } from "./funds.ts";

export const FamilyIdSchema = z.uuid("must be a family id (a UUID)").meta({ example: "3d0f6a8e-1b2c-4d5e-8f90-a1b2c3d4e5f6" });
export const ChildIdSchema = z.uuid("must be a child id (a UUID)");
export const FamilyParamsSchema = z.object({ id: FamilyIdSchema });

export const BudgetIdSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "must be a budget id (0x and 64 hex digits)")
  .meta({ example: "0x6c2b1f0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa9988" });
export const BudgetParamsSchema = z.object({ budgetId: BudgetIdSchema });

const Reason = z.string().trim().min(1, "must not be empty").max(500, "must be at most 500 characters");

// --- POST /api/funds/:id/families/import
export const ImportFamiliesRequestSchema = z
  .object({
    /** The file's text: one row per child; see the columns in the description. */
    csv: z.string().min(1, "must not be empty"),
    /** all-or-nothing (default): one rejected row stops the import; valid-rows: import the valid families. */
    mode: z.enum(["all-or-nothing", "valid-rows"]).optional(),
  })
  .strict()
  .meta({ id: "ImportFamiliesRequest" });
export type ImportFamiliesRequest = z.input<typeof ImportFamiliesRequestSchema>;

/** Why a row was rejected, for the apps' own words (their `params` fill them in); `reason` says it in English. */
export const REJECTION_CODES = [
  "empty", "tooLong", "postalCode", "language", "notYear", "yearBefore", "yearAfter", "columns",
  "importedBefore", "differs", "sameChild", "familyRejected", "invalid",
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export const RejectedRowSchema = z
  .object({
    row: z.number().int(), field: z.string(), reason: z.string(),
    code: z.enum(REJECTION_CODES), params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  })
  .meta({ id: "RejectedRow", description: "The row number as a spreadsheet shows it (header = row 1)." });

export const ImportReportSchema = z
  .object({
    committed: z.boolean(),
    /** Children imported. */
    accepted: z.number().int().nonnegative(),
    families: z.number().int().nonnegative(),
    rejected: z.array(RejectedRowSchema),
  })
  .meta({ id: "ImportReport" });
export type ImportReport = z.infer<typeof ImportReportSchema>;

// --- POST /api/funds/:id/families
export const AddFamilyRequestSchema = z
  .object({
    externalRef: z.string().trim().min(1).max(64).optional(),
    displayName: z.string().trim().min(1, "must not be empty").max(200),
    addressLines: z.array(z.string().trim().min(1).max(200)).min(1, "must hold at least one line").max(5),
    preferredLanguage: z.enum(FAMILY_LANGUAGES).optional(),
    children: z
      .array(z.object({ firstName: z.string().trim().min(1).max(100), birthYear: z.number().int().min(1900).max(9999) }).strict())
      .min(1, "must hold at least one child")
      .max(20),
  })
  .strict()
  .meta({ id: "AddFamilyRequest" });
export type AddFamilyRequest = z.input<typeof AddFamilyRequestSchema>;

export const FamilySchema = z
  .object({
    id: FamilyIdSchema,
    fundId: FundIdSchema,
    displayName: z.string().nullable(),
    addressLines: z.array(z.string()).nullable(),
    /** The language of the family's letters and emails. */
    preferredLanguage: z.enum(FAMILY_LANGUAGES),
    approvedAt: z.iso.datetime().nullable(),
    activatedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    children: z.array(z.object({ id: ChildIdSchema, firstName: z.string(), birthYear: z.number().int() })),
  })
  .meta({ id: "Family" });
export type Family = z.infer<typeof FamilySchema>;

// --- POST /api/funds/:id/families/approve
export const ApproveFamiliesRequestSchema = z
  .object({
    /** Absent: every family of the fund not yet approved. */
    familyIds: z.array(FamilyIdSchema).min(1).max(100_000).optional(),
  })
  .strict()
  .meta({ id: "ApproveFamiliesRequest" });
export type ApproveFamiliesRequest = z.input<typeof ApproveFamiliesRequestSchema>;

export const ApprovedFamiliesSchema = z.object({ approved: z.array(FamilyIdSchema) }).meta({ id: "ApprovedFamilies" });
export type ApprovedFamilies = z.infer<typeof ApprovedFamiliesSchema>;

// --- POST /api/funds/:id/budgets/issue
export const IssueReportSchema = z
  .object({
    issued: z.number().int().nonnegative(),
    reconciled: z.number().int().nonnegative(),
    amountPerChildCents: CentsAmountSchema,
    totalCents: CentsAmountSchema,
    txHashes: z.array(z.string()),
  })
  .meta({ id: "IssueReport" });
export type IssueReport = z.infer<typeof IssueReportSchema>;

// --- POST /api/funds/:id/top-ups/preview, /top-ups
export const TopUpRequestSchema = z
  .object({
    /** Every issued budget of the fund, or the budgets of these children. */
    target: z.union([
      z.object({ all: z.literal(true) }).strict(),
      z.object({ childIds: z.array(ChildIdSchema).min(1).max(100_000) }).strict(),
    ]),
    amountCents: CentsSchema,
  })
  .strict()
  .meta({ id: "TopUpRequest" });
export type TopUpRequest = z.input<typeof TopUpRequestSchema>;

export const TopUpSummarySchema = z
  .object({ budgets: z.number().int().nonnegative(), amountCents: CentsAmountSchema, totalCents: CentsAmountSchema })
  .meta({ id: "TopUpSummary" });
export type TopUpSummary = z.infer<typeof TopUpSummarySchema>;

export const TopUpReceiptSchema = TopUpSummarySchema.extend({ txHashes: z.array(z.string()) }).meta({ id: "TopUpReceipt" });
export type TopUpReceipt = z.infer<typeof TopUpReceiptSchema>;

// --- POST /api/budgets/:budgetId/freeze, /unfreeze
export const FreezeRequestSchema = z.object({ reason: Reason }).strict().meta({ id: "FreezeRequest" });
export type FreezeRequest = z.input<typeof FreezeRequestSchema>;

export const BudgetSchema = z
  .object({
    budgetId: BudgetIdSchema,
    fundId: FundIdSchema,
    childId: ChildIdSchema.nullable(),
    issuedCents: CentsAmountSchema,
    holderAddress: z.string().nullable(),
    status: z.enum(["pending", "issued", "frozen"]),
  })
  .meta({ id: "Budget" });
export type Budget = z.infer<typeof BudgetSchema>;

// --- POST /api/families/:id/letters, /letters/new-code, /reissue
export const ActivationLetterSchema = z
  .object({
    familyId: FamilyIdSchema,
    kind: z.enum(["activation", "reissue"]),
    /** As printed ("ABCD-EFGH-JKMN"): the same each time the letter is opened; never stored. */
    code: z.string(),
    /** The last moment the code works: the end of the printed day in Amsterdam. */
    expiresAt: z.iso.datetime(),
    language: z.enum(FAMILY_LANGUAGES),
    /** True when this request made the code (the family's first, or a new one replacing the last). */
    made: z.boolean(),
    /** The printable letter, a whole HTML page. */
    html: z.string(),
  })
  .meta({ id: "ActivationLetter" });
export type ActivationLetter = z.infer<typeof ActivationLetterSchema>;

// --- POST /api/funds/:id/letters
export const FundLettersSchema = z
  .object({
    /** One per approved family not yet activated: its code, made only when it had none. */
    letters: z.array(ActivationLetterSchema.omit({ html: true })),
    /** Families whose code cannot be shown again (LETTER_CODE_UNAVAILABLE): give them a new code one by one. */
    unavailable: z.array(FamilyIdSchema),
    /** Every letter in one printable page, one family per sheet. */
    html: z.string(),
  })
  .meta({ id: "FundLetters" });
export type FundLetters = z.infer<typeof FundLettersSchema>;

// --- DELETE /api/families/:id
export const DeleteFamilyRequestSchema = z.object({ reason: Reason }).strict().meta({ id: "DeleteFamilyRequest" });
export type DeleteFamilyRequest = z.input<typeof DeleteFamilyRequestSchema>;

export const FamilyDeletionSchema = z
  .object({
    familyId: FamilyIdSchema,
    childrenDeleted: z.number().int().nonnegative(),
    budgetsAnonymised: z.number().int().nonnegative(),
    activationCodesDeleted: z.number().int().nonnegative(),
    sessionsDeleted: z.number().int().nonnegative(),
    applicationsDeleted: z.number().int().nonnegative(),
  })
  .meta({ id: "FamilyDeletion" });
export type FamilyDeletion = z.infer<typeof FamilyDeletionSchema>;

// --- GET /api/funds/:id/families?q=…: find a family or child to help or intervene (staff)
export const FamilySearchQuerySchema = z
  .object({
    /** Part of the parent's name or a child's first name, or the municipality's own reference (exact). */
    q: z.string().trim().max(100, "must be at most 100 characters").optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();
export type FamilySearchQuery = z.input<typeof FamilySearchQuerySchema>;

export const FamilyOverviewSchema = z
  .object({
    id: FamilyIdSchema,
    fundId: FundIdSchema,
    externalRef: z.string().nullable(),
    displayName: z.string().nullable(),
    approvedAt: z.iso.datetime().nullable(),
    activatedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    children: z.array(
      z.object({
        id: ChildIdSchema,
        firstName: z.string(),
        birthYear: z.number().int(),
        /** Null before budgets are issued for the family. */
        budget: z.object({
          budgetId: BudgetIdSchema, status: z.enum(["pending", "issued", "frozen"]), issuedCents: CentsAmountSchema,
          /** Issued and topped up, less payments, plus refunds: as far as the indexer has read the chain. */
          leftCents: CentsAmountSchema,
        }).nullable(),
      }),
    ),
  })
  .meta({ id: "FamilyOverview" });
export type FamilyOverview = z.infer<typeof FamilyOverviewSchema>;

export const FamilySearchResultSchema = z
  .object({ families: z.array(FamilyOverviewSchema), total: z.number().int().nonnegative() })
  .meta({ id: "FamilySearchResult" });
export type FamilySearchResult = z.infer<typeof FamilySearchResultSchema>;
