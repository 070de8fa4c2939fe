import { afterEach, describe, expect, it, vi } from "vitest";
import { timedFetch } from "../src/lib/api.ts";
import { formatLastDay } from "@tegoed/sdk/dates";
import { formatCents, parseEuros } from "@tegoed/ui/money";

afterEach(() => vi.unstubAllGlobals());

describe("money", () => {
  it("formats whole cents as euros per language", () => {
    expect(formatCents(25_750, "nl").replace(/\s/g, " ")).toBe("€ 257,50");
    expect(formatCents(25_750, "en")).toBe("€257.50");
  });

  it("reads an amount typed with a comma or a point into cents, and refuses anything else", () => {
    expect(parseEuros("25,5")).toBe(25_50);
    expect(parseEuros("€ 12.05")).toBe(12_05);
    expect(parseEuros("7")).toBe(7_00);
    for (const bad of ["", "12,345", "-3", "tien", "1e3"]) expect(parseEuros(bad)).toBeNull();
  });

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
