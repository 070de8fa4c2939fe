// The municipality's day (Europe/Amsterdam), as the payout schedule and the daily notices count it.
export const LOCAL_DAY = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Amsterdam", year: "numeric", month: "2-digit", day: "2-digit" });

const HOUR = 3_600_000;

/** The instants a local day (YYYY-MM-DD) starts and ends (exclusive); Amsterdam is UTC+1 or UTC+2. */
export function localDayBounds(day: string): { start: Date; end: Date } {
  const startOf = (d: string) => {
    const midnightUtc = Date.parse(`${d}T00:00:00Z`);
    for (const offset of [2, 1, 0]) {
      const t = midnightUtc - offset * HOUR;
      if (LOCAL_DAY.format(t) === d) return new Date(t);
    }
    throw new RangeError(`not a day: ${d}`);
  };
  const next = new Date(Date.parse(`${day}T12:00:00Z`) + 24 * HOUR).toISOString().slice(0, 10);
  return { start: startOf(day), end: startOf(next) };
}
