// The merchants API's wire format: a shop applies (public), staff approve / decline / suspend it and give it
// logins, and a shop user logs in (/api/merchant/session).
import { z } from "zod";
import { EmailSchema } from "./staff.ts";
import { FundIdSchema } from "./funds.ts";

export const MerchantIdSchema = z.uuid("must be a shop id (a UUID)").meta({ example: "3d6f0a2b-8c1e-4f5a-9b7d-2e4c6a8b0d1f" });
export const MerchantParamsSchema = z.object({ id: MerchantIdSchema });
export const MERCHANT_STATUSES = ["pending", "approved", "declined", "suspended"] as const;
export const MerchantStatusSchema = z.enum(MERCHANT_STATUSES).meta({ id: "MerchantStatus" });

const Text = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);

// --- POST /api/merchants/applications
export const MerchantApplicationRequestSchema = z
  .object({
    name: Text(200),
    /** Dutch Chamber of Commerce number: 8 digits. */
    kvkNumber: z.string().max(20, "must be at most 20 characters").regex(/^\s*(\d\s*){8}$/, "must be 8 digits"),
    /** Printed (with spaces) or electronic form. */
    iban: Text(50),
    bic: z.string().max(20).nullable().optional(),
    categories: z.array(Text(50)).min(1, "must hold at least one category").max(32, "must hold at most 32 categories"),
    address: Text(500),
    contactEmail: EmailSchema,
    /** The language the shop's mails are written in. Default nl. */
    language: z.enum(["nl", "en"]).optional(),
  })
  .strict()
  .meta({ id: "MerchantApplicationRequest" });
export type MerchantApplicationRequest = z.input<typeof MerchantApplicationRequestSchema>;

export const MerchantApplicationReceiptSchema = z
  .object({
    id: MerchantIdSchema,
    status: MerchantStatusSchema,
    createdAt: z.iso.datetime(),
    /** Shown once: keep it to follow the application (GET /api/merchants/applications/:id?token=…). */
    statusToken: z.string(),
  })
  .meta({ id: "MerchantApplicationReceipt" });
export type MerchantApplicationReceipt = z.infer<typeof MerchantApplicationReceiptSchema>;

export const MerchantFundLinkSchema = z
  .object({
    fundId: FundIdSchema,
    categoriesMask: z.number().int().nonnegative(),
    approvedAt: z.iso.datetime(),
    approveTxHash: z.string(),
    suspendedAt: z.iso.datetime().nullable(),
    /** The fund's clock (IANA name): the till shows its days and times on it. */
    timeZone: z.string(),
  })
  .meta({ id: "MerchantFundLink" });

export const MerchantSchema = z
  .object({
    id: MerchantIdSchema,
    name: z.string(),
    kvkNumber: z.string(),
    iban: z.string(),
    bic: z.string().nullable(),
    categories: z.array(z.string()),
    address: z.string(),
    contactEmail: z.string(),
    status: MerchantStatusSchema,
    declineReason: z.string().nullable(),
    suspendReason: z.string().nullable(),
    /** The address the fund contracts pay; assigned at the first approval. */
    chainAddress: z.string().nullable(),
    createdAt: z.iso.datetime(),
    funds: z.array(MerchantFundLinkSchema),
  })
  .meta({ id: "Merchant" });
export type Merchant = z.infer<typeof MerchantSchema>;

// --- GET /api/merchants
export const MerchantListQuerySchema = z.object({ status: MerchantStatusSchema.optional() }).strict();
export type MerchantListQuery = z.input<typeof MerchantListQuerySchema>;
export const MerchantListSchema = z.object({ merchants: z.array(MerchantSchema) }).meta({ id: "MerchantList" });
export type MerchantList = z.infer<typeof MerchantListSchema>;

// --- POST /api/merchants/:id/approve | decline | suspend
export const ApproveMerchantRequestSchema = z.object({ fundId: FundIdSchema }).strict().meta({ id: "ApproveMerchantRequest" });
export type ApproveMerchantRequest = z.input<typeof ApproveMerchantRequestSchema>;
export const MerchantReasonRequestSchema = z.object({ reason: Text(1000) }).strict().meta({ id: "MerchantReasonRequest" });
export type MerchantReasonRequest = z.input<typeof MerchantReasonRequestSchema>;

// --- POST /api/merchants/:id/users
export const CreateMerchantUserRequestSchema = z
  .object({
    email: EmailSchema,
    password: z.string().min(10, "must be at least 10 characters").max(256, "must be at most 256 characters").meta({ format: "password" }),
  })
  .strict()
  .meta({ id: "CreateMerchantUserRequest" });
export type CreateMerchantUserRequest = z.input<typeof CreateMerchantUserRequestSchema>;

export const MerchantUserSchema = z
  .object({ id: z.uuid(), merchantId: MerchantIdSchema, email: z.string(), createdAt: z.iso.datetime() })
  .meta({ id: "MerchantUser" });
export type MerchantUser = z.infer<typeof MerchantUserSchema>;

// --- POST /api/merchant/session
export const MerchantLoginRequestSchema = z
  .object({ email: EmailSchema, password: z.string().min(1, "must not be empty").max(256, "must be at most 256 characters") })
  .strict()
  .meta({ id: "MerchantLoginRequest" });
export type MerchantLoginRequest = z.input<typeof MerchantLoginRequestSchema>;

export const MerchantSessionSchema = z
  .object({
    user: MerchantUserSchema,
    /** Send as the X-CSRF-Token header with every state-changing request. */
    csrfToken: z.string(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: "MerchantSession" });
export type MerchantSession = z.infer<typeof MerchantSessionSchema>;

// --- GET /api/merchants/applications/:id?token=…: a shop follows its own application (no login)
export const ApplicationStatusQuerySchema = z.object({ token: z.string().min(1, "must not be empty").max(200) }).strict();
export const ApplicationStatusSchema = z
  .object({
    id: MerchantIdSchema,
    name: z.string(),
    status: MerchantStatusSchema,
    declineReason: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "ApplicationStatus" });
export type ApplicationStatus = z.infer<typeof ApplicationStatusSchema>;

// --- GET /api/merchant/me: the logged-in shop user, their shop, and the session (after a reload)
export const MerchantMeSchema = z
  .object({
    user: MerchantUserSchema,
    merchant: z
      .object({ id: MerchantIdSchema, name: z.string(), status: MerchantStatusSchema, categories: z.array(z.string()), funds: z.array(MerchantFundLinkSchema) })
      .meta({ id: "OwnMerchant" }),
    csrfToken: z.string(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: "MerchantMe" });
export type MerchantMe = z.infer<typeof MerchantMeSchema>;

// --- GET/POST /api/merchant/users: a shop's own logins
export const MerchantUserListSchema = z.object({ users: z.array(MerchantUserSchema) }).meta({ id: "MerchantUserList" });
export type MerchantUserList = z.infer<typeof MerchantUserListSchema>;

// --- PUT /api/merchants/:id/users/:userId/password
export const MerchantUserParamsSchema = MerchantParamsSchema.extend({ userId: z.uuid("must be a user id (a UUID)") });
