// Payouts rebuilt from the chain: a MerchantSettled event whose bank reference the database does not
// know (a backup restored from before the payout) comes back as a settled payout in a run of its own,
// with the trigger 'recovered'.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table payout_runs drop constraint payout_runs_trigger_check`.execute(db);
  await sql`alter table payout_runs add constraint payout_runs_trigger_check check (trigger in ('manual', 'instant', 'daily', 'recovered'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table payout_runs drop constraint payout_runs_trigger_check`.execute(db);
  await sql`alter table payout_runs add constraint payout_runs_trigger_check check (trigger in ('manual', 'instant', 'daily'))`.execute(db);
}
