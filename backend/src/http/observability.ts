// What operators see: one log line per request (with a request id that is also in every error answer
// and the X-Request-Id header), and Prometheus metrics at /api/metrics behind a bearer token. Logs
// carry the route's pattern, never the path, query or body (codes, tokens and ids of people live there).
import { randomUUID, timingSafeEqual } from "node:crypto";
import type { Request, RequestHandler } from "express";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Logger } from "./errors.ts";

/** An id a proxy may have given the request already (X-Request-Id), if it looks like one. */
const INCOMING_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** The request's id, set by {@link requestLog}. */
export function requestIdOf(res: { locals: Record<string, unknown> }): string | undefined {
  return res.locals.requestId as string | undefined;
}

/** Routes mounted under a prefix, by their whole pattern (Express forgets the prefix once a route's router is left). */
const patterns = new WeakMap<object, string>();

/** Names a route of a router mounted under a prefix by its whole pattern, `/api/funds/:fundId`. */
export function nameRoute(route: object, pattern: string): void {
  patterns.set(route, pattern);
}

/** `/api/funds/:fundId`: the matched route's pattern; unmatched requests are not named by their path. */
export function routeOf(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  const named = route && patterns.get(route);
  if (named !== undefined) return named;
  return typeof route?.path === "string" ? `${req.baseUrl}${route.path}` : "(unmatched)";
}

/** The till's charge routes, whose latency has its own histogram. */
const CHARGE_ROUTE = /^\/api\/merchant\/(card-)?charges$/;

/** What the metrics endpoint reads when it is scraped. */
export interface MetricsSources {
  /** Transactions in flight per relayer lane, by purpose. */
  relayerQueues?: () => { purpose: string; lane: string; inFlight: number }[];
  indexerLag?: () => Promise<{ blocks: number; ms: number }>;
  payoutsByState?: () => Promise<{ state: string; count: number }[]>;
  dbPool?: () => { total: number; idle: number; waiting: number; max: number } | undefined;
}

export interface Metrics {
  registry: Registry;
  observe(route: string, method: string, status: number, seconds: number): void;
}

export function createMetrics(sources: MetricsSources = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "tegoed_process_" });
  const requests = new Counter({
    name: "tegoed_http_requests_total", help: "HTTP requests by route pattern, method and status",
    labelNames: ["route", "method", "status"] as const, registers: [registry],
  });
  const charges = new Histogram({
    name: "tegoed_charge_duration_seconds", help: "Time to answer a till's charge, by status",
    labelNames: ["status"] as const, buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10], registers: [registry],
  });
  new Gauge({
    name: "tegoed_relayer_in_flight", help: "Transactions a relayer lane is sending or waiting on",
    labelNames: ["purpose", "lane"] as const, registers: [registry],
    collect() {
      this.reset();
      for (const q of sources.relayerQueues?.() ?? []) this.set({ purpose: q.purpose, lane: q.lane }, q.inFlight);
    },
  });
  const lagBlocks = new Gauge({ name: "tegoed_indexer_lag_blocks", help: "Blocks the indexer is behind the chain head", registers: [registry] });
  const lagSeconds = new Gauge({
    name: "tegoed_indexer_lag_seconds", help: "Seconds between the indexed block and the head", registers: [registry],
    async collect() {
      const lag = await sources.indexerLag?.().catch(() => undefined);
      if (!lag) return;
      lagBlocks.set(lag.blocks);
      this.set(lag.ms / 1000);
    },
  });
  void lagSeconds;
  new Gauge({
    name: "tegoed_payouts", help: "Payouts to shops by state", labelNames: ["state"] as const, registers: [registry],
    async collect() {
      const rows = await sources.payoutsByState?.().catch(() => undefined);
      if (!rows) return;
      this.reset();
      for (const row of rows) this.set({ state: row.state }, row.count);
    },
  });
  new Gauge({
    name: "tegoed_db_pool_connections", help: "PostgreSQL pool connections by use (absent on embedded PGlite)",
    labelNames: ["use"] as const, registers: [registry],
    collect() {
      const pool = sources.dbPool?.();
      if (!pool) return;
      this.set({ use: "total" }, pool.total);
      this.set({ use: "idle" }, pool.idle);
      this.set({ use: "waiting" }, pool.waiting);
      this.set({ use: "max" }, pool.max);
    },
  });
  return {
    registry,
    observe(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      if (method === "POST" && CHARGE_ROUTE.test(route)) charges.observe({ status: String(status) }, seconds);
    },
  };
}

/** Gives each request its id and, when it is answered, logs one line and counts it. */
export function requestLog(logger: Logger, metrics?: Metrics): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get("x-request-id");
    const id = incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.setHeader("X-Request-Id", id);
    const started = process.hrtime.bigint();
    res.once("finish", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = routeOf(req);
      metrics?.observe(route, req.method, res.statusCode, ms / 1000);
      if (route === "/api/metrics") return;
      const line = { requestId: id, method: req.method, route, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      if (logger.request) logger.request(line);
      else logger.info?.("request", line);
    });
    next();
  };
}

/** GET /api/metrics with `Authorization: Bearer <METRICS_TOKEN>`; without a token configured, no metrics. */
export function metricsRoute(metrics: Metrics, token: string | undefined): RequestHandler {
  const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`);
  return async (req, res, next) => {
    if (expected === undefined) return next();
    const given = Buffer.from(req.get("authorization") ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="metrics"');
      res.status(401).type("text/plain").send("metrics need the bearer token of METRICS_TOKEN\n");
      return;
    }
    try {
      const text = await metrics.registry.metrics();
      res.type(metrics.registry.contentType).send(text);
    } catch (error) {
      next(error);
    }
  };
}
