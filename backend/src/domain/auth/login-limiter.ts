// The one login limiter of staff and shop users. It counts an attempt before the password is checked
// (so parallel guesses count too), on three counters:
// - per client address, across accounts (failures only): password spraying from one address is slowed;
// - per account, for clients that never logged in to it: guessing one account is slowed, but a stranger
//   who locks the account does not lock out its users;
// - per account and known client: a client that logged in before is held only by its own failures, so
//   its correct password gets through while the account is locked against strangers.
// A successful login forgets the account's counters and remembers the client for the account.
import { DomainError } from "@tegoed/sdk";
import type { Db } from "../../db/index.ts";
import { loginAttemptsRepository, type AttemptPolicy } from "./login-attempts.repository.ts";
import { loginClientsRepository } from "./login-clients.repository.ts";
import type { SessionService } from "./sessions.ts";

export type LoginSubject = "staff" | "merchant";

/** Per account (from unknown clients), and per account and known client: 5 within 15 minutes, then 15 minutes locked. */
export const DEFAULT_LOGIN_POLICY: AttemptPolicy = { maxAttempts: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
/** Per client address, across accounts: 50 failures within 15 minutes (an office behind one address), then 15 minutes locked. */
export const DEFAULT_CLIENT_POLICY: AttemptPolicy = { maxAttempts: 50, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

export interface LoginLimiterDeps {
  db: Db;
  sessions: SessionService;
  now?: () => Date;
  policy?: AttemptPolicy;
  clientPolicy?: AttemptPolicy;
}

export interface LoginLimiter {
  /**
   * Runs `verify` (which throws on wrong credentials) for a login to `email` from `client` (its address),
   * unless a counter is locked (RATE_LIMITED, details.scope "account" or "client").
   */
  attempt<T>(subject: LoginSubject, email: string, client: string, verify: () => Promise<T>): Promise<T>;
}

export function loginLimiter(deps: LoginLimiterDeps): LoginLimiter {
  const now = deps.now ?? (() => new Date());
  const policy = deps.policy ?? DEFAULT_LOGIN_POLICY;
  const clientPolicy = deps.clientPolicy ?? DEFAULT_CLIENT_POLICY;
  const attempts = loginAttemptsRepository(deps.db);
  const clients = loginClientsRepository(deps.db);

  return {
    async attempt(subject, email, client, verify) {
      const account = deps.sessions.loginKey(subject, email);
      const pair = deps.sessions.loginKey(subject, `${email.trim().toLowerCase()}\0${client}`);
      const at = now();
      const known = await clients.isKnown(pair);
      const byClient = deps.sessions.loginKey("client", client);
      const claims = known
        ? [{ key: pair, policy, scope: "account" }]
        : [{ key: byClient, policy: clientPolicy, scope: "client" }, { key: account, policy, scope: "account" }];
      for (const c of claims) {
        const claim = await attempts.claim(c.key, at, c.policy);
        if (!claim.allowed) throw rateLimited(claim.lockedUntil, at, c.scope);
      }
      const result = await verify();
      await attempts.reset(account);
      await attempts.reset(pair);
      if (!known) await attempts.forgive(byClient); // the address counts failures, not logins
      await clients.remember(pair, at);
      return result;
    },
  };
}

function rateLimited(lockedUntil: Date, now: Date, scope: string): DomainError {
  const seconds = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000));
  const what = scope === "client" ? "from this address" : "for this account";
  return new DomainError("RATE_LIMITED", `Too many login attempts ${what}: try again in ${Math.ceil(seconds / 60)} minute(s).`, {
    retryAfterSeconds: String(seconds), retryAt: lockedUntil.toISOString(), scope,
  });
}
