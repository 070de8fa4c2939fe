// The validators' daily digest: for each fund that received applications on the previous local day, one
// mail per validator with how many. Run by the notifications worker's daily round; the dedupe key (fund,
// day, receiver) makes a second run that day, on any replica, queue nothing.
import type { Db } from "../../db/transaction.ts";
import { inTransaction } from "../../db/transaction.ts";
import { queueStaffNotice } from "./notify.ts";
import { outboxRepository } from "./outbox.repository.ts";
import { LOCAL_DAY, localDayBounds } from "./local-day.ts";

export async function queueApplicationsDigest(trx: Db, digest: { fundId: string; fundName: string; day: string; count: number }): Promise<number> {
  if (digest.count <= 0) return 0;
  return queueStaffNotice(trx, "validator", {
    kind: "applications_digest", dedupeKey: `applications_digest:${digest.fundId}:${digest.day}`,
    data: { senderName: digest.fundName, day: digest.day, count: String(digest.count) },
  });
}

/** Queues the digest of the local day before `now`'s. Returns how many mails were queued. */
export async function queueDailyDigests(deps: { db: Db }, now: Date): Promise<number> {
  const yesterday = LOCAL_DAY.format(new Date(localDayBounds(LOCAL_DAY.format(now)).start.getTime() - 1));
  const { start, end } = localDayBounds(yesterday);
  const perFund = await outboxRepository(deps.db).submittedPerFund(start, end);
  let queued = 0;
  for (const fund of perFund) {
    queued += await inTransaction(deps.db, (trx) => queueApplicationsDigest(trx, { fundId: fund.fundId, fundName: fund.fundName, day: yesterday, count: fund.count }));
  }
  return queued;
}
