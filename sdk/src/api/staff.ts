// The staff API's wire format: request and response schemas of /api/staff/…, shared by the backend
// (which validates with them and generates its OpenAPI document from them), the staff app and the tests.
import { z } from "zod";
import { STAFF_LANGUAGES } from "../languages.ts";

export const STAFF_ROLES = ["admin", "validator", "merchant_manager", "finance", "auditor"] as const;
export const StaffRoleSchema = z.enum(STAFF_ROLES).meta({
  id: "StaffRole",
  description:
    "admin: manages staff users and settings; validator: families and budgets; merchant_manager: shops; " +
    "finance: deposits and payouts; auditor: reads everything, changes nothing.",
});
export type StaffRole = z.infer<typeof StaffRoleSchema>;

export const EmailSchema = z
  .string()
  .max(254, "must be at most 254 characters")
  .trim()
  .toLowerCase()
  .pipe(z.email("must be an email address"))
  .meta({ example: "jan@westerkwartier.nl" });

/** A new password: long rather than complicated (NIST SP 800-63B). */
export const NewPasswordSchema = z
  .string()
  .min(12, "must be at least 12 characters")
  .max(200, "must be at most 200 characters")
  .meta({ format: "password" });

export const StaffUserIdSchema = z.uuid("must be a staff user id (a UUID)").meta({ example: "6f1c0b9e-2f43-4c55-9a7e-0d7b3f1f2a10" });

const RoleListSchema = z
  .array(StaffRoleSchema)
  .min(1, "must hold at least one role")
  .max(STAFF_ROLES.length)
  .refine((roles) => new Set(roles).size === roles.length, "must not name a role twice");

export const StaffUserSchema = z
  .object({
    id: StaffUserIdSchema,
    email: z.string(),
    roles: z.array(StaffRoleSchema),
    disabled: z.boolean(),
    createdAt: z.iso.datetime(),
    /** Logs in with a second factor (TOTP). */
    totpEnabled: z.boolean(),
    /** Must set up the second factor before anything else (admin and finance, in production). */
    mustEnrolTotp: z.boolean(),
  })
  .meta({ id: "StaffUser" });
export type StaffUser = z.infer<typeof StaffUserSchema>;

// --- POST /api/staff/session
export const StaffLoginRequestSchema = z
  .object({
    email: EmailSchema,
    // Not NewPasswordSchema: an old password may follow older rules; only its length is capped.
    password: z.string().min(1, "must not be empty").max(200, "must be at most 200 characters"),
    /** The authenticator app's current code, for a user with a second factor (else 401 OTP_REQUIRED). */
    otp: z.string().regex(/^\d{6}$/, "must be 6 digits").optional(),
    /** The staff app's language: the user's staff mails are written in it from now on. */
    language: z.enum(STAFF_LANGUAGES).optional(),
  })
  .meta({ id: "StaffLoginRequest" });
export type StaffLoginRequest = z.input<typeof StaffLoginRequestSchema>;

export const StaffSessionSchema = z
  .object({
    user: StaffUserSchema,
    /** Send as the X-CSRF-Token header with every POST, PATCH, PUT and DELETE of this session. */
    csrfToken: z.string().meta({ description: "Send as the X-CSRF-Token header with every state-changing request." }),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: "StaffSession" });
export type StaffSession = z.infer<typeof StaffSessionSchema>;

// --- POST /api/staff/me/totp, then PUT /api/staff/me/totp
/** A new TOTP secret to put in an authenticator app; it counts once confirmed with a code. */
export const TotpEnrolmentSchema = z
  .object({ secret: z.string(), uri: z.string().meta({ description: "otpauth:// URI (as a QR for the app)" }) })
  .meta({ id: "TotpEnrolment" });
export type TotpEnrolment = z.infer<typeof TotpEnrolmentSchema>;

export const TotpConfirmRequestSchema = z
  .object({ code: z.string().regex(/^\d{6}$/, "must be 6 digits") })
  .strict()
  .meta({ id: "TotpConfirmRequest" });
export type TotpConfirmRequest = z.input<typeof TotpConfirmRequestSchema>;

// --- GET/POST /api/staff/users, PATCH /api/staff/users/:id
export const StaffUserListSchema = z.object({ users: z.array(StaffUserSchema) }).meta({ id: "StaffUserList" });
export type StaffUserList = z.infer<typeof StaffUserListSchema>;

export const CreateStaffUserRequestSchema = z
  .object({ email: EmailSchema, password: NewPasswordSchema, roles: RoleListSchema })
  .strict()
  .meta({ id: "CreateStaffUserRequest" });
export type CreateStaffUserRequest = z.input<typeof CreateStaffUserRequestSchema>;

export const UpdateStaffUserRequestSchema = z
  .object({ roles: RoleListSchema.optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((body) => body.roles !== undefined || body.disabled !== undefined, "must change roles or disabled")
  .meta({ id: "UpdateStaffUserRequest" });
export type UpdateStaffUserRequest = z.input<typeof UpdateStaffUserRequestSchema>;

export const StaffUserParamsSchema = z.object({ id: StaffUserIdSchema });

// --- PUT /api/staff/me/password, /api/merchant/me/password: a user changes their own password
export const ChangePasswordRequestSchema = z
  .object({
    currentPassword: z.string().min(1, "must not be empty").max(256, "must be at most 256 characters"),
    newPassword: NewPasswordSchema,
  })
  .strict()
  .meta({ id: "ChangePasswordRequest" });
export type ChangePasswordRequest = z.input<typeof ChangePasswordRequestSchema>;

// --- PUT /api/staff/users/:id/password, /api/merchants/:id/users/:userId/password: an administrator sets a new one
export const ResetPasswordRequestSchema = z.object({ newPassword: NewPasswordSchema }).strict().meta({ id: "ResetPasswordRequest" });
export type ResetPasswordRequest = z.input<typeof ResetPasswordRequestSchema>;
