// Staff users: the only SQL of the staff domain. Rows become StaffUserRecord in one function.
import type { Selectable } from "kysely";
import type { Db } from "../../db/index.ts";
import type { StaffRole, StaffUsersTable } from "../../db/schema.ts";

export interface StaffUserRecord {
  id: string;
  email: string;
  passwordHash: string;
  roles: StaffRole[];
  disabledAt: Date | null;
  createdAt: Date;
  totpSecret: string | null;
  totpEnabledAt: Date | null;
}

export interface StaffRepository {
  insert(user: { email: string; passwordHash: string; roles: StaffRole[] }): Promise<StaffUserRecord>;
  findById(id: string, options?: { forUpdate?: boolean }): Promise<StaffUserRecord | undefined>;
  findByEmail(email: string): Promise<StaffUserRecord | undefined>;
  /** Oldest first. */
  list(): Promise<StaffUserRecord[]>;
  update(id: string, changes: { roles?: StaffRole[]; disabledAt?: Date | null }): Promise<StaffUserRecord>;
  /** False when there is no such user. */
  setPasswordHash(id: string, passwordHash: string): Promise<boolean>;
  /** Sets (or clears) the second factor's secret and when it was turned on. False when there is no such user. */
  setTotp(id: string, totp: { secret: string | null; enabledAt: Date | null }): Promise<boolean>;
  /** Records `step` as the user's last accepted code; false when that step or a later one was used already. */
  claimTotpStep(id: string, step: bigint): Promise<boolean>;
  /** Ids of the enabled admins, locked until the end of the transaction. */
  lockActiveAdmins(): Promise<string[]>;
  countAdmins(): Promise<number>;
}

function toRecord(row: Selectable<StaffUsersTable>): StaffUserRecord {
  return {
    id: row.id,
    email: row.email,
    passwordHash: row.password_hash,
    roles: row.roles,
    disabledAt: row.disabled_at,
    createdAt: row.created_at,
    totpSecret: row.totp_secret,
    totpEnabledAt: row.totp_enabled_at,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function staffRepository(db: Db): StaffRepository {
  return {
    async insert(user) {
      const row = await db
        .insertInto("staff_users")
        .values({ email: user.email, password_hash: user.passwordHash, roles: user.roles })
        .onConflict((oc) => oc.column("email").doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new EmailTaken();
      return toRecord(row);
    },
    async findById(id, { forUpdate = false } = {}) {
      if (!UUID.test(id)) return undefined;
      let query = db.selectFrom("staff_users").selectAll().where("id", "=", id);
      if (forUpdate) query = query.forUpdate();
      const row = await query.executeTakeFirst();
      return row && toRecord(row);
    },
    async findByEmail(email) {
      const row = await db.selectFrom("staff_users").selectAll().where("email", "=", email).executeTakeFirst();
      return row && toRecord(row);
    },
    async list() {
      const rows = await db.selectFrom("staff_users").selectAll().orderBy("created_at").orderBy("id").execute();
      return rows.map(toRecord);
    },
    async setPasswordHash(id, passwordHash) {
      const result = await db.updateTable("staff_users").set({ password_hash: passwordHash }).where("id", "=", id).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async claimTotpStep(id, step) {
      const result = await db.updateTable("staff_users").set({ totp_last_step: step }).where("id", "=", id)
        .where((eb) => eb.or([eb("totp_last_step", "is", null), eb("totp_last_step", "<", step)]))
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async setTotp(id, totp) {
      // A new or removed secret starts its count afresh; turning one on keeps the step its confirmation used.
      const result = await db.updateTable("staff_users")
        .set({ totp_secret: totp.secret, totp_enabled_at: totp.enabledAt, ...(totp.enabledAt === null && { totp_last_step: null }) })
        .where("id", "=", id).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async update(id, changes) {
      const set: { roles?: StaffRole[]; disabled_at?: Date | null } = {};
      if (changes.roles !== undefined) set.roles = changes.roles;
      if (changes.disabledAt !== undefined) set.disabled_at = changes.disabledAt;
      const row = await db.updateTable("staff_users").set(set).where("id", "=", id).returningAll().executeTakeFirstOrThrow();
      return toRecord(row);
    },
    async lockActiveAdmins() {
      const rows = await db
        .selectFrom("staff_users")
        .select("id")
        .where((eb) => eb(eb.val("admin"), "=", eb.fn<string>("any", ["roles"])))
        .where("disabled_at", "is", null)
        .forUpdate()
        .execute();
      return rows.map((r) => r.id);
    },
    async countAdmins() {
      const row = await db
        .selectFrom("staff_users")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where((eb) => eb(eb.val("admin"), "=", eb.fn<string>("any", ["roles"])))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

/** The email belongs to another staff user already. */
export class EmailTaken extends Error {
  constructor() {
    super("a staff user with this email exists already");
    this.name = "EmailTaken";
  }
}
