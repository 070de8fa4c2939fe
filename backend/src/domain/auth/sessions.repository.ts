// Sessions of logged-in staff, merchant users and families: only hashes of the tokens are stored.
import type { Db } from "../../db/index.ts";

export type SubjectType = "staff" | "merchant" | "family" | "applicant";

export interface SessionRow {
  tokenHash: string;
  subjectType: SubjectType;
  subjectId: string;
  csrfTokenHash: string;
  expiresAt: Date;
}

export interface SessionsRepository {
  insert(session: SessionRow): Promise<void>;
  /** The session with this token hash, expired or not. */
  find(tokenHash: string): Promise<SessionRow | undefined>;
  delete(tokenHash: string): Promise<void>;
  deleteAllOf(subjectType: SubjectType, subjectId: string): Promise<number>;
  deleteExpired(now: Date): Promise<number>;
}

/** A `sessions` row as the service sees it (for repositories that read it joined with its user). */
export function toSessionRow(row: { token_hash: string; subject_type: SubjectType; subject_id: string; csrf_token_hash: string; expires_at: Date }): SessionRow {
  return {
    tokenHash: row.token_hash,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    csrfTokenHash: row.csrf_token_hash,
    expiresAt: row.expires_at,
  };
}

export function sessionsRepository(db: Db): SessionsRepository {
  return {
    async insert(s) {
      await db
        .insertInto("sessions")
        .values({
          token_hash: s.tokenHash,
          subject_type: s.subjectType,
          subject_id: s.subjectId,
          csrf_token_hash: s.csrfTokenHash,
          expires_at: s.expiresAt,
        })
        .execute();
    },
    async find(tokenHash) {
      const row = await db.selectFrom("sessions").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
      return row && toSessionRow(row);
    },
    async delete(tokenHash) {
      await db.deleteFrom("sessions").where("token_hash", "=", tokenHash).execute();
    },
    async deleteAllOf(subjectType, subjectId) {
      const result = await db
        .deleteFrom("sessions")
        .where("subject_type", "=", subjectType)
        .where("subject_id", "=", subjectId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async deleteExpired(now) {
      const result = await db.deleteFrom("sessions").where("expires_at", "<=", now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
