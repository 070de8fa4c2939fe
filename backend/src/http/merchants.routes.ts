// /api/merchants/… (a shop applies; merchant managers approve, decline, suspend and give it logins).
// The shop user's own routes (/api/merchant/…) are in shop.routes.ts. The merchants service decides.
import {
  ApplicationStatusQuerySchema,
  ApplicationStatusSchema,
  ApproveMerchantRequestSchema,
  ResetPasswordRequestSchema,
  CreateMerchantUserRequestSchema,
  MerchantApplicationReceiptSchema,
  MerchantApplicationRequestSchema,
  MerchantListQuerySchema,
  MerchantListSchema,
  MerchantParamsSchema,
  MerchantReasonRequestSchema,
  MerchantSchema,
  MerchantUserParamsSchema,
  MerchantUserSchema,
  ParticipatingMerchantsQuerySchema,
  ParticipatingMerchantsSchema,
  type Merchant as MerchantBody,
  type MerchantUser as MerchantUserBody,
} from "@tegoed/sdk";
import type { SessionService } from "../domain/auth/index.ts";
import {
  applicationStatus,
  applyMerchant,
  approveMerchant,
  resetMerchantPassword,
  getMerchant,
  listParticipatingMerchants,
  createMerchantUser,
  declineMerchant,
  listMerchants,
  suspendMerchant,
  type Merchant,
  type MerchantDeps,
  type MerchantUser,
} from "../domain/merchants/index.ts";
import type { GuessLimiter } from "../domain/eligibility/index.ts";
import type { Auth } from "./auth.ts";
import type { Api } from "./validate.ts";

export interface MerchantRouteDeps {
  merchants: MerchantDeps & { clock: () => Date };
  sessions: SessionService;
  auth: Auth;
  /** Counts every application per client address (the form is public). */
  applications: GuessLimiter;
}

export function toMerchantBody(m: Merchant): MerchantBody {
  return {
    id: m.id, name: m.name, kvkNumber: m.kvkNumber, iban: m.iban, bic: m.bic, categories: m.categories, address: m.address,
    contactEmail: m.contactEmail, status: m.status, declineReason: m.declineReason, suspendReason: m.suspendReason,
    chainAddress: m.chainAddress, createdAt: m.createdAt.toISOString(),
    funds: m.funds.map((l) => ({
      fundId: l.fundId, categoriesMask: l.categoriesMask, approvedAt: l.approvedAt.toISOString(), approveTxHash: l.approveTxHash,
      suspendedAt: l.suspendedAt?.toISOString() ?? null, timeZone: l.timeZone,
    })),
  };
}

export function toMerchantUserBody(u: MerchantUser): MerchantUserBody {
  return { id: u.id, merchantId: u.merchantId, email: u.email, createdAt: u.createdAt.toISOString() };
}

export function registerMerchantRoutes(api: Api, { merchants, sessions, auth, applications }: MerchantRouteDeps): void {
  const deps = { ...merchants, sessions };
  const tags = ["merchants"];
  const manager = auth.requireStaffTo("shops.review");
  const chainErrors = ["CHAIN_UNAVAILABLE", "CHAIN_TIMEOUT", "CHAIN_REVERTED"] as const;

  api.route(
    {
      method: "post",
      path: "/api/merchants/applications",
      operationId: "applyMerchant",
      summary: "A shop applies to take part (public); it stays pending until a merchant manager approves it",
      description: "At most 10 applications an hour per client address; over the limit: 429 RATE_LIMITED with Retry-After.",
      tags,
      body: MerchantApplicationRequestSchema,
      response: MerchantApplicationReceiptSchema,
      status: 201,
      errors: ["RATE_LIMITED"],
    },
    async ({ req, body }) => {
      const client = req.ip ?? "unknown";
      applications.assertAllowed(client);
      applications.recordFailure(client); // every application counts, good or bad
      const m = await applyMerchant(deps, body);
      return { id: m.id, status: m.status, createdAt: m.createdAt.toISOString(), statusToken: m.statusToken };
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/merchants/applications/:id",
      operationId: "applicationStatus",
      summary: "A shop follows its application with the token from the application's answer (no login)",
      description: "An unknown id and a wrong token are the same 404 NOT_FOUND.",
      tags,
      params: MerchantParamsSchema,
      query: ApplicationStatusQuerySchema,
      response: ApplicationStatusSchema,
      errors: ["NOT_FOUND"],
    },
    async ({ params, query }) => {
      const m = await applicationStatus(deps, params.id, query.token);
      return { id: m.id, name: m.name, status: m.status, declineReason: m.declineReason, createdAt: m.createdAt.toISOString() };
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/public/merchants",
      operationId: "participatingMerchants",
      summary: "The shops where budgets can be spent now (no login): name, categories, address",
      tags: ["public"],
      query: ParticipatingMerchantsQuerySchema,
      response: ParticipatingMerchantsSchema,
    },
    async ({ query }) => ({ merchants: await listParticipatingMerchants(deps, query.fundId) }),
  );

  api.route(
    {
      method: "get",
      path: "/api/merchants/:id",
      operationId: "getMerchant",
      summary: "One shop with its approvals",
      tags,
      guard: auth.requireStaffTo("shops.view"),
      params: MerchantParamsSchema,
      response: MerchantSchema,
      errors: ["NOT_FOUND"],
    },
    async ({ params }) => toMerchantBody(await getMerchant(deps, params.id)),
  );

  api.route(
    {
      method: "get",
      path: "/api/merchants",
      operationId: "listMerchants",
      summary: "List shops, optionally by status",
      tags,
      guard: manager,
      query: MerchantListQuerySchema,
      response: MerchantListSchema,
    },
    async ({ query }) => ({ merchants: (await listMerchants(deps, { status: query.status })).map(toMerchantBody) }),
  );

  api.route(
    {
      method: "post",
      path: "/api/merchants/:id/approve",
      operationId: "approveMerchant",
      summary: "Approve a shop for a fund (on chain, with the fund's categories the shop has)",
      tags,
      guard: manager,
      params: MerchantParamsSchema,
      body: ApproveMerchantRequestSchema,
      response: MerchantSchema,
      errors: ["NOT_FOUND", "CONFLICT", "FUND_UNKNOWN", ...chainErrors],
    },
    async ({ req, params, body }) =>
      toMerchantBody(await approveMerchant(deps, { merchantId: params.id, fundId: body.fundId, staffUserId: auth.staffOf(req).id })),
  );

  api.route(
    {
      method: "post",
      path: "/api/merchants/:id/decline",
      operationId: "declineMerchant",
      summary: "Decline a pending application, with a reason kept with the shop",
      tags,
      guard: manager,
      params: MerchantParamsSchema,
      body: MerchantReasonRequestSchema,
      response: MerchantSchema,
      errors: ["NOT_FOUND", "CONFLICT"],
    },
    async ({ req, params, body }) =>
      toMerchantBody(await declineMerchant(deps, { merchantId: params.id, reason: body.reason, staffUserId: auth.staffOf(req).id })),
  );

  api.route(
    {
      method: "post",
      path: "/api/merchants/:id/suspend",
      operationId: "suspendMerchant",
      summary: "Suspend an approved shop: every fund stops paying it, on chain",
      tags,
      guard: manager,
      params: MerchantParamsSchema,
      body: MerchantReasonRequestSchema,
      response: MerchantSchema,
      errors: ["NOT_FOUND", "CONFLICT", ...chainErrors],
    },
    async ({ req, params, body }) =>
      toMerchantBody(await suspendMerchant(deps, { merchantId: params.id, reason: body.reason, staffUserId: auth.staffOf(req).id })),
  );

  api.route(
    {
      method: "post",
      path: "/api/merchants/:id/users",
      operationId: "createMerchantUser",
      summary: "Create a login for a shop's staff",
      tags,
      guard: manager,
      params: MerchantParamsSchema,
      body: CreateMerchantUserRequestSchema,
      response: MerchantUserSchema,
      status: 201,
      errors: ["NOT_FOUND", "CONFLICT"],
    },
    async ({ req, params, body }) =>
      toMerchantUserBody(
        await createMerchantUser(deps, { merchantId: params.id, email: body.email, password: body.password, actor: { type: "staff", id: auth.staffOf(req).id } }),
      ),
  );

  api.route(
    {
      method: "put",
      path: "/api/merchants/:id/users/:userId/password",
      operationId: "resetMerchantPassword",
      summary: "Set a new password for a shop's user who lost theirs; their sessions end",
      tags,
      guard: manager,
      params: MerchantUserParamsSchema,
      body: ResetPasswordRequestSchema,
      errors: ["NOT_FOUND"],
    },
    async ({ req, params, body }) =>
      resetMerchantPassword(deps, { staffUserId: auth.staffOf(req).id, merchantId: params.id, userId: params.userId, newPassword: body.newPassword }),
  );
}
