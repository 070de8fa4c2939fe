// The hook for family applications (being built beside this): once a day, validators get one mail per
// fund with how many applications arrived that day. The applications feature calls this from its daily
// job with its own count; the dedupe key (fund and day) makes a second call that day queue nothing.
import type { Db } from "../../db/transaction.ts";
import { queueStaffNotice } from "./notify.ts";

export async function queueApplicationsDigest(trx: Db, digest: { fundId: string; fundName: string; day: string; count: number }): Promise<number> {
  if (digest.count <= 0) return 0;
  return queueStaffNotice(trx, "validator", {
    kind: "applications_digest", dedupeKey: `applications_digest:${digest.fundId}:${digest.day}`,
    data: { senderName: digest.fundName, day: digest.day, count: String(digest.count) },
  });
}
