// The HTTP app on a real port, over a fresh migrated database of the given engine, with the real
// services. Use once per describe block: `const app = useApp(engine)`; then `app.client()` for a new
// browser-like client and `app.loginAs(["validator"])` for one logged in as a new staff user.
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import { createApiClient, type ApiClient, type StaffRole, type StaffSession } from "@tegoed/sdk";
import type { Db } from "../../src/db/index.ts";
import { sessionService, type SessionService } from "../../src/domain/auth/index.ts";
import { staffService, type StaffService } from "../../src/domain/staff/index.ts";
import { createAppParts, type AppDeps, type AppParts } from "../../src/http/app.ts";
import { GuessLimiter } from "../../src/domain/eligibility/index.ts";
import type { Logger } from "../../src/http/errors.ts";
import type { Ledger } from "../../src/http/ledger.ts";
import type { ChainProbe, IndexerLag } from "../../src/http/health.ts";
import { useDatabase, type TestEngine } from "../support/engines.ts";

export const SECRET = "test-session-secret-0123456789abcdef0123456789";
export const PASSWORD = "correct horse battery staple";

export interface AppOptions {
  /** The clock of the services (only the rate-limit test moves it). */
  now?: () => Date;
  chain?: ChainProbe;
  indexerLag?: IndexerLag;
  logger?: Logger;
  /** The chain for fund and budget routes, read when the app starts (after a file's own beforeAll). */
  ledger?: () => Ledger;
  guessLimiter?: GuessLimiter;
  /** Login challenges per client; default: the app's own. */
  keyLoginLimiter?: GuessLimiter;
  /** Default: no practical limit (tests apply many shops from one address). */
  applicationLimiter?: GuessLimiter;
  trustProxy?: number | string | false;
  /** The Tegoed card's pepper and limiters. */
  cards?: AppDeps["cards"];
  /** Families applying: identity key, broker or mailer, read when the app starts. */
  applicants?: () => AppDeps["applicants"];
  /** Settlement: the bank adapter etc., read when the app starts. */
  payouts?: (db: Db) => AppDeps["payouts"];
  /** Admin and finance users must set up a second factor (as in production). */
  requireSecondFactor?: boolean;
  metrics?: AppDeps["metrics"];
  metricsToken?: string;
  /** How long a till's session is reused; default: the service's own. */
  sessionReuseMs?: number;
}

export interface TestApp {
  readonly baseUrl: string;
  readonly db: Db;
  readonly kind: "pglite" | "postgres";
  readonly parts: AppParts;
  readonly staff: StaffService;
  readonly sessions: SessionService;
  /** The administrator created at start-up (bootstrap), and a client logged in as them. */
  readonly admin: { id: string; email: string; client: ApiClient };
  /** A new client with no session. */
  client(): ApiClient;
  /** A new staff user with these roles (created by the bootstrap admin). */
  createStaff(roles: StaffRole[]): Promise<{ id: string; email: string; password: string }>;
  /** A new staff user with these roles and a client logged in as them. */
  loginAs(roles: StaffRole[]): Promise<{ id: string; email: string; client: ApiClient; session: StaffSession }>;
  /** Raw fetch against the app. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export const randomEmail = (label = "staff") => `${label}-${randomUUID().slice(0, 8)}@westerkwartier.test`;

export function useApp(engine: TestEngine, options: AppOptions = {}): TestApp {
  const database = useDatabase(engine);
  let server: Server | undefined;
  let state: { baseUrl: string; parts: AppParts; staff: StaffService; sessions: SessionService; admin: TestApp["admin"] } | undefined;

  const get = () => {
    if (!state) throw new Error(`${engine.name}: the app did not start (see the first failure)`);
    return state;
  };

  beforeAll(async () => {
    if (engine.skipReason) return;
    let db: Db;
    try {
      db = database.db;
    } catch {
      return; // useDatabase reports its failure in every test
    }
    const sessions = sessionService({ db, secret: SECRET, ttlMs: 3_600_000, now: options.now, reuseMs: options.sessionReuseMs });
    const staff = staffService({ db, sessions, secret: SECRET, now: options.now, requireSecondFactor: options.requireSecondFactor });
    const parts = createAppParts({
      database: { db, kind: database.kind },
      sessions,
      staff,
      chain: options.chain,
      indexerLag: options.indexerLag,
      ledger: options.ledger?.(),
      guessLimiter: options.guessLimiter,
      keyLoginLimiter: options.keyLoginLimiter,
      applicationLimiter: options.applicationLimiter ?? new GuessLimiter({ maxFailures: 1_000_000 }),
      trustProxy: options.trustProxy,
      payouts: options.payouts?.(db),
      cards: options.cards,
      applicants: options.applicants?.(),
      clock: options.now,
      cookieSecure: false,
      logger: options.logger ?? { error: () => {}, info: () => {} },
      metrics: options.metrics,
      metricsToken: options.metricsToken,
    });
    server = await new Promise<Server>((resolve) => {
      const s = parts.app.listen(0, "127.0.0.1", () => resolve(s));
    });
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const adminEmail = randomEmail("admin");
    await staff.bootstrapAdmin({ email: adminEmail, password: PASSWORD });
    const client = createApiClient({ baseUrl });
    const session = await client.staff.login({ email: adminEmail, password: PASSWORD });
    state = { baseUrl, parts, staff, sessions, admin: { id: session.user.id, email: adminEmail, client } };
  });

  afterAll(async () => {
    if (!server) return;
    const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  });

  const app: TestApp = {
    get baseUrl() {
      return get().baseUrl;
    },
    get db() {
      return database.db;
    },
    get kind() {
      return database.kind;
    },
    get parts() {
      return get().parts;
    },
    get staff() {
      return get().staff;
    },
    get sessions() {
      return get().sessions;
    },
    get admin() {
      return get().admin;
    },
    client: () => createApiClient({ baseUrl: get().baseUrl }),
    async createStaff(roles) {
      const email = randomEmail(roles.join("-") || "staff");
      const user = await get().staff.create(get().admin.id, { email, password: PASSWORD, roles });
      return { id: user.id, email, password: PASSWORD };
    },
    async loginAs(roles) {
      const { id, email, password } = await app.createStaff(roles);
      const client = app.client();
      const session = await client.staff.login({ email, password });
      return { id, email, client, session };
    },
    fetch: (path, init) => fetch(`${get().baseUrl}${path}`, init),
  };
  return app;
}

/** The ApiError a promise rejects with (fails the test when it resolves). */
export async function refusal(promise: Promise<unknown>): Promise<{ code: string; status: number; message: string; details: Record<string, string> }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code: string; status: number; message: string; details: Record<string, string> };
    return { code: e.code, status: e.status, message: e.message, details: e.details };
  }
  throw new Error("expected the request to be refused, but it succeeded");
}
