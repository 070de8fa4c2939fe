// /api/applicant/…: a family logs in to apply. Through the identity broker: `oidc/start` sends the
// browser there with a one-time login cookie (SameSite=Lax: it must come back on the broker's redirect),
// `oidc/callback` finishes the login and sends the browser back into the app. Or, without a broker, with
// a code sent by email. Either way the answer is an applicant session (HttpOnly cookie + CSRF token).
import type { Request, Response } from "express";
import { z } from "zod";
import {
  ApplicantSessionSchema, EmailCodeRequestSchema, EmailLoginRequestSchema, LoginOptionsSchema, isDomainError, type ApplicantSession,
} from "@tegoed/sdk";
import type { SessionService } from "../domain/auth/index.ts";
import {
  beginOidcLogin, emailLogin, findApplicant, finishOidcLogin, requestEmailCode, safeReturnPath, type Applicant, type ApplicantDeps,
} from "../domain/applicants/index.ts";
import { parseCookies, type Auth } from "./auth.ts";
import type { Api } from "./validate.ts";

export const OIDC_COOKIE = "tegoed_oidc";
const OIDC_COOKIE_PATH = "/api/applicant/oidc";
/** The login's BSN claim, sealed (only the server opens it), kept by the browser for the session's submits. */
export const BSN_COOKIE = "tegoed_bsn";
export const BSN_COOKIE_PATH = "/api/applicant";

export interface ApplicantRouteDeps {
  applicants: ApplicantDeps;
  /** Our callback URL as registered at the broker (the code is exchanged for exactly this URL). */
  redirectUrl?: string;
  /** What the login button says (e.g. "DigiD"). */
  oidcLabel: string;
  sessions: SessionService;
  auth: Auth;
  cookieSecure: boolean;
}

export function registerApplicantRoutes(api: Api, deps: ApplicantRouteDeps): void {
  const tags = ["applicant"];
  const { applicants, sessions, auth } = deps;
  const applicant = applicantGuard(auth, applicants);

  const bsnCookie = { httpOnly: true, sameSite: "strict", secure: deps.cookieSecure, path: BSN_COOKIE_PATH } as const;
  const startSession = async (res: Response, who: Applicant, sealedBsn?: string): Promise<ApplicantSession> => {
    const session = await sessions.start("applicant", who.id);
    auth.setSessionCookie(res, session);
    if (sealedBsn) res.cookie(BSN_COOKIE, sealedBsn, { ...bsnCookie, expires: session.expiresAt });
    else res.clearCookie(BSN_COOKIE, bsnCookie);
    return { applicantId: who.id, method: who.method, csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() };
  };

  api.route(
    { method: "get", path: "/api/applicant/login-options", operationId: "applicantLoginOptions", summary: "How families can log in to apply here", tags, response: LoginOptionsSchema },
    async () => ({ oidc: !!applicants.oidc, email: !!applicants.mailer, oidcLabel: deps.oidcLabel }),
  );

  api.route(
    {
      method: "get",
      path: "/api/applicant/oidc/start",
      operationId: "applicantOidcStart",
      summary: "Send the browser to the identity provider (authorization code flow with PKCE)",
      description: "Answers 302 to the provider with a one-time login cookie; `returnTo` is a path of this site to come back to.",
      tags,
      query: z.object({ returnTo: z.string().max(200).optional() }),
      errors: ["LOGIN_FAILED"],
    },
    async ({ res, query }) => {
      const { cookieToken, authorizationUrl } = await beginOidcLogin(applicants, query.returnTo);
      res.cookie(OIDC_COOKIE, cookieToken, { httpOnly: true, sameSite: "lax", secure: deps.cookieSecure, path: OIDC_COOKIE_PATH, maxAge: 10 * 60_000 });
      res.redirect(302, authorizationUrl);
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/applicant/oidc/callback",
      operationId: "applicantOidcCallback",
      summary: "Where the identity provider sends the browser back: checks state, code, nonce and ID token",
      description:
        "On success starts the applicant's session and answers 302 to the path the login started from; on failure 302 to the " +
        "wallet with `loginError` (the LOGIN_FAILED reason) and no session.",
      tags,
    },
    async ({ req, res }) => {
      const token = parseCookies(req.headers.cookie).get(OIDC_COOKIE);
      res.clearCookie(OIDC_COOKIE, { httpOnly: true, sameSite: "lax", secure: deps.cookieSecure, path: OIDC_COOKIE_PATH });
      try {
        const { applicant: who, returnTo, sealedBsn } = await finishOidcLogin(applicants, token, callbackUrl(req, deps.redirectUrl));
        await startSession(res, who, sealedBsn);
        res.redirect(302, safeReturnPath(returnTo));
      } catch (error) {
        if (!isDomainError(error, "LOGIN_FAILED")) throw error;
        res.redirect(302, `/wallet/?loginError=${encodeURIComponent(error.details.reason ?? "failed")}`);
      }
    },
  );

  api.route(
    {
      method: "post",
      path: "/api/applicant/email/code",
      operationId: "applicantEmailCode",
      summary: "Send a 6-digit login code to an email address (where no identity provider is configured)",
      description: "Limited per address (3 per 15 minutes) and per client; over the limit 429 RATE_LIMITED with Retry-After.",
      tags,
      body: EmailCodeRequestSchema,
      errors: ["RATE_LIMITED", "FORBIDDEN"],
    },
    async ({ req, body }) => requestEmailCode(applicants, { ...body, clientKey: req.ip ?? "unknown" }),
  );

  api.route(
    {
      method: "post",
      path: "/api/applicant/email/login",
      operationId: "applicantEmailLogin",
      summary: "Log in with the email address and the code sent to it",
      tags,
      body: EmailLoginRequestSchema,
      response: ApplicantSessionSchema,
      errors: ["EMAIL_CODE_INVALID", "FORBIDDEN"],
    },
    async ({ res, body }) => startSession(res, await emailLogin(applicants, body)),
  );

  api.route(
    { method: "get", path: "/api/applicant/session", operationId: "applicantSession", summary: "The applicant's live session and CSRF token", tags, guard: applicant, response: ApplicantSessionSchema },
    async ({ req }) => {
      const who = applicant.userOf(req);
      const session = auth.sessionOf(req)!;
      return { applicantId: who.id, method: who.method, csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() };
    },
  );

  api.route(
    { method: "delete", path: "/api/applicant/session", operationId: "applicantLogout", summary: "Log the applicant out", tags, guard: applicant },
    async ({ req, res }) => {
      await sessions.end(auth.tokenOf(req)!);
      auth.clearSessionCookie(res);
      res.clearCookie(BSN_COOKIE, bsnCookie);
    },
  );
}

export function applicantGuard(auth: Auth, applicants: Pick<ApplicantDeps, "db">) {
  return auth.requireSubject("applicant", (id) => findApplicant(applicants.db, id));
}

/** The URL the provider redirected to: our registered callback with the query the browser brought. */
function callbackUrl(req: Request, redirectUrl: string | undefined): URL {
  const query = req.originalUrl.includes("?") ? req.originalUrl.slice(req.originalUrl.indexOf("?")) : "";
  const base = redirectUrl ?? `${req.protocol}://${req.get("host")}${req.baseUrl}${req.path}`;
  return new URL(`${base.split("?")[0]}${query}`);
}
