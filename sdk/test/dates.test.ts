// One clock: every screen shows a date in the fund's zone, whatever zone the device keeps.
import { describe, expect, it } from "vitest";
import { dayIn, endOfDay, formatClock, formatDateTime, formatDay, isTimeZone } from "../src/index.ts";

// Half past eleven at night in UTC is already the next day in Amsterdam (UTC+1 in winter).
const LATE = "2026-12-06T23:30:00Z";

describe("dates in the fund's time zone", () => {
  it("puts an instant on the Amsterdam day, in Dutch and English, long, medium and short", () => {
    expect(formatDay(LATE, "nl")).toBe("7 december 2026");
    expect(formatDay(new Date(LATE), "en")).toBe("7 December 2026");
    expect(formatDay(Date.parse(LATE), "nl", { style: "medium" })).toBe("7 dec 2026");
    expect(formatDay(LATE, "nl", { style: "short" })).toBe("07-12-2026");
  });

  it("keeps a calendar day (2027-12-31) that day, in any zone", () => {
    expect(formatDay("2027-12-31", "nl")).toBe("31 december 2027");
    expect(formatDay("2027-12-31", "nl", { timeZone: "Pacific/Honolulu" })).toBe("31 december 2027");
  });

  it("shows times on the Amsterdam clock, naming the zone only where the device keeps another", () => {
    expect(formatDateTime(LATE, "nl", { deviceTimeZone: "Europe/Amsterdam" })).toBe("7 dec 2026, 00:30");
    expect(formatDateTime(LATE, "en", { deviceTimeZone: "America/New_York" })).toBe("7 Dec 2026, 00:30 CET");
    expect(formatDateTime(LATE, "nl", { month: "long", deviceTimeZone: "UTC" })).toBe("7 december 2026 om 00:30 CET");
    expect(formatClock(LATE, "nl", { deviceTimeZone: "Europe/Amsterdam" })).toBe("00:30");
    expect(formatClock("2026-07-01T12:00:00Z", "nl", { deviceTimeZone: "UTC" })).toBe("14:00 CEST");
    expect(formatClock(LATE, "nl", { withZone: true, deviceTimeZone: "Europe/Amsterdam" })).toBe("00:30 CET");
  });
});

describe("a fund's own time zone", () => {
  it("knows a place's zone and refuses what is no place", () => {
    expect(isTimeZone("Europe/Amsterdam")).toBe(true);
    expect(isTimeZone("America/Kralendijk")).toBe(true); // Bonaire, Caribbean Netherlands
    expect(isTimeZone("UTC")).toBe(true);
    for (const bad of ["Europe/Atlantis", "CET", "+01:00", "", "amsterdam"]) expect(isTimeZone(bad), bad).toBe(false);
  });

  it("puts an instant on the day of the fund's zone", () => {
    const at = new Date("2026-12-06T23:30:00Z");
    expect(dayIn(at, "Europe/Amsterdam")).toBe("2026-12-07");
    expect(dayIn(at, "America/Kralendijk")).toBe("2026-12-06");
    expect(dayIn(at)).toBe("2026-12-07");
  });

  it("ends a day at local midnight, in winter, in summer, on the days the clocks change, and elsewhere", () => {
    expect(endOfDay("2026-12-07", "Europe/Amsterdam").toISOString()).toBe("2026-12-07T22:59:59.999Z");
    expect(endOfDay("2027-07-01", "Europe/Amsterdam").toISOString()).toBe("2027-07-01T21:59:59.999Z");
    expect(endOfDay("2027-03-28", "Europe/Amsterdam").toISOString()).toBe("2027-03-28T21:59:59.999Z"); // clocks forward that night
    expect(endOfDay("2027-10-31", "Europe/Amsterdam").toISOString()).toBe("2027-10-31T22:59:59.999Z"); // clocks back that night
    expect(endOfDay("2026-12-07", "America/Kralendijk").toISOString()).toBe("2026-12-08T03:59:59.999Z");
    expect(endOfDay("2026-12-07", "Pacific/Auckland").toISOString()).toBe("2026-12-07T10:59:59.999Z");
  });
});
