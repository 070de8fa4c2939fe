// Families and their children: the personal data behind the anonymous on-chain budgets.
import { sql, type Selectable } from "kysely";
import type { FamilyLanguage } from "@tegoed/sdk";
import type { ChildrenTable, FamiliesTable, Language } from "./schema.ts";
import { withApplicationTables } from "./applications-schema.ts";
import { inTransaction, type Db } from "./transaction.ts";

export interface Child {
  id: string;
  firstName: string;
  birthYear: number;
}

export interface Family {
  id: string;
  fundId: string;
  /** The parent's name as on the activation letter; null once deleted. */
  displayName: string | null;
  /** Postal address lines for the letter; null once deleted. */
  addressLines: string[] | null;
  preferredLanguage: FamilyLanguage;
  approvedAt: Date | null;
  activatedAt: Date | null;
  /** When the family's personal data was deleted. */
  deletedAt: Date | null;
  createdAt: Date;
  children: Child[];
}

export interface NewFamily {
  fundId: string;
  displayName: string;
  addressLines: string[];
  preferredLanguage?: FamilyLanguage;
  children: { firstName: string; birthYear: number }[];
}

/** What deleteFamilyPersonalData removed. */
export interface FamilyDeletion {
  familyId: string;
  childrenDeleted: number;
  /** Budgets now without a child: only their anonymous on-chain history remains. */
  budgetsAnonymised: number;
  activationCodesDeleted: number;
  sessionsDeleted: number;
  /** Its applications, with their documents and messages (migration 0014). */
  applicationsDeleted: number;
}

export interface FamiliesRepository {
  /** Inserts the family and its children together. */
  create(family: NewFamily): Promise<Family>;
  findById(id: string): Promise<Family | null>;
  /**
   * Deletes the family's personal data in one transaction: name and address, the children (their
   * budgets keep their chain id, amounts and payments, with child_id null), activation codes,
   * sessions, and the applications that led to it (with their documents). The family row stays as an empty record with `deletedAt`. Null when there is no such
   * family; deleting again removes nothing more.
   */
  deleteFamilyPersonalData(familyId: string): Promise<FamilyDeletion | null>;
}

function toChild(row: Selectable<ChildrenTable>): Child {
  return { id: row.id, firstName: row.first_name, birthYear: row.birth_year };
}

function toFamily(row: Selectable<FamiliesTable>, children: Child[]): Family {
  return {
    id: row.id,
    fundId: row.fund_id,
    displayName: row.display_name,
    addressLines: row.address_lines,
    preferredLanguage: row.language,
    approvedAt: row.approved_at,
    activatedAt: row.activated_at,
    deletedAt: row.deleted_at,
    createdAt: row.created_at,
    children,
  };
}

export function familiesRepository(db: Db): FamiliesRepository {
  return {
    async create(family) {
      return inTransaction(db, async (trx) => {
        const row = await trx
          .insertInto("families")
          .values({
            fund_id: family.fundId,
            display_name: family.displayName,
            address_lines: family.addressLines,
            language: family.preferredLanguage,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const children = family.children.length
          ? await trx
              .insertInto("children")
              .values(family.children.map((c) => ({ family_id: row.id, first_name: c.firstName, birth_year: c.birthYear })))
              .returningAll()
              .execute()
          : [];
        return toFamily(row, children.map(toChild));
      });
    },

    async findById(id) {
      const row = await db.selectFrom("families").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row) return null;
      const children = await db
        .selectFrom("children")
        .selectAll()
        .where("family_id", "=", id)
        .orderBy("birth_year")
        .orderBy("first_name")
        .execute();
      return toFamily(row, children.map(toChild));
    },

    async deleteFamilyPersonalData(familyId) {
      return inTransaction(db, async (trx) => {
        // Lock the family first: a concurrent import or activation waits, then sees it deleted.
        const family = await trx.selectFrom("families").select("id").where("id", "=", familyId).forUpdate().executeTakeFirst();
        if (!family) return null;

        const childIds = trx.selectFrom("children").select("id").where("family_id", "=", familyId);
        const budgets = await trx.updateTable("budgets").set({ child_id: null }).where("child_id", "in", childIds).executeTakeFirst();
        const children = await trx.deleteFrom("children").where("family_id", "=", familyId).executeTakeFirst();
        const codes = await trx.deleteFrom("activation_codes").where("family_id", "=", familyId).executeTakeFirst();
        // Its email address goes too, with every mail to it and its opt-outs (0015).
        await sql`delete from notification_outbox where recipient = (select email from families where id = ${familyId})`.execute(trx);
        await sql`delete from notification_optouts where email = (select email from families where id = ${familyId})`.execute(trx);
        await sql`update families set email = null, payment_receipts = false where id = ${familyId}`.execute(trx);
        const sessions = await trx
          .deleteFrom("sessions")
          .where("subject_type", "=", "family")
          .where("subject_id", "=", familyId)
          .executeTakeFirst();
        const applications = await withApplicationTables(trx).deleteFrom("applications").where("family_id", "=", familyId).executeTakeFirst();
        await trx
          .updateTable("families")
          .set({ display_name: null, address_lines: null, deleted_at: sql<Date>`coalesce(deleted_at, now())` })
          .where("id", "=", familyId)
          .execute();

        return {
          familyId,
          childrenDeleted: Number(children.numDeletedRows),
          budgetsAnonymised: Number(budgets.numUpdatedRows),
          activationCodesDeleted: Number(codes.numDeletedRows),
          sessionsDeleted: Number(sessions.numDeletedRows),
          applicationsDeleted: Number(applications.numDeletedRows),
        };
      });
    },
  };
}
