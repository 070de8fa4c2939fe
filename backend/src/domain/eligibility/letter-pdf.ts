// Activation letters as one PDF, one family per A4 page, laid out like the HTML page (letter.ts): the
// address block in the NEN 1026 window position, the QR drawn as vector squares. Text is set by the
// typesetter (../../print/typeset.ts) in Noto Sans and Noto Sans Arabic, so every family language prints,
// Arabic shaped and right to left (its paragraphs aligned right; the address block stays where the
// envelope's window is).
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from "pdf-lib";
import QRCode from "qrcode";
import { drawLine, embedTypefaces, wrapText, type Typeface, type Typefaces } from "../../print/typeset.ts";
import type { LetterContent } from "./letter.ts";

const MM = 72 / 25.4;
const A4 = { width: 210 * MM, height: 297 * MM };
const LEFT = 20 * MM;
const RIGHT = A4.width - 20 * MM;

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

async function drawLetter(pdf: PDFDocument, c: LetterContent, fonts: Typefaces & { mono: PDFFont }) {
  const page = pdf.addPage([A4.width, A4.height]);
  const dir = c.direction;
  const rtl = dir === "rtl";
  const at = (mmFromTop: number) => A4.height - mmFromTop * MM;
  /** A line from `x`; in a right-to-left letter, `right` is where it ends. */
  const text = (value: string, x: number, y: number, size: number, face: Typeface = fonts.regular, right?: number) =>
    rtl && right !== undefined ? drawLine(page, face, value, { x: right, y, size, align: "right", direction: dir }) : drawLine(page, face, value, { x, y, size, direction: dir });

  // Head: logo (or name) left, sender right.
  if (c.sender.logoPng) {
    const logo = await pdf.embedPng(c.sender.logoPng);
    const h = 18 * MM;
    page.drawImage(logo, { x: LEFT, y: at(15) - h, width: (logo.width / logo.height) * h, height: h });
  } else {
    drawLine(page, fonts.bold, c.sender.name, { x: LEFT, y: at(20), size: 12 });
  }
  [c.sender.name, ...c.sender.addressLines].forEach((line, i) => drawLine(page, fonts.regular, line, { x: RIGHT, y: at(18) - i * 11, size: 9, align: "right" }));

  // NEN 1026: the window's address block, 20 mm from the left and 50 mm from the top, as the post reads it.
  drawLine(page, fonts.regular, [c.sender.name, ...c.sender.addressLines].join(", "), { x: LEFT, y: at(53), size: 6.5 });
  page.drawLine({ start: { x: LEFT, y: at(54) }, end: { x: LEFT + 85 * MM, y: at(54) }, thickness: 0.3 });
  [c.recipient.name, ...c.recipient.addressLines].slice(0, 6).forEach((line, i) => drawLine(page, fonts.regular, line, { x: LEFT, y: at(59) - i * 13, size: 10.5 }));

  // Date, reference, subject beside it.
  const meta: [string, string][] = [[c.labels.date, c.date], [c.labels.reference, c.reference], [c.labels.subject, c.subject]];
  meta.forEach(([label, value], i) => {
    text(label, 120 * MM, at(53) - i * 24, 8.5, fonts.bold, RIGHT);
    text(value, 120 * MM, at(53) - i * 24 - 11, 8.5, fonts.regular, RIGHT);
  });

  // Body from 105 mm down.
  let y = at(105);
  const width = RIGHT - LEFT;
  const paragraph = (value: string, { size = 10.5, face = fonts.regular, gap = 6 } = {}) => {
    for (const line of wrapText(face, value, size, width, dir)) {
      text(line, LEFT, y, size, face, RIGHT);
      y -= size * 1.35;
    }
    y -= gap;
  };
  paragraph(c.subject, { size: 13, face: fonts.bold });
  paragraph(c.greeting);
  c.intro.forEach((value) => paragraph(value));
  for (const child of c.children) {
    // The name at the reading side, the amount 80 mm further.
    if (rtl) {
      text(child.name, LEFT, y, 10.5, fonts.regular, RIGHT);
      drawLine(page, fonts.regular, child.amount, { x: RIGHT - 80 * MM, y, size: 10.5, direction: "ltr" });
    } else {
      text(child.name, LEFT, y, 10.5);
      drawLine(page, fonts.regular, child.amount, { x: LEFT + 80 * MM, y, size: 10.5, align: "right" });
    }
    y -= 14;
  }
  y -= 6;
  paragraph(`${c.budgetValidity} ${c.spendOn}`);

  // The code box: QR left, code and where to type it right of it.
  const box = 44 * MM;
  page.drawRectangle({ x: LEFT, y: y - box, width, height: box, borderWidth: 1.1, borderColor: rgb(0, 0, 0) });
  drawQr(page, c.code.qrText, LEFT + 3 * MM, y - 3 * MM, box - 6 * MM);
  const tx = LEFT + box + 4 * MM;
  const boxRight = RIGHT - 3 * MM;
  text(c.labels.code, tx, y - 12 * MM, 10.5, fonts.regular, boxRight);
  page.drawText(c.code.display, { x: tx, y: y - 21 * MM, size: 18, font: fonts.mono });
  text(`${c.labels.url} ${c.code.shortUrl}`, tx, y - 28 * MM, 10.5, fonts.bold, boxRight);
  for (const [i, line] of wrapText(fonts.regular, c.code.validity, 9.5, boxRight - tx, dir).entries()) text(line, tx, y - 34 * MM - i * 12, 9.5, fonts.regular, boxRight);
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
  pdf.setLanguage(letters[0]?.language ?? "nl");
  pdf.setCreator("Tegoed");
  pdf.setProducer("Tegoed");
  // The code is Latin letters and digits only: the standard monospace face prints it.
  const fonts = { ...(await embedTypefaces(pdf)), mono: await pdf.embedFont(StandardFonts.Courier) };
  for (const letter of letters) await drawLetter(pdf, letter, fonts);
  return pdf.save();
}
