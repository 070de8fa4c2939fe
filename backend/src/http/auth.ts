// Sessions over HTTP: the session token travels in an HttpOnly, SameSite=Strict cookie; every
// state-changing request of a session must carry its CSRF token in the X-CSRF-Token header.
// Guards (`requireStaff`, and `requireSubject` for merchants and families) refuse with
// 401 UNAUTHENTICATED (no live session), 403 CSRF_REJECTED, 403 FORBIDDEN (wrong kind or role) or
// 403 TOTP_REQUIRED (a staff user who must set up the second factor first).
import type { CookieOptions, Request, RequestHandler, Response } from "express";
import { CSRF_HEADER, DomainError, SESSION_COOKIE, STAFF_ACTIONS, type StaffAction } from "@tegoed/sdk";
import type { IssuedSession, Session, SessionService, SessionWithSubject, SubjectType } from "../domain/auth/index.ts";
import type { StaffRole, StaffService, StaffUser } from "../domain/staff/index.ts";
import type { Guard } from "./validate.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface AuthOptions {
  sessions: SessionService;
  staff: Pick<StaffService, "findActive">;
  /** Secure flag of the cookie (HTTPS only). */
  cookieSecure: boolean;
}

/**
 * How a guard finds the user behind a session: by the session's subject id (a second query), or with
 * the session row in one query by the token's hash (`withSession`, for the routes a till calls by the hundred).
 */
export type SubjectLoader<T> =
  | ((id: string) => Promise<T | undefined>)
  | {
      withSession(tokenHash: string): Promise<SessionWithSubject<T> | undefined>;
      /** Reuse a session read a moment ago (the session service's `reuseMs`): for a till's lookups and charges. */
      reuse?: boolean;
    };

export interface Auth {
  /** Reads the session cookie of every request (before the routes); the guards look the session up. */
  readonly middleware: RequestHandler;
  /**
   * Any enabled staff user holding at least one of `roles` (no roles: any staff user), with the second
   * factor set up where it is required (else 403 TOTP_REQUIRED).
   */
  requireStaff(...roles: StaffRole[]): Guard;
  /** A staff user whose roles allow `action` in the sdk's table (the one the staff app shows by). */
  requireStaffTo(action: StaffAction): Guard;
  /** Any enabled staff user, also one who must still set up the second factor: for that, and for logging out. */
  requireStaffEnrolling(): Guard;
  /** A guard for another kind of user: `load` finds the session's user, or undefined when gone. */
  requireSubject<T>(subject: Exclude<SubjectType, "staff">, load: SubjectLoader<T>): Guard & { userOf(req: Request): T };
  /** The live session a guard of this route found. */
  sessionOf(req: Request): Session | undefined;
  /** The staff user a `requireStaff` guard let through. */
  staffOf(req: Request): StaffUser;
  /** The session cookie's token of this request, if any. */
  tokenOf(req: Request): string | undefined;
  setSessionCookie(res: Response, session: IssuedSession): void;
  clearSessionCookie(res: Response): void;
}

/** `a=1; b=2` → Map; malformed pairs are skipped. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export function createAuth(options: AuthOptions): Auth {
  const sessionByRequest = new WeakMap<Request, Session>();
  const tokenByRequest = new WeakMap<Request, string>();
  const userByRequest = new WeakMap<Request, unknown>();

  const cookieOptions = (): CookieOptions => ({
    httpOnly: true,
    sameSite: "strict",
    secure: options.cookieSecure,
    path: "/api",
  });

  /** The session of this kind behind the request's cookie, and its user; undefined when there is none. */
  async function lookUp<T>(token: string, subject: SubjectType, load: SubjectLoader<T>) {
    if (typeof load !== "function") {
      const found = await options.sessions.resolveWith(token, load.withSession, load.reuse);
      return found?.session.subjectType === subject ? found : undefined;
    }
    const session = await options.sessions.resolve(token);
    if (!session || session.subjectType !== subject) return undefined;
    return { session, user: await load(session.subjectId) };
  }

  /** The common part of every guard: a live session of this kind, and its CSRF token on a state change. */
  function guard<T>(subject: SubjectType, roles: readonly string[], load: SubjectLoader<T>, allowed: (user: T) => boolean): Guard {
    const middleware: RequestHandler = async (req, _res, next) => {
      const token = tokenByRequest.get(req);
      const found = token === undefined ? undefined : await lookUp(token, subject, load);
      if (!token || !found) throw new DomainError("UNAUTHENTICATED");
      const { session, user } = found;
      if (!SAFE_METHODS.has(req.method) && !options.sessions.csrfMatches(session, req.get(CSRF_HEADER))) {
        throw new DomainError("CSRF_REJECTED");
      }
      if (user === undefined) {
        // The account was disabled or deleted: this session is over.
        await options.sessions.end(token);
        throw new DomainError("UNAUTHENTICATED", "Your account is no longer active: please log in again.");
      }
      if (!allowed(user)) throw new DomainError("FORBIDDEN", "Your role does not allow this.");
      sessionByRequest.set(req, session);
      userByRequest.set(req, user);
      next();
    };
    return { middleware, subject, roles };
  }

  function requireStaff(...roles: StaffRole[]): Guard {
    return guard("staff", roles, (id) => options.staff.findActive(id), (user) => {
      if (user.mustEnrolTotp) throw new DomainError("TOTP_REQUIRED");
      return roles.length === 0 || roles.some((r) => user.roles.includes(r));
    });
  }

  return {
    middleware: (req, _res, next) => {
      const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
      if (token) tokenByRequest.set(req, token);
      next();
    },

    requireStaff,
    requireStaffTo: (action) => requireStaff(...STAFF_ACTIONS[action]),

    requireStaffEnrolling() {
      return guard("staff", [], (id) => options.staff.findActive(id), () => true);
    },

    requireSubject<T>(subject: Exclude<SubjectType, "staff">, load: SubjectLoader<T>) {
      return { ...guard(subject, [], load, () => true), userOf: (req: Request) => userByRequest.get(req) as T };
    },

    sessionOf: (req) => sessionByRequest.get(req),
    tokenOf: (req) => tokenByRequest.get(req),

    staffOf(req) {
      const user = userByRequest.get(req) as StaffUser | undefined;
      if (!user) throw new Error("staffOf: no requireStaff guard ran for this route");
      return user;
    },

    setSessionCookie(res, session) {
      res.cookie(SESSION_COOKIE, session.token, { ...cookieOptions(), expires: session.expiresAt });
    },

    clearSessionCookie(res) {
      res.clearCookie(SESSION_COOKIE, cookieOptions());
    },
  };
}
