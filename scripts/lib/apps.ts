// The three apps, built by Vite into <app>/dist, which the backend serves on its own origin.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./artifacts.ts";

export const APPS = ["wallet-app", "merchant-app", "staff-app"] as const;
export type AppName = (typeof APPS)[number];

/** Newest modification time under `dir` (0 when missing), skipping dist and node_modules. */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "dist" || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** True when <app>/dist is older than the app's sources or the sdk and ui it bundles. */
export function isStale(app: AppName): boolean {
  const built = join(ROOT, app, "dist", "index.html");
  if (!existsSync(built)) return true;
  return Math.max(newest(join(ROOT, app)), newest(join(ROOT, "sdk", "src")), newest(join(ROOT, "ui", "src"))) > statSync(built).mtimeMs;
}

/** Builds the app with Vite (its own vite.config.ts). */
export async function buildApp(app: AppName): Promise<void> {
  const { build } = await import("vite");
  // Vite sets NODE_ENV=production in this process for the build: the backend must not inherit it.
  const nodeEnv = process.env.NODE_ENV;
  try {
    // Always React's production build, also when a test runner set NODE_ENV=test.
    await build({ root: join(ROOT, app), configFile: join(ROOT, app, "vite.config.ts"), logLevel: "warn", mode: "production" });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}
