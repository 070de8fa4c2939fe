// The one login limiter of staff and shop users: it counts an attempt before the password is checked
// (so parallel guesses count too) and forgets them after a successful login.
import { DomainError } from "@tegoed/sdk";
import type { Db } from "../../db/index.ts";
import { loginAttemptsRepository, type AttemptPolicy } from "./login-attempts.repository.ts";
import type { SessionService } from "./sessions.ts";

export type LoginSubject = "staff" | "merchant";

/** 5 attempts within 15 minutes, then 15 minutes locked. */
export const DEFAULT_LOGIN_POLICY: AttemptPolicy = { maxAttempts: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

export interface LoginLimiterDeps {
  db: Db;
  sessions: SessionService;
  now?: () => Date;
  policy?: AttemptPolicy;
}

export interface LoginLimiter {
  /** Runs `verify` (which throws on wrong credentials) unless the account is locked (RATE_LIMITED). */
  attempt<T>(subject: LoginSubject, email: string, verify: () => Promise<T>): Promise<T>;
}

export function loginLimiter(deps: LoginLimiterDeps): LoginLimiter {
  const now = deps.now ?? (() => new Date());
  const policy = deps.policy ?? DEFAULT_LOGIN_POLICY;
  const attempts = loginAttemptsRepository(deps.db);

  return {
    async attempt(subject, email, verify) {
      const key = deps.sessions.loginKey(subject, email);
      const at = now();
      const claim = await attempts.claim(key, at, policy);
      if (!claim.allowed) throw rateLimited(claim.lockedUntil, at);
      const result = await verify();
      await attempts.reset(key);
      return result;
    },
  };
}

function rateLimited(lockedUntil: Date, now: Date): DomainError {
  const seconds = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000));
  return new DomainError("RATE_LIMITED", `Too many login attempts for this account: try again in ${Math.ceil(seconds / 60)} minute(s).`, {
    retryAfterSeconds: String(seconds), retryAt: lockedUntil.toISOString(),
  });
}
