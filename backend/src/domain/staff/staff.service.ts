// Staff accounts: bootstrap of the first admin, login with rate-limited attempts, and the admin's
// management of staff users. Every change is written to the audit log in the same transaction.
// No Express here: the http layer checks roles and turns DomainErrors into answers.
import { Secret, TOTP } from "otpauth";
import { DomainError } from "@tegoed/sdk";
import { auditLogRepository, inTransaction, type Db } from "../../db/index.ts";
import type { StaffRole } from "../../db/schema.ts";
import type { AttemptPolicy } from "../auth/login-attempts.repository.ts";
import { loginLimiter } from "../auth/login-limiter.ts";
import { dummyPasswordHash, hashPassword, verifyPassword } from "../auth/passwords.ts";
import type { IssuedSession, SessionService } from "../auth/sessions.ts";
import { EmailTaken, staffRepository, type StaffUserRecord } from "./staff.repository.ts";

export type { StaffRole } from "../../db/schema.ts";

/** A staff user as the layers above see it: never the password hash. */
export interface StaffUser {
  id: string;
  email: string;
  roles: StaffRole[];
  disabled: boolean;
  createdAt: Date;
  totpEnabled: boolean;
  /** Must set up the second factor before anything else (see StaffDeps.requireSecondFactor). */
  mustEnrolTotp: boolean;
}

export interface StaffDeps {
  db: Db;
  sessions: SessionService;
  /** Keys the hash under which login attempts are counted. */
  secret: string;
  now?: () => Date;
  /** Default: 5 attempts within 15 minutes, then 15 minutes locked. */
  loginPolicy?: AttemptPolicy;
  /** Admin and finance users must log in with a second factor (TOTP): true in production. */
  requireSecondFactor?: boolean;
}

/** The roles that move money or manage accounts: they need a second factor where it is required. */
export const SECOND_FACTOR_ROLES: readonly StaffRole[] = ["admin", "finance"];

export interface StaffService {
  /** Creates the first admin at start-up, unless an admin exists already. */
  bootstrapAdmin(input: { email: string; password: string }): Promise<{ created: boolean }>;
  /** `client` is the client's address, for the login limiter. A user with a second factor also sends `otp`. */
  login(input: { email: string; password: string; otp?: string; client: string }): Promise<{ user: StaffUser; session: IssuedSession }>;
  logout(actorId: string, token: string): Promise<void>;
  /** The enabled staff user with this id, or undefined. */
  findActive(id: string): Promise<StaffUser | undefined>;
  list(): Promise<StaffUser[]>;
  create(actorId: string, input: { email: string; password: string; roles: StaffRole[] }): Promise<StaffUser>;
  update(actorId: string, id: string, changes: { roles?: StaffRole[]; disabled?: boolean }): Promise<StaffUser>;
  /** The user's own change: needs the current password; ends all their sessions and starts a new one. */
  changePassword(id: string, input: { currentPassword: string; newPassword: string }): Promise<IssuedSession>;
  /** An administrator sets a new password (a forgotten one); the user's sessions end. */
  resetPassword(actorId: string, id: string, newPassword: string): Promise<void>;
  /** A new TOTP secret for the user's authenticator app; it counts once confirmed. */
  enrolTotp(id: string): Promise<{ secret: string; uri: string }>;
  /** Turns the second factor on with the app's current code (OTP_INVALID otherwise). */
  confirmTotp(id: string, code: string): Promise<StaffUser>;
  /** An administrator removes a user's second factor (a lost phone); the user's sessions end. */
  resetTotp(actorId: string, id: string): Promise<void>;
}

function totpOf(email: string, secret: string): TOTP {
  return new TOTP({ issuer: "Tegoed", label: email, secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 });
}

const TOTP_PERIOD_MS = 30_000;

/**
 * True when `code` is the current code of the secret (or the one before or after it, for clock drift) and
 * no code of its time step or a later one was accepted before: each code counts once.
 */
async function totpAccepted(db: Db, record: { id: string; email: string }, secret: string, code: string, at: Date): Promise<boolean> {
  const delta = totpOf(record.email, secret).validate({ token: code, timestamp: at.getTime(), window: 1 });
  if (delta === null) return false;
  const step = BigInt(Math.floor(at.getTime() / TOTP_PERIOD_MS) + delta);
  return staffRepository(db).claimTotpStep(record.id, step);
}

export function toStaffUser(record: StaffUserRecord, requireSecondFactor = false): StaffUser {
  const totpEnabled = record.totpEnabledAt !== null;
  return {
    id: record.id,
    email: record.email,
    roles: [...record.roles],
    disabled: record.disabledAt !== null,
    createdAt: record.createdAt,
    totpEnabled,
    mustEnrolTotp: requireSecondFactor && !totpEnabled && record.roles.some((r) => SECOND_FACTOR_ROLES.includes(r)),
  };
}

const normaliseEmail = (email: string) => email.trim().toLowerCase();
const uniqueRoles = (roles: StaffRole[]) => [...new Set(roles)];

export function staffService(deps: StaffDeps): StaffService {
  const now = deps.now ?? (() => new Date());
  const limiter = loginLimiter({ db: deps.db, sessions: deps.sessions, now, policy: deps.loginPolicy });
  const toUser = (record: StaffUserRecord) => toStaffUser(record, deps.requireSecondFactor ?? false);

  function wrongCredentials(): DomainError {
    return new DomainError("UNAUTHENTICATED", "The email address or the password is not right.");
  }

  return {
    async bootstrapAdmin(input) {
      const email = normaliseEmail(input.email);
      const passwordHash = await hashPassword(input.password);
      return inTransaction(deps.db, async (trx) => {
        const staff = staffRepository(trx);
        if ((await staff.countAdmins()) > 0 || (await staff.findByEmail(email))) return { created: false };
        const user = await staff.insert({ email, passwordHash, roles: ["admin"] });
        await auditLogRepository(trx).append({
          actorType: "system",
          action: "staff.bootstrap_admin",
          subjectType: "staff_user",
          subjectId: user.id,
          details: { roles: ["admin"] },
        });
        return { created: true };
      });
    },

    async login(input) {
      const email = normaliseEmail(input.email);
      return limiter.attempt("staff", email, input.client, async () => {
        const record = await staffRepository(deps.db).findByEmail(email);
        const ok = await verifyPassword(input.password, record?.passwordHash ?? (await dummyPasswordHash()));
        if (!record || !ok) {
          await auditLogRepository(deps.db).append({
            actorType: "staff",
            actorId: record?.id ?? null,
            action: "staff.login_failed",
          });
          throw wrongCredentials();
        }
        if (record.disabledAt !== null) {
          throw new DomainError("FORBIDDEN", "This account is disabled: ask an administrator.");
        }
        if (record.totpEnabledAt !== null) {
          if (input.otp === undefined) throw new DomainError("OTP_REQUIRED");
          if (!(await totpAccepted(deps.db, record, record.totpSecret!, input.otp, now()))) {
            await auditLogRepository(deps.db).append({ actorType: "staff", actorId: record.id, action: "staff.login_failed", details: { factor: "totp" } });
            throw new DomainError("OTP_INVALID");
          }
        }
        const session = await deps.sessions.start("staff", record.id);
        await auditLogRepository(deps.db).append({ actorType: "staff", actorId: record.id, action: "staff.login" });
        return { user: toUser(record), session };
      });
    },

    async logout(actorId, token) {
      await deps.sessions.end(token);
      await auditLogRepository(deps.db).append({ actorType: "staff", actorId, action: "staff.logout" });
    },

    async findActive(id) {
      const record = await staffRepository(deps.db).findById(id);
      return record && record.disabledAt === null ? toUser(record) : undefined;
    },

    async list() {
      return (await staffRepository(deps.db).list()).map(toUser);
    },

    async create(actorId, input) {
      const email = normaliseEmail(input.email);
      const roles = uniqueRoles(input.roles);
      const passwordHash = await hashPassword(input.password);
      return inTransaction(deps.db, async (trx) => {
        let record: StaffUserRecord;
        try {
          record = await staffRepository(trx).insert({ email, passwordHash, roles });
        } catch (error) {
          if (error instanceof EmailTaken) {
            throw new DomainError("CONFLICT", "A staff user with this email address exists already.");
          }
          throw error;
        }
        await auditLogRepository(trx).append({
          actorType: "staff",
          actorId,
          action: "staff.create",
          subjectType: "staff_user",
          subjectId: record.id,
          details: { roles },
        });
        return toUser(record);
      });
    },

    async enrolTotp(id) {
      const record = await staffRepository(deps.db).findById(id);
      if (!record || record.disabledAt !== null) throw new DomainError("UNAUTHENTICATED");
      if (record.totpEnabledAt !== null) throw new DomainError("CONFLICT", "The second factor is set up already.");
      const secret = new Secret({ size: 20 }).base32;
      await staffRepository(deps.db).setTotp(id, { secret, enabledAt: null });
      return { secret, uri: totpOf(record.email, secret).toString() };
    },

    async confirmTotp(id, code) {
      const staff = staffRepository(deps.db);
      const record = await staff.findById(id);
      if (!record || record.disabledAt !== null) throw new DomainError("UNAUTHENTICATED");
      if (record.totpEnabledAt !== null) throw new DomainError("CONFLICT", "The second factor is set up already.");
      if (record.totpSecret === null) throw new DomainError("CONFLICT", "Start setting up the second factor first.");
      if (!(await totpAccepted(deps.db, record, record.totpSecret, code, now()))) throw new DomainError("OTP_INVALID");
      const enabledAt = now();
      await staff.setTotp(id, { secret: record.totpSecret, enabledAt });
      await auditLogRepository(deps.db).append({ actorType: "staff", actorId: id, action: "staff.totp_enabled", subjectType: "staff_user", subjectId: id });
      return toUser({ ...record, totpEnabledAt: enabledAt });
    },

    async resetTotp(actorId, id) {
      await inTransaction(deps.db, async (trx) => {
        if (!(await staffRepository(trx).setTotp(id, { secret: null, enabledAt: null }))) {
          throw new DomainError("NOT_FOUND", "There is no staff user with this id.", { id });
        }
        await auditLogRepository(trx).append({ actorType: "staff", actorId, action: "staff.totp_reset", subjectType: "staff_user", subjectId: id });
      });
      await deps.sessions.endAllOf("staff", id);
    },

    async changePassword(id, input) {
      const record = await staffRepository(deps.db).findById(id);
      if (!record || record.disabledAt !== null) throw new DomainError("UNAUTHENTICATED");
      if (!(await verifyPassword(input.currentPassword, record.passwordHash))) {
        throw new DomainError("INVALID_INPUT", "The current password is not right.", { field: "currentPassword" });
      }
      await staffRepository(deps.db).setPasswordHash(id, await hashPassword(input.newPassword));
      await auditLogRepository(deps.db).append({ actorType: "staff", actorId: id, action: "staff.password_change", subjectType: "staff_user", subjectId: id });
      // Whoever knew the old password is logged out everywhere; this browser goes on with a new session.
      await deps.sessions.endAllOf("staff", id);
      return deps.sessions.start("staff", id);
    },

    async resetPassword(actorId, id, newPassword) {
      const passwordHash = await hashPassword(newPassword);
      await inTransaction(deps.db, async (trx) => {
        if (!(await staffRepository(trx).setPasswordHash(id, passwordHash))) {
          throw new DomainError("NOT_FOUND", "There is no staff user with this id.", { id });
        }
        await auditLogRepository(trx).append({ actorType: "staff", actorId, action: "staff.password_reset", subjectType: "staff_user", subjectId: id });
      });
      await deps.sessions.endAllOf("staff", id);
    },

    async update(actorId, id, changes) {
      const user = await inTransaction(deps.db, async (trx) => {
        const staff = staffRepository(trx);
        const admins = await staff.lockActiveAdmins();
        const current = await staff.findById(id, { forUpdate: true });
        if (!current) throw new DomainError("NOT_FOUND", "There is no staff user with this id.", { id });

        const roles = changes.roles === undefined ? current.roles : uniqueRoles(changes.roles);
        const disabled = changes.disabled ?? current.disabledAt !== null;
        const staysAdmin = roles.includes("admin") && !disabled;
        if (admins.includes(id) && !staysAdmin && admins.length === 1) {
          throw new DomainError("CONFLICT", "This is the last administrator: make someone else administrator first.");
        }

        const disabledAt = disabled ? (current.disabledAt ?? now()) : null;
        const record = await staff.update(id, { roles, disabledAt });
        const details: Record<string, string[] | boolean> = {};
        if (changes.roles !== undefined) details.roles = roles;
        if (changes.disabled !== undefined) details.disabled = disabled;
        await auditLogRepository(trx).append({
          actorType: "staff",
          actorId,
          action: "staff.update",
          subjectType: "staff_user",
          subjectId: id,
          details,
        });
        return toUser(record);
      });
      // After the commit: a disabled account's sessions end now (its requests are refused anyway).
      if (user.disabled) await deps.sessions.endAllOf("staff", id);
      return user;
    },
  };
}
