// Periods are whole days on the fund's clock (sdk/dates.ts), like every time on the list: "today" is
// midnight to midnight in the shop's funds' zone (Europe/Amsterdam unless the fund keeps another), also
// on a till whose device keeps another zone.
import { dayIn, endOfDay, FUND_TIME_ZONE } from "@tegoed/sdk";

export interface Period {
  /** YYYY-MM-DD, inclusive */
  from: string;
  /** YYYY-MM-DD, inclusive */
  to: string;
}

export function today(now = new Date(), timeZone = FUND_TIME_ZONE): Period {
  const day = dayIn(now, timeZone);
  return { from: day, to: day };
}

/** The day before `day` ("2026-11-01" → "2026-10-31"). */
function dayBefore(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/** The API's [from, to) in ISO time: from the first day's midnight to the midnight after the last day. */
export function periodQuery(period: Period, timeZone = FUND_TIME_ZONE): { from: string; to: string } {
  const midnightAfter = (day: string) => new Date(endOfDay(day, timeZone).getTime() + 1).toISOString();
  return { from: midnightAfter(dayBefore(period.from)), to: midnightAfter(period.to) };
}
