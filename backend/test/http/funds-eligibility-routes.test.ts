// The fund, eligibility and family routes without a chain: who may call each (the role matrix), bad
// input (400 INVALID_INPUT naming the field) and unknown ids, all refused before the chain is needed.
// The happy paths, on a real chain, are in funds-eligibility-flow.test.ts.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { STAFF_ROLES, createApiClient, type ApiClient, type StaffRole } from "@tegoed/sdk";
import { GuessLimiter } from "../../src/domain/eligibility/index.ts";
import { ENGINES } from "../support/engines.ts";
import { refusal, useApp, type TestApp } from "./harness.ts";

type Method = "GET" | "POST" | "DELETE";

interface RouteCase {
  name: string;
  method: Method;
  path: string;
  body?: unknown;
  /** Staff roles allowed; "any" = any staff user. */
  allowed: readonly StaffRole[] | "any";
}

const FUND = randomUUID();
const FAMILY = randomUUID();
const BUDGET = `0x${"ab".repeat(32)}`;
const ADDRESS = "0x1111111111111111111111111111111111111111";

const STAFF_ROUTES: RouteCase[] = [
  { name: "POST /api/funds", method: "POST", path: "/api/funds", body: { name: "K", amountPerChildCents: 30000, budgetExpiry: "2099-12-31" }, allowed: ["admin"] },
  { name: "GET /api/funds", method: "GET", path: "/api/funds", allowed: "any" },
  { name: "GET /api/funds/:id", method: "GET", path: `/api/funds/${FUND}`, allowed: "any" },
  { name: "POST /api/funds/:id/deposits", method: "POST", path: `/api/funds/${FUND}/deposits`, body: { amountCents: 100, bankReference: "R" }, allowed: ["finance"] },
  { name: "POST /api/funds/:id/pause", method: "POST", path: `/api/funds/${FUND}/pause`, body: { reason: "fraud" }, allowed: ["admin"] },
  { name: "POST /api/funds/:id/unpause", method: "POST", path: `/api/funds/${FUND}/unpause`, body: { reason: "ok" }, allowed: ["admin"] },
  { name: "POST /api/funds/:id/families/import", method: "POST", path: `/api/funds/${FUND}/families/import`, body: { csv: "a,b\n1,2\n" }, allowed: ["validator", "admin"] },
  {
    name: "POST /api/funds/:id/families", method: "POST", path: `/api/funds/${FUND}/families`,
    body: { displayName: "Jan", addressLines: ["Dorpsstraat 1"], children: [{ firstName: "Anna", birthYear: new Date().getUTCFullYear() - 5 }] },
    allowed: ["validator", "admin"],
  },
  { name: "POST /api/funds/:id/families/approve", method: "POST", path: `/api/funds/${FUND}/families/approve`, body: {}, allowed: ["validator", "admin"] },
  { name: "POST /api/funds/:id/budgets/issue", method: "POST", path: `/api/funds/${FUND}/budgets/issue`, allowed: ["validator", "admin"] },
  { name: "POST /api/funds/:id/top-ups/preview", method: "POST", path: `/api/funds/${FUND}/top-ups/preview`, body: { target: { all: true }, amountCents: 100 }, allowed: ["validator", "admin"] },
  { name: "POST /api/funds/:id/top-ups", method: "POST", path: `/api/funds/${FUND}/top-ups`, body: { target: { all: true }, amountCents: 100 }, allowed: ["validator", "admin"] },
  { name: "POST /api/budgets/:budgetId/freeze", method: "POST", path: `/api/budgets/${BUDGET}/freeze`, body: { reason: "lost" }, allowed: ["validator", "admin"] },
  { name: "POST /api/budgets/:budgetId/unfreeze", method: "POST", path: `/api/budgets/${BUDGET}/unfreeze`, body: { reason: "found" }, allowed: ["validator", "admin"] },
  { name: "POST /api/families/:id/letters", method: "POST", path: `/api/families/${FAMILY}/letters`, allowed: ["validator", "admin"] },
  { name: "POST /api/families/:id/reissue", method: "POST", path: `/api/families/${FAMILY}/reissue`, allowed: ["validator", "admin"] },
  { name: "DELETE /api/families/:id", method: "DELETE", path: `/api/families/${FAMILY}`, body: { reason: "request" }, allowed: ["admin"] },
  { name: "GET /api/funds/:id/families", method: "GET", path: `/api/funds/${FUND}/families?q=anna`, allowed: ["validator", "admin", "auditor"] },
];

const call = (client: ApiClient, route: Pick<RouteCase, "method" | "path" | "body">) => client.request(route.method, route.path, { body: route.body });

async function auditCount(app: TestApp): Promise<number> {
  return (await app.db.selectFrom("audit_log").select("id").execute()).length;
}

describe.each(ENGINES)("fund, eligibility and family routes without a chain on $name", (engine) => {
  const app = useApp(engine);
  const byRole = new Map<StaffRole, ApiClient>();
  let all: ApiClient;

  beforeAll(async () => {
    if (engine.skipReason) return;
    for (const role of STAFF_ROLES) byRole.set(role, (await app.loginAs([role])).client);
    all = (await app.loginAs([...STAFF_ROLES])).client;
  });

  /** A client holding a session of another kind of user. */
  async function sessionOf(subject: "merchant" | "family", id = randomUUID()): Promise<ApiClient> {
    const issued = await app.sessions.start(subject, id);
    const client = createApiClient({ baseUrl: app.baseUrl });
    client.sessionCookie = issued.token;
    client.csrfToken = issued.csrfToken;
    return client;
  }

  describe("the role matrix", () => {
    it.each(STAFF_ROUTES.map((r) => [r.name, r] as const))("%s: refused without a session (401 UNAUTHENTICATED)", async (_name, route) => {
      expect(await refusal(call(app.client(), route))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    });

    it.each(STAFF_ROUTES.map((r) => [r.name, r] as const))("%s: refused to a merchant's or a family's session (401 UNAUTHENTICATED)", async (_name, route) => {
      for (const subject of ["merchant", "family"] as const) {
        expect(await refusal(call(await sessionOf(subject), route))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
      }
    });

    const cases = STAFF_ROUTES.filter((r) => r.allowed !== "any").flatMap((route) =>
      STAFF_ROLES.filter((role) => !(route.allowed as readonly StaffRole[]).includes(role)).map((role) => [route.name, role, route] as const),
    );
    it.each(cases)("%s: refused to %s (403 FORBIDDEN), nothing changed", async (_name, role, route) => {
      const before = await auditCount(app);
      expect(await refusal(call(byRole.get(role)!, route))).toMatchObject({ status: 403, code: "FORBIDDEN" });
      expect(await auditCount(app)).toBe(before);
    });

    it.each(STAFF_ROUTES.map((r) => [r.name, r] as const))("%s: let through to its roles (no 401 or 403)", async (_name, route) => {
      const roles = route.allowed === "any" ? STAFF_ROLES : route.allowed;
      for (const role of roles) {
        const outcome = await call(byRole.get(role)!, route).then(
          () => ({ status: 200, code: "OK" }),
          (e: { status: number; code: string }) => ({ status: e.status, code: e.code }),
        );
        expect(outcome.status, `${role}: ${outcome.code}`).not.toBe(401);
        expect(outcome.status, `${role}: ${outcome.code}`).not.toBe(403);
      }
    });

    it.each(STAFF_ROUTES.filter((r) => r.method !== "GET").map((r) => [r.name, r] as const))(
      "%s: refused without the CSRF token (403 CSRF_REJECTED)",
      async (_name, route) => {
        // The session cookie of a staff user allowed here, without the session's CSRF token.
        const { client: staffClient } = await app.loginAs(route.allowed === "any" ? ["auditor"] : [...route.allowed]);
        const client = app.client();
        client.sessionCookie = staffClient.sessionCookie;
        expect(await refusal(call(client, route))).toMatchObject({ status: 403, code: "CSRF_REJECTED" });
      },
    );

    const familyRoutes = [
      { method: "GET" as const, path: "/api/family/children" },
      { method: "GET" as const, path: "/api/family/session" },
      { method: "DELETE" as const, path: "/api/family/session" },
    ];
    it.each(familyRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
      "%s: refused without a session and to every staff role and a merchant (401 UNAUTHENTICATED)",
      async (_name, route) => {
        expect(await refusal(call(app.client(), route))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
        expect(await refusal(call(await sessionOf("merchant"), route))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
        for (const role of STAFF_ROLES) expect(await refusal(call(byRole.get(role)!, route))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
      },
    );

    it("GET /api/family/children: a family session of a family that does not exist (any more) is ended: 401 UNAUTHENTICATED", async () => {
      const client = await sessionOf("family", randomUUID());
      expect(await refusal(call(client, { method: "GET", path: "/api/family/children" }))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    });

    it("POST /api/family/activation: public, so a staff session is not needed (a wrong code is 422, not 401)", async () => {
      expect(await refusal(app.client().request("POST", "/api/family/activation", { body: { code: "2222-3333-4444", holderAddress: ADDRESS } }))).toMatchObject({
        status: 422,
        code: "ACTIVATION_CODE_INVALID",
      });
    });
  });

  describe("bad input: 400 INVALID_INPUT naming the field, nothing changed", () => {
    const fund = `/api/funds/${FUND}`;
    const createFund = { name: "Kindpakket", amountPerChildCents: 30000, budgetExpiry: "2099-12-31" };
    const cases: [string, Method, string, unknown, string][] = [
      ["create fund: missing name", "POST", "/api/funds", { amountPerChildCents: 30000, budgetExpiry: "2099-12-31" }, "name"],
      ["create fund: missing amount", "POST", "/api/funds", { name: "K", budgetExpiry: "2099-12-31" }, "amountPerChildCents"],
      ["create fund: negative cents", "POST", "/api/funds", { ...createFund, amountPerChildCents: -1 }, "amountPerChildCents"],
      ["create fund: zero cents", "POST", "/api/funds", { ...createFund, amountPerChildCents: 0 }, "amountPerChildCents"],
      ["create fund: fractional cents", "POST", "/api/funds", { ...createFund, amountPerChildCents: 300.5 }, "amountPerChildCents"],
      ["create fund: huge cents", "POST", "/api/funds", { ...createFund, amountPerChildCents: 2 ** 60 }, "amountPerChildCents"],
      ["create fund: cents as a string", "POST", "/api/funds", { ...createFund, amountPerChildCents: "30000" }, "amountPerChildCents"],
      ["create fund: not a date", "POST", "/api/funds", { ...createFund, budgetExpiry: "2027-02-30" }, "budgetExpiry"],
      ["create fund: another currency", "POST", "/api/funds", { ...createFund, currency: "USD" }, "currency"],
      ["create fund: a huge name", "POST", "/api/funds", { ...createFund, name: "x".repeat(5000) }, "name"],
      ["create fund: an unknown field", "POST", "/api/funds", { ...createFund, owner: "me" }, "body"],
      ["create fund: a list", "POST", "/api/funds", [createFund], "body"],
      ["deposit: negative cents", "POST", `${fund}/deposits`, { amountCents: -500, bankReference: "R1" }, "amountCents"],
      ["deposit: fractional cents", "POST", `${fund}/deposits`, { amountCents: 0.5, bankReference: "R1" }, "amountCents"],
      ["deposit: huge cents", "POST", `${fund}/deposits`, { amountCents: 1e20, bankReference: "R1" }, "amountCents"],
      ["deposit: missing bank reference", "POST", `${fund}/deposits`, { amountCents: 500 }, "bankReference"],
      ["deposit: a malformed fund id", "POST", "/api/funds/42/deposits", { amountCents: 500, bankReference: "R1" }, "id"],
      ["pause: missing reason", "POST", `${fund}/pause`, {}, "reason"],
      ["pause: empty reason", "POST", `${fund}/pause`, { reason: "  " }, "reason"],
      ["unpause: reason of the wrong type", "POST", `${fund}/unpause`, { reason: 7 }, "reason"],
      ["get fund: a malformed id", "GET", "/api/funds/not-a-uuid", undefined, "id"],
      ["import: missing csv", "POST", `${fund}/families/import`, {}, "csv"],
      ["import: csv of the wrong type", "POST", `${fund}/families/import`, { csv: ["a"] }, "csv"],
      ["import: an unknown mode", "POST", `${fund}/families/import`, { csv: "a", mode: "some" }, "mode"],
      ["add family: no children", "POST", `${fund}/families`, { displayName: "J", addressLines: ["A 1"], children: [] }, "children"],
      ["add family: a fractional birth year", "POST", `${fund}/families`, { displayName: "J", addressLines: ["A 1"], children: [{ firstName: "A", birthYear: 2020.5 }] }, "children.0.birthYear"],
      ["add family: missing address", "POST", `${fund}/families`, { displayName: "J", children: [{ firstName: "A", birthYear: 2020 }] }, "addressLines"],
      ["approve: a malformed family id", "POST", `${fund}/families/approve`, { familyIds: ["x"] }, "familyIds.0"],
      ["preview top-up: negative cents", "POST", `${fund}/top-ups/preview`, { target: { all: true }, amountCents: -100 }, "amountCents"],
      ["top-up: fractional cents", "POST", `${fund}/top-ups`, { target: { all: true }, amountCents: 99.99 }, "amountCents"],
      ["top-up: huge cents", "POST", `${fund}/top-ups`, { target: { all: true }, amountCents: Number.MAX_SAFE_INTEGER + 2 }, "amountCents"],
      ["top-up: missing target", "POST", `${fund}/top-ups`, { amountCents: 100 }, "target"],
      ["top-up: a malformed target", "POST", `${fund}/top-ups`, { target: { all: false }, amountCents: 100 }, "target"],
      ["freeze: a malformed budget id", "POST", "/api/budgets/0x1234/freeze", { reason: "lost" }, "budgetId"],
      ["unfreeze: missing reason", "POST", `/api/budgets/${BUDGET}/unfreeze`, {}, "reason"],
      ["letters: a malformed family id", "POST", "/api/families/42/letters", undefined, "id"],
      ["reissue: a malformed family id", "POST", `/api/families/${"x".repeat(5000)}/reissue`, undefined, "id"],
      ["delete family: missing reason", "DELETE", `/api/families/${FAMILY}`, {}, "reason"],
      ["activation: missing code", "POST", "/api/family/activation", { holderAddress: ADDRESS }, "code"],
      ["activation: not an address", "POST", "/api/family/activation", { code: "2222-3333-4444", holderAddress: "0x12" }, "holderAddress"],
      ["activation: a huge code", "POST", "/api/family/activation", { code: "2".repeat(5000), holderAddress: ADDRESS }, "code"],
      ["search families: a huge query", "GET", `${fund}/families?q=${"a".repeat(500)}`, undefined, "q"],
      ["search families: a negative offset", "GET", `${fund}/families?offset=-1`, undefined, "offset"],
      ["search families: a limit over 500", "GET", `${fund}/families?limit=501`, undefined, "limit"],
      ["search families: an unknown parameter", "GET", `${fund}/families?name=anna`, undefined, "query"],
      ["search families: a malformed fund id", "GET", "/api/funds/42/families", undefined, "id"],
      ["public shops: a malformed fund id", "GET", "/api/public/merchants?fundId=7", undefined, "fundId"],
    ];
    it.each(cases)("%s", async (_case, method, path, body, field) => {
      const before = await auditCount(app);
      const client = path.startsWith("/api/family/") ? app.client() : all;
      const error = await refusal(client.request(method, path, { body }));
      expect(error).toMatchObject({ status: 400, code: "INVALID_INPUT", details: { field } });
      expect(error.message.length).toBeLessThan(500);
      expect(await auditCount(app)).toBe(before);
    });
  });

  describe("unknown ids", () => {
    const fund = () => `/api/funds/${randomUUID()}`;
    const fundCases: [string, Method, () => string, unknown][] = [
      ["GET /api/funds/:id", "GET", fund, undefined],
      ["deposit", "POST", () => `${fund()}/deposits`, { amountCents: 500, bankReference: "R1" }],
      ["pause", "POST", () => `${fund()}/pause`, { reason: "r" }],
      ["unpause", "POST", () => `${fund()}/unpause`, { reason: "r" }],
      ["import", "POST", () => `${fund()}/families/import`, { csv: "family_ref\nF1\n" }],
      ["add family", "POST", () => `${fund()}/families`, { displayName: "J", addressLines: ["A 1"], children: [{ firstName: "A", birthYear: new Date().getUTCFullYear() - 3 }] }],
      ["approve", "POST", () => `${fund()}/families/approve`, {}],
      ["issue budgets", "POST", () => `${fund()}/budgets/issue`, undefined],
      ["preview top-up", "POST", () => `${fund()}/top-ups/preview`, { target: { all: true }, amountCents: 100 }],
      ["top-up", "POST", () => `${fund()}/top-ups`, { target: { all: true }, amountCents: 100 }],
    ];
    it.each(fundCases)("%s of an unknown fund: 404 FUND_UNKNOWN", async (_name, method, path, body) => {
      expect(await refusal(all.request(method, path(), { body }))).toMatchObject({ status: 404, code: "FUND_UNKNOWN" });
    });

    it.each(["freeze", "unfreeze"])("%s of an unknown budget: 404 BUDGET_UNKNOWN", async (action) => {
      expect(await refusal(all.request("POST", `/api/budgets/${BUDGET}/${action}`, { body: { reason: "r" } }))).toMatchObject({ status: 404, code: "BUDGET_UNKNOWN" });
    });

    it.each([
      ["letters", "POST", "letters", undefined],
      ["reissue", "POST", "reissue", undefined],
      ["delete", "DELETE", "", { reason: "r" }],
    ] as const)("%s of an unknown family: 404 NOT_FOUND", async (_name, method, suffix, body) => {
      const path = `/api/families/${randomUUID()}${suffix ? `/${suffix}` : ""}`;
      expect(await refusal(all.request(method, path, { body }))).toMatchObject({ status: 404, code: "NOT_FOUND" });
    });

    it("a CSV import body over 8 MB: 400 INVALID_INPUT (too large); other bodies stay limited to 100 kB", async () => {
      const big = { csv: "x".repeat(9_000_000) };
      expect(await refusal(all.request("POST", `/api/funds/${randomUUID()}/families/import`, { body: big }))).toMatchObject({
        status: 400, code: "INVALID_INPUT", message: "The request body is too large.",
      });
      const medium = { displayName: "x".repeat(200_000), addressLines: ["A"], children: [] };
      expect(await refusal(all.request("POST", `/api/funds/${randomUUID()}/families`, { body: medium }))).toMatchObject({
        status: 400, message: "The request body is too large.",
      });
      // 200 kB of CSV is read (then the unknown fund is refused).
      expect(await refusal(all.request("POST", `/api/funds/${randomUUID()}/families/import`, { body: { csv: "x".repeat(200_000) } }))).toMatchObject({
        status: 404, code: "FUND_UNKNOWN",
      });
    });

    it("creating a fund without a chain configured: 503 CHAIN_UNAVAILABLE, nothing stored", async () => {
      const error = await refusal(byRole.get("admin")!.request("POST", "/api/funds", { body: { name: "K", amountPerChildCents: 100, budgetExpiry: "2099-01-01" } }));
      expect(error).toMatchObject({ status: 503, code: "CHAIN_UNAVAILABLE" });
      expect(await app.db.selectFrom("funds").select("id").execute()).toEqual([]);
    });
  });
});

describe.each(ENGINES)("activation-code guessing over HTTP on $name", (engine) => {
  const app = useApp(engine, { guessLimiter: new GuessLimiter({ maxFailures: 3 }), keyLoginLimiter: new GuessLimiter({ maxFailures: 3 }) });

  it("limits login challenges and refused key logins per client: 429 RATE_LIMITED with Retry-After", async () => {
    const post = (path: string, body: unknown) => app.fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    // A key that holds no budgets: each probe is refused, and counted.
    for (let i = 0; i < 2; i++) expect((await post("/api/family/challenge", { holderAddress: ADDRESS })).status).toBe(401);
    expect((await post("/api/family/session/key", { holderAddress: ADDRESS, challenge: "x".repeat(32), signature: `0x${"11".repeat(65)}` })).status).toBe(401);
    for (const [path, body] of [
      ["/api/family/challenge", { holderAddress: ADDRESS }],
      ["/api/family/session/key", { holderAddress: ADDRESS, challenge: "x".repeat(32), signature: `0x${"11".repeat(65)}` }],
    ] as const) {
      const response = await post(path, body);
      expect(response.status, path).toBe(429);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await response.json()).error).toMatchObject({ code: "RATE_LIMITED" });
    }
  });

  it("refuses a client after 3 wrong codes: 429 RATE_LIMITED with Retry-After, even for a well-formed code", async () => {
    const body = { code: "2222-3333-4444", holderAddress: ADDRESS };
    for (let i = 0; i < 3; i++) {
      expect(await refusal(app.client().request("POST", "/api/family/activation", { body }))).toMatchObject({ status: 422, code: "ACTIVATION_CODE_INVALID" });
    }
    const response = await app.fetch("/api/family/activation", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code: "ABCD-EFGH-JKMN", holderAddress: ADDRESS }),
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await response.json()).error).toMatchObject({ code: "RATE_LIMITED", details: { scope: "client" } });
  });
});
