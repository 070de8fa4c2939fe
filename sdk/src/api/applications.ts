// Families apply for a fund: the applicant's login (OpenID Connect or a code by email), the fund's
// criteria and requested documents, the pre-check, the application itself, its review by staff, and the
// activation right after approval. `applicationsApi(client)` gives the typed calls on the one ApiClient.
import { z } from "zod";
import type { ApiClient } from "./client.ts";
import { AddressSchema, FamilySessionSchema, type FamilySession } from "./family.ts";
import { FamilyIdSchema } from "./eligibility.ts";
import { FundIdSchema } from "./funds.ts";
import { FAMILY_LANGUAGES } from "../languages.ts";

const DateSchema = z.iso.date("must be a date (YYYY-MM-DD)");
const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);
const KeySchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "must be lower-case letters, digits and dashes (at most 40)");

export const ApplicationIdSchema = z.uuid("must be an application id (a UUID)");
export const ApplicationParamsSchema = z.object({ id: ApplicationIdSchema });

// --- criteria and documents, as staff configure them per fund
const CriterionBase = { id: KeySchema, label: text(200), explanation: z.string().trim().max(1000).default("") };

export const CriterionSchema = z
  .discriminatedUnion("kind", [
    /** Passes when the answer is `expected`. */
    z.object({ ...CriterionBase, kind: z.literal("yes-no"), expected: z.boolean() }),
    /** A whole number (e.g. income in euros); passes within min..max. */
    z.object({ ...CriterionBase, kind: z.literal("number"), min: z.number().int().optional(), max: z.number().int().optional(), unit: z.string().max(20).default("") }),
    /** A date; passes within from..to. `children`: asked of each child (its date of birth), not answered. */
    z.object({ ...CriterionBase, kind: z.literal("date"), from: DateSchema.optional(), to: DateSchema.optional(), children: z.boolean().default(false) }),
    /** One of `options`; passes when the choice is among `accepted`. */
    z.object({
      ...CriterionBase, kind: z.literal("choice"),
      options: z.array(z.object({ value: KeySchema, label: text(200) })).min(2).max(20),
      accepted: z.array(KeySchema).min(1),
    }),
  ])
  .meta({ id: "Criterion" });
export type Criterion = z.output<typeof CriterionSchema>;
export type CriterionInput = z.input<typeof CriterionSchema>;

export const RequestedDocumentSchema = z
  .object({ key: KeySchema, label: text(200), explanation: z.string().trim().max(1000).default(""), required: z.boolean().default(true) })
  .meta({ id: "RequestedDocument" });
export type RequestedDocument = z.output<typeof RequestedDocumentSchema>;

export const ApplicationSettingsSchema = z
  .object({
    /** Families may apply. */
    open: z.boolean(),
    /** An approval needs a second validator. */
    fourEyes: z.boolean(),
    /** Days a decided application and its documents are kept. */
    retentionDays: z.number().int().min(1).max(3650),
    consentText: z.string().trim().max(4000),
    criteria: z.array(CriterionSchema).max(30),
    documents: z.array(RequestedDocumentSchema).max(10),
    /** The fund needs the applicant's BSN: taken from the identity provider's login, stored encrypted. */
    bsnRequired: z.boolean().default(false),
  })
  .meta({ id: "ApplicationSettings" });
export type ApplicationSettings = z.output<typeof ApplicationSettingsSchema>;
export type ApplicationSettingsInput = z.input<typeof ApplicationSettingsSchema>;

/** A fund open for applications, as a family sees it. */
export const OpenFundSchema = z
  .object({ fundId: FundIdSchema, name: z.string(), consentText: z.string(), criteria: z.array(CriterionSchema), documents: z.array(RequestedDocumentSchema) })
  .meta({ id: "OpenFund" });
export type OpenFund = z.output<typeof OpenFundSchema>;
export const OpenFundListSchema = z.object({ funds: z.array(OpenFundSchema) }).meta({ id: "OpenFundList" });
export type OpenFundList = z.output<typeof OpenFundListSchema>;

// --- answers and the pre-check
export const AnswerSchema = z.union([z.boolean(), z.number().int(), z.string().max(40)]);
export const AnswersSchema = z.record(KeySchema, AnswerSchema);
export type Answers = z.output<typeof AnswersSchema>;

export const PrecheckRequestSchema = z
  .object({ answers: AnswersSchema, childBirthDates: z.array(DateSchema).max(20).default([]) })
  .strict()
  .meta({ id: "PrecheckRequest" });
export type PrecheckRequest = z.input<typeof PrecheckRequestSchema>;

export const CriterionResultSchema = z
  .object({
    criterionId: z.string(),
    /** null: not answered yet. */
    passes: z.boolean().nullable(),
  })
  .meta({ id: "CriterionResult" });
export type CriterionResult = z.output<typeof CriterionResultSchema>;

export const PrecheckResultSchema = z
  .object({
    /** likely: every answer meets its criterion; unlikely: one fails; incomplete: some are not answered. */
    outcome: z.enum(["likely", "unlikely", "incomplete"]),
    results: z.array(CriterionResultSchema),
  })
  .meta({ id: "PrecheckResult" });
export type PrecheckResult = z.output<typeof PrecheckResultSchema>;

// --- the application
export const HouseholdSchema = z
  .object({
    parentName: text(200),
    addressLine1: text(200),
    addressLine2: z.string().trim().max(200).default(""),
    postalCode: z.string().trim().toUpperCase().regex(/^[1-9][0-9]{3} ?[A-Z]{2}$/, "must be a Dutch postal code (1234 AB)")
      .transform((s) => `${s.slice(0, 4)} ${s.slice(-2)}`),
    city: text(100),
    /** The language the form was filled in: the family's letters and emails follow it. */
    language: z.enum(FAMILY_LANGUAGES).default("nl"),
    /** Where the family hears of its application (received, questions, decision); optional. */
    email: z.union([z.literal(""), z.email("must be an email address").max(254)]).optional()
      .transform((s) => (s ? s.trim().toLowerCase() : undefined)),
  })
  .strict()
  .meta({ id: "Household" });
export type Household = z.output<typeof HouseholdSchema>;
/** The household as the API answers it (already normalised). */
export const HouseholdViewSchema = z
  .object({ parentName: z.string(), addressLine1: z.string(), addressLine2: z.string(), postalCode: z.string(), city: z.string(), language: z.enum(FAMILY_LANGUAGES), email: z.string().optional() })
  .meta({ id: "HouseholdView" });

export const ApplicationChildSchema = z.object({ firstName: text(100), birthDate: DateSchema }).strict().meta({ id: "ApplicationChild" });
export type ApplicationChild = z.output<typeof ApplicationChildSchema>;

export const ApplicationDraftRequestSchema = z
  .object({
    fundId: FundIdSchema,
    household: HouseholdSchema,
    children: z.array(ApplicationChildSchema).min(1, "must name at least one child").max(20),
    answers: AnswersSchema.default({}),
  })
  .strict()
  .meta({ id: "ApplicationDraftRequest" });
export type ApplicationDraftRequest = z.input<typeof ApplicationDraftRequestSchema>;
export const ApplicationUpdateRequestSchema = ApplicationDraftRequestSchema.omit({ fundId: true }).meta({ id: "ApplicationUpdateRequest" });
export type ApplicationUpdateRequest = z.input<typeof ApplicationUpdateRequestSchema>;

/** Largest document accepted, in bytes. */
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;
export const DOCUMENT_TYPES = ["application/pdf", "image/jpeg", "image/png"] as const;

export const DocumentUploadRequestSchema = z
  .object({
    documentKey: KeySchema,
    /** The file's name on the phone (only its extension is compared with the content). */
    fileName: z.string().trim().min(1).max(200),
    /** The file, base64. */
    contentBase64: z.string().min(1).max(Math.ceil((MAX_DOCUMENT_BYTES * 4) / 3) + 8, "is larger than 5 MB"),
  })
  .strict()
  .meta({ id: "DocumentUploadRequest" });
export type DocumentUploadRequest = z.input<typeof DocumentUploadRequestSchema>;

export const ApplicationDocumentSchema = z
  .object({ id: z.uuid(), documentKey: z.string(), contentType: z.enum(DOCUMENT_TYPES), sizeBytes: z.number().int(), uploadedAt: z.iso.datetime() })
  .meta({ id: "ApplicationDocument" });
export type ApplicationDocument = z.output<typeof ApplicationDocumentSchema>;

export const ApplicationMessageSchema = z
  .object({ id: z.uuid(), author: z.enum(["staff", "applicant"]), body: z.string(), at: z.iso.datetime() })
  .meta({ id: "ApplicationMessage" });
export type ApplicationMessage = z.output<typeof ApplicationMessageSchema>;

export const FUND_APPLICATION_STATUSES = ["draft", "submitted", "questions", "awaiting_second", "approved", "declined"] as const;
export const FundApplicationStatusSchema = z.enum(FUND_APPLICATION_STATUSES);
export type FundApplicationStatus = z.output<typeof FundApplicationStatusSchema>;

/** An application as the family sees it. */
export const FundApplicationSchema = z
  .object({
    id: ApplicationIdSchema,
    fundId: FundIdSchema,
    fundName: z.string(),
    /** awaiting_second shows as submitted to the family. */
    status: FundApplicationStatusSchema,
    household: HouseholdViewSchema,
    children: z.array(ApplicationChildSchema),
    answers: AnswersSchema,
    documents: z.array(ApplicationDocumentSchema),
    messages: z.array(ApplicationMessageSchema),
    declineReason: z.string().nullable(),
    submittedAt: z.iso.datetime().nullable(),
    decidedAt: z.iso.datetime().nullable(),
    /** Approved and the wallet not activated yet: the app may activate now. */
    canActivate: z.boolean(),
  })
  .meta({ id: "FundApplication" });
export type FundApplication = z.output<typeof FundApplicationSchema>;
export const FundApplicationListSchema = z.object({ applications: z.array(FundApplicationSchema) }).meta({ id: "FundApplicationList" });
export type FundApplicationList = z.output<typeof FundApplicationListSchema>;

export const SubmitApplicationRequestSchema = z
  .object({ consent: z.literal(true, "the consent must be given") })
  .strict()
  .meta({ id: "SubmitApplicationRequest" });
export type SubmitApplicationRequest = z.input<typeof SubmitApplicationRequestSchema>;

export const ApplicationMessageRequestSchema = z.object({ body: text(2000) }).strict().meta({ id: "ApplicationMessageRequest" });
export type ApplicationMessageRequest = z.input<typeof ApplicationMessageRequestSchema>;
export const DeclineApplicationRequestSchema = z.object({ reason: text(1000) }).strict().meta({ id: "DeclineApplicationRequest" });
export type DeclineApplicationRequest = z.input<typeof DeclineApplicationRequestSchema>;

export const ActivateApplicantRequestSchema = z.object({ holderAddress: AddressSchema }).strict().meta({ id: "ActivateApplicantRequest" });
export type ActivateApplicantRequest = z.input<typeof ActivateApplicantRequestSchema>;

// --- staff: the queue and the review
export const ApplicationQueueQuerySchema = z
  .object({ status: FundApplicationStatusSchema.optional(), limit: z.coerce.number().int().min(1).max(200).default(50), offset: z.coerce.number().int().min(0).default(0) })
  .strict();
export type ApplicationQueueQuery = z.input<typeof ApplicationQueueQuerySchema>;

export const ApplicationQueueItemSchema = z
  .object({
    id: ApplicationIdSchema, status: FundApplicationStatusSchema, parentName: z.string(), children: z.number().int(),
    submittedAt: z.iso.datetime().nullable(), failingCriteria: z.number().int(), openQuestion: z.boolean(),
  })
  .meta({ id: "ApplicationQueueItem" });
export const ApplicationQueueSchema = z
  .object({ applications: z.array(ApplicationQueueItemSchema), total: z.number().int() })
  .meta({ id: "ApplicationQueue" });
export type ApplicationQueue = z.output<typeof ApplicationQueueSchema>;

export const ApplicationReviewSchema = FundApplicationSchema.extend({
  criteria: z.array(CriterionSchema),
  requestedDocuments: z.array(RequestedDocumentSchema),
  results: z.array(CriterionResultSchema),
  /** A family of the fund that looks like this one (same postal code and a child of the same name and year). */
  knownFamilyId: FamilyIdSchema.nullable(),
  familyId: FamilyIdSchema.nullable(),
  fourEyes: z.boolean(),
  firstApprovedBy: z.uuid().nullable(),
  /** A BSN is stored with the application (shown only on request, see `bsn`). */
  hasBsn: z.boolean(),
}).meta({ id: "ApplicationReview" });
export type ApplicationReview = z.output<typeof ApplicationReviewSchema>;

/** The applicant's BSN, for a validator who asked to see it (the request is in the audit log). */
export const ApplicationBsnSchema = z.object({ bsn: z.string().regex(/^\d{9}$/) }).meta({ id: "ApplicationBsn" });
export type ApplicationBsn = z.output<typeof ApplicationBsnSchema>;

// --- the applicant's login
export const LoginOptionsSchema = z
  .object({ oidc: z.boolean(), email: z.boolean(), oidcLabel: z.string() })
  .meta({ id: "ApplicantLoginOptions" });
export type LoginOptions = z.output<typeof LoginOptionsSchema>;

export const EmailCodeRequestSchema = z
  .object({ email: z.email("must be an email address").max(254), language: z.enum(FAMILY_LANGUAGES).default("nl") })
  .strict()
  .meta({ id: "EmailCodeRequest" });
export type EmailCodeRequest = z.input<typeof EmailCodeRequestSchema>;
export const EmailLoginRequestSchema = z
  .object({ email: z.email("must be an email address").max(254), code: z.string().trim().regex(/^\d{6}$/, "must be the 6 digits from the email") })
  .strict()
  .meta({ id: "EmailLoginRequest" });
export type EmailLoginRequest = z.input<typeof EmailLoginRequestSchema>;

export const ApplicantSessionSchema = z
  .object({ applicantId: z.uuid(), method: z.enum(["oidc", "email"]), csrfToken: z.string(), expiresAt: z.iso.datetime() })
  .meta({ id: "ApplicantSession" });
export type ApplicantSession = z.output<typeof ApplicantSessionSchema>;

/** The typed calls of this feature on a client (the applicant's session keeps its CSRF token in it). */
export function applicationsApi(client: ApiClient) {
  const keep = (session: ApplicantSession) => {
    client.csrfToken = session.csrfToken;
    return session;
  };
  const q = (query: Record<string, unknown> = {}) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const s = params.toString();
    return s ? `?${s}` : "";
  };
  return {
    loginOptions: () => client.request("GET", "/api/applicant/login-options", { schema: LoginOptionsSchema }),
    requestEmailCode: (body: EmailCodeRequest) => client.request<void>("POST", "/api/applicant/email/code", { body }),
    emailLogin: async (body: EmailLoginRequest) => keep(await client.request("POST", "/api/applicant/email/login", { body, schema: ApplicantSessionSchema })),
    session: async () => keep(await client.request("GET", "/api/applicant/session", { schema: ApplicantSessionSchema })),
    logout: () => client.request<void>("DELETE", "/api/applicant/session"),
    openFunds: () => client.request("GET", "/api/apply/funds", { schema: OpenFundListSchema }),
    precheck: (fundId: string, body: PrecheckRequest) => client.request("POST", `/api/apply/funds/${fundId}/precheck`, { body, schema: PrecheckResultSchema }),
    mine: () => client.request("GET", "/api/applicant/applications", { schema: FundApplicationListSchema }),
    get: (id: string) => client.request("GET", `/api/applicant/applications/${id}`, { schema: FundApplicationSchema }),
    create: (body: ApplicationDraftRequest) => client.request("POST", "/api/applicant/applications", { body, schema: FundApplicationSchema }),
    update: (id: string, body: ApplicationUpdateRequest) => client.request("PUT", `/api/applicant/applications/${id}`, { body, schema: FundApplicationSchema }),
    upload: (id: string, body: DocumentUploadRequest) => client.request("POST", `/api/applicant/applications/${id}/documents`, { body, schema: ApplicationDocumentSchema }),
    removeDocument: (id: string, documentId: string) => client.request<void>("DELETE", `/api/applicant/applications/${id}/documents/${documentId}`),
    submit: (id: string, body: SubmitApplicationRequest) => client.request("POST", `/api/applicant/applications/${id}/submit`, { body, schema: FundApplicationSchema }),
    reply: (id: string, body: ApplicationMessageRequest) => client.request("POST", `/api/applicant/applications/${id}/replies`, { body, schema: FundApplicationSchema }),
    /** Binds the phone's key to the new budgets and starts the family's session (keeps its CSRF token). */
    activate: async (id: string, body: ActivateApplicantRequest): Promise<FamilySession> => {
      const session = await client.request("POST", `/api/applicant/applications/${id}/activation`, { body, schema: FamilySessionSchema });
      client.csrfToken = session.csrfToken;
      return session;
    },
    staff: {
      settings: (fundId: string) => client.request("GET", `/api/funds/${fundId}/application-settings`, { schema: ApplicationSettingsSchema }),
      saveSettings: (fundId: string, body: ApplicationSettingsInput) =>
        client.request("PUT", `/api/funds/${fundId}/application-settings`, { body, schema: ApplicationSettingsSchema }),
      queue: (fundId: string, query?: ApplicationQueueQuery) =>
        client.request("GET", `/api/funds/${fundId}/applications${q(query)}`, { schema: ApplicationQueueSchema }),
      review: (id: string) => client.request("GET", `/api/applications/${id}`, { schema: ApplicationReviewSchema }),
      ask: (id: string, body: ApplicationMessageRequest) => client.request("POST", `/api/applications/${id}/questions`, { body, schema: ApplicationReviewSchema }),
      approve: (id: string) => client.request("POST", `/api/applications/${id}/approve`, { schema: ApplicationReviewSchema }),
      decline: (id: string, body: DeclineApplicationRequest) => client.request("POST", `/api/applications/${id}/decline`, { body, schema: ApplicationReviewSchema }),
      /** Shows the stored BSN (validators only; audit-logged). */
      bsn: (id: string) => client.request("POST", `/api/applications/${id}/bsn`, { schema: ApplicationBsnSchema }),
      /** The path of a document to show inline (same-origin, with the staff session's cookie). */
      documentPath: (id: string, documentId: string) => `/api/applications/${id}/documents/${documentId}`,
    },
  };
}
export type ApplicationsApi = ReturnType<typeof applicationsApi>;
