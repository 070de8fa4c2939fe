// /api/merchant/…: a shop user's own routes (login, rate-limited like the staff login; the user and shop;
// colleagues' logins; own password; logout). The merchants service decides.
import {
  ChangePasswordRequestSchema,
  CreateMerchantUserRequestSchema,
  MerchantLoginRequestSchema,
  MerchantMeSchema,
  MerchantSessionSchema,
  MerchantUserListSchema,
  MerchantUserSchema,
  type MerchantSession,
} from "@tegoed/sdk";
import type { SessionService } from "../domain/auth/index.ts";
import {
  changeMerchantPassword,
  createMerchantUser,
  findShopUserBySession,
  getMerchant,
  listMerchantUsers,
  loginMerchant,
  type MerchantDeps,
  type MerchantUser,
} from "../domain/merchants/index.ts";
import type { Auth } from "./auth.ts";
import { toMerchantBody, toMerchantUserBody } from "./merchants.routes.ts";
import type { Api } from "./validate.ts";

export interface ShopRouteDeps {
  merchants: MerchantDeps & { sessions: SessionService };
  auth: Auth;
}

/**
 * The guard of the till's routes: a live shop user's session. `reuse` for the lookups and charges, two
 * per payment: a session read a moment ago is not read again (SESSION_REUSE_SECONDS).
 */
export function merchantGuard(auth: Auth, deps: MerchantDeps, reuse = false) {
  return auth.requireSubject("merchant", { withSession: (tokenHash) => findShopUserBySession(deps, tokenHash), reuse });
}

/** The answer of every route that starts or shows a shop user's session. */
export function merchantSessionBody(user: MerchantUser, session: { csrfToken: string; expiresAt: Date }): MerchantSession {
  return { user: toMerchantUserBody(user), csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() };
}

export function registerShopRoutes(api: Api, { merchants: deps, auth }: ShopRouteDeps): void {
  const tags = ["merchants"];
  const merchant = merchantGuard(auth, deps);

  api.route(
    {
      method: "post",
      path: "/api/merchant/session",
      operationId: "merchantLogin",
      summary: "Log in as a shop user",
      description:
        "Sets the HttpOnly session cookie and answers the CSRF token. Limited as the staff login is: per client address, " +
        "and per account from clients that never logged in to it (429 RATE_LIMITED, with Retry-After).",
      tags,
      body: MerchantLoginRequestSchema,
      response: MerchantSessionSchema,
      errors: ["UNAUTHENTICATED", "RATE_LIMITED"],
    },
    async ({ req, body, res }) => {
      const { user, session } = await loginMerchant(deps, { ...body, client: req.ip ?? "unknown" });
      auth.setSessionCookie(res, session);
      return merchantSessionBody(user, session);
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/merchant/me",
      operationId: "merchantMe",
      summary: "The logged-in shop user, their shop and the session (to pick up after a reload)",
      tags,
      guard: merchant,
      response: MerchantMeSchema,
    },
    async ({ req }) => {
      const user = merchant.userOf(req);
      const shop = await getMerchant(deps, user.merchantId);
      return {
        ...merchantSessionBody(user, auth.sessionOf(req)!),
        merchant: { id: shop.id, name: shop.name, status: shop.status, categories: shop.categories, funds: toMerchantBody(shop).funds },
      };
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/merchant/users",
      operationId: "listOwnMerchantUsers",
      summary: "The logins of the user's own shop",
      tags,
      guard: merchant,
      response: MerchantUserListSchema,
    },
    async ({ req }) => ({ users: (await listMerchantUsers(deps, merchant.userOf(req).merchantId)).map(toMerchantUserBody) }),
  );

  api.route(
    {
      method: "post",
      path: "/api/merchant/users",
      operationId: "createOwnMerchantUser",
      summary: "A shop user adds a colleague's login to their own shop",
      tags,
      guard: merchant,
      body: CreateMerchantUserRequestSchema,
      response: MerchantUserSchema,
      status: 201,
      errors: ["CONFLICT"],
    },
    async ({ req, body }) => {
      const user = merchant.userOf(req);
      return toMerchantUserBody(
        await createMerchantUser(deps, { merchantId: user.merchantId, email: body.email, password: body.password, actor: { type: "merchant", id: user.id } }),
      );
    },
  );

  api.route(
    {
      method: "put",
      path: "/api/merchant/me/password",
      operationId: "changeOwnMerchantPassword",
      summary: "A shop user changes their own password (the current one is needed)",
      description: "Ends every session of the user and answers a new session for this device.",
      tags,
      guard: merchant,
      body: ChangePasswordRequestSchema,
      response: MerchantSessionSchema,
    },
    async ({ req, res, body }) => {
      const user = merchant.userOf(req);
      const session = await changeMerchantPassword(deps, { userId: user.id, ...body });
      auth.setSessionCookie(res, session);
      return merchantSessionBody(user, session);
    },
  );

  api.route(
    {
      method: "delete",
      path: "/api/merchant/session",
      operationId: "merchantLogout",
      summary: "Log out of the shop: end this session",
      tags,
      guard: merchant,
    },
    async ({ req, res }) => {
      await deps.sessions.end(auth.tokenOf(req)!);
      auth.clearSessionCookie(res);
    },
  );
}
