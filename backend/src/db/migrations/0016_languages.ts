// Every family's language on its record (the one its letters and emails are written in), any of the
// languages a family is served in; and each staff user's language for staff mails.
import { sql, type Kysely } from "kysely";

// sdk/src/languages.ts's family languages, and German and French (being added beside this); a language
// added later comes with a migration of its own.
const FAMILY_LANGUAGES = ["nl", "en", "ar", "tr", "pl", "uk", "de", "fr"];
const STAFF_LANGUAGES = ["nl", "en"];
const list = (languages: readonly string[]) => sql.join(languages.map((l) => sql.lit(l)));

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("families").dropConstraint("families_preferred_language_check").execute();
  await db.schema.alterTable("families").renameColumn("preferred_language", "language").execute();
  await db.schema.alterTable("families").addCheckConstraint("families_language_check", sql`language in (${list(FAMILY_LANGUAGES)})`).execute();
  await db.schema
    .alterTable("staff_users")
    .addColumn("language", "text", (c) => c.notNull().defaultTo("nl").check(sql`language in (${list(STAFF_LANGUAGES)})`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("staff_users").dropColumn("language").execute();
  await db.updateTable("families").set({ language: "nl" }).where("language", "not in", ["nl", "en"]).execute();
  await db.schema.alterTable("families").dropConstraint("families_language_check").execute();
  await db.schema.alterTable("families").renameColumn("language", "preferred_language").execute();
  await db.schema.alterTable("families").addCheckConstraint("families_preferred_language_check", sql`preferred_language in ('nl', 'en')`).execute();
}
