// Text on PDF pages in every family language: Noto Sans (Latin with its Turkish and Polish letters,
// Cyrillic) and Noto Sans Arabic, TrueType files from npm packages, embedded through fontkit. fontkit shapes
// each run (Arabic letters joined in their positional forms) and lays a right-to-left run out in visual
// order; bidi-js (the Unicode bidirectional algorithm) orders the runs of a line that mixes directions,
// e.g. a Dutch street name or an amount inside an Arabic sentence. Each character is set in the first
// font that has it, so one line may use both.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import fontkit from "@pdf-lib/fontkit";
import bidiModule from "bidi-js";
import type { Color, PDFDocument, PDFFont, PDFPage } from "pdf-lib";

const require = createRequire(import.meta.url);
// `subset`: only the glyphs used go into the PDF. fontkit's subset of Noto Sans loses most Latin letters
// (blank in a pdftoppm rendering), so that face goes in whole (about 300 kB per face, compressed); Noto
// Sans Arabic's subset is sound. pdf-lib applies no mark positioning (GPOS): the two dots under a final
// yeh are not drawn (it reads as ى, as in Egyptian spelling); joining and order are right.
const FILES = {
  regular: [
    { file: "@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf", subset: false },
    { file: "@expo-google-fonts/noto-sans-arabic/400Regular/NotoSansArabic_400Regular.ttf", subset: true },
  ],
  bold: [
    { file: "@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf", subset: false },
    { file: "@expo-google-fonts/noto-sans-arabic/700Bold/NotoSansArabic_700Bold.ttf", subset: true },
  ],
} as const;

let bytes: Map<string, Uint8Array> | undefined;
/** The font files, read once per process. */
function fontBytes(file: string): Uint8Array {
  bytes ??= new Map();
  if (!bytes.has(file)) bytes.set(file, readFileSync(require.resolve(file)));
  return bytes.get(file)!;
}

/** A font and its fallbacks, as embedded in one document. */
export interface Typeface {
  fonts: PDFFont[];
  /** The same fonts as fontkit reads them: which characters each has. */
  faces: fontkit.Font[];
}

export interface Typefaces {
  regular: Typeface;
  bold: Typeface;
}

// bidi-js is CommonJS exporting its factory; its types describe an ES module's default export.
type BidiFactory = typeof import("bidi-js").default;
const bidiFactory = ((bidiModule as unknown as { default?: BidiFactory }).default ?? bidiModule) as unknown as BidiFactory;
const bidi = bidiFactory();

/** Embeds the letter fonts. */
export async function embedTypefaces(pdf: PDFDocument): Promise<Typefaces> {
  pdf.registerFontkit(fontkit);
  const load = async (files: readonly { file: string; subset: boolean }[]): Promise<Typeface> => ({
    fonts: await Promise.all(files.map((f) => pdf.embedFont(fontBytes(f.file), { subset: f.subset }))),
    faces: files.map((f) => fontkit.create(fontBytes(f.file))),
  });
  return { regular: await load(FILES.regular), bold: await load(FILES.bold) };
}

/** A piece of a line set in one font, in the order it is drawn from left to right. */
interface Run {
  text: string;
  font: PDFFont;
}

const NEUTRAL = /[\s\p{P}\p{S}\p{N}]/u;
/** Marks that steer the bidirectional algorithm (LRM, RLM, embeddings, isolates): they order the line, and are not drawn. */
const BIDI_CONTROL = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const ARABIC = /\p{Script=Arabic}/u;

/** Which font of the typeface sets each character: the first that has it; spaces and signs stay with their neighbour. */
function fontIndexes(face: Typeface, chars: readonly string[]): number[] {
  const own = chars.map((ch) => {
    const cp = ch.codePointAt(0)!;
    const index = face.faces.findIndex((f) => f.hasGlyphForCodePoint(cp));
    return { index: index < 0 ? 0 : index, neutral: NEUTRAL.test(ch) };
  });
  return own.map((c, i) => {
    if (!c.neutral) return c.index;
    const neighbour = own.slice(0, i).reverse().find((o) => !o.neutral) ?? own.slice(i + 1).find((o) => !o.neutral);
    return neighbour && face.faces[neighbour.index]!.hasGlyphForCodePoint(chars[i]!.codePointAt(0)!) ? neighbour.index : c.index;
  });
}

/** The line as runs in visual order (left to right), for a paragraph of `direction`. */
function runs(face: Typeface, text: string, direction: "ltr" | "rtl"): Run[] {
  const chars = [...text.normalize("NFC")];
  if (chars.length === 0) return [];
  const joined = chars.join("");
  // bidi-js counts UTF-16 units; map each to its character.
  const unitToChar: number[] = [];
  chars.forEach((ch, i) => { for (let k = 0; k < ch.length; k++) unitToChar.push(i); });
  const embedding = bidi.getEmbeddingLevels(joined, direction);
  const level = chars.map((_, i) => embedding.levels[unitToChar.indexOf(i)]!);
  const order = chars.map((_, i) => i);
  for (const segment of bidi.getReorderSegments(joined, embedding)) {
    const from = unitToChar[segment[0]!]!;
    const to = unitToChar[segment[1]!]!;
    const slice = order.slice(from, to + 1).reverse();
    order.splice(from, slice.length, ...slice);
  }
  // A bracket in right-to-left text shows its mirror image: "(" opens to the left.
  chars.forEach((ch, i) => { if (level[i]! % 2 === 1) chars[i] = bidi.getMirroredCharacter(ch) ?? ch; });
  const fonts = fontIndexes(face, chars);
  const out: { indexes: number[]; font: number; odd: boolean }[] = [];
  for (const i of order) {
    if (BIDI_CONTROL.test(chars[i]!)) continue;
    const last = out.at(-1);
    const odd = level[i]! % 2 === 1;
    const adjacent = last && Math.abs(last.indexes.at(-1)! - i) === 1;
    if (last && adjacent && last.font === fonts[i] && last.odd === odd) last.indexes.push(i);
    else out.push({ indexes: [i], font: fonts[i]!, odd });
  }
  return out.map((run) => {
    const visual = run.indexes.map((i) => chars[i]!).join("");
    const logical = [...run.indexes].sort((a, b) => a - b).map((i) => chars[i]!).join("");
    // fontkit lays a run of Arabic letters out right to left itself: it gets the run in reading order.
    // A right-to-left run without them (signs, spaces) it would set left to right: it gets the visual order.
    const text = run.odd && ARABIC.test(logical) ? logical : visual;
    return { text, font: face.fonts[run.font]! };
  });
}

export function textWidth(face: Typeface, text: string, size: number, direction: "ltr" | "rtl" = "ltr"): number {
  return runs(face, text, direction).reduce((sum, run) => sum + run.font.widthOfTextAtSize(run.text, size), 0);
}

/** Draws one line from `x` (or ending at `x` with align "right"). */
export function drawLine(
  page: PDFPage, face: Typeface, text: string,
  at: { x: number; y: number; size: number; color?: Color; align?: "left" | "right"; direction?: "ltr" | "rtl" },
): void {
  const direction = at.direction ?? "ltr";
  const pieces = runs(face, text, direction);
  let x = at.align === "right" ? at.x - pieces.reduce((sum, run) => sum + run.font.widthOfTextAtSize(run.text, at.size), 0) : at.x;
  for (const run of pieces) {
    page.drawText(run.text, { x, y: at.y, size: at.size, font: run.font, ...(at.color && { color: at.color }) });
    x += run.font.widthOfTextAtSize(run.text, at.size);
  }
}

/** Breaks a paragraph into lines no wider than `width` (between words). */
export function wrapText(face: Typeface, text: string, size: number, width: number, direction: "ltr" | "rtl" = "ltr"): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(face, next, size, direction) > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}
