// The merchant and till routes without a chain: apply, list, decline, shop logins and the shop user's
// session (rate-limited), the role matrix of every route (each staff role, a family session, a shop
// session, no session) and bad input (400 INVALID_INPUT naming the field), all refused before the chain
// is needed. The happy paths on a real chain: merchant-payments-flow.test.ts.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { STAFF_ROLES, createApiClient, type ApiClient, type StaffRole } from "@tegoed/sdk";
import { sha256 } from "../../src/domain/auth/index.ts";
import { GuessLimiter } from "../../src/domain/eligibility/index.ts";
import { ENGINES } from "../support/engines.ts";
import { PASSWORD, randomEmail, refusal, useApp, type TestApp } from "./harness.ts";

type Method = "GET" | "POST" | "DELETE";
interface RouteCase {
  name: string;
  method: Method;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

const SHOP = randomUUID();
const FUND = randomUUID();
const PAYMENT = `0x${"cd".repeat(32)}`;
const QR = "https://example.com";

/** Routes of the merchant_manager role (and the admin) only. */
const MANAGER_ROUTES: RouteCase[] = [
  { name: "GET /api/merchants", method: "GET", path: "/api/merchants" },
  { name: "POST /api/merchants/:id/approve", method: "POST", path: `/api/merchants/${SHOP}/approve`, body: { fundId: FUND } },
  { name: "POST /api/merchants/:id/decline", method: "POST", path: `/api/merchants/${SHOP}/decline`, body: { reason: "no KvK" } },
  { name: "POST /api/merchants/:id/suspend", method: "POST", path: `/api/merchants/${SHOP}/suspend`, body: { reason: "fraud" } },
  { name: "POST /api/merchants/:id/users", method: "POST", path: `/api/merchants/${SHOP}/users`, body: { email: "kassa@shop.test", password: PASSWORD } },
];

/** Routes of a shop user's session only. */
const SHOP_ROUTES: RouteCase[] = [
  { name: "POST /api/merchant/qr-lookups", method: "POST", path: "/api/merchant/qr-lookups", body: { qr: QR } },
  { name: "POST /api/merchant/charges", method: "POST", path: "/api/merchant/charges", body: { qr: QR, amountCents: 100 }, headers: { "Idempotency-Key": randomUUID() } },
  { name: "POST /api/merchant/payments/:paymentId/refunds", method: "POST", path: `/api/merchant/payments/${PAYMENT}/refunds`, body: { amountCents: 100 } },
  { name: "GET /api/merchant/payments", method: "GET", path: "/api/merchant/payments" },
  { name: "DELETE /api/merchant/session", method: "DELETE", path: "/api/merchant/session" },
  { name: "GET /api/merchant/me", method: "GET", path: "/api/merchant/me" },
  { name: "GET /api/merchant/users", method: "GET", path: "/api/merchant/users" },
  { name: "POST /api/merchant/users", method: "POST", path: "/api/merchant/users", body: { email: "collega@shop.test", password: PASSWORD } },
];

const call = (client: ApiClient, route: RouteCase) => client.request(route.method, route.path, { body: route.body, headers: route.headers });

const APPLICATION = {
  name: "Sportwinkel De Bal",
  kvkNumber: "12345678",
  iban: "NL91 ABNA 0417 1643 00",
  categories: ["sport"],
  address: "Hoofdstraat 1, 9801 AA Zuidhorn",
  contactEmail: "info@debal.example",
};

/** A client with a session of another subject type (its id need not exist: the guard refuses by type first). */
async function sessionOf(app: TestApp, subject: "family" | "merchant", id = randomUUID()): Promise<ApiClient> {
  const session = await app.sessions.start(subject, id);
  const client = createApiClient({ baseUrl: app.baseUrl });
  client.sessionCookie = session.token;
  client.csrfToken = session.csrfToken;
  return client;
}

describe.each(ENGINES)("merchant and till routes without a chain on $name", (engine) => {
  const app = useApp(engine);
  const sessionRows = async (client: ApiClient) =>
    (await app.db.selectFrom("sessions").select("token_hash").where("token_hash", "=", sha256(client.sessionCookie!)).execute()).length;
  const byRole = new Map<StaffRole, ApiClient>();
  let manager: ApiClient;
  let family: ApiClient;
  let shopId: string;
  let shopUser: { email: string; password: string };
  let shop: ApiClient;

  beforeAll(async () => {
    if (engine.skipReason) return;
    for (const role of STAFF_ROLES) byRole.set(role, (await app.loginAs([role])).client);
    manager = byRole.get("merchant_manager")!;
    family = await sessionOf(app, "family");
    shopId = (await app.client().merchants.apply({ ...APPLICATION, name: "Kassa-test" })).id;
    shopUser = { email: randomEmail("kassa"), password: PASSWORD };
    await manager.merchants.createUser(shopId, shopUser);
    shop = app.client();
    await shop.merchant.login(shopUser);
  });

  describe("role matrix", () => {
    for (const route of MANAGER_ROUTES) {
      it(`${route.name}: no session → 401, a family or shop session → 401, every staff role but merchant_manager and admin → 403`, async () => {
        expect(await refusal(call(app.client(), route))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
        expect(await refusal(call(family, route))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
        expect(await refusal(call(shop, route))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
        for (const role of STAFF_ROLES.filter((r) => r !== "merchant_manager" && r !== "admin")) {
          expect(await refusal(call(byRole.get(role)!, route)), role).toMatchObject({ status: 403, code: "FORBIDDEN" });
        }
        const asAdmin = await call(byRole.get("admin")!, route).then(() => ({ status: 200 }), (e: { status: number }) => e);
        expect([401, 403]).not.toContain(asAdmin.status);
      });
    }
    for (const route of SHOP_ROUTES) {
      it(`${route.name}: no session, a family session and every staff role → 401`, async () => {
        expect(await refusal(call(app.client(), route))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
        expect(await refusal(call(family, route))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
        for (const role of STAFF_ROLES) {
          expect(await refusal(call(byRole.get(role)!, route)), role).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
        }
      });
    }
    it("GET /api/merchants/:id: no session, a family or shop session → 401; validator → 403; managers, admins, auditors and finance may read", async () => {
      const route = { name: "GET /api/merchants/:id", method: "GET" as const, path: `/api/merchants/${shopId}` };
      expect(await refusal(call(app.client(), route))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
      expect(await refusal(call(family, route))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
      expect(await refusal(call(shop, route))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
      expect(await refusal(call(byRole.get("validator")!, route))).toMatchObject({ status: 403, code: "FORBIDDEN" });
      for (const role of ["merchant_manager", "admin", "auditor", "finance"] as const) {
        await expect(call(byRole.get(role)!, route), role).resolves.toMatchObject({ id: shopId, name: "Kassa-test" });
      }
      expect(await refusal(call(manager, { ...route, path: `/api/merchants/${randomUUID()}` }))).toMatchObject({ status: 404, code: "NOT_FOUND" });
      expect(await refusal(call(manager, { ...route, path: "/api/merchants/42" }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    });
    it("a shop user cannot add a colleague with a short password, an existing email or unknown fields (400/409), and nothing is added", async () => {
      const before = (await shop.merchant.users()).users.length;
      expect(await refusal(shop.merchant.createUser({ email: "kort@shop.test", password: "kort" }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
      expect(await refusal(shop.merchant.createUser({ email: shopUser.email, password: PASSWORD }))).toMatchObject({ status: 409, code: "CONFLICT" });
      expect(await refusal(shop.request("POST", "/api/merchant/users", { body: { email: "x@shop.test", password: PASSWORD, merchantId: randomUUID() } }))).toMatchObject({
        status: 400, code: "INVALID_INPUT",
      });
      expect((await shop.merchant.users()).users).toHaveLength(before);
    });
    it("a shop session without the CSRF token → 403 CSRF_REJECTED", async () => {
      const client = createApiClient({ baseUrl: app.baseUrl });
      client.sessionCookie = shop.sessionCookie;
      expect(await refusal(client.merchant.lookupQr({ qr: QR }))).toMatchObject({ status: 403, code: "CSRF_REJECTED" });
    });
    it("a session of a shop user that no longer exists → 401, and the session is over", async () => {
      const ghost = await sessionOf(app, "merchant");
      expect(await refusal(ghost.merchant.payments())).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
      expect(await sessionRows(ghost)).toBe(0);
    });
    it("a till whose user is deleted after login: the next request is 401 'no longer active' and the session row is deleted", async () => {
      const login = { email: randomEmail("weg"), password: PASSWORD };
      const user = await manager.merchants.createUser(shopId, login);
      const till = app.client();
      await till.merchant.login(login);
      expect((await till.merchant.me()).user.email).toBe(login.email);
      await app.db.deleteFrom("merchant_users").where("id", "=", user.id).execute();
      expect(await refusal(till.merchant.me())).toMatchObject({ status: 401, code: "UNAUTHENTICATED", message: expect.stringMatching(/no longer active/) });
      expect(await sessionRows(till)).toBe(0);
    });
    it("an expired till session → 401, and its row is deleted", async () => {
      const till = app.client();
      await till.merchant.login(shopUser);
      await app.db.updateTable("sessions").set({ expires_at: new Date(Date.now() - 1000) }).where("token_hash", "=", sha256(till.sessionCookie!)).execute();
      expect(await refusal(till.merchant.me())).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
      expect(await sessionRows(till)).toBe(0);
    });
  });

  describe("GET /api/merchants/applications/:id (public, with the token)", () => {
    it("answers the status with the right token; a wrong, missing or other shop's token is 404 or 400, never the application", async () => {
      const a = await app.client().merchants.apply({ ...APPLICATION, name: "Winkel A" });
      const b = await app.client().merchants.apply({ ...APPLICATION, name: "Winkel B" });
      expect(await app.client().merchants.applicationStatus(a.id, a.statusToken)).toMatchObject({ id: a.id, name: "Winkel A", status: "pending" });
      expect(await refusal(app.client().merchants.applicationStatus(a.id, b.statusToken))).toMatchObject({ status: 404, code: "NOT_FOUND" });
      expect(await refusal(app.client().merchants.applicationStatus(randomUUID(), a.statusToken))).toMatchObject({ status: 404, code: "NOT_FOUND" });
      expect(await refusal(app.client().request("GET", `/api/merchants/applications/${a.id}`))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
      await manager.merchants.decline(a.id, { reason: "geen KvK-inschrijving" });
      expect(await app.client().merchants.applicationStatus(a.id, a.statusToken)).toMatchObject({ status: "declined", declineReason: "geen KvK-inschrijving" });
    });
  });

  describe("POST /api/merchants/applications (public)", () => {
    it("stores a pending application (201) that the merchant manager sees in GET /api/merchants, IBAN normalised", async () => {
      const receipt = await app.client().merchants.apply({ ...APPLICATION, kvkNumber: "8765 4321", bic: "abnanl2a" });
      expect(receipt).toEqual({ id: expect.any(String), status: "pending", createdAt: expect.any(String), statusToken: expect.any(String) });
      const { merchants } = await manager.merchants.list({ status: "pending" });
      expect(merchants.find((m) => m.id === receipt.id)).toMatchObject({
        name: APPLICATION.name, kvkNumber: "87654321", iban: "NL91ABNA0417164300", bic: "ABNANL2A", categories: ["sport"], status: "pending",
        chainAddress: null, funds: [],
      });
      expect((await manager.merchants.list({ status: "approved" })).merchants.some((m) => m.id === receipt.id)).toBe(false);
    });

    const bad: [string, Record<string, unknown>, string][] = [
      ["a missing name", { name: undefined }, "name"],
      ["a KvK number of 7 digits", { kvkNumber: "1234567" }, "kvkNumber"],
      ["an IBAN with a wrong checksum", { iban: "NL92 ABNA 0417 1643 00" }, "iban"],
      ["no categories", { categories: [] }, "categories"],
      ["a number as address", { address: 12 }, "address"],
      ["a contact that is no email address", { contactEmail: "info" }, "contactEmail"],
      ["an unknown field", { role: "admin" }, ""],
    ];
    for (const [label, change, field] of bad) {
      it(`refuses ${label}: 400 INVALID_INPUT${field ? ` naming ${field}` : ""}`, async () => {
        const body = { ...APPLICATION, ...change };
        const error = await refusal(app.client().request("POST", "/api/merchants/applications", { body }));
        expect(error).toMatchObject({ status: 400, code: "INVALID_INPUT" });
        if (field) expect(JSON.stringify(error.details)).toContain(field);
      });
    }
  });

  describe("merchant manager actions", () => {
    it("GET /api/merchants?status=unknown → 400", async () => {
      expect(await refusal(manager.request("GET", "/api/merchants?status=open"))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    });

    it("declines a pending application with its reason; declining again is 409 CONFLICT; approving it then is 409", async () => {
      const { id } = await app.client().merchants.apply(APPLICATION);
      const declined = await manager.merchants.decline(id, { reason: "KvK number belongs to another company" });
      expect(declined).toMatchObject({ id, status: "declined", declineReason: "KvK number belongs to another company" });
      expect(await refusal(manager.merchants.decline(id, { reason: "again" }))).toMatchObject({ status: 409, code: "CONFLICT" });
      expect(await refusal(manager.merchants.approve(id, { fundId: FUND }))).toMatchObject({ status: 409, code: "CONFLICT" });
    });

    it("suspending a shop that is not approved → 409; unknown shops → 404 NOT_FOUND; a bad id or body → 400", async () => {
      expect(await refusal(manager.merchants.suspend(shopId, { reason: "fraud" }))).toMatchObject({ status: 409, code: "CONFLICT" });
      expect(await refusal(manager.merchants.decline(randomUUID(), { reason: "x" }))).toMatchObject({ status: 404, code: "NOT_FOUND" });
      expect(await refusal(manager.merchants.createUser(randomUUID(), { email: randomEmail(), password: PASSWORD }))).toMatchObject({ status: 404, code: "NOT_FOUND" });
      expect(await refusal(manager.merchants.decline("42", { reason: "x" }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
      expect(await refusal(manager.request("POST", `/api/merchants/${shopId}/decline`, { body: { reason: "" } }))).toMatchObject({ status: 400 });
      expect(await refusal(manager.request("POST", `/api/merchants/${shopId}/approve`, { body: { fundId: "fund-1" } }))).toMatchObject({ status: 400 });
    });

    it("approving for an unknown fund → 404 FUND_UNKNOWN, before any chain call", async () => {
      expect(await refusal(manager.merchants.approve(shopId, { fundId: randomUUID() }))).toMatchObject({ code: "FUND_UNKNOWN" });
    });

    it("creates a shop login (201); the same email again → 409; a short password → 400", async () => {
      const email = randomEmail("kassa");
      const user = await manager.merchants.createUser(shopId, { email, password: PASSWORD });
      expect(user).toEqual({ id: expect.any(String), merchantId: shopId, email, createdAt: expect.any(String) });
      expect(await refusal(manager.merchants.createUser(shopId, { email, password: PASSWORD }))).toMatchObject({ status: 409, code: "CONFLICT" });
      expect(await refusal(manager.merchants.createUser(shopId, { email: randomEmail(), password: "short" }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    });
  });

  describe("the shop user's session", () => {
    it("logs in (cookie + CSRF token) and out; after logout the session is gone", async () => {
      const client = app.client();
      const session = await client.merchant.login(shopUser);
      expect(session).toMatchObject({ user: { merchantId: shopId, email: shopUser.email }, csrfToken: expect.any(String) });
      expect(client.sessionCookie).toBeTruthy();
      expect(await client.merchant.payments()).toEqual({ payments: [], totals: { count: 0, amountCents: 0, refundedCents: 0, netCents: 0 } });
      const cookie = client.sessionCookie;
      await client.merchant.logout();
      const stale = createApiClient({ baseUrl: app.baseUrl });
      stale.sessionCookie = cookie;
      expect(await refusal(stale.merchant.payments())).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    });

    it("a wrong password and an unknown email get the same 401; a staff login is no shop login", async () => {
      const wrong = await refusal(app.client().merchant.login({ email: shopUser.email, password: "not the password" }));
      const unknown = await refusal(app.client().merchant.login({ email: randomEmail(), password: PASSWORD }));
      expect(wrong).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
      expect(unknown).toEqual(wrong);
      expect(await refusal(app.client().merchant.login({ email: app.admin.email, password: PASSWORD }))).toMatchObject({ status: 401 });
    });

    it("after 5 wrong passwords for one email, even the right one is refused: 429 RATE_LIMITED with Retry-After", async () => {
      const email = randomEmail("kassa");
      await manager.merchants.createUser(shopId, { email, password: PASSWORD });
      for (let i = 0; i < 5; i++) expect((await refusal(app.client().merchant.login({ email, password: `wrong ${i}` }))).code).toBe("UNAUTHENTICATED");
      const response = await app.fetch("/api/merchant/session", {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password: PASSWORD }),
      });
      expect(response.status).toBe(429);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
    });

    it("bad login input → 400", async () => {
      expect(await refusal(app.client().request("POST", "/api/merchant/session", { body: { email: "x" } }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    });
  });

  describe("the till without a chain", () => {
    it("a text that is no Tegoed QR → 400 QR_NOT_TEGOED (lookup and charge)", async () => {
      expect(await refusal(shop.merchant.lookupQr({ qr: QR }))).toMatchObject({ status: 400, code: "QR_NOT_TEGOED" });
      expect(await refusal(shop.merchant.charge({ qr: QR, amountCents: 100 }, randomUUID()))).toMatchObject({ status: 400, code: "QR_NOT_TEGOED" });
    });

    it("a charge without the Idempotency-Key header → 400 INVALID_INPUT naming it", async () => {
      const error = await refusal(shop.request("POST", "/api/merchant/charges", { body: { qr: QR, amountCents: 100 } }));
      expect(error).toMatchObject({ status: 400, code: "INVALID_INPUT" });
      expect(JSON.stringify(error.details)).toContain("Idempotency-Key");
    });

    const badCents: [string, unknown][] = [["negative", -100], ["zero", 0], ["fractional", 12.5], ["a string", "1250"], ["huge", 2 ** 60], ["missing", undefined]];
    for (const [label, amountCents] of badCents) {
      it(`${label} cents → 400 INVALID_INPUT (charge and refund)`, async () => {
        const charge = await refusal(shop.request("POST", "/api/merchant/charges", { body: { qr: QR, amountCents }, headers: { "Idempotency-Key": randomUUID() } }));
        expect(charge).toMatchObject({ status: 400, code: "INVALID_INPUT" });
        expect(await refusal(shop.request("POST", `/api/merchant/payments/${PAYMENT}/refunds`, { body: { amountCents } }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
      });
    }

    it("an empty QR or one over 1000 characters → 400", async () => {
      expect(await refusal(shop.merchant.lookupQr({ qr: "" }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
      expect(await refusal(shop.merchant.lookupQr({ qr: "x".repeat(1001) }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    });

    it("refunding an unknown payment → 404 PAYMENT_UNKNOWN; a malformed payment id → 400", async () => {
      expect(await refusal(shop.merchant.refund(PAYMENT, { amountCents: 100 }))).toMatchObject({ status: 404, code: "PAYMENT_UNKNOWN" });
      expect(await refusal(shop.merchant.refund("0x12", { amountCents: 100 }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    });

    it("lists with a bad range → 400", async () => {
      expect(await refusal(shop.merchant.payments({ from: "yesterday" }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
      expect(await refusal(shop.merchant.payments({ from: "2027-01-02T00:00:00Z", to: "2027-01-01T00:00:00Z" }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    });
  });
});

describe.each(ENGINES)("shop applications are limited per client address on $name", (engine) => {
  // Behind the municipality's load balancer (on loopback here): X-Forwarded-For names the client.
  const app = useApp(engine, { applicationLimiter: new GuessLimiter({ maxFailures: 3, windowMs: 60 * 60_000 }), trustProxy: "loopback" });
  const apply = (client: string, name: string) =>
    app.fetch("/api/merchants/applications", {
      method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": client },
      body: JSON.stringify({ ...APPLICATION, name, kvkNumber: String(10_000_000 + Math.floor(Math.random() * 89_999_999)) }),
    });

  it("the 4th application in an hour from one address → 429 RATE_LIMITED with Retry-After, nothing stored; another address still applies", async () => {
    for (let i = 0; i < 3; i++) expect((await apply("203.0.113.7", `Winkel ${i}`)).status).toBe(201);
    const refused = await apply("203.0.113.7", "Winkel 4");
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(3000);
    const stored = await app.db.selectFrom("merchants").select("name").where("name", "=", "Winkel 4").execute();
    expect(stored).toEqual([]);
    expect((await apply("198.51.100.4", "Winkel van de buren")).status).toBe(201);
  });
});
