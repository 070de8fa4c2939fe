// The append-only audit log: who did what to which subject. The database refuses UPDATE and DELETE.
import type { Selectable } from "kysely";
import type { ActorType, AuditLogTable, JsonObject } from "./schema.ts";
import type { Db } from "./transaction.ts";

export interface AuditEntry {
  id: bigint;
  at: Date;
  actorType: ActorType;
  /** The acting staff user, merchant user or family id; null for the system. Never a name. */
  actorId: string | null;
  /** What was done, e.g. 'merchant.approve'. */
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  /** Facts of the action; never personal data (the log cannot be deleted). */
  details: JsonObject;
}

export type NewAuditEntry = Omit<AuditEntry, "id" | "at" | "actorId" | "subjectType" | "subjectId" | "details"> &
  Partial<Pick<AuditEntry, "actorId" | "subjectType" | "subjectId" | "details">>;

export interface AuditLogFilter {
  actorType?: ActorType;
  actorId?: string;
  action?: string;
  subjectType?: string;
  subjectId?: string;
  /** Entries at or after this moment. */
  from?: Date;
  /** Entries before this moment. */
  to?: Date;
  /** Page on: entries older than the entry with this id. */
  beforeId?: bigint;
  /** Default 100, at most 1000. */
  limit?: number;
}

export interface AuditLogRepository {
  append(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Newest first. */
  list(filter?: AuditLogFilter): Promise<AuditEntry[]>;
}

const MAX_LIMIT = 1000;

function toAuditEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actorType: row.actor_type,
    actorId: row.actor_id,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    details: row.details,
  };
}

export function auditLogRepository(db: Db): AuditLogRepository {
  return {
    async append(entry) {
      const row = await db
        .insertInto("audit_log")
        .values({
          actor_type: entry.actorType,
          actor_id: entry.actorId ?? null,
          action: entry.action,
          subject_type: entry.subjectType ?? null,
          subject_id: entry.subjectId ?? null,
          details: JSON.stringify(entry.details ?? {}),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAuditEntry(row);
    },

    async list(filter = {}) {
      const limit = Math.min(Math.max(filter.limit ?? 100, 1), MAX_LIMIT);
      let query = db.selectFrom("audit_log").selectAll();
      if (filter.actorType !== undefined) query = query.where("actor_type", "=", filter.actorType);
      if (filter.actorId !== undefined) query = query.where("actor_id", "=", filter.actorId);
      if (filter.action !== undefined) query = query.where("action", "=", filter.action);
      if (filter.subjectType !== undefined) query = query.where("subject_type", "=", filter.subjectType);
      if (filter.subjectId !== undefined) query = query.where("subject_id", "=", filter.subjectId);
      if (filter.from !== undefined) query = query.where("at", ">=", filter.from);
      if (filter.to !== undefined) query = query.where("at", "<", filter.to);
      if (filter.beforeId !== undefined) query = query.where("id", "<", filter.beforeId);
      const rows = await query.orderBy("id", "desc").limit(limit).execute();
      return rows.map(toAuditEntry);
    },
  };
}
