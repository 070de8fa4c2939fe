// SQL of the applications: settings per fund, applications with their children, documents (bytes only
// leave through `documentContent`) and messages. Rows become the domain's objects here.
import type { Selectable } from "kysely";
import type { Answers, ApplicationSettings, Criterion, Household, RequestedDocument } from "@tegoed/sdk";
import {
  withApplicationTables, type ApplicationStatus, type ApplicationsTable, type DocumentContentType,
} from "../../db/applications-schema.ts";
import type { JsonObject } from "../../db/schema.ts";
import type { Db } from "../../db/transaction.ts";

export interface DocumentMeta {
  id: string;
  documentKey: string;
  contentType: DocumentContentType;
  sizeBytes: number;
  uploadedAt: Date;
}

export interface Message {
  id: string;
  author: "staff" | "applicant";
  body: string;
  at: Date;
}

export interface ApplicationRecord {
  id: string;
  fundId: string;
  applicantId: string;
  status: ApplicationStatus;
  household: Household;
  answers: Answers;
  /** The fund's criteria and documents when submitted; null while a draft. */
  snapshot: { criteria: Criterion[]; documents: RequestedDocument[] } | null;
  consentText: string | null;
  submittedAt: Date | null;
  firstApprovedBy: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  declineReason: string | null;
  familyId: string | null;
  /** A sealed BSN is stored with it (the fund needs one). */
  hasBsn: boolean;
  children: { firstName: string; birthDate: string }[];
  documents: DocumentMeta[];
  messages: Message[];
}

export const DEFAULT_SETTINGS: ApplicationSettings = { open: false, fourEyes: false, retentionDays: 365, consentText: "", criteria: [], documents: [], bsnRequired: false };

export function applicationsRepository(handle: Db) {
  const db = withApplicationTables(handle);

  async function complete(row: Selectable<ApplicationsTable>): Promise<ApplicationRecord> {
    const [children, documents, messages] = await Promise.all([
      db.selectFrom("application_children").select(["first_name", "birth_date"]).where("application_id", "=", row.id).orderBy("position").execute(),
      db.selectFrom("application_documents").select(["id", "document_key", "content_type", "size_bytes", "created_at"])
        .where("application_id", "=", row.id).orderBy("created_at").execute(),
      db.selectFrom("application_messages").select(["id", "author", "body", "created_at"]).where("application_id", "=", row.id)
        .orderBy("created_at").orderBy("id").execute(),
    ]);
    return {
      id: row.id, fundId: row.fund_id, applicantId: row.applicant_id, status: row.status,
      household: row.household as unknown as Household, answers: row.answers as Answers,
      snapshot: row.criteria as unknown as ApplicationRecord["snapshot"], consentText: row.consent_text,
      submittedAt: row.submitted_at, firstApprovedBy: row.first_approved_by, decidedBy: row.decided_by, decidedAt: row.decided_at,
      declineReason: row.decline_reason, familyId: row.family_id, hasBsn: row.bsn_sealed !== null,
      children: children.map((c) => ({ firstName: c.first_name, birthDate: c.birth_date })),
      documents: documents.map((d) => ({ id: d.id, documentKey: d.document_key, contentType: d.content_type, sizeBytes: d.size_bytes, uploadedAt: d.created_at })),
      messages: messages.map((m) => ({ id: m.id, author: m.author, body: m.body, at: m.created_at })),
    };
  }

  return {
    async settings(fundId: string): Promise<ApplicationSettings> {
      const row = await db.selectFrom("application_settings").selectAll().where("fund_id", "=", fundId).executeTakeFirst();
      if (!row) return DEFAULT_SETTINGS;
      return {
        open: row.open, fourEyes: row.four_eyes, retentionDays: row.retention_days, consentText: row.consent_text,
        criteria: row.criteria as unknown as Criterion[], documents: row.documents as unknown as RequestedDocument[], bsnRequired: row.bsn_required,
      };
    },

    async saveSettings(fundId: string, s: ApplicationSettings, at: Date): Promise<void> {
      const values = {
        open: s.open, four_eyes: s.fourEyes, retention_days: s.retentionDays, consent_text: s.consentText,
        criteria: JSON.stringify(s.criteria), documents: JSON.stringify(s.documents), bsn_required: s.bsnRequired, updated_at: at,
      };
      await db.insertInto("application_settings").values({ fund_id: fundId, ...values })
        .onConflict((oc) => oc.column("fund_id").doUpdateSet(values)).execute();
    },

    async openFundIds(): Promise<string[]> {
      return (await db.selectFrom("application_settings").select("fund_id").where("open", "=", true).execute()).map((r) => r.fund_id);
    },

    async insert(a: { fundId: string; applicantId: string; household: Household; answers: Answers; children: { firstName: string; birthDate: string }[] }): Promise<string> {
      const row = await db.insertInto("applications").values({
        fund_id: a.fundId, applicant_id: a.applicantId, household: JSON.stringify(a.household), answers: JSON.stringify(a.answers),
      }).returning("id").executeTakeFirstOrThrow();
      await this.replaceChildren(row.id, a.fundId, a.children);
      return row.id;
    },

    async update(id: string, a: { household: Household; answers: Answers; fundId: string; children: { firstName: string; birthDate: string }[] }, at: Date) {
      await db.updateTable("applications").set({ household: JSON.stringify(a.household), answers: JSON.stringify(a.answers), updated_at: at }).where("id", "=", id).execute();
      await this.replaceChildren(id, a.fundId, a.children);
    },

    async replaceChildren(id: string, fundId: string, children: { firstName: string; birthDate: string }[]) {
      await db.deleteFrom("application_children").where("application_id", "=", id).execute();
      if (children.length === 0) return;
      await db.insertInto("application_children")
        .values(children.map((c, position) => ({ application_id: id, fund_id: fundId, position, first_name: c.firstName, birth_date: c.birthDate })))
        .execute();
    },

    async findById(id: string, options: { forUpdate?: boolean } = {}): Promise<ApplicationRecord | null> {
      let query = db.selectFrom("applications").selectAll().where("id", "=", id);
      if (options.forUpdate) query = query.forUpdate();
      const row = await query.executeTakeFirst();
      return row ? complete(row) : null;
    },

    async ofApplicant(applicantId: string): Promise<ApplicationRecord[]> {
      const rows = await db.selectFrom("applications").selectAll().where("applicant_id", "=", applicantId).orderBy("created_at", "desc").execute();
      return Promise.all(rows.map(complete));
    },

    async queue(fundId: string, status: ApplicationStatus | undefined, limit: number, offset: number): Promise<{ rows: ApplicationRecord[]; total: number }> {
      let base = db.selectFrom("applications").where("fund_id", "=", fundId);
      base = status ? base.where("status", "=", status) : base.where("status", "!=", "draft");
      const total = Number((await base.select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow()).n);
      const rows = await base.selectAll().orderBy("submitted_at").orderBy("id").limit(limit).offset(offset).execute();
      return { rows: await Promise.all(rows.map(complete)), total };
    },

    async setStatus(id: string, status: ApplicationStatus, at: Date, extra: Partial<{
      criteria: JsonObject; consent_text: string; submitted_at: Date; first_approved_by: string; first_approved_at: Date;
      decided_by: string; decided_at: Date; decline_reason: string; family_id: string; delete_after: Date; bsn_sealed: Uint8Array;
    }> = {}): Promise<void> {
      const { criteria, ...rest } = extra;
      await db.updateTable("applications")
        .set({ status, updated_at: at, ...rest, ...(criteria !== undefined && { criteria: JSON.stringify(criteria) }) })
        .where("id", "=", id).execute();
    },

    /** Marks the children as holding their place in the fund (false: free it again). */
    async setChildrenLive(id: string, live: boolean): Promise<void> {
      await db.updateTable("application_children").set({ live }).where("application_id", "=", id).execute();
    },

    async sealedBsn(id: string): Promise<Uint8Array | null> {
      const row = await db.selectFrom("applications").select("bsn_sealed").where("id", "=", id).executeTakeFirst();
      return row?.bsn_sealed ?? null;
    },

    async insertDocument(d: { applicationId: string; documentKey: string; contentType: DocumentContentType; content: Uint8Array; sha256: string }): Promise<DocumentMeta> {
      const row = await db.insertInto("application_documents").values({
        application_id: d.applicationId, document_key: d.documentKey, content_type: d.contentType, size_bytes: d.content.length,
        sha256: d.sha256, content: d.content,
      }).returning(["id", "document_key", "content_type", "size_bytes", "created_at"]).executeTakeFirstOrThrow();
      return { id: row.id, documentKey: row.document_key, contentType: row.content_type, sizeBytes: row.size_bytes, uploadedAt: row.created_at };
    },

    async deleteDocument(applicationId: string, documentId: string): Promise<boolean> {
      const result = await db.deleteFrom("application_documents").where("application_id", "=", applicationId).where("id", "=", documentId).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async documentContent(applicationId: string, documentId: string): Promise<{ contentType: DocumentContentType; content: Uint8Array } | null> {
      const row = await db.selectFrom("application_documents").select(["content_type", "content"])
        .where("application_id", "=", applicationId).where("id", "=", documentId).executeTakeFirst();
      return row ? { contentType: row.content_type, content: row.content } : null;
    },

    async addMessage(applicationId: string, author: "staff" | "applicant", staffId: string | null, body: string, at: Date): Promise<void> {
      await db.insertInto("application_messages").values({ application_id: applicationId, author, staff_id: staffId, body, created_at: at }).execute();
    },

    /** Deletes decided applications past their retention, and drafts untouched since `draftsBefore`. */
    async purge(now: Date, draftsBefore: Date): Promise<number> {
      const decided = await db.deleteFrom("applications").where("delete_after", "<=", now).executeTakeFirst();
      const drafts = await db.deleteFrom("applications").where("status", "=", "draft").where("updated_at", "<", draftsBefore).executeTakeFirst();
      return Number(decided.numDeletedRows + drafts.numDeletedRows);
    },
  };
}
export type ApplicationsRepository = ReturnType<typeof applicationsRepository>;
