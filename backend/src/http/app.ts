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
import { registerCardRoutes } from "./cards.routes.ts";
import { registerEligibilityRoutes } from "./eligibility.routes.ts";
import { registerApplicantRoutes } from "./applicant.routes.ts";
import { DOCUMENT_UPLOAD_PATH, registerApplicationRoutes } from "./applications.routes.ts";
import type { OidcClient } from "../identity/oidc.ts";
import type { LoginCodeMailer } from "../mail/login-codes.ts";
import { registerFamilyRoutes } from "./family.routes.ts";
import { registerFundsRoutes } from "./funds.routes.ts";
import { noLedger, type Ledger } from "./ledger.ts";
import { consoleLogger, errorHandler, notFound, type Logger } from "./errors.ts";
import { registerHealthRoutes, type ChainProbe, type IndexerLag } from "./health.ts";
import { metricsRoute, requestLog, type Metrics } from "./observability.ts";
import { buildOpenApiDocument, openApiRouter } from "./openapi.ts";
import { registerMerchantRoutes } from "./merchants.routes.ts";
import { registerShopRoutes } from "./shop.routes.ts";
import { registerPaymentRoutes } from "./payments.routes.ts";
import { registerPayoutRoutes } from "./payouts.routes.ts";
import type { PayoutDeps } from "../domain/payouts/index.ts";
import { registerNotificationRoutes, unsubscribePages } from "./notifications.routes.ts";
import { registerReportsRoutes } from "./reports.routes.ts";
import { registerStaffRoutes } from "./staff.routes.ts";
import { createApi, type Api } from "./validate.ts";

export interface AppDeps {
  database: { db: Db; kind: "pglite" | "postgres" };
  sessions: SessionService;
  staff: StaffService;
  /** For GET /api/health; absent: reported as not configured. */
  chain?: ChainProbe;
  /** This process's mark on its charges' claims (db/claim-holder.ts); absent: no mark. */
  claims?: { readonly id: number | null };
  indexerLag?: IndexerLag;
  /** The chain for funds and budgets; absent: those routes answer 503 CHAIN_UNAVAILABLE when they need it. */
  ledger?: Ledger;
  /** Wrong activation codes per client: one per process. Default: 20 per 15 minutes. */
  guessLimiter?: GuessLimiter;
  /** Challenges and refused key logins per client IP (default 60 in 10 minutes). */
  keyLoginLimiter?: GuessLimiter;
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
  /** Body limit of bank statement uploads (camt.053 files of thousands of entries). Default 32 MB. */
  statementBodyLimit?: string;
  /** Settlement to shops: the bank adapter and four-eyes threshold. Absent: no payout routes. */
  payouts?: Omit<PayoutDeps, "db" | "fund" | "clock">;
  /** Express's `trust proxy` (which X-Forwarded-For to believe). Default: none. */
  trustProxy?: number | string | false;
  /** Shop applications per client: one per process. Default: 10 an hour. */
  applicationLimiter?: GuessLimiter;
  /** The public figures are as of the last full period of this length. Default: an hour; 0: real time. */
  publicFiguresPeriodMs?: number;
  /** The Tegoed card: the pepper from CARD_PEPPER_FILE, the help phone printed on cards. Absent: no card routes. */
  cards?: { pepper: Uint8Array; helpPhone?: string; clientLimiter?: GuessLimiter; tillLimiter?: GuessLimiter };
  /** Signs the unsubscribe links in mails (the worker signs with the same). Default: a development secret. */
  notificationSecret?: string;
  /** Families applying: the key of the identity hashes, the identity broker or else an email mailer. */
  applicants?: ApplicantOptions;
  /** Serve the built apps (<app>/dist) found under this folder: the repository root. Absent: API only. */
  appsRoot?: string;
  /** Request counts and latencies, served at /api/metrics to holders of `metricsToken` (none: no endpoint). */
  metrics?: Metrics;
  metricsToken?: string;
}

const DEVELOPMENT_NOTIFICATION_SECRET = "tegoed-development-notification-secret";
export interface ApplicantOptions {
  /** Keys the hashes of the broker's subjects and of email addresses; stable, at least 32 characters. */
  identityKey: string;
  /** The broker (OpenID Connect), discovered on first use. */
  oidc?: () => Promise<OidcClient>;
  /** Our callback URL as registered at the broker. */
  oidcRedirectUrl?: string;
  /** The login button's name of the broker, e.g. "DigiD". */
  oidcLabel?: string;
  /** Login codes by email, where there is no broker. */
  mailer?: LoginCodeMailer;
  /** Seals the BSN where a fund needs one (BSN_KEY_FILE); absent: no BSN is kept and such funds refuse submits. */
  bsnKey?: Uint8Array;
}

/** Only where no key is configured outside production (tests, a development backend). */
export const DEVELOPMENT_IDENTITY_KEY = "tegoed-development-applicant-identity-key-not-for-production";

export const API_VERSION = "0.1.0";

/** POST /api/funds/:id/families/import, whose body may be larger than the others. */
const IMPORT_PATH = /^\/api\/funds\/[^/]+\/families\/import$/;
const STATEMENT_PATH = "/api/payout-statements";

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
  registerFamilyRoutes(api, {
    eligibility: domain, limiter: deps.guessLimiter ?? new GuessLimiter(), sessions: deps.sessions, auth,
    keyLoginLimiter: deps.keyLoginLimiter ?? new GuessLimiter({ maxFailures: 60, windowMs: 10 * 60_000 }),
  });
  const shops = { db: deps.database.db, fund: ledger.fundClient, clock: domain.clock, log: logger, claims: deps.claims };
  registerMerchantRoutes(api, {
    merchants: shops, sessions: deps.sessions, auth,
    applications: deps.applicationLimiter ?? new GuessLimiter({ maxFailures: 10, windowMs: 60 * 60_000 }),
  });
  registerShopRoutes(api, { merchants: { ...shops, sessions: deps.sessions }, auth });
  registerPaymentRoutes(api, { payments: shops, auth });
  if (deps.cards) {
    registerCardRoutes(api, {
      cards: { ...domain, pepper: deps.cards.pepper, helpPhone: deps.cards.helpPhone ?? "14 0594" }, merchants: shops, auth,
      clientLimiter: deps.cards.clientLimiter ?? new GuessLimiter(), tillLimiter: deps.cards.tillLimiter ?? new GuessLimiter({ maxFailures: 10 }),
    });
  }
  registerReportsRoutes(api, { db: deps.database.db, auth, chain: deps.chain, clock: domain.clock, publicFiguresPeriodMs: deps.publicFiguresPeriodMs });
  const notificationSecret = deps.notificationSecret ?? DEVELOPMENT_NOTIFICATION_SECRET;
  registerNotificationRoutes(api, { db: deps.database.db, merchants: shops, auth, secret: notificationSecret, clock: domain.clock });
  const applicants = {
    db: deps.database.db, clock: domain.clock, identityKey: deps.applicants?.identityKey ?? DEVELOPMENT_IDENTITY_KEY,
    oidc: deps.applicants?.oidc, mailer: deps.applicants?.mailer, emailLimiter: new GuessLimiter({ maxFailures: 20, windowMs: 15 * 60_000 }),
    bsnKey: deps.applicants?.bsnKey,
  };
  registerApplicantRoutes(api, {
    applicants, redirectUrl: deps.applicants?.oidcRedirectUrl, oidcLabel: deps.applicants?.oidcLabel ?? "DigiD",
    sessions: deps.sessions, auth, cookieSecure: deps.cookieSecure,
  });
  registerApplicationRoutes(api, { applications: { ...domain, sponsor: ledger.sponsor, bsnKey: deps.applicants?.bsnKey }, applicants, sessions: deps.sessions, auth });
  if (deps.payouts) {
    registerPayoutRoutes(api, { payouts: { db: deps.database.db, fund: ledger.fundClient, clock: domain.clock, ...deps.payouts }, merchants: shops, auth, logger });
  }

  app.use(requestLog(logger, deps.metrics));
  app.use(securityHeaders);
  if (deps.metrics) app.get("/api/metrics", metricsRoute(deps.metrics, deps.metricsToken));
  // A families CSV file travels as JSON text: up to MAX_IMPORT_ROWS rows need more than the default.
  app.use(IMPORT_PATH, express.json({ limit: deps.importBodyLimit ?? "8mb", strict: true }));
  // A bank statement of thousands of entries travels as JSON text too: only its route takes that much.
  app.use(STATEMENT_PATH, express.json({ limit: deps.statementBodyLimit ?? "32mb", strict: true }));
  // A document of up to 5 MB travels base64 in JSON.
  app.use(DOCUMENT_UPLOAD_PATH, express.json({ limit: "7mb", strict: true }));
  app.use(express.json({ limit: deps.bodyLimit ?? "100kb", strict: true }));
  unsubscribePages(app, deps.database.db, notificationSecret);
  app.use(auth.middleware);
  app.use(api.router);
  // After the API's routes: none of them is under /api/openapi.json or /api/docs, and they need not pass it.
  app.use(openApiRouter(() => buildOpenApiDocument(api.operations, { version: API_VERSION })));
  if (deps.appsRoot) app.use(appsRouter(deps.appsRoot).router);
  app.use(notFound);
  app.use(errorHandler(logger));
  return { app, api, auth };
}

export function createApp(deps: AppDeps): Express {
  return createAppParts(deps).app;
}
