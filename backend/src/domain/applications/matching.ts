// Is this family or child known in the fund already (imported, added by staff, or approved from an
// earlier application)? A child is known by first name, year of birth and the family's postal code; a
// family by an earlier approved application of the same applicant, or by the parent's name and postal code.
import { sql } from "kysely";
import { withApplicationTables } from "../../db/applications-schema.ts";
import type { Db } from "../../db/transaction.ts";

const hasPostalCode = (lines: readonly string[] | null, postalCode: string) => (lines ?? []).some((line) => line.toUpperCase().includes(postalCode));

/** Indexes (into `children`) of the children the fund knows already. */
export async function knownChildren(
  db: Db, fundId: string, postalCode: string, children: readonly { firstName: string; birthDate: string }[],
): Promise<number[]> {
  const names = [...new Set(children.map((c) => c.firstName.trim().toLowerCase()))];
  if (names.length === 0) return [];
  const rows = await db
    .selectFrom("children")
    .innerJoin("families", "families.id", "children.family_id")
    .select(["children.first_name", "children.birth_year", "families.address_lines"])
    .where("families.fund_id", "=", fundId)
    .where("families.deleted_at", "is", null)
    .where(sql<string>`lower(children.first_name)`, "in", names)
    .execute();
  const known: number[] = [];
  children.forEach((child, index) => {
    const year = Number(child.birthDate.slice(0, 4));
    const name = child.firstName.trim().toLowerCase();
    if (rows.some((r) => r.first_name.toLowerCase() === name && r.birth_year === year && hasPostalCode(r.address_lines, postalCode))) known.push(index);
  });
  return known;
}

/** The family of the fund this application belongs to, if the fund knows it already. */
export async function knownFamily(
  db: Db, fundId: string, applicantId: string, household: { parentName: string; postalCode: string },
): Promise<string | null> {
  const earlier = await withApplicationTables(db)
    .selectFrom("applications")
    .innerJoin("families", "families.id", "applications.family_id")
    .select("families.id")
    .where("applications.fund_id", "=", fundId)
    .where("applications.applicant_id", "=", applicantId)
    .where("applications.status", "=", "approved")
    .where("families.deleted_at", "is", null)
    .executeTakeFirst();
  if (earlier) return earlier.id;
  const sameName = await db
    .selectFrom("families")
    .select(["id", "address_lines"])
    .where("fund_id", "=", fundId)
    .where("deleted_at", "is", null)
    .where(sql<string>`lower(display_name)`, "=", household.parentName.trim().toLowerCase())
    .execute();
  return sameName.find((f) => hasPostalCode(f.address_lines, household.postalCode))?.id ?? null;
}
