// /api/staff/…: staff login and logout, and the admin's management of staff users.
// The route parses (with the sdk's schemas), the staff service decides.
import {
  ChangePasswordRequestSchema,
  ResetPasswordRequestSchema,
  CreateStaffUserRequestSchema,
  StaffLoginRequestSchema,
  StaffSessionSchema,
  StaffUserListSchema,
  StaffUserParamsSchema,
  StaffUserSchema,
  TotpConfirmRequestSchema,
  TotpEnrolmentSchema,
  UpdateStaffUserRequestSchema,
  type StaffSession,
  type StaffUser as StaffUserBody,
} from "@tegoed/sdk";
import type { StaffService, StaffUser } from "../domain/staff/index.ts";
import type { Auth } from "./auth.ts";
import type { Api } from "./validate.ts";

export interface StaffRouteDeps {
  staff: StaffService;
  auth: Auth;
}

export function toStaffUserBody(user: StaffUser): StaffUserBody {
  return {
    id: user.id, email: user.email, roles: user.roles, disabled: user.disabled, createdAt: user.createdAt.toISOString(),
    totpEnabled: user.totpEnabled, mustEnrolTotp: user.mustEnrolTotp,
  };
}

/** The answer of every route that starts or shows a staff session. */
export function staffSessionBody(user: StaffUser, session: { csrfToken: string; expiresAt: Date }): StaffSession {
  return { user: toStaffUserBody(user), csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() };
}

export function registerStaffRoutes(api: Api, { staff, auth }: StaffRouteDeps): void {
  const tags = ["staff"];

  api.route(
    {
      method: "post",
      path: "/api/staff/session",
      operationId: "staffLogin",
      summary: "Log in as a staff user",
      description:
        "Sets the HttpOnly session cookie and answers the CSRF token to send with state-changing requests. " +
        "Limited per client address (50 failures in 15 minutes) and per account from clients that never logged in to it " +
        "(5 tries, then 15 minutes; a client that did is held only by its own failures): 429 RATE_LIMITED with Retry-After. " +
        "A user with a second factor sends `otp` too (401 OTP_REQUIRED without it, OTP_INVALID when wrong).",
      tags,
      body: StaffLoginRequestSchema,
      response: StaffSessionSchema,
      errors: ["UNAUTHENTICATED", "FORBIDDEN", "RATE_LIMITED", "OTP_REQUIRED", "OTP_INVALID"],
    },
    async ({ req, body, res }): Promise<StaffSession> => {
      const { user, session } = await staff.login({ ...body, client: req.ip ?? "unknown" });
      auth.setSessionCookie(res, session);
      return staffSessionBody(user, session);
    },
  );

  api.route(
    {
      method: "delete",
      path: "/api/staff/session",
      operationId: "staffLogout",
      summary: "Log out: end this session",
      tags,
      guard: auth.requireStaffEnrolling(),
    },
    async ({ req, res }) => {
      const token = auth.tokenOf(req)!;
      await staff.logout(auth.staffOf(req).id, token);
      auth.clearSessionCookie(res);
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/staff/me",
      operationId: "staffMe",
      summary: "The logged-in staff user, and the session's CSRF token (for an app that reloaded)",
      tags,
      guard: auth.requireStaffEnrolling(),
      response: StaffSessionSchema,
    },
    async ({ req }): Promise<StaffSession> => {
      return staffSessionBody(auth.staffOf(req), auth.sessionOf(req)!);
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/staff/users",
      operationId: "listStaffUsers",
      summary: "List staff users",
      tags,
      guard: auth.requireStaffTo("staff.manage"),
      response: StaffUserListSchema,
    },
    async () => ({ users: (await staff.list()).map(toStaffUserBody) }),
  );

  api.route(
    {
      method: "post",
      path: "/api/staff/users",
      operationId: "createStaffUser",
      summary: "Create a staff user with an initial password and roles",
      tags,
      guard: auth.requireStaffTo("staff.manage"),
      body: CreateStaffUserRequestSchema,
      response: StaffUserSchema,
      status: 201,
      errors: ["CONFLICT"],
    },
    async ({ req, body }) => toStaffUserBody(await staff.create(auth.staffOf(req).id, body)),
  );

  api.route(
    {
      method: "patch",
      path: "/api/staff/users/:id",
      operationId: "updateStaffUser",
      summary: "Change a staff user's roles, or disable (or enable) the account",
      description: "Disabling ends the user's sessions. The last enabled administrator cannot be disabled or lose the admin role (409 CONFLICT).",
      tags,
      guard: auth.requireStaffTo("staff.manage"),
      params: StaffUserParamsSchema,
      body: UpdateStaffUserRequestSchema,
      response: StaffUserSchema,
      errors: ["NOT_FOUND", "CONFLICT"],
    },
    async ({ req, params, body }) => toStaffUserBody(await staff.update(auth.staffOf(req).id, params.id, body)),
  );

  api.route(
    {
      method: "put",
      path: "/api/staff/me/password",
      operationId: "changeOwnStaffPassword",
      summary: "Change one's own password (the current one is needed)",
      description: "Ends every session of the user, here and elsewhere, and answers a new session for this browser.",
      tags,
      guard: auth.requireStaffEnrolling(),
      body: ChangePasswordRequestSchema,
      response: StaffSessionSchema,
    },
    async ({ req, res, body }) => {
      const user = auth.staffOf(req);
      const session = await staff.changePassword(user.id, body);
      auth.setSessionCookie(res, session);
      return staffSessionBody(user, session);
    },
  );

  api.route(
    {
      method: "put",
      path: "/api/staff/users/:id/password",
      operationId: "resetStaffPassword",
      summary: "Set a new password for a staff user who lost theirs; their sessions end",
      tags,
      guard: auth.requireStaffTo("staff.manage"),
      params: StaffUserParamsSchema,
      body: ResetPasswordRequestSchema,
      errors: ["NOT_FOUND"],
    },
    async ({ req, params, body }) => staff.resetPassword(auth.staffOf(req).id, params.id, body.newPassword),
  );

  api.route(
    {
      method: "post",
      path: "/api/staff/me/totp",
      operationId: "enrolStaffTotp",
      summary: "Start setting up a second factor: a new secret for an authenticator app",
      description: "Counts once confirmed with PUT /api/staff/me/totp. Already set up: 409 CONFLICT.",
      tags,
      guard: auth.requireStaffEnrolling(),
      response: TotpEnrolmentSchema,
      errors: ["CONFLICT"],
    },
    async ({ req }) => staff.enrolTotp(auth.staffOf(req).id),
  );

  api.route(
    {
      method: "put",
      path: "/api/staff/me/totp",
      operationId: "confirmStaffTotp",
      summary: "Turn the second factor on with the authenticator app's current code",
      tags,
      guard: auth.requireStaffEnrolling(),
      body: TotpConfirmRequestSchema,
      response: StaffUserSchema,
      errors: ["OTP_INVALID", "CONFLICT"],
    },
    async ({ req, body }) => toStaffUserBody(await staff.confirmTotp(auth.staffOf(req).id, body.code)),
  );

  api.route(
    {
      method: "delete",
      path: "/api/staff/users/:id/totp",
      operationId: "resetStaffTotp",
      summary: "Remove a staff user's second factor (a lost phone): they set it up again at their next login; their sessions end",
      tags,
      guard: auth.requireStaffTo("staff.manage"),
      params: StaffUserParamsSchema,
      errors: ["NOT_FOUND"],
    },
    async ({ req, params }) => staff.resetTotp(auth.staffOf(req).id, params.id),
  );
}
