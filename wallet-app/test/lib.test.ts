import { afterEach, describe, expect, it, vi } from "vitest";
import { timedFetch, type WalletApi } from "../src/lib/api.ts";
import { onDemandWalletApi } from "../src/lib/api-on-demand.ts";
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
