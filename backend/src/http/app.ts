// The Express app: composed from the services it is given (no globals), so tests and the server build
// it the same way. To add a feature's routes: write `register<Feature>Routes(api, deps)` next to
// staff.routes.ts (operations with sdk zod schemas), take its service in AppDeps, call it below.
import express, { type Express, type RequestHandler } from "express";
import type { Db } from "../db/index.ts";
import type { SessionService } from "../domain/auth/index.ts";
import type { StaffService } from "../domain/staff/index.ts";
import { GuessLimiter, type LetterSettings } from "../domain/eligibility/index.ts";
import { appsRouter } from "./apps.ts";
import { createAuth, type Auth } from "./auth.ts";
import { registerEligibilityRoutes } from "./eligibility.routes.ts";
import { registerFamilyRoutes } from "./family.routes.ts";
import { registerFundsRoutes } from "./funds.routes.ts";
import { noLedger, type Ledger } from "./ledger.ts";
import { consoleLogger, errorHandler, notFound, type Logger } from "./errors.ts";
import { registerHealthRoutes, type ChainProbe, type IndexerLag } from "./health.ts";
import { metricsRoute, requestLog, type Metrics } from "./observability.ts";
import { buildOpenApiDocument, openApiRouter } from "./openapi.ts";
import { registerMerchantRoutes } from "./merchants.routes.ts";
import { registerPaymentRoutes } from "./payments.routes.ts";
import { registerPayoutRoutes } from "./payouts.routes.ts";
import type { PayoutDeps } from "../domain/payouts/index.ts";
import { registerReportsRoutes } from "./reports.routes.ts";
import { registerStaffRoutes } from "./staff.routes.ts";
import { createApi, type Api } from "./validate.ts";

export interface AppDeps {
  database: { db: Db; kind: "pglite" | "postgres" };
  sessions: SessionService;
  staff: StaffService;
  /** For GET /api/health; absent: reported as not configured. */
  chain?: ChainProbe;
  indexerLag?: IndexerLag;
  /** The chain for funds and budgets; absent: those routes answer 503 CHAIN_UNAVAILABLE when they need it. */
  ledger?: Ledger;
  /** Wrong activation codes per client: one per process. Default: 20 per 15 minutes. */
  guessLimiter?: GuessLimiter;
  /** Who sends the activation letters, where they point, their codes' secret. Default: development settings. */
  letters?: LetterSettings;
  /** The clock of the fund and eligibility services. Default: the system's. */
  clock?: () => Date;
  /** Secure flag of the session cookie (HTTPS only): true in production. */
  cookieSecure: boolean;
  logger?: Logger;
  /** Largest JSON body accepted. Default 100 kB. */
  bodyLimit?: string;
  /** Largest body of a families CSV import. Default 8 MB. */
  importBodyLimit?: string;
  /** Settlement to shops: the bank adapter and four-eyes threshold. Absent: no payout routes. */
  payouts?: Omit<PayoutDeps, "db" | "fund" | "clock">;
  /** Express's `trust proxy` (which X-Forwarded-For to believe). Default: none. */
  trustProxy?: number | string | false;
  /** Shop applications per client: one per process. Default: 10 an hour. */
  applicationLimiter?: GuessLimiter;
  /** Serve the built apps (<app>/dist) found under this folder: the repository root. Absent: API only. */
  appsRoot?: string;
  /** Request counts and latencies, served at /api/metrics to holders of `metricsToken` (none: no endpoint). */
  metrics?: Metrics;
  metricsToken?: string;
}

export const API_VERSION = "0.1.0";

/** POST /api/funds/:id/families/import, whose body may be larger than the others. */
const IMPORT_PATH = /^\/api\/funds\/[^/]+\/families\/import$/;

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
  });
  next();
};

/** The app, and its parts for whoever composes more around it. */
export interface AppParts {
  app: Express;
  api: Api;
  auth: Auth;
}

export function createAppParts(deps: AppDeps): AppParts {
  const logger = deps.logger ?? consoleLogger;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("trust proxy", deps.trustProxy ?? false);

  const auth = createAuth({ sessions: deps.sessions, staff: deps.staff, cookieSecure: deps.cookieSecure });
  const api = createApi();
  registerHealthRoutes(api, { db: deps.database.db, kind: deps.database.kind, chain: deps.chain, indexerLag: deps.indexerLag });
  registerStaffRoutes(api, { staff: deps.staff, auth });
  const ledger = deps.ledger ?? noLedger;
  const domain = { db: deps.database.db, factory: ledger.factory, fundClient: ledger.fundClient, clock: deps.clock ?? (() => new Date()), letters: deps.letters };
  registerFundsRoutes(api, { funds: domain, sponsor: ledger.sponsor, auth });
  registerEligibilityRoutes(api, { eligibility: domain, sponsor: ledger.sponsor, auth });
  registerFamilyRoutes(api, { eligibility: domain, limiter: deps.guessLimiter ?? new GuessLimiter(), sessions: deps.sessions, auth });
  const shops = { db: deps.database.db, fund: ledger.fundClient, clock: domain.clock };
  registerMerchantRoutes(api, {
    merchants: shops, sessions: deps.sessions, auth,
    applications: deps.applicationLimiter ?? new GuessLimiter({ maxFailures: 10, windowMs: 60 * 60_000 }),
  });
  registerPaymentRoutes(api, { payments: shops, auth });
  registerReportsRoutes(api, { db: deps.database.db, auth, chain: deps.chain, clock: domain.clock });
  if (deps.payouts) {
    registerPayoutRoutes(api, { payouts: { db: deps.database.db, fund: ledger.fundClient, clock: domain.clock, ...deps.payouts }, merchants: shops, auth, logger });
  }

  app.use(requestLog(logger, deps.metrics));
  app.use(securityHeaders);
  if (deps.metrics) app.get("/api/metrics", metricsRoute(deps.metrics, deps.metricsToken));
  // A families CSV file travels as JSON text: up to MAX_IMPORT_ROWS rows need more than the default.
  app.use(IMPORT_PATH, express.json({ limit: deps.importBodyLimit ?? "8mb", strict: true }));
  app.use(express.json({ limit: deps.bodyLimit ?? "100kb", strict: true }));
  app.use(auth.middleware);
  app.use(openApiRouter(() => buildOpenApiDocument(api.operations, { version: API_VERSION })));
  app.use(api.router);
  if (deps.appsRoot) app.use(appsRouter(deps.appsRoot).router);
  app.use(notFound);
  app.use(errorHandler(logger));
  return { app, api, auth };
}

export function createApp(deps: AppDeps): Express {
  return createAppParts(deps).app;
}
