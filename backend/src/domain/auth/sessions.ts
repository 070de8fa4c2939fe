// Login sessions for every kind of user (staff, merchant users, families): a random token the client
// keeps in an HttpOnly cookie, of which only a hash is stored, and a CSRF token derived from it, which the
// client sends as a header with every state-changing request. No HTTP here: the http layer sets cookies.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Db } from "../../db/index.ts";
import { sessionsRepository, type SessionRow, type SubjectType } from "./sessions.repository.ts";

export type { SessionRow, SubjectType } from "./sessions.repository.ts";

export interface SessionDeps {
  db: Db;
  /** Keys the CSRF tokens; at least 32 characters. */
  secret: string;
  ttlMs: number;
  now?: () => Date;
}

export interface IssuedSession {
  /** Goes into the cookie; never stored. */
  token: string;
  /** Goes to the client in the login answer; never stored. */
  csrfToken: string;
  expiresAt: Date;
}

export interface Session {
  subjectType: SubjectType;
  subjectId: string;
  expiresAt: Date;
  /** Recomputed from the token, so a reloaded app can fetch it again (GET …/me). */
  csrfToken: string;
  tokenHash: string;
  csrfTokenHash: string;
}

/** A session row and the user behind it, read together (undefined user: the account is gone). */
export interface SessionWithSubject<T> {
  session: SessionRow;
  user: T | undefined;
}

export interface SessionService {
  start(subjectType: SubjectType, subjectId: string): Promise<IssuedSession>;
  /** The live session of this cookie token, or undefined (unknown or expired: an expired one is deleted). */
  resolve(token: string): Promise<Session | undefined>;
  /**
   * As `resolve`, with the session's user read in the same query: `find` reads the row of this token
   * hash and its user. For the requests that come by the hundred (a shop's till).
   */
  resolveWith<T>(token: string, find: (tokenHash: string) => Promise<SessionWithSubject<T> | undefined>): Promise<{ session: Session; user: T | undefined } | undefined>;
  /** True when `header` is this session's CSRF token (compared in constant time). */
  csrfMatches(session: Session, header: string | undefined): boolean;
  end(token: string): Promise<void>;
  /** Logs a subject out everywhere (disabled account, new password). */
  endAllOf(subjectType: SubjectType, subjectId: string): Promise<number>;
  /** Deletes expired sessions (a lookup deletes its own; this catches those never used again). */
  purgeExpired(): Promise<number>;
  /** A keyed hash of a login name, for the login-attempt counters (never the name itself). */
  loginKey(kind: "staff" | "merchant" | "client", name: string): string;
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export function sessionService(deps: SessionDeps): SessionService {
  const now = deps.now ?? (() => new Date());
  const sessions = sessionsRepository(deps.db);
  const csrfFor = (token: string) => createHmac("sha256", deps.secret).update(`csrf\0${token}`).digest("base64url");

  async function resolveWith<T>(token: string, find: (tokenHash: string) => Promise<SessionWithSubject<T> | undefined>) {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const found = await find(sha256(token));
    if (!found) return undefined;
    if (found.session.expiresAt <= now()) {
      await sessions.delete(found.session.tokenHash);
      return undefined;
    }
    return { session: { ...found.session, csrfToken: csrfFor(token) }, user: found.user };
  }

  return {
    loginKey: (kind, email) => createHmac("sha256", deps.secret).update(`${kind}\0${email.trim().toLowerCase()}`).digest("hex"),

    async start(subjectType, subjectId) {
      const token = randomBytes(32).toString("base64url");
      const csrfToken = csrfFor(token);
      const expiresAt = new Date(now().getTime() + deps.ttlMs);
      await sessions.insert({ tokenHash: sha256(token), subjectType, subjectId, csrfTokenHash: sha256(csrfToken), expiresAt });
      return { token, csrfToken, expiresAt };
    },

    async resolve(token) {
      const found = await resolveWith(token, async (tokenHash) => {
        const session = await sessions.find(tokenHash);
        return session && { session, user: undefined };
      });
      return found?.session;
    },

    resolveWith,

    csrfMatches(session, header) {
      if (header === undefined || header.length === 0 || header.length > 200) return false;
      const given = Buffer.from(sha256(header), "hex");
      const expected = Buffer.from(session.csrfTokenHash, "hex");
      return given.length === expected.length && timingSafeEqual(given, expected);
    },

    async end(token) {
      await sessions.delete(sha256(token));
    },

    endAllOf(subjectType, subjectId) {
      return sessions.deleteAllOf(subjectType, subjectId);
    },

    purgeExpired() {
      return sessions.deleteExpired(now());
    },
  };
}

