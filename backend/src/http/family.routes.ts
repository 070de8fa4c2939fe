// /api/family/…: the family app. Activation is public and rate-limited (per code, and per client IP by
// the process's one GuessLimiter); it starts a family session like a staff login does.
import {
  ActivationRequestSchema,
  FamilyChallengeRequestSchema,
  FamilyChallengeSchema,
  FamilyKeyLoginRequestSchema,
  FamilyChildrenSchema,
  FamilySessionSchema,
  PayCodeRequestSchema,
  PayCodeSchema,
  centsToWire,
  type ChildBudget,
  type FamilySession,
} from "@tegoed/sdk";
import type { SessionService } from "../domain/auth/index.ts";
import {
  activateFamily, familyBinding, familyBudgetIds, familyLoginChallenge, findLiveFamily, listFamilyChildren, loginWithDeviceKey,
  type EligibilityDeps, type GuessLimiter,
} from "../domain/eligibility/index.ts";
import { registerPayCode } from "../domain/payments/index.ts";
import type { Auth } from "./auth.ts";
import type { Api } from "./validate.ts";

export interface FamilyRouteDeps {
  eligibility: EligibilityDeps;
  /** One per process: counts wrong codes per client IP. */
  limiter: GuessLimiter;
  /** Counts every challenge and every refused key login per client IP: a phone needs a few a day, a prober many. */
  keyLoginLimiter: GuessLimiter;
  sessions: SessionService;
  auth: Auth;
}

/** The answer of every route that starts or shows a family session. */
export function familySessionBody(
  familyId: string,
  binding: { holderAddress: string; budgetIds: string[] },
  session: { csrfToken: string; expiresAt: Date },
): FamilySession {
  return {
    familyId, holderAddress: binding.holderAddress, budgetIds: binding.budgetIds,
    csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString(),
  };
}

export function registerFamilyRoutes(api: Api, { eligibility: deps, limiter, keyLoginLimiter, sessions, auth }: FamilyRouteDeps): void {
  const tags = ["family"];
  const family = auth.requireSubject("family", (id) => findLiveFamily(deps, id));

  api.route(
    {
      method: "post",
      path: "/api/family/activation",
      operationId: "activateFamily",
      summary: "Activate the family's wallet with the code from the letter and the phone's public address",
      description:
        "Binds the phone's key to every budget of the family on chain and starts a family session (HttpOnly cookie); " +
        "answers the CSRF token. Wrong codes are limited per code (5 tries, then 15 minutes) and per client; " +
        "over the limit: 429 RATE_LIMITED with Retry-After.",
      tags,
      body: ActivationRequestSchema,
      response: FamilySessionSchema,
      errors: [
        "ACTIVATION_CODE_INVALID", "ACTIVATION_CODE_USED", "ACTIVATION_CODE_EXPIRED", "BUDGETS_NOT_ISSUED", "RATE_LIMITED",
        "CHAIN_UNAVAILABLE", "CHAIN_TIMEOUT", "CHAIN_REVERTED",
      ],
    },
    async ({ req, res, body }): Promise<FamilySession> => {
      const result = await activateFamily({ ...deps, limiter }, { code: body.code, holderAddress: body.holderAddress, clientKey: req.ip ?? "unknown" });
      const session = await sessions.start("family", result.familyId);
      auth.setSessionCookie(res, session);
      return familySessionBody(result.familyId, result, session);
    },
  );

  api.route(
    {
      method: "post",
      path: "/api/family/challenge",
      operationId: "familyChallenge",
      summary: "A one-time challenge for the phone's device key to sign, to log in again without the letter",
      description:
        "Lives two minutes; one is open per key. A key that holds no family's budgets: 401 UNAUTHENTICATED. " +
        "Challenges and refused key logins are limited per client: over it, 429 RATE_LIMITED with Retry-After.",
      tags,
      body: FamilyChallengeRequestSchema,
      response: FamilyChallengeSchema,
      errors: ["UNAUTHENTICATED", "RATE_LIMITED"],
    },
    async ({ req, body }) => {
      const client = req.ip ?? "unknown";
      keyLoginLimiter.assertAllowed(client);
      keyLoginLimiter.recordFailure(client);
      const { challenge, expiresAt } = await familyLoginChallenge(deps, body.holderAddress);
      return { challenge, expiresAt: expiresAt.toISOString() };
    },
  );

  api.route(
    {
      method: "post",
      path: "/api/family/session/key",
      operationId: "familyKeyLogin",
      summary: "Log the family in again with the challenge signed by the phone's device key (the letter's code works once)",
      description: "Sets the HttpOnly session cookie and answers the CSRF token. The challenge is gone after one try, right or wrong.",
      tags,
      body: FamilyKeyLoginRequestSchema,
      response: FamilySessionSchema,
      errors: ["UNAUTHENTICATED", "RATE_LIMITED"],
    },
    async ({ req, res, body }) => {
      const client = req.ip ?? "unknown";
      keyLoginLimiter.assertAllowed(client);
      const { familyId } = await loginWithDeviceKey(deps, body).catch((error: unknown) => {
        keyLoginLimiter.recordFailure(client);
        throw error;
      });
      const session = await sessions.start("family", familyId);
      auth.setSessionCookie(res, session);
      return familySessionBody(familyId, await familyBinding(deps, familyId), session);
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/family/session",
      operationId: "familySession",
      summary: "The family's live session after a reload: its budgets, device address and CSRF token",
      tags,
      guard: family,
      response: FamilySessionSchema,
    },
    async ({ req }): Promise<FamilySession> => {
      const { id } = family.userOf(req);
      return familySessionBody(id, await familyBinding(deps, id), auth.sessionOf(req)!);
    },
  );

  api.route(
    {
      method: "delete",
      path: "/api/family/session",
      operationId: "familyLogout",
      summary: "Log the family out on this phone (the key on the phone stays until the app removes it)",
      tags,
      guard: family,
    },
    async ({ req, res }) => {
      await sessions.end(auth.tokenOf(req)!);
      auth.clearSessionCookie(res);
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/family/children",
      operationId: "familyChildren",
      summary: "The family's children with their budgets (balance, expiry, frozen) as the chain holds them, and their history",
      tags,
      guard: family,
      response: FamilyChildrenSchema,
      errors: ["CHAIN_UNAVAILABLE"],
    },
    async ({ req }) => {
      const children = await listFamilyChildren(deps, family.userOf(req).id);
      return {
        children: children.map((c): ChildBudget => ({
          childId: c.childId,
          firstName: c.firstName,
          birthYear: c.birthYear,
          budgetId: c.budgetId,
          status: c.status,
          balanceCents: c.balanceCents === null ? null : centsToWire(c.balanceCents),
          spentCents: c.spentCents === null ? null : centsToWire(c.spentCents),
          expiresAt: c.expiresAt?.toISOString() ?? null,
          frozen: c.frozen,
          activated: c.activated,
          nonce: c.nonce === null ? null : Number(c.nonce),
          fund: { id: c.fund.id, name: c.fund.name, chainAddress: c.fund.chainAddress, chainId: Number(c.fund.chainId), index: c.fund.index, timeZone: c.fund.timeZone },
          history: c.history.map((h) => ({
            type: h.type, paymentId: h.paymentId, merchant: h.merchant, merchantName: h.merchantName, amountCents: centsToWire(h.amountCents), at: h.at.toISOString(), txHash: h.txHash,
          })),
        })),
      };
    },
  );

  api.route(
    {
      method: "post",
      path: "/api/family/pay-codes",
      operationId: "registerPayCode",
      summary: "Register the payment QR on screen for a short code a till can type when its camera cannot read the QR",
      description: "Only for the family's own budgets; the code dies with the QR (its deadline, at most 10 minutes ahead). The same QR again answers the same code.",
      tags,
      guard: family,
      body: PayCodeRequestSchema,
      response: PayCodeSchema,
      errors: ["QR_NOT_TEGOED", "QR_VERSION_UNSUPPORTED", "QR_MALFORMED", "BUDGET_UNKNOWN", "PERMIT_EXPIRED"],
    },
    async ({ req, body }) => {
      const budgetIds = await familyBudgetIds(deps, family.userOf(req).id);
      const code = await registerPayCode(deps, { qr: body.qr, budgetIds });
      return { code: code.code, expiresAt: code.expiresAt.toISOString() };
    },
  );
}
