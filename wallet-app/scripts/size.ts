// The JS a phone downloads on first load, gzipped: the scripts and module preloads index.html names.
// Printed at build (see build-plugins.ts) and checked by a test against the 200 kB budget.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

export const FIRST_LOAD_BUDGET_BYTES = 200 * 1024;

export interface JsSize {
  /** Gzipped bytes of what index.html loads at once. */
  firstLoad: number;
  /** Gzipped bytes of every JS file (lazy chunks included). */
  total: number;
  files: { name: string; gzip: number; firstLoad: boolean }[];
}

export function measureJs(dist: string): JsSize {
  const html = readFileSync(join(dist, "index.html"), "utf8");
  const named = new Set([...html.matchAll(/(?:src|href)="[^"]*\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!));
  const files = readdirSync(join(dist, "assets"))
    .filter((name) => name.endsWith(".js"))
    .map((name) => ({ name, gzip: gzipSync(readFileSync(join(dist, "assets", name)), { level: 9 }).length, firstLoad: named.has(name) }));
  return {
    firstLoad: files.filter((f) => f.firstLoad).reduce((n, f) => n + f.gzip, 0),
    total: files.reduce((n, f) => n + f.gzip, 0),
    files,
  };
}

export function describeSize(size: JsSize): string {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
  return `wallet-app first-load JS ${kb(size.firstLoad)} gzipped (budget ${kb(FIRST_LOAD_BUDGET_BYTES)}); all JS ${kb(size.total)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const size = measureJs(join(import.meta.dirname, "..", "dist"));
  for (const f of size.files) console.log(`${f.firstLoad ? "*" : " "} ${f.name} ${(f.gzip / 1024).toFixed(1)} kB`);
  console.log(describeSize(size));
  if (size.firstLoad > FIRST_LOAD_BUDGET_BYTES) process.exitCode = 1;
}
