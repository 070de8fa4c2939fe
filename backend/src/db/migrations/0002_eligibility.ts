// Eligibility: the family reference a municipality's import file uses (so a second import of the same
// file adds nothing twice), one budget per child per fund (so issuing again never issues a child twice),
// and activation codes split in a public selector and a hashed secret, with their kind and who used them.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("families").addColumn("external_ref", "text").execute();
  await db.schema
    .createIndex("families_fund_external_ref_key")
    .on("families")
    .columns(["fund_id", "external_ref"])
    .unique()
    .execute();

  // Null child ids (deleted families) do not collide: unique only among real children.
  await db.schema.createIndex("budgets_fund_child_key").on("budgets").columns(["fund_id", "child_id"]).unique().execute();

  await db.schema
    .alterTable("activation_codes")
    // The code's first characters, stored plainly to find the row; the rest is only in code_hash.
    .addColumn("selector", "text", (c) => c.check(sql`selector ~ '^[0-9A-Z]{4}$'`))
    .addColumn("kind", "text", (c) => c.notNull().defaultTo("activation").check(sql`kind in ('activation', 'reissue')`))
    // The device key the code was used for: a retry with the same key may finish an interrupted activation.
    .addColumn("used_by", "text", (c) => c.check(sql`used_by ~ '^0x[0-9a-f]{40}$'`))
    .execute();
  await db.schema.createIndex("activation_codes_selector_key").on("activation_codes").column("selector").unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("activation_codes_selector_key").execute();
  await db.schema.alterTable("activation_codes").dropColumn("used_by").dropColumn("kind").dropColumn("selector").execute();
  await db.schema.dropIndex("budgets_fund_child_key").execute();
  await db.schema.dropIndex("families_fund_external_ref_key").execute();
  await db.schema.alterTable("families").dropColumn("external_ref").execute();
}
