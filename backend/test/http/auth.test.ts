import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApiClient, type ApiClient } from "@tegoed/sdk";
import { ENGINES } from "../support/engines.ts";
import { refusal, useApp } from "./harness.ts";

// requireSubject is the guard the merchant and family routes will use: tried here on test routes,
// with merchants "loaded" from a set of ids (the merchant domain is built elsewhere).
describe.each(ENGINES)("requireSubject guard (merchants, families) on $name", (engine) => {
  const app = useApp(engine);
  const activeMerchants = new Set<string>();
  let registered = false;

  function addRoutes() {
    if (registered) return;
    registered = true;
    const guard = app.parts.auth.requireSubject("merchant", async (id) => (activeMerchants.has(id) ? { id } : undefined));
    const Answer = z.object({ merchantId: z.string() });
    app.parts.api.route(
      { method: "get", path: "/api/test/merchant", operationId: "testMerchantGet", summary: "who am I", tags: ["test"], guard, response: Answer },
      async ({ req }) => ({ merchantId: guard.userOf(req).id }),
    );
    app.parts.api.route(
      { method: "post", path: "/api/test/merchant", operationId: "testMerchantPost", summary: "change something", tags: ["test"], guard, response: Answer },
      async ({ req }) => ({ merchantId: guard.userOf(req).id }),
    );
  }

  async function merchantClient(): Promise<{ id: string; client: ApiClient }> {
    const id = randomUUID();
    activeMerchants.add(id);
    const issued = await app.sessions.start("merchant", id);
    const client = createApiClient({ baseUrl: app.baseUrl });
    client.sessionCookie = issued.token;
    client.csrfToken = issued.csrfToken;
    return { id, client };
  }

  it("lets a merchant's session through, and hands the route the loaded merchant", async () => {
    addRoutes();
    const { id, client } = await merchantClient();
    expect(await client.request("GET", "/api/test/merchant")).toEqual({ merchantId: id });
    expect(await client.request("POST", "/api/test/merchant")).toEqual({ merchantId: id });
  });

  it("refuses a staff session and no session with 401 UNAUTHENTICATED", async () => {
    addRoutes();
    expect(await refusal(app.admin.client.request("GET", "/api/test/merchant"))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    expect(await refusal(app.client().request("GET", "/api/test/merchant"))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
  });

  it("refuses a state change without the session's CSRF token with 403 CSRF_REJECTED", async () => {
    addRoutes();
    const { client } = await merchantClient();
    client.csrfToken = undefined;
    expect(await refusal(client.request("POST", "/api/test/merchant"))).toMatchObject({ status: 403, code: "CSRF_REJECTED" });
  });

  it("ends the session of a merchant that is gone: 401, and the session row is deleted", async () => {
    addRoutes();
    const { id, client } = await merchantClient();
    activeMerchants.delete(id);
    expect(await refusal(client.request("GET", "/api/test/merchant"))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    expect(await app.db.selectFrom("sessions").selectAll().where("subject_id", "=", id).execute()).toEqual([]);
  });

  it("ignores a malformed or unknown session cookie (401, never 500)", async () => {
    addRoutes();
    for (const cookie of ["", "x", "a".repeat(43), "%%%;;=", "a".repeat(10_000)]) {
      const response = await app.fetch("/api/test/merchant", { headers: { cookie: `tegoed_session=${cookie}` } });
      expect(response.status, cookie.slice(0, 10)).toBe(401);
    }
  });
});
