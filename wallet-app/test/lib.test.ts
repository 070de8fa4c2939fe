import { afterEach, describe, expect, it, vi } from "vitest";
import { timedFetch, type WalletApi } from "../src/lib/api.ts";
import { onDemandWalletApi } from "../src/lib/api-on-demand.ts";
import { formatCents, formatLastDay, parseEuros } from "../src/lib/money.ts";

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

describe("the API client on demand", () => {
  it("is loaded by the first call, once, and every call reaches it", async () => {
    const calls: string[] = [];
    const client = { session: async () => (calls.push("session"), { holderAddress: "0xabc" }), children: async () => (calls.push("children"), []) };
    const load = vi.fn(async () => client as unknown as WalletApi);
    const api = onDemandWalletApi(load);
    expect(load).not.toHaveBeenCalled();
    await expect(api.session()).resolves.toEqual({ holderAddress: "0xabc" });
    await expect(api.children()).resolves.toEqual([]);
    api.preload();
    expect(load).toHaveBeenCalledTimes(1);
    expect(calls).toEqual(["session", "children"]);
  });

  it("tries loading again after a failed load (a phone that was offline)", async () => {
    const load = vi.fn().mockRejectedValueOnce(new TypeError("offline")).mockResolvedValue({ children: async () => [] } as unknown as WalletApi);
    const api = onDemandWalletApi(load);
    await expect(api.children()).rejects.toThrow("offline");
    await expect(api.children()).resolves.toEqual([]);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
