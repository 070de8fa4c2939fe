import { describe, expect, it } from "vitest";
import { STAFF_ACTIONS } from "@tegoed/sdk";
import { ENGINES } from "../support/engines.ts";
import { useApp } from "./harness.ts";

const ROUTES = [
  "get /api/health",
  "get /api/health/ready",
  "get /api/health/live",
  "get /api/family/notifications",
  "put /api/family/notifications",
  "get /api/staff/families/{familyId}/notifications",
  "put /api/staff/families/{familyId}/notifications",
  "get /api/merchant/notifications",
  "put /api/merchant/notifications",
  "post /api/notifications/unsubscribe",
  "get /api/staff/notifications",
  "post /api/staff/notifications/{id}/retry",
  "post /api/staff/session",
  "delete /api/staff/session",
  "get /api/staff/me",
  "get /api/staff/users",
  "post /api/staff/users",
  "patch /api/staff/users/{id}",
  "post /api/funds",
  "get /api/funds",
  "get /api/funds/{id}",
  "post /api/funds/{id}/deposits",
  "post /api/funds/{id}/pause",
  "post /api/funds/{id}/unpause",
  "post /api/funds/{id}/families/import",
  "post /api/funds/{id}/families",
  "post /api/funds/{id}/families/approve",
  "post /api/funds/{id}/budgets/issue",
  "post /api/funds/{id}/top-ups/preview",
  "post /api/funds/{id}/top-ups",
  "post /api/budgets/{budgetId}/freeze",
  "post /api/budgets/{budgetId}/unfreeze",
  "post /api/families/{id}/letters",
  "post /api/families/{id}/letters/new-code",
  "post /api/funds/{id}/letters",
  "post /api/families/{id}/reissue",
  "delete /api/families/{id}",
  "post /api/family/activation",
  "get /api/family/children",
  "post /api/merchants/applications",
  "get /api/merchants",
  "post /api/merchants/{id}/approve",
  "post /api/merchants/{id}/decline",
  "post /api/merchants/{id}/suspend",
  "post /api/merchants/{id}/users",
  "post /api/merchant/session",
  "delete /api/merchant/session",
  "post /api/merchant/qr-lookups",
  "post /api/merchant/pay-code-lookups",
  "post /api/family/pay-codes",
  "post /api/merchant/charges",
  "post /api/merchant/payments/{paymentId}/refunds",
  "get /api/merchant/payments",
  // What the apps stand on
  "get /api/family/session",
  "delete /api/family/session",
  "get /api/public/merchants",
  "get /api/merchants/applications/{id}",
  "get /api/merchants/{id}",
  "get /api/merchant/me",
  "get /api/merchant/users",
  "post /api/merchant/users",
  "get /api/funds/{id}/families",
  // Passwords
  "put /api/staff/me/password",
  "put /api/staff/users/{id}/password",
  "put /api/merchant/me/password",
  "put /api/merchants/{id}/users/{userId}/password",
  // Reports
  "get /api/funds/{id}/dashboard",
  "get /api/funds/{id}/spending-by-shop",
  "get /api/audit-log",
  "get /api/public/funds",
  "get /api/public/funds/{id}",
  // Hardening: the family's device-key login, the staff's second factor
  "post /api/family/challenge",
  "post /api/family/session/key",
  "post /api/staff/me/totp",
  "put /api/staff/me/totp",
  "delete /api/staff/users/{id}/totp",
  "get /api/applicant/login-options",
  "get /api/applicant/oidc/start",
  "get /api/applicant/oidc/callback",
  "post /api/applicant/email/code",
  "post /api/applicant/email/login",
  "get /api/applicant/session",
  "delete /api/applicant/session",
  "get /api/apply/funds",
  "post /api/apply/funds/{id}/precheck",
  "get /api/applicant/applications",
  "post /api/applicant/applications",
  "get /api/applicant/applications/{id}",
  "put /api/applicant/applications/{id}",
  "post /api/applicant/applications/{id}/documents",
  "delete /api/applicant/applications/{id}/documents/{documentId}",
  "post /api/applicant/applications/{id}/submit",
  "post /api/applicant/applications/{id}/replies",
  "post /api/applicant/applications/{id}/activation",
  "get /api/funds/{id}/application-settings",
  "put /api/funds/{id}/application-settings",
  "get /api/funds/{id}/applications",
  "get /api/applications/{id}",
  "get /api/applications/{id}/documents/{documentId}",
  "post /api/applications/{id}/questions",
  "post /api/applications/{id}/approve",
  "post /api/applications/{id}/bsn",
  "post /api/applications/{id}/decline",
];
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

type Json = Record<string, any>;

/** Every "$ref" in the document, with where it is. */
function refs(node: unknown, at = "#", out: [string, string][] = []): [string, string][] {
  if (Array.isArray(node)) node.forEach((item, i) => refs(item, `${at}/${i}`, out));
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") out.push([at, value]);
      else refs(value, `${at}/${key}`, out);
    }
  }
  return out;
}

function resolvePointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  return ref
    .slice(2)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<any>((node, part) => (node == null ? undefined : node[part]), doc);
}

describe.each(ENGINES)("OpenAPI document and docs on $name", (engine) => {
  const app = useApp(engine);

  it("guards every staff route by an action of the sdk's role table, which the staff app shows by", () => {
    const actions = new Map(Object.entries(STAFF_ACTIONS).map(([action, roles]) => [[...roles].sort().join(), action]));
    for (const op of app.parts.api.operations) {
      if (op.guard?.subject !== "staff" || op.guard.roles.length === 0) continue;
      expect(actions.has([...op.guard.roles].sort().join()), op.operationId).toBe(true);
    }
    const rolesOf = (id: string) => app.parts.api.operations.find((o) => o.operationId === id)!.guard!.roles;
    expect(rolesOf("deleteFamilyData")).toEqual(STAFF_ACTIONS["families.delete"]);
    expect(rolesOf("searchFamilies")).toEqual(STAFF_ACTIONS["families.search"]);
    expect(rolesOf("recordDeposit")).toEqual(STAFF_ACTIONS["fund.deposit"]);
    expect(rolesOf("auditLog")).toEqual(STAFF_ACTIONS["audit.view"]);
  });

  describe("GET /api/openapi.json", () => {
    it("is an OpenAPI 3.1 document listing every route of the app, each with an operationId, responses and error bodies", async () => {
      const response = await app.fetch("/api/openapi.json");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      const doc = (await response.json()) as Json;

      expect(doc.openapi).toBe("3.1.0");
      expect(doc.info).toMatchObject({ title: "Tegoed API", version: expect.any(String) });
      const listed = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
        Object.keys(item as Json).filter((k) => METHODS.includes(k)).map((method) => `${method} ${path}`),
      );
      expect(listed.sort()).toEqual([...ROUTES].sort());
      // …and the app has no route the document does not list.
      expect(app.parts.api.operations.map((o) => `${o.method} ${o.path.replace(/:(\w+)/g, "{$1}")}`).sort()).toEqual([...ROUTES].sort());

      const ids = new Set<string>();
      for (const [path, item] of Object.entries(doc.paths as Json)) {
        for (const [method, op] of Object.entries(item as Json)) {
          expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
          expect(ids.has(op.operationId)).toBe(false);
          ids.add(op.operationId);
          expect(Object.keys(op.responses).length).toBeGreaterThan(1);
          for (const [status, res] of Object.entries(op.responses as Json)) {
            expect(status).toMatch(/^[1-5]\d\d$/);
            expect(res.description, `${method} ${path} ${status}`).toEqual(expect.any(String));
          }
          expect(op.responses["500"].content["application/json"].schema).toBeDefined();
          // Path parameters are declared as parameters.
          for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
            expect(op.parameters, `${method} ${path}`).toContainEqual(expect.objectContaining({ in: "path", name, required: true }));
          }
          // Guarded operations name their security schemes; those exist.
          for (const requirement of op.security ?? []) {
            for (const scheme of Object.keys(requirement)) expect(doc.components.securitySchemes[scheme]).toBeDefined();
          }
        }
      }
      for (const [at, ref] of refs(doc)) expect(resolvePointer(doc, ref), `${ref} at ${at}`).toBeDefined();
    });

    it("describes bodies with the same rules the routes check", async () => {
      const doc = (await (await app.fetch("/api/openapi.json")).json()) as Json;
      const login = doc.paths["/api/staff/session"].post;
      const schema = login.requestBody.content["application/json"].schema;
      const resolved = (schema.$ref ? resolvePointer(doc, schema.$ref) : schema) as Json;
      expect(resolved.required).toEqual(expect.arrayContaining(["email", "password"]));
      expect(resolved.properties.password).toMatchObject({ maxLength: 200 });
      expect(Object.keys(login.responses)).toEqual(expect.arrayContaining(["200", "400", "401", "403", "429"]));

      const patch = doc.paths["/api/staff/users/{id}"].patch;
      expect(patch.security).toEqual([{ session: [], csrf: [] }]);
      expect(patch.description).toContain("role admin");
      expect(Object.keys(patch.responses)).toEqual(expect.arrayContaining(["200", "400", "401", "403", "404", "409"]));
      expect(JSON.stringify(doc.components.schemas.StaffRole)).toContain("merchant_manager");
    });

    it("defines money once: Cents, whole and positive and safe as a JSON number, used by every amount sent", async () => {
      const doc = (await (await app.fetch("/api/openapi.json")).json()) as Json;
      expect(doc.components.schemas.Cents).toMatchObject({ type: "integer", exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER });
      for (const [path, name] of [["/api/funds/{id}/deposits", "DepositRequest"], ["/api/funds/{id}/top-ups", "TopUpRequest"]] as const) {
        const schema = doc.paths[path].post.requestBody.content["application/json"].schema;
        const resolved = (schema.$ref ? resolvePointer(doc, schema.$ref) : schema) as Json;
        expect(schema.$ref ?? "", path).toContain(name);
        expect(resolved.properties.amountCents).toEqual({ $ref: "#/components/schemas/Cents" });
        expect(resolved.required).toContain("amountCents");
      }
      const activation = doc.paths["/api/family/activation"].post;
      expect(activation.security ?? []).toEqual([]);
      expect(Object.keys(activation.responses)).toEqual(expect.arrayContaining(["200", "400", "409", "410", "422", "429"]));
      expect(doc.paths["/api/families/{id}"].delete.description).toContain("role admin");
    });
  });

  describe("GET /api/docs", () => {
    it("serves the Swagger UI page, whose scripts and styles all load from this server", async () => {
      const response = await app.fetch("/api/docs");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(response.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
      const html = await response.text();
      expect(html).toContain('id="swagger-ui"');

      const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(assets.length).toBeGreaterThanOrEqual(4);
      for (const asset of assets) {
        expect(asset, "no asset from another origin").toMatch(/^\/api\/docs\//);
        const loaded = await app.fetch(asset);
        expect(loaded.status, asset).toBe(200);
        expect((await loaded.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
      }
      const init = await (await app.fetch("/api/docs/init.js")).text();
      expect(init).toContain('"/api/openapi.json"');
      expect(html + init).not.toMatch(/https?:\/\//);
    });

    it("serves only the Swagger UI files it lists: other names are 404 NOT_FOUND", async () => {
      for (const path of ["/api/docs/package.json", "/api/docs/index.html", "/api/docs/__proto__", "/api/docs/..%2Fpackage.json"]) {
        const response = await app.fetch(path);
        expect(response.status, path).toBe(404);
        expect((await response.json()).error.code).toBe("NOT_FOUND");
      }
    });
  });
});
