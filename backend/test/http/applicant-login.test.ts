// Families log in to apply: through the demo OpenID Connect provider (the real oidc-provider, as npm
// start runs it) and, where there is none, with a code by email. On both engines.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import { applicationsApi, createApiClient, SESSION_COOKIE } from "@tegoed/sdk";
import type { DemoIdp } from "../../../scripts/lib/demo-idp.ts";
import { withApplicationTables } from "../../src/db/applications-schema.ts";
import { beginOidcLogin, finishOidcLogin, type ApplicantDeps } from "../../src/domain/applicants/index.ts";
import { discoverOidc, type OidcSettings } from "../../src/identity/oidc.ts";
import { devLoginCodeMailer } from "../../src/mail/login-codes.ts";
import { ENGINES } from "../support/engines.ts";
import { OTHER_CLIENT, TEST_CLIENT, TEST_REDIRECT_URL, loginAtProvider, startTestIdp } from "../support/oidc-browser.ts";
import { refusal, useApp } from "./harness.ts";

const IDENTITY_KEY = "test-identity-key-0123456789abcdef0123456789abcdef";

let idp: DemoIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(async () => {
  await idp?.close();
});

const settings = (extra: Partial<OidcSettings> = {}): OidcSettings => ({
  issuerUrl: idp.issuer, clientId: TEST_CLIENT.clientId, clientSecret: TEST_CLIENT.clientSecret, redirectUrl: TEST_REDIRECT_URL, ...extra,
});

const cookieOf = (response: Response, name: string) =>
  response.headers.getSetCookie().map((line) => line.split(";")[0]!).find((pair) => pair.startsWith(`${name}=`) && pair.length > name.length + 1)?.slice(name.length + 1);

describe.each(ENGINES)("applicant login on $name", (engine) => {
  describe("through the identity provider", () => {
    const app = useApp(engine, {
      applicants: () => ({ identityKey: IDENTITY_KEY, oidc: () => discoverOidc(settings()), oidcRedirectUrl: TEST_REDIRECT_URL }),
    });

    /** Starts a login at the app as a browser: the login cookie and where the app sends the browser. */
    async function start(returnTo = "/wallet/#/apply") {
      const response = await app.fetch(`/api/applicant/oidc/start?returnTo=${encodeURIComponent(returnTo)}`, { redirect: "manual" });
      expect(response.status).toBe(302);
      return { cookie: cookieOf(response, "tegoed_oidc")!, authorizationUrl: response.headers.get("location")! };
    }
    const callback = (url: URL, cookie: string | undefined) =>
      app.fetch(`/api/applicant/oidc/callback${url.search}`, { redirect: "manual", headers: cookie ? { cookie: `tegoed_oidc=${cookie}` } : {} });

    it("a good login: code flow with PKCE at the provider, back to the app's page with an applicant session; only a keyed hash of the subject is stored", async () => {
      const { cookie, authorizationUrl } = await start();
      const at = new URL(authorizationUrl);
      expect(at.origin).toBe(idp.issuer);
      expect(at.searchParams.get("code_challenge_method")).toBe("S256");
      expect(at.searchParams.get("state")).toBeTruthy();
      expect(at.searchParams.get("nonce")).toBeTruthy();

      const back = await loginAtProvider(authorizationUrl, "demo-citizen-0002");
      const response = await callback(back, cookie);
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe("/wallet/#/apply");
      const session = cookieOf(response, SESSION_COOKIE);
      expect(session).toBeTruthy();

      const me = await app.fetch("/api/applicant/session", { headers: { cookie: `${SESSION_COOKIE}=${session}` } });
      expect(me.status).toBe(200);
      const body = await me.json() as { applicantId: string; method: string };
      expect(body.method).toBe("oidc");

      const rows = await withApplicationTables(app.db).selectFrom("applicant_identities").selectAll().execute();
      const mine = rows.find((r) => r.id === body.applicantId)!;
      expect(mine.subject_hash).toBe(createHmac("sha256", IDENTITY_KEY).update(["oidc", idp.issuer, "demo-citizen-0002"].join("\0")).digest("hex"));
      expect(JSON.stringify(rows)).not.toContain("demo-citizen-0002");

      // The same citizen again is the same applicant.
      const second = await start();
      const again = await callback(await loginAtProvider(second.authorizationUrl, "demo-citizen-0002"), second.cookie);
      const sessionAgain = cookieOf(again, SESSION_COOKIE);
      const meAgain = await (await app.fetch("/api/applicant/session", { headers: { cookie: `${SESSION_COOKIE}=${sessionAgain}` } })).json() as { applicantId: string };
      expect(meAgain.applicantId).toBe(body.applicantId);
    });

    it("a wrong state is refused: back to the wallet with loginError, no session", async () => {
      const { cookie, authorizationUrl } = await start();
      const back = await loginAtProvider(authorizationUrl, "demo-citizen-0001");
      back.searchParams.set("state", "someone-elses-state");
      const response = await callback(back, cookie);
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toMatch(/^\/wallet\/\?loginError=/);
      expect(cookieOf(response, SESSION_COOKIE)).toBeUndefined();
    });

    it("a callback without the browser's login cookie is refused (login started elsewhere)", async () => {
      const { authorizationUrl } = await start();
      const response = await callback(await loginAtProvider(authorizationUrl, "demo-citizen-0001"), undefined);
      expect(response.headers.get("location")).toBe("/wallet/?loginError=no_login_under_way");
      expect(cookieOf(response, SESSION_COOKIE)).toBeUndefined();
    });

    it("a replayed code is refused: the same callback again, and the code under a new login's state", async () => {
      const first = await start();
      const back = await loginAtProvider(first.authorizationUrl, "demo-citizen-0003");
      expect((await callback(back, first.cookie)).headers.get("location")).toBe("/wallet/#/apply");

      const replay = await callback(back, first.cookie);
      expect(replay.headers.get("location")).toBe("/wallet/?loginError=no_login_under_way");

      // An attacker starts a login of its own and brings the stolen code with that login's state.
      const second = await start();
      const stolen = new URL(back);
      stolen.searchParams.set("state", new URL(second.authorizationUrl).searchParams.get("state")!);
      const response = await callback(stolen, second.cookie);
      expect(response.headers.get("location")).toBe("/wallet/?loginError=invalid_grant");
      expect(cookieOf(response, SESSION_COOKIE)).toBeUndefined();
    });

    it("login options say the identity provider is offered, email is not", async () => {
      expect(await applicationsApi(app.client()).loginOptions()).toEqual({ oidc: true, email: false, oidcLabel: "DigiD" });
      expect(await refusal(applicationsApi(app.client()).requestEmailCode({ email: "a@b.nl" }))).toMatchObject({ status: 403, code: "FORBIDDEN" });
    });
  });

  describe("ID token checks (domain, real provider)", () => {
    const app = useApp(engine);
    const deps = (oidc: OidcSettings): ApplicantDeps => ({ db: app.db, clock: () => new Date(), identityKey: IDENTITY_KEY, oidc: () => discoverOidc(oidc) });

    it("an expired ID token is refused (this machine's clock two hours on: the one-hour token is past its exp)", async () => {
      const d = deps(settings({ clockSkewSeconds: 2 * 3600 }));
      const { cookieToken, authorizationUrl } = await beginOidcLogin(d);
      const back = await loginAtProvider(authorizationUrl, "demo-citizen-0004");
      const error = await finishOidcLogin(d, cookieToken, back).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "LOGIN_FAILED" });
      expect((error as { details: { reason: string } }).details.reason).toBe("OAUTH_JWT_TIMESTAMP_CHECK_FAILED");
    });

    it("an ID token for another relying party (wrong audience) is refused", async () => {
      // A broker that mixes up its clients: the code and token are issued to another service.
      const asOther: typeof fetch = async (input, init) => {
        const headers = new Headers(init?.headers);
        if (String(input).includes("/token")) headers.set("authorization", `Basic ${Buffer.from(`${OTHER_CLIENT.clientId}:${OTHER_CLIENT.clientSecret}`).toString("base64")}`);
        return fetch(input, { ...init, headers });
      };
      const d = deps(settings({ fetch: asOther as never }));
      const { cookieToken, authorizationUrl } = await beginOidcLogin(d);
      const url = new URL(authorizationUrl);
      url.searchParams.set("client_id", OTHER_CLIENT.clientId);
      const back = await loginAtProvider(url.href, "demo-citizen-0005");
      const error = await finishOidcLogin(d, cookieToken, back).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "LOGIN_FAILED" });
      expect((error as { details: { reason: string } }).details.reason).toBe("OAUTH_JWT_CLAIM_COMPARISON_FAILED");
      const messages: string[] = [];
      for (let e = error as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) messages.push(e.message ?? "");
      expect(messages.join(" | ")).toMatch(/"aud" \(audience\)/);
    });
  });

  describe("by email where no identity provider is configured", () => {
    const mailer = devLoginCodeMailer();
    const app = useApp(engine, { applicants: () => ({ identityKey: IDENTITY_KEY, mailer }) });

    it("a code to a confirmed address logs in; a wrong code is refused; the fourth code within 15 minutes is rate-limited", async () => {
      const client = app.client();
      const api = applicationsApi(client);
      const email = `ouder-${Math.random().toString(36).slice(2, 8)}@example.nl`;
      expect(await api.loginOptions()).toMatchObject({ oidc: false, email: true });
      await api.requestEmailCode({ email, language: "nl" });
      const [message] = mailer.sentTo(email);
      expect(message!.code).toMatch(/^\d{6}$/);
      const wrong = message!.code === "000000" ? "000001" : "000000";
      expect(await refusal(api.emailLogin({ email, code: wrong }))).toMatchObject({ status: 422, code: "EMAIL_CODE_INVALID" });
      const session = await api.emailLogin({ email: email.toUpperCase(), code: message!.code });
      expect(session.method).toBe("email");
      expect((await api.session()).applicantId).toBe(session.applicantId);
      // Used once.
      expect(await refusal(api.emailLogin({ email, code: message!.code }))).toMatchObject({ code: "EMAIL_CODE_INVALID" });

      await api.requestEmailCode({ email });
      await api.requestEmailCode({ email });
      expect(await refusal(api.requestEmailCode({ email }))).toMatchObject({ status: 429, code: "RATE_LIMITED" });
      const rows = await withApplicationTables(app.db).selectFrom("email_login_codes").selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(email);
    });
  });
});

describe("the development mailer", () => {
  it("logs that a code went out, never the address or the code", async () => {
    const lines: string[] = [];
    const mailer = devLoginCodeMailer((line) => lines.push(line));
    await mailer.send({ to: "jan@example.nl", code: "123456", language: "nl", expiresAt: new Date(), validMinutes: 15 }, undefined as never);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/jan@example|123456/);
    expect(createApiClient).toBeDefined();
  });
});
