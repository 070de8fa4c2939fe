import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ErrorBodySchema, DomainError } from "@tegoed/sdk";
import type { Logger } from "../../src/http/errors.ts";
import { ENGINES } from "../support/engines.ts";
import { useApp } from "./harness.ts";

const logged: { message: string; fields?: Record<string, unknown> }[] = [];
const logger: Logger = { error: (message, fields) => logged.push({ message, fields }), info: () => {} };

const SECRET_DETAIL = "Key (email)=(jan@example.org) already exists";

describe.each(ENGINES)("error answers on $name", (engine) => {
  const app = useApp(engine, { logger });
  let registered = false;

  // Routes that fail on purpose, added to the running app's API like any feature's routes.
  function addFailingRoutes() {
    if (registered) return;
    registered = true;
    app.parts.api.route(
      { method: "get", path: "/api/test/bug", operationId: "testBug", summary: "throws a bug", tags: ["test"] },
      async () => {
        throw new Error(SECRET_DETAIL);
      },
    );
    app.parts.api.route(
      { method: "get", path: "/api/test/refusal", operationId: "testRefusal", summary: "refuses", tags: ["test"] },
      async () => {
        throw new DomainError("BUDGET_FROZEN", undefined, { budgetId: "0x01" });
      },
    );
    app.parts.api.route(
      {
        method: "get",
        path: "/api/test/query",
        operationId: "testQuery",
        summary: "validates a query",
        tags: ["test"],
        query: z.object({ limit: z.coerce.number().int().min(1).max(100) }),
        response: z.object({ limit: z.number() }),
      },
      async ({ query }) => ({ limit: query.limit }),
    );
  }

  it("a bug: 500 INTERNAL with the generic message, no stack or internal message in the body; logged without the message", async () => {
    addFailingRoutes();
    logged.length = 0;
    const response = await app.fetch("/api/test/bug");
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      error: { code: "INTERNAL", message: "Something went wrong on our side. Please try again later.", requestId: response.headers.get("x-request-id") },
    });
    expect(text).not.toMatch(/at |\.ts|jan@example|Key \(email\)/);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.fields).toMatchObject({ requestId: response.headers.get("x-request-id"), method: "GET", route: "/api/test/bug", error: "Error", stack: expect.any(Array) });
    expect(JSON.stringify(logged)).not.toContain("jan@example.org");
  });

  it("a DomainError: its status, code, message and details", async () => {
    addFailingRoutes();
    const response = await app.fetch("/api/test/refusal");
    expect(response.status).toBe(422);
    expect(ErrorBodySchema.parse(await response.json())).toEqual({
      error: { code: "BUDGET_FROZEN", message: "This budget is frozen by the municipality.", details: { budgetId: "0x01" }, requestId: response.headers.get("x-request-id") },
    });
  });

  it("a bad query: 400 INVALID_INPUT naming the parameter; a good one passes, parsed", async () => {
    addFailingRoutes();
    const bad = await app.fetch("/api/test/query?limit=abc");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({ code: "INVALID_INPUT", message: expect.stringMatching(/^limit: /), details: { field: "limit" } });
    expect(await (await app.fetch("/api/test/query?limit=7")).json()).toEqual({ limit: 7 });
  });

  it("malformed JSON: 400 INVALID_INPUT", async () => {
    const response = await app.fetch("/api/staff/session", { method: "POST", headers: { "content-type": "application/json" }, body: '{"email": "a@b.nl",' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: "INVALID_INPUT", message: "The request body is not valid JSON.", requestId: response.headers.get("x-request-id") } });
  });

  it("a body that is not JSON: 400 INVALID_INPUT", async () => {
    const response = await app.fetch("/api/staff/session", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "email=a%40b.nl&password=x",
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe("INVALID_INPUT");
  });

  it("an unknown route or method: 404 NOT_FOUND in the error format", async () => {
    for (const [method, path] of [
      ["GET", "/api/nothing-here"],
      ["PUT", "/api/staff/users"],
      ["GET", "/"],
    ] as const) {
      const response = await app.fetch(path, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(ErrorBodySchema.parse(await response.json()).error.code).toBe("NOT_FOUND");
    }
  });

  it("every error answer is JSON in the error format, with security headers and no X-Powered-By", async () => {
    const response = await app.fetch("/api/staff/me");
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-powered-by")).toBeNull();
    expect(ErrorBodySchema.parse(await response.json()).error.code).toBe("UNAUTHENTICATED");
  });
});
