// Sessions over HTTP: the session token travels in an HttpOnly, SameSite=Strict cookie; every
// state-changing request of a session must carry its CSRF token in the X-CSRF-Token header.
// Guards (`requireStaff`, and `requireSubject` for merchants and families) refuse with
// 401 UNAUTHENTICATED (no live session), 403 CSRF_REJECTED or 403 FORBIDDEN (wrong kind or role).
import type { CookieOptions, Request, RequestHandler, Response } from "express";
import { CSRF_HEADER, DomainError, SESSION_COOKIE } from "@tegoed/sdk";
import type { IssuedSession, Session, SessionService, SubjectType } from "../domain/auth/index.ts";
import type { StaffRole, StaffService, StaffUser } from "../domain/staff/index.ts";
import type { Guard } from "./validate.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface AuthOptions {
  sessions: SessionService;
  staff: Pick<StaffService, "findActive">;
  /** Secure flag of the cookie (HTTPS only). */
  cookieSecure: boolean;
}

export interface Auth {
  /** Reads the session cookie of every request (before the routes). */
  readonly middleware: RequestHandler;
  /** Any enabled staff user holding at least one of `roles` (no roles: any staff user). */
  requireStaff(...roles: StaffRole[]): Guard;
  /** A guard for another kind of user: `load` turns the session's subject id into the user, or undefined when gone. */
  requireSubject<T>(subject: Exclude<SubjectType, "staff">, load: (id: string) => Promise<T | undefined>): Guard & { userOf(req: Request): T };
  /** The live session of this request (after the middleware), if any. */
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

  /** The common part of every guard: a live session of this kind, and its CSRF token on a state change. */
  function guard<T>(subject: SubjectType, roles: readonly string[], load: (id: string) => Promise<T | undefined>, allowed: (user: T) => boolean): Guard {
    const middleware: RequestHandler = async (req, _res, next) => {
      const session = sessionByRequest.get(req);
      if (!session || session.subjectType !== subject) throw new DomainError("UNAUTHENTICATED");
      if (!SAFE_METHODS.has(req.method) && !options.sessions.csrfMatches(session, req.get(CSRF_HEADER))) {
        throw new DomainError("CSRF_REJECTED");
      }
      const user = await load(session.subjectId);
      if (user === undefined) {
        // The account was disabled or deleted: this session is over.
        const token = tokenByRequest.get(req);
        if (token) await options.sessions.end(token);
        throw new DomainError("UNAUTHENTICATED", "Your account is no longer active: please log in again.");
      }
      if (!allowed(user)) throw new DomainError("FORBIDDEN", "Your role does not allow this.");
      userByRequest.set(req, user);
      next();
    };
    return { middleware, subject, roles };
  }

  return {
    middleware: async (req, _res, next) => {
      const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
      if (token) {
        const session = await options.sessions.resolve(token);
        if (session) {
          sessionByRequest.set(req, session);
          tokenByRequest.set(req, token);
        }
      }
      next();
    },

    requireStaff(...roles) {
      return guard("staff", roles, (id) => options.staff.findActive(id), (user) => roles.length === 0 || roles.some((r) => user.roles.includes(r)));
    },

    requireSubject<T>(subject: Exclude<SubjectType, "staff">, load: (id: string) => Promise<T | undefined>) {
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
