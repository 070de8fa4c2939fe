// children.fund_id: the fund of the child's family, kept on the child so that a fund's dashboard counts
// its children by one index-only scan instead of one index lookup per family (12,500 of them in the
// largest fund at national scale, bench/README.md). A family never changes fund, and erasing a family
// deletes its children, so the copy cannot go stale; a trigger sets it on insert, whoever inserts.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("children").addColumn("fund_id", "uuid").execute();
  await sql`update children c set fund_id = f.fund_id from families f where f.id = c.family_id`.execute(db);
  await sql`alter table children alter column fund_id set not null, add foreign key (fund_id) references funds (id)`.execute(db);
  await sql`
    create function children_fund() returns trigger language plpgsql as $$
    begin
      select fund_id into new.fund_id from families where id = new.family_id;
      if not found then
        raise exception 'insert or update on table "children" violates foreign key: family % does not exist', new.family_id
          using errcode = 'foreign_key_violation';
      end if;
      return new;
    end
    $$`.execute(db);
  await sql`create trigger children_fund before insert or update of family_id on children for each row execute function children_fund()`.execute(db);
  await db.schema.createIndex("children_fund_idx").on("children").column("fund_id").execute();
  await sql`comment on column children.fund_id is ${sql.lit("The fund of the child's family (set by a trigger), for counting a fund's children; no personal data.")}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger children_fund on children`.execute(db);
  await sql`drop function children_fund()`.execute(db);
  await db.schema.alterTable("children").dropColumn("fund_id").execute();
}
