// Periods are whole local days: "today" is midnight to midnight where the shop is.
export interface Period {
  /** YYYY-MM-DD, inclusive */
  from: string;
  /** YYYY-MM-DD, inclusive */
  to: string;
}

export function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function today(now = new Date()): Period {
  const day = localDay(now);
  return { from: day, to: day };
}

function startOf(day: string): Date {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d);
}

/** The API's [from, to) in ISO time. */
export function periodQuery(period: Period): { from: string; to: string } {
  const end = startOf(period.to);
  end.setDate(end.getDate() + 1);
  return { from: startOf(period.from).toISOString(), to: end.toISOString() };
}
