import { afterEach, describe, expect, it, vi } from "vitest";
import { timedFetch } from "../src/lib/api.ts";
import { formatLastDay } from "@tegoed/sdk/dates";

afterEach(() => vi.unstubAllGlobals());

// Money is tested once for all apps, in ui/test/money.test.ts.
describe("dates", () => {
  it("shows the last valid day of an expiry at UTC midnight", () => {
    expect(formatLastDay("2028-01-01T00:00:00.000Z", "en")).toBe("31 December 2027");
  });
});

describe("timedFetch", () => {
  it("gives every request a deadline, so a hanging network turns into 'offline'", async () => {
    const fetch = vi.fn(async () => new Response("{}"));
    vi.stubGlobal("fetch", fetch);
    await timedFetch("/api/family/children", { method: "GET" });
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(init.signal).toBeInstanceOf(AbortSignal);
  });
});
