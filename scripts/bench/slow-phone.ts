// wallet_usable_ms_slow_phone: the family's first visit on an old phone. Debian's Chromium (as the
// browser tests drive it) with the CPU slowed 6× and a 1.6 Mbit/s, 150 ms link (DevTools protocol:
// Emulation.setCPUThrottlingRate, Network.emulateNetworkConditions); from navigation until the first
// screen's form can be typed in (a visible, enabled input: the wallet's activation form, the till's and
// staff's login). Each load in a fresh browser context (empty cache, no service worker), next to the
// same page unthrottled. The backend serves the built apps as in production (embedded database, no chain:
// none of these first screens needs one).
import { loadConfig } from "../../backend/src/config.ts";
import { startServer } from "../../backend/src/server.ts";
import { launchBrowser } from "../../test/support/browser.ts";
import { buildApp, isStale, type AppName } from "../lib/apps.ts";
import { round, spread, type Spread } from "./stats.ts";

/** The old phone: the profile. */
export const SLOW_PHONE = { cpuSlowdown: 6, downloadKbitPerS: 1600, uploadKbitPerS: 750, latencyMs: 150 } as const;

export const FIRST_SCREENS: { app: AppName; name: "wallet" | "till" | "staff"; path: string }[] = [
  { app: "wallet-app", name: "wallet", path: "/wallet/" },
  { app: "merchant-app", name: "till", path: "/shop/" },
  { app: "staff-app", name: "staff", path: "/staff/" },
];

export interface LoadSample {
  /** ms from navigation start until a visible, enabled input was on screen. */
  usableMs: number;
  /** Bytes over the wire for the page and everything it loaded until then (headers included). */
  transferredBytes: number;
  /** The same, decoded (what the browser had to parse). */
  decodedBytes: number;
}

export interface ScreenFigure {
  slow_phone_ms: Spread;
  unthrottled_ms: Spread;
  transferred_kb: number;
  decoded_kb: number;
}

export interface SlowPhoneFigure {
  profile: typeof SLOW_PHONE;
  runs: number;
  screens: Record<string, ScreenFigure>;
  /** The wallet's median under the slow profile: the figure with the goal. */
  wallet_usable_ms_slow_phone: number;
}

// Runs in the page before its own scripts (DevTools injects it; the apps' CSP does not apply): notes when
// an enabled input first has a box, at the next frame, in the page's own clock (0 = navigation start).
const WATCH_FOR_INPUT = `(() => {
  const usable = () => [...document.querySelectorAll("input, textarea")].some((el) => !el.disabled && el.type !== "hidden" && el.getBoundingClientRect().height > 0);
  const check = () => {
    if (globalThis.__usableAt !== undefined || !document.documentElement) return;
    if (usable()) { globalThis.__usableAt = null; requestAnimationFrame(() => { globalThis.__usableAt = performance.now(); }); }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
})();`;

export async function benchSlowPhone(options: { runs: number; log?: (line: string) => void }): Promise<SlowPhoneFigure> {
  const log = options.log ?? (() => {});
  for (const { app } of FIRST_SCREENS) if (isStale(app)) await buildApp(app);
  const server = await startServer(
    loadConfig({ DATA_DIR: "memory://", PORT: "0", DEPLOYMENT_FILE: "/nonexistent/deployment.json" }),
    { info: () => {}, error: () => {} },
  );
  const browser = await launchBrowser();
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const load = async (path: string, slow: boolean): Promise<LoadSample> => {
      const context = await browser.newContext({ viewport: { width: 360, height: 740 }, serviceWorkers: "block" });
      try {
        const page = await context.newPage();
        await page.addInitScript(WATCH_FOR_INPUT);
        if (slow) {
          const cdp = await context.newCDPSession(page);
          await cdp.send("Network.enable");
          await cdp.send("Network.emulateNetworkConditions", {
            offline: false, latency: SLOW_PHONE.latencyMs,
            downloadThroughput: (SLOW_PHONE.downloadKbitPerS * 1000) / 8, uploadThroughput: (SLOW_PHONE.uploadKbitPerS * 1000) / 8,
          });
          await cdp.send("Emulation.setCPUThrottlingRate", { rate: SLOW_PHONE.cpuSlowdown });
        }
        await page.goto(base + path, { waitUntil: "commit" });
        await page.waitForFunction(() => typeof (globalThis as { __usableAt?: number | null }).__usableAt === "number", undefined, { timeout: 60_000, polling: 50 });
        return await page.evaluate(() => {
          const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")] as PerformanceResourceTiming[];
          return {
            usableMs: (globalThis as unknown as { __usableAt: number }).__usableAt,
            transferredBytes: entries.reduce((n, e) => n + e.transferSize, 0),
            decodedBytes: entries.reduce((n, e) => n + e.decodedBodySize, 0),
          };
        });
      } finally {
        await context.close();
      }
    };
    const screens: Record<string, ScreenFigure> = {};
    for (const { name, path } of FIRST_SCREENS) {
      const slow: LoadSample[] = [];
      const fast: LoadSample[] = [];
      await load(path, false); // the server's first answer of each file (disk cache) is not the phone's
      // Interleaved, so both profiles see the same machine load.
      for (let i = 0; i < options.runs; i++) {
        slow.push(await load(path, true));
        fast.push(await load(path, false));
      }
      screens[name] = {
        slow_phone_ms: spread(slow.map((s) => s.usableMs)),
        unthrottled_ms: spread(fast.map((s) => s.usableMs)),
        transferred_kb: round(slow[0]!.transferredBytes / 1024, 1),
        decoded_kb: round(slow[0]!.decodedBytes / 1024, 1),
      };
      const s = screens[name]!;
      log(`  ${name}: usable after ${s.slow_phone_ms.median} ms on the slow phone (${s.slow_phone_ms.min}–${s.slow_phone_ms.max}), ${s.unthrottled_ms.median} ms unthrottled; ${s.transferred_kb} kB transferred (${s.decoded_kb} kB decoded)`);
    }
    return { profile: SLOW_PHONE, runs: options.runs, screens, wallet_usable_ms_slow_phone: screens.wallet!.slow_phone_ms.median };
  } finally {
    await browser.close();
    await server.close();
  }
}
