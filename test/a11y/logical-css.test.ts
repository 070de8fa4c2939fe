// Right-to-left (Arabic) mirrors a screen only when its styles say "start" and "end", not "left" and
// "right": this reads every stylesheet and inline style of the three apps and names each physical
// left/right it finds, so a new one fails here rather than in an Arabic family's hands.
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const APPS = ["wallet-app", "merchant-app", "staff-app"];

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path, ext);
    return ext.test(entry.name) ? [path] : [];
  });
}

/** Declarations that fix a side of the screen: property names and values, in CSS spelling. */
const PHYSICAL_PROPERTY = /^(left|right|(margin|padding|border)-(left|right)(-\w+)?|border-(top|bottom)-(left|right)-radius|scroll-(margin|padding)-(left|right))$/;
const PHYSICAL_VALUE: Record<string, RegExp> = {
  "text-align": /^(left|right)$/,
  float: /^(left|right)$/,
  clear: /^(left|right)$/,
};
// Four-value shorthands whose second (right) and fourth (left) value differ are lopsided in one direction.
const FOUR_SIDED = /^(margin|padding|inset|border-width|border-radius)$/;

export function physicalDeclarations(css: string): string[] {
  const found: string[] = [];
  const body = css.replace(/\/\*[\s\S]*?\*\//g, "").replace(/url\([^)]*\)/g, "url()");
  for (const match of body.matchAll(/([a-z-]+)\s*:\s*([^;{}]+)/g)) {
    const property = match[1]!.trim();
    const value = match[2]!.trim().replace(/\s*!important$/, "");
    if (PHYSICAL_PROPERTY.test(property)) found.push(`${property}: ${value}`);
    else if (PHYSICAL_VALUE[property]?.test(value)) found.push(`${property}: ${value}`);
    else if (FOUR_SIDED.test(property)) {
      const parts = value.split(/\s+/);
      if (parts.length === 4 && parts[1] !== parts[3]) found.push(`${property}: ${value}`);
    }
  }
  return found;
}

/** React inline styles: `style={{ marginLeft: … }}` and friends. */
export function physicalInlineStyles(tsx: string): string[] {
  const found: string[] = [];
  for (const style of tsx.matchAll(/style=\{\{([^}]*)\}\}/g)) {
    const css = style[1]!.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase().replace(/["']/g, "").replace(/,/g, ";");
    found.push(...physicalDeclarations(css));
  }
  return found;
}

describe("the lint itself", () => {
  test("names margin-left, right, text-align: right and a lopsided four-value padding; passes logical ones", () => {
    expect(physicalDeclarations(".a { margin-left: 1rem; right: 0; text-align: right; padding: 0 1rem 0 2rem; }"))
      .toEqual(["margin-left: 1rem", "right: 0", "text-align: right", "padding: 0 1rem 0 2rem"]);
    expect(physicalDeclarations(".a { margin-inline-start: 1rem; inset-inline: 0; text-align: start; padding: 0 1rem 0 1rem; }")).toEqual([]);
    expect(physicalInlineStyles(`<div style={{ paddingRight: "1rem", textAlign: "left" }} />`)).toEqual(["padding-right: 1rem", "text-align: left"]);
  });
});

describe.each(APPS)("%s styles", (app) => {
  test("use logical properties only (start/end, inline/block), so dir=rtl mirrors every screen", () => {
    const sources = [
      ...files(join(ROOT, app, "src"), /\.css$/).map((path) => ({ path, found: physicalDeclarations(readFileSync(path, "utf8")) })),
      ...files(join(ROOT, app, "src"), /\.tsx$/).map((path) => ({ path, found: physicalInlineStyles(readFileSync(path, "utf8")) })),
      ...files(join(ROOT, app), /^(index|public)\.html$/).map((path) => ({ path, found: physicalDeclarations(readFileSync(path, "utf8").match(/<style>[\s\S]*?<\/style>/g)?.join("\n") ?? "") })),
    ];
    const report = sources.filter((s) => s.found.length > 0).map((s) => `${relative(ROOT, s.path)}: ${s.found.join("; ")}`);
    expect(report).toEqual([]);
  });
});
