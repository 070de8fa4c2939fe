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
  /**
   * How long a session read with its user for a till's lookup or charge (`resolveWith`, `reuse`) is
   * reused without reading it again. Default 10 s; 0: read every time. Ending a session in this process
   * forgets it at once; another replica sees the end within this time.
   */
  reuseMs?: number;
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

/** A live session and its user (undefined: the account is gone). */
type Found<T> = { session: Session; user: T | undefined };

export interface SessionService {
  start(subjectType: SubjectType, subjectId: string): Promise<IssuedSession>;
  /** The live session of this cookie token, or undefined (unknown or expired: an expired one is deleted). */
  resolve(token: string): Promise<Session | undefined>;
  /**
   * As `resolve`, with the session's user read in the same query: `find` reads the row of this token
   * hash and its user. `reuse`: for the requests that come by the hundred (a till's lookups and
   * charges), a live session with its user is reused for `reuseMs` without reading it again.
   */
  resolveWith<T>(
    token: string, find: (tokenHash: string) => Promise<SessionWithSubject<T> | undefined>, reuse?: boolean,
  ): Promise<Found<T> | undefined>;
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

const DEFAULT_REUSE_MS = 10_000;
/** Sessions kept for reuse per reader, at most: the oldest make room. */
const MAX_REUSED = 10_000;


export function sessionService(deps: SessionDeps): SessionService {
  const now = deps.now ?? (() => new Date());
  const sessions = sessionsRepository(deps.db);
  const csrfFor = (token: string) => createHmac("sha256", deps.secret).update(`csrf\0${token}`).digest("base64url");

  const reuseMs = deps.reuseMs ?? DEFAULT_REUSE_MS;
  // A till sends two requests per payment, each with its session: the second (and the next payment's)
  // need not read it again. Per reader, since each reads its own kind of user.
  const reused = new Map<Function, Map<string, { found: Found<unknown>; until: number }>>();

  function forget(match: (session: Session) => boolean) {
    for (const byHash of reused.values()) {
      for (const [hash, entry] of byHash) if (match(entry.found.session)) byHash.delete(hash);
    }
  }

  async function read<T>(token: string, find: (tokenHash: string) => Promise<SessionWithSubject<T> | undefined>, hash = sha256(token)): Promise<Found<T> | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const found = await find(hash);
    if (!found) return undefined;
    if (found.session.expiresAt <= now()) {
      await sessions.delete(found.session.tokenHash);
      return undefined;
    }
    return { session: { ...found.session, csrfToken: csrfFor(token) }, user: found.user };
  }

  async function resolveWith<T>(token: string, find: (tokenHash: string) => Promise<SessionWithSubject<T> | undefined>, reuse = false) {
    if (!reuse || reuseMs <= 0) return read(token, find);
    let byHash = reused.get(find);
    if (!byHash) reused.set(find, (byHash = new Map()));
    const at = now().getTime();
    const hash = sha256(token);
    const entry = byHash.get(hash);
    if (entry && entry.until > at && entry.found.session.expiresAt.getTime() > at) return entry.found as Found<T>;
    const found = await read(token, find, hash);
    if (!found || found.user === undefined) {
      byHash.delete(hash);
      return found;
    }
    if (byHash.size >= MAX_REUSED) byHash.delete(byHash.keys().next().value!);
    byHash.set(hash, { found, until: at + reuseMs });
    return found;
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
      const found = await read(token, async (tokenHash) => {
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
      const hash = sha256(token);
      forget((session) => session.tokenHash === hash);
      await sessions.delete(hash);
    },

    endAllOf(subjectType, subjectId) {
      forget((session) => session.subjectType === subjectType && session.subjectId === subjectId);
      return sessions.deleteAllOf(subjectType, subjectId);
    },

    purgeExpired() {
      return sessions.deleteExpired(now());
    },
  };
}

