// One clock for every screen: dates and times are shown in the fund's time zone (Europe/Amsterdam), not
// the device's, so a payout referenced 20261207 never sits beside "6 dec". Where a device keeps another
// zone, a time says which zone it is in. Plain functions, shared by the apps and the backend.

/** The zone of every fund for now; the helpers take another where one is known. */
export const FUND_TIME_ZONE = "Europe/Amsterdam";

const LOCALES: Record<string, string> = { nl: "nl-NL", en: "en-GB" };

/** "nl" → "nl-NL": the locale the apps format with. */
export function localeOfLanguage(language: string): string {
  return LOCALES[language] ?? language;
}

export interface ClockOptions {
  /** Default FUND_TIME_ZONE. */
  timeZone?: string;
  /** Name the zone ("CET") after a time: "auto" (default) when the device keeps another zone. */
  withZone?: boolean | "auto";
  /** The device's zone, for "auto"; default the one Intl reports. */
  deviceTimeZone?: string;
}

export interface DateTimeOptions extends ClockOptions {
  /** "december" (long) or "dec" (short, the default). */
  month?: "long" | "short";
}

type DateInput = string | number | Date;

/** A calendar day "2027-12-31" stays that day; anything else is an instant. */
const isDay = (value: DateInput): value is string => typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value);

function instant(value: DateInput): Date {
  return value instanceof Date ? value : new Date(value);
}

function zoneShown(options: ClockOptions, timeZone: string): boolean {
  if (options.withZone !== undefined && options.withZone !== "auto") return options.withZone;
  const device = options.deviceTimeZone ?? new Intl.DateTimeFormat().resolvedOptions().timeZone;
  return device !== timeZone;
}

/** "7 december 2026" (style long), "7 dec 2026" (medium) or "07-12-2026" (short): the day in the fund's zone. */
export function formatDay(value: DateInput, language: string, options: { style?: "long" | "medium" | "short"; timeZone?: string } = {}): string {
  const style = options.style ?? "long";
  const parts: Intl.DateTimeFormatOptions =
    style === "short" ? { day: "2-digit", month: "2-digit", year: "numeric" } : { day: "numeric", month: style === "long" ? "long" : "short", year: "numeric" };
  // A calendar day is no instant: shown as itself, whatever the zone.
  const timeZone = isDay(value) ? "UTC" : (options.timeZone ?? FUND_TIME_ZONE);
  return new Intl.DateTimeFormat(localeOfLanguage(language), { ...parts, timeZone }).format(isDay(value) ? new Date(`${value}T00:00:00Z`) : instant(value));
}

/** "7 dec 2026 14:05", with the zone where the device keeps another one. */
export function formatDateTime(value: DateInput, language: string, options: DateTimeOptions = {}): string {
  const timeZone = options.timeZone ?? FUND_TIME_ZONE;
  return new Intl.DateTimeFormat(localeOfLanguage(language), {
    day: "numeric", month: options.month ?? "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone,
    ...(zoneShown(options, timeZone) && { timeZoneName: "short" }),
  }).format(instant(value));
}

/** "14:05", with the zone where the device keeps another one. */
export function formatClock(value: DateInput, language: string, options: ClockOptions = {}): string {
  const timeZone = options.timeZone ?? FUND_TIME_ZONE;
  return new Intl.DateTimeFormat(localeOfLanguage(language), {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone, ...(zoneShown(options, timeZone) && { timeZoneName: "short" }),
  }).format(instant(value));
}

/** Whether Intl knows `zone` as a time zone ("Europe/Amsterdam", "America/Kralendijk"). */
export function isTimeZone(zone: string): boolean {
  if (!zone.includes("/") && zone !== "UTC") return false; // "CET" and offsets are no place a fund is in
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The calendar day ("2026-12-07") `at` falls on in `timeZone`. */
export function dayIn(at: Date, timeZone: string = FUND_TIME_ZONE): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

/** How far `timeZone`'s wall clock is ahead of UTC at `at`, in ms. */
function offsetAt(at: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
      .formatToParts(at).map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/** The last millisecond of calendar day `day` ("2027-12-31") in `timeZone`: a date printed holds through it. */
export function endOfDay(day: string, timeZone: string = FUND_TIME_ZONE): Date {
  const nextMidnightUtc = Date.parse(`${day}T00:00:00Z`) + 86_400_000;
  // Midnight there is UTC midnight minus the offset; the offset at that very moment settles a change of clocks.
  let guess = nextMidnightUtc - offsetAt(new Date(nextMidnightUtc), timeZone);
  guess = nextMidnightUtc - offsetAt(new Date(guess), timeZone);
  return new Date(guess - 1);
}
