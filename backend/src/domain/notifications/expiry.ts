// The daily expiry notices: six weeks and one week before a fund's last day, each budget with something
// left gets one notice per stage, ever: the outbox's dedupe key (stage and budget id) makes running the
// job twice, on one replica or on two, queue nothing more. A family whose address became known within
// the last week gets only the one-week notice.
import { dayIn } from "@tegoed/sdk";
import type { Db } from "../../db/transaction.ts";
import { inTransaction } from "../../db/transaction.ts";
import { queueNotice } from "./notify.ts";
import { outboxRepository } from "./outbox.repository.ts";


const STAGES = [
  { weeks: 1, withinDays: 7 },
  { weeks: 6, withinDays: 42 },
] as const;

/** Queues the notices due on `now`'s day, each fund's day in its own zone. Returns how many were queued. */
export async function queueExpiryNotices(deps: { db: Db }, now: Date): Promise<number> {
  let queued = 0;
  for (const timeZone of await outboxRepository(deps.db).fundTimeZones()) queued += await queueOnDay(deps, dayIn(now, timeZone), timeZone);
  return queued;
}

async function queueOnDay(deps: { db: Db }, today: string, timeZone: string): Promise<number> {
  let queued = 0;
  const seen = new Set<string>();
  for (const stage of STAGES) {
    const budgets = await outboxRepository(deps.db).expiringBudgets(today, stage.withinDays, timeZone);
    for (const budget of budgets) {
      // The nearer stage wins: a budget a week from its end is not told "six weeks".
      if (seen.has(budget.budget_id)) continue;
      seen.add(budget.budget_id);
      if (budget.left_cents <= 0n) continue;
      const added = await inTransaction(deps.db, (trx) => queueNotice(trx, {
        kind: "budget_expiring", to: budget.email, language: budget.preferred_language,
        dedupeKey: `budget_expiring:${stage.weeks}w:${budget.budget_id}`,
        data: {
          senderName: budget.fund_name, parentName: budget.display_name ?? "", childName: budget.first_name,
          leftCents: budget.left_cents.toString(), expiresOn: budget.budget_expiry, weeks: String(stage.weeks),
        },
      }));
      if (added) queued++;
    }
  }
  return queued;
}
