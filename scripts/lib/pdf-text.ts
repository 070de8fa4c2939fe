// Reads back what our PDFs print, as a person reading the page would: the text lines drawn with the
// standard fonts (pdf-lib writes them as hex strings in Flate-compressed content streams), and the
// QR code drawn as filled squares, rebuilt into its module matrix. Only for PDFs made by the backend's
// cards/print.ts: the tests read printed cards and letters with it, and the demo seed its cards.
import { inflateSync } from "node:zlib";

/** Every content stream of the file, inflated, in file order. */
export function contentStreams(pdf: Uint8Array): string[] {
  const text = Buffer.from(pdf).toString("latin1");
  const out: string[] = [];
  const re = /(?<!end)stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const start = m.index + m[0].length;
    const end = text.indexOf("endstream", start);
    if (end < 0) break;
    const raw = Buffer.from(text.slice(start, end), "latin1");
    try {
      out.push(inflateSync(raw).toString("latin1"));
    } catch {
      out.push(raw.toString("latin1"));
    }
    re.lastIndex = end;
  }
  return out;
}

/** The text strings drawn, in order, per content stream (a page, usually). */
export function pdfTextLines(pdf: Uint8Array): string[][] {
  return contentStreams(pdf)
    // The standard fonts' WinAnsi is latin1 but for a few signs; the euro sign is the one we print.
    .map((s) => [...s.matchAll(/<([0-9A-Fa-f]*)> Tj/g)].map((t) => Buffer.from(t[1]!, "hex").toString("latin1").replaceAll("\x80", "€")))
    .filter((lines) => lines.length > 0);
}

/**
 * The QR drawn on a page as black squares (the largest group of equal small squares), as rows of
 * booleans, quiet zone cut off.
 */
export function pdfQrModules(stream: string): boolean[][] {
  const squares: { x: number; y: number; w: number }[] = [];
  // pdf-lib draws a filled rectangle as a translated path: x y cm, 0 0 m, three lines, h f.
  for (const r of stream.matchAll(/1 0 0 1 (-?[\d.]+) (-?[\d.]+) cm\s+(?:1 0 0 1 0 0 cm\s+)*0 0 m\s+0 (-?[\d.]+) l\s+(-?[\d.]+) (-?[\d.]+) l\s+(?:-?[\d.]+) 0 l\s+h\s+f/g)) {
    squares.push({ x: Number(r[1]), y: Number(r[2]), w: Number(r[4]) });
  }
  const bySize = new Map<string, typeof squares>();
  for (const s of squares) {
    const key = s.w.toFixed(2);
    bySize.set(key, [...(bySize.get(key) ?? []), s]);
  }
  const modules = [...bySize.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  if (modules.length === 0) return [];
  const cell = modules[0]!.w - 0.05;
  const minX = Math.min(...modules.map((s) => s.x));
  const maxY = Math.max(...modules.map((s) => s.y));
  const cols = modules.map((s) => Math.round((s.x - minX) / cell));
  const rows = modules.map((s) => Math.round((maxY - s.y) / cell));
  const size = Math.max(...cols, ...rows) + 1;
  const grid = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
  modules.forEach((_, i) => (grid[rows[i]!]![cols[i]!] = true));
  return grid;
}

/** The QR printed in the PDF (on whichever page it is), as its module matrix. */
export function pdfQr(pdf: Uint8Array): boolean[][] {
  return contentStreams(pdf).map(pdfQrModules).sort((a, b) => b.length - a.length)[0] ?? [];
}
