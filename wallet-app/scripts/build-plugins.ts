// Two small build steps: the service worker gets the list of files to keep offline (their names are
// hashed, so only the build knows them), and the gzipped first-load JS size is printed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Plugin } from "vite";
import { describeSize, measureJs } from "./size.ts";

export function serviceWorker(): Plugin {
  let base = "/";
  return {
    name: "tegoed-service-worker",
    apply: "build",
    configResolved(config) {
      base = config.base;
    },
    generateBundle(_options, bundle) {
      const assets = Object.keys(bundle).filter((name) => !name.endsWith(".map"));
      const shell = [base, ...assets.map((name) => base + name), `${base}manifest.webmanifest`, `${base}icon.svg`, `${base}icon-192.png`];
      const source = readFileSync(join(import.meta.dirname, "..", "sw", "sw.js"), "utf8");
      const version = assets.filter((n) => n.startsWith("assets/")).sort().join(",");
      this.emitFile({
        type: "asset",
        fileName: "sw.js",
        source: source
          .replace("__SHELL__", JSON.stringify(shell))
          .replace("__VERSION__", JSON.stringify(hash(version)))
          .replace("__BASE__", JSON.stringify(base)),
      });
    },
  };
}

export function printSize(): Plugin {
  let outDir = "dist";
  return {
    name: "tegoed-print-size",
    apply: "build",
    configResolved(config) {
      outDir = join(config.root, config.build.outDir);
    },
    closeBundle() {
      console.log(describeSize(measureJs(outDir)));
    },
  };
}

function hash(text: string): string {
  let h = 5381;
  for (let i = 0; i < text.length; i++) h = ((h * 33) ^ text.charCodeAt(i)) >>> 0;
  return h.toString(36);
}
