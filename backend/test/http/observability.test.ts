// Observability of the HTTP app: every request gets an id (kept from a proxy's X-Request-Id when it
// looks like one) that is in its log line, its X-Request-Id header and every error answer; one log line
// per request names the route's pattern, never the path; /api/metrics answers only with the token.
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/http/observability.ts";
import { ENGINES } from "../support/engines.ts";
import { useApp } from "./harness.ts";

const TOKEN = "metrics-token-for-the-tests-0123456789";

describe.each(ENGINES)("request ids, request log and metrics on $name", (engine) => {
  const lines: Record<string, unknown>[] = [];
  const logger = { error: (message: string, fields?: Record<string, unknown>) => lines.push({ message, ...fields }), info: (message: string, fields?: Record<string, unknown>) => lines.push({ message, ...fields }) };
  const app = useApp(engine, { logger, metrics: createMetrics(), metricsToken: TOKEN });

  it("puts the request's id in the error answer, its header and its one log line", async () => {
    const response = await app.fetch("/api/families/ABCD-1234-EFGH/budgets?token=secret-in-query");
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await response.json()) as { error: { code: string; requestId: string } };
    expect(body.error.requestId).toBe(id);
    const line = lines.find((l) => l.requestId === id)!;
    expect(line).toMatchObject({ message: "request", method: "GET", status: response.status });
    expect(JSON.stringify(line)).not.toContain("ABCD-1234-EFGH");
    expect(JSON.stringify(line)).not.toContain("secret-in-query");
  });

  it("keeps a proxy's X-Request-Id and replaces one that does not look like an id", async () => {
    const kept = await app.fetch("/api/nothing-here", { headers: { "X-Request-Id": "proxy-7f3a9c2e" } });
    expect(kept.headers.get("x-request-id")).toBe("proxy-7f3a9c2e");
    expect(((await kept.json()) as { error: { requestId: string } }).error.requestId).toBe("proxy-7f3a9c2e");
    const replaced = await app.fetch("/api/nothing-here", { headers: { "X-Request-Id": "<script>" } });
    expect(replaced.headers.get("x-request-id")).not.toBe("<script>");
  });

  it("logs the route's pattern with the status of a matched request", async () => {
    const response = await app.fetch("/api/health");
    const id = response.headers.get("x-request-id");
    expect(lines.find((l) => l.requestId === id)).toMatchObject({ message: "request", route: "/api/health", status: response.status });
  });

  it("names a refused request by its route's whole pattern, in the log line and in the metrics", async () => {
    const refused = await app.fetch("/api/merchant/qr-lookups", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ qr: "x" }) });
    expect(refused.status).toBe(401);
    expect(lines.find((l) => l.requestId === refused.headers.get("x-request-id"))).toMatchObject({ message: "request", route: "/api/merchant/qr-lookups", status: 401 });
    const invalid = await app.loginAs(["merchant_manager"]).then(({ client }) => client.request("GET", "/api/merchants/42").catch((e: unknown) => e));
    expect(invalid).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    expect(lines.filter((l) => l.message === "request" && l.status === 400).map((l) => l.route)).toContain("/api/merchants/:id");
    const metrics = await (await app.fetch("/api/metrics", { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
    expect(metrics).toMatch(/tegoed_http_requests_total\{route="\/api\/merchant\/qr-lookups",method="POST",status="401"\} [1-9]/);
  });

  it("finds a route as before: with a trailing slash, in capitals, and not by a longer first segment", async () => {
    for (const path of ["/api/health/", "/API/Health", "/api/health/live"]) {
      const response = await app.fetch(path);
      expect(response.status, path).toBe(200);
      expect(lines.find((l) => l.requestId === response.headers.get("x-request-id"))?.route, path).toMatch(/^\/api\/health/);
    }
    const longer = await app.fetch("/api/healthz");
    expect(longer.status).toBe(404);
    expect(lines.find((l) => l.requestId === longer.headers.get("x-request-id"))).toMatchObject({ route: "(unmatched)", status: 404 });
  });

  it("serves Prometheus metrics only to the holder of the token", async () => {
    expect((await app.fetch("/api/metrics")).status).toBe(401);
    expect((await app.fetch("/api/metrics", { headers: { Authorization: "Bearer wrong" } })).status).toBe(401);
    await app.fetch("/api/health");
    const response = await app.fetch("/api/metrics", { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toMatch(/tegoed_http_requests_total\{route="\/api\/health",method="GET",status="\d{3}"\} [1-9]/);
    expect(text).toContain("# TYPE tegoed_charge_duration_seconds histogram");
  });
});

describe.each(ENGINES.slice(0, 1))("without METRICS_TOKEN on $name", (engine) => {
  const app = useApp(engine, { metrics: createMetrics() });
  it("has no metrics endpoint", async () => {
    expect((await app.fetch("/api/metrics")).status).toBe(404);
  });
});
