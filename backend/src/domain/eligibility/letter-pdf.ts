// Activation letters as one PDF, one family per A4 page, laid out like the HTML page (letter.ts): the
// address block in the NEN 1026 window position, the QR drawn as vector squares.
//
// pdf-lib's standard Helvetica covers the Latin alphabets of Western Europe (WinAnsi); a character outside
// it prints as "?". Arabic or other scripts would need an embedded font and text shaping (joining and
// right-to-left order), which pdf-lib does not do: for those, print the HTML page from the browser.
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from "pdf-lib";
import QRCode from "qrcode";
import type { LetterContent } from "./letter.ts";

const MM = 72 / 25.4;
const A4 = { width: 210 * MM, height: 297 * MM };
const LEFT = 20 * MM;
const RIGHT = A4.width - 20 * MM;

/** Text Helvetica can print: WinAnsi as it is, anything else as "?". */
function printable(text: string, font: PDFFont): string {
  let out = "";
  for (const ch of text.normalize("NFC")) {
    try {
      font.encodeText(ch);
      out += ch;
    } catch {
      out += "?";
    }
  }
  return out;
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (line && font.widthOfTextAtSize(next, size) > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

function drawQr(page: PDFPage, text: string, x: number, top: number, size: number) {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const n = qr.modules.size;
  const cell = size / (n + 4); // a quiet zone of two modules around it
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (!qr.modules.get(row, col)) continue;
      page.drawRectangle({ x: x + (col + 2) * cell, y: top - (row + 3) * cell, width: cell, height: cell, color: rgb(0, 0, 0) });
    }
  }
}

async function drawLetter(pdf: PDFDocument, c: LetterContent, fonts: { regular: PDFFont; bold: PDFFont; mono: PDFFont }) {
  const page = pdf.addPage([A4.width, A4.height]);
  const p = (text: string, font = fonts.regular) => printable(text, font);
  const at = (mmFromTop: number) => A4.height - mmFromTop * MM;
  const text = (value: string, x: number, y: number, size: number, font = fonts.regular) => page.drawText(p(value, font), { x, y, size, font });

  // Head: logo (or name) left, sender right.
  if (c.sender.logoPng) {
    const logo = await pdf.embedPng(c.sender.logoPng);
    const h = 18 * MM;
    page.drawImage(logo, { x: LEFT, y: at(15) - h, width: (logo.width / logo.height) * h, height: h });
  } else {
    text(c.sender.name, LEFT, at(20), 12, fonts.bold);
  }
  [c.sender.name, ...c.sender.addressLines].forEach((line, i) => {
    const w = fonts.regular.widthOfTextAtSize(p(line), 9);
    text(line, RIGHT - w, at(18) - i * 11, 9);
  });

  // NEN 1026: the window's address block, 20 mm from the left and 50 mm from the top.
  text([c.sender.name, ...c.sender.addressLines].join(", "), LEFT, at(53), 6.5);
  page.drawLine({ start: { x: LEFT, y: at(54) }, end: { x: LEFT + 85 * MM, y: at(54) }, thickness: 0.3 });
  [c.recipient.name, ...c.recipient.addressLines].slice(0, 6).forEach((line, i) => text(line, LEFT, at(59) - i * 13, 10.5));

  // Date, reference, subject beside it.
  const meta: [string, string][] = [[c.labels.date, c.date], [c.labels.reference, c.reference], [c.labels.subject, c.subject]];
  meta.forEach(([label, value], i) => {
    text(label, 120 * MM, at(53) - i * 24, 8.5, fonts.bold);
    text(value, 120 * MM, at(53) - i * 24 - 11, 8.5);
  });

  // Body from 105 mm down.
  let y = at(105);
  const width = RIGHT - LEFT;
  const paragraph = (value: string, { size = 10.5, font = fonts.regular, gap = 6 } = {}) => {
    for (const line of wrap(p(value, font), font, size, width)) {
      page.drawText(line, { x: LEFT, y, size, font });
      y -= size * 1.35;
    }
    y -= gap;
  };
  paragraph(c.subject, { size: 13, font: fonts.bold });
  paragraph(c.greeting);
  c.intro.forEach((value) => paragraph(value));
  for (const child of c.children) {
    text(child.name, LEFT, y, 10.5);
    const w = fonts.regular.widthOfTextAtSize(p(child.amount), 10.5);
    text(child.amount, LEFT + 80 * MM - w, y, 10.5);
    y -= 14;
  }
  y -= 6;
  paragraph(`${c.budgetValidity} ${c.spendOn}`);

  // The code box: QR left, code and where to type it right.
  const box = 44 * MM;
  page.drawRectangle({ x: LEFT, y: y - box, width, height: box, borderWidth: 1.1, borderColor: rgb(0, 0, 0) });
  drawQr(page, c.code.qrText, LEFT + 3 * MM, y - 3 * MM, box - 6 * MM);
  const tx = LEFT + box + 4 * MM;
  text(c.labels.code, tx, y - 12 * MM, 10.5);
  text(c.code.display, tx, y - 21 * MM, 18, fonts.mono);
  text(`${c.labels.url} ${c.code.shortUrl}`, tx, y - 28 * MM, 10.5, fonts.bold);
  for (const [i, line] of wrap(p(c.code.validity), fonts.regular, 9.5, RIGHT - tx - 3 * MM).entries()) text(line, tx, y - 34 * MM - i * 12, 9.5);
  y -= box + 8 * MM;

  c.steps.forEach((step, i) => paragraph(`${i + 1}. ${step}`, { gap: 2 }));
  y -= 4;
  paragraph(c.shops);
  paragraph(`${c.labels.help} ${c.help}`);
  for (const line of c.closing) paragraph(line, { gap: 0 });
}

/** One PDF with a page per letter. */
export async function renderLettersPdf(letters: readonly LetterContent[]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(letters.length === 1 ? letters[0]!.subject : "Tegoed");
  pdf.setCreator("Tegoed");
  pdf.setProducer("Tegoed");
  const fonts = {
    regular: await pdf.embedFont(StandardFonts.Helvetica),
    bold: await pdf.embedFont(StandardFonts.HelveticaBold),
    mono: await pdf.embedFont(StandardFonts.Courier),
  };
  for (const letter of letters) await drawLetter(pdf, letter, fonts);
  return pdf.save();
}
