// Contrast from the design tokens, not from what axe happened to sample: every text colour an app puts on
// a background (pairs read from the stylesheet where a rule sets both, plus the inherited ones listed
// here) is at least 4.5:1, large text and boundaries of controls at least 3:1 (WCAG 1.4.3, 1.4.11),
// and the focus ring shows at 3:1 on every surface a control can sit on.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";

const ROOT = join(import.meta.dirname, "../..");

/** WCAG 2.1 relative luminance of a #rgb or #rrggbb colour. */
function luminance(hex: string): number {
  const full = hex.length === 4 ? `#${[...hex.slice(1)].map((c) => c + c).join("")}` : hex;
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(full.slice(i, i + 2), 16) / 255).map((c) =>
    c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

export function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

interface Sheet { tokens: Record<string, string>; rules: { selector: string; decls: Record<string, string> }[] }

function readSheet(path: string): Sheet {
  const css = readFileSync(join(ROOT, path), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/url\([^)]*\)/g, "url()");
  const rules = [...css.matchAll(/([^{}]+)\{([^{}]*)\}/g)].map((m) => ({
    selector: m[1]!.trim(),
    decls: Object.fromEntries([...m[2]!.matchAll(/([a-z-]+)\s*:\s*([^;]+)/g)].map((d) => [d[1]!, d[2]!.trim()])),
  }));
  const tokens = Object.fromEntries(rules.filter((r) => r.selector === ":root")
    .flatMap((r) => Object.entries(r.decls).filter(([k]) => k.startsWith("--"))));
  return { tokens, rules };
}

/** A colour value as hex: a token, a hex literal or white/black; null for anything else (transparent…). */
function resolve(sheet: Sheet, value: string | undefined): string | null {
  if (!value) return null;
  const token = /^var\((--[\w-]+)\)$/.exec(value);
  if (token) return resolve(sheet, sheet.tokens[token[1]!]);
  if (/^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(value)) return value.toLowerCase();
  return { white: "#ffffff", black: "#000000" }[value] ?? null;
}

type Pair = [text: string, background: string, minimum: number, where: string];

/** Pairs a rule states itself: its colour on its own background. */
function statedPairs(sheet: Sheet): Pair[] {
  return sheet.rules.flatMap(({ selector, decls }) => {
    const text = resolve(sheet, decls.color);
    const background = resolve(sheet, decls["background-color"] ?? decls.background);
    return text && background ? [[text, background, 4.5, selector] as Pair] : [];
  });
}

/** Each app: its sheet, the text on surfaces it inherits (token names or hex), and the surfaces a control can sit on. */
const APPS: Record<string, { sheet: string; inherited: [string, string, number, string][]; surfaces: string[] }> = {
  "wallet-app": {
    sheet: "wallet-app/src/styles.css",
    inherited: [
      ["--ink", "--wash", 4.5, "page text"], ["--ink", "--paper", 4.5, "cards, menu"], ["--muted", "--paper", 4.5, "hints on cards"],
      ["--muted", "--wash", 4.5, "hints on the page"], ["--brand", "--paper", 4.5, "links, secondary buttons"],
      ["--brand", "--wash", 4.5, "links on the page"], ["--error-ink", "--wash", 4.5, "field errors"], ["--error-ink", "--paper", 4.5, "error box"],
      ["--brand-ink", "--brand", 4.5, "header, language buttons"], ["--warn-ink", "--warn-bg", 4.5, "warnings"],
      ["--ok-ink", "--ok-bg", 4.5, "paid"], ["--muted", "--wash", 3, "input borders (UI boundary)"], ["--muted", "--paper", 3, "input borders"],
    ],
    surfaces: ["--wash", "--paper", "--brand", "--warn-bg", "--ok-bg"],
  },
  "merchant-app": {
    sheet: "merchant-app/src/app/styles.css",
    inherited: [
      ["--ink", "--paper", 4.5, "page text"], ["--ink", "--soft", 4.5, "tabs"], ["--muted", "--paper", 4.5, "hints"], ["--muted", "--soft", 4.5, "hints in the refund form"],
      ["--brand", "--paper", 4.5, "links"], ["--brand", "--soft", 4.5, "current tab"], ["--refused", "--paper", 4.5, "field errors"],
      ["--paid", "--paper", 4.5, "valid IBAN"], ["#ffffff", "--brand", 4.5, "top bar"], ["#ffffff", "--paid", 3, "PAID (large)"],
      ["#ffffff", "--refused", 3, "REFUSED (large)"], ["--line", "--paper", 3, "input borders (UI boundary)"],
    ],
    surfaces: ["--paper", "--soft", "--brand", "--paid", "--refused"],
  },
  "staff-app": {
    sheet: "staff-app/src/app/styles.css",
    inherited: [
      ["--ink", "#ffffff", 4.5, "page text"], ["--ink", "--bg-soft", 4.5, "info notices"], ["--muted", "#ffffff", 4.5, "hints"],
      ["--muted", "--bg-soft", 4.5, "hints in confirmations"], ["--brand", "#ffffff", 4.5, "links, buttons"], ["--brand", "--bg-soft", 4.5, "buttons in confirmations"],
      ["--danger", "#ffffff", 4.5, "field errors, frozen"], ["--brand-ink", "--brand", 4.5, "top bar, current page"],
      ["#6b7682", "#ffffff", 3, "input borders (UI boundary)"],
    ],
    surfaces: ["#ffffff", "--bg-soft", "--brand", "#fdecec", "#e8f5ec"],
  },
};

describe.each(Object.entries(APPS))("%s colours", (_app, app) => {
  const sheet = readSheet(app.sheet);
  const colour = (name: string) => {
    const hex = resolve(sheet, name.startsWith("--") ? `var(${name})` : name);
    if (!hex) throw new Error(`${name} is not a colour in ${app.sheet}`);
    return hex;
  };

  test("every text and boundary colour meets its minimum on its background", () => {
    const pairs: Pair[] = [...statedPairs(sheet), ...app.inherited.map(([t, b, min, where]) => [colour(t), colour(b), min, `${where} (${t} on ${b})`] as Pair)];
    expect(pairs.length).toBeGreaterThan(app.inherited.length); // the sheet's own pairs were read too
    const weak = pairs.filter(([t, b, min]) => contrast(t, b) < min)
      .map(([t, b, min, where]) => `${where}: ${t} on ${b} is ${contrast(t, b).toFixed(2)}:1, needs ${min}:1`);
    expect(weak).toEqual([]);
  });

  test("the focus ring (amber outside, ink inside) shows at 3:1 on every surface", () => {
    const ring = [colour("--focus"), colour("--ink")];
    const unseen = app.surfaces.filter((s) => Math.max(...ring.map((r) => contrast(r, colour(s)))) < 3);
    expect(unseen).toEqual([]);
  });
});

describe("the WCAG formula", () => {
  test("black on white is 21:1, white on white 1:1, and #767676 on white just passes 4.5:1", () => {
    expect(contrast("#000", "#fff")).toBeCloseTo(21, 5);
    expect(contrast("#fff", "#ffffff")).toBe(1);
    expect(contrast("#767676", "#fff")).toBeGreaterThanOrEqual(4.5);
    expect(contrast("#777777", "#fff")).toBeLessThan(4.5);
  });
});
