// Icons must not depend on a font the device may lack: Debian's Chromium has no emoji font and showed the
// frozen notice's "⛔" as an empty box. The apps draw icons as inline SVG; this keeps such characters out.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
// Miscellaneous technical and symbols, dingbats, emoji and the emoji presentation selector.
const FONT_DEPENDENT = /[\u2300-\u23ff\u2600-\u27bf\u{1f000}-\u{1faff}\ufe0f]/u;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(tsx|ts|css|json|html)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe("icons in the apps", () => {
  it("are never symbol or emoji characters on screen: every app's source and texts are free of them", () => {
    const found: string[] = [];
    for (const app of ["wallet-app", "merchant-app", "staff-app"]) {
      for (const file of sources(join(ROOT, app, "src"))) {
        readFileSync(file, "utf8").split("\n").forEach((line, i) => {
          // Comments may name the character they replace.
          if (/^\s*(\/\/|\/\*|\*)/.test(line)) return;
          const match = FONT_DEPENDENT.exec(line);
          if (match) found.push(`${file.slice(ROOT.length + 1)}:${i + 1} ${match[0]}`);
        });
      }
    }
    expect(found).toEqual([]);
  });
});
