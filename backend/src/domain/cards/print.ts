// The card's printables, as PDFs (pdf-lib): the card itself, credit-card sized, front and back (the
// fund's name, the QR, the card number in groups, the code under the QR for typing, a help phone
// number; no name, no amount, no PIN), card sheets of 10 per A4 for many families, and the PIN letter,
// always a file of its own so the PIN never travels in the card's print job, and the balance letter a
// family without a smartphone may ask staff for (each child's budget left, as of now). Worded from
// ../letters/texts/<language>.json; the PIN and balance letters in the family's language and script (Noto
// Sans and Noto Sans Arabic, ../../print/typeset.ts), the card in Dutch or English in the standard fonts.
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from "pdf-lib";
import QRCode from "qrcode";
import { formatCardCode, formatCardNumber, formatDateTime, formatDay, type FamilyLanguage } from "@tegoed/sdk";
import { formatMoney } from "../../mail/render.ts";
import { drawLine, embedTypefaces, wrapText, type Typeface, type Typefaces } from "../../print/typeset.ts";
import { fill, letterTexts } from "../letters/texts.ts";

const MM = 72 / 25.4;
/** ISO/IEC 7810 ID-1: 85.60 × 53.98 mm. */
export const CARD_WIDTH = 85.6 * MM;
export const CARD_HEIGHT = 53.98 * MM;
const A4 = { width: 210 * MM, height: 297 * MM };
const SHEET = { columns: 2, rows: 5 };
const INK = rgb(0.1, 0.12, 0.16);
const ACCENT = rgb(0.05, 0.4, 0.35);

export interface PrintedCard {
  language: FamilyLanguage;
  fundName: string;
  cardNumber: string;
  /** The card QR's text. */
  cardCode: string;
  helpPhone: string;
}

export interface PinLetter {
  language: FamilyLanguage;
  fundName: string;
  cardNumber: string;
  pin: string;
  parentName: string;
  addressLines: string[];
  helpPhone: string;
}

export interface BalanceLetter {
  language: FamilyLanguage;
  fundName: string;
  /** The family's card in use, if it has one. */
  cardNumber: string | null;
  parentName: string;
  addressLines: string[];
  asOf: Date;
  /** The fund's time zone: the moment is told in it. */
  timeZone: string;
  children: { firstName: string; balanceCents: bigint; expiresAt: Date }[];
  helpPhone: string;
}

interface Fonts {
  /** Card numbers, codes and the PIN: digits and Latin capitals only. */
  mono: PDFFont;
  /** The card itself: the standard Latin faces (the tills and the demo read its code back as text). */
  cardRegular: PDFFont;
  cardBold: PDFFont;
}

async function newDocument(title: string, language: string): Promise<{ pdf: PDFDocument; fonts: Fonts }> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(title);
  pdf.setLanguage(language);
  pdf.setProducer("Tegoed");
  pdf.setCreator("Tegoed");
  const [mono, cardRegular, cardBold] = await Promise.all([
    pdf.embedFont(StandardFonts.CourierBold), pdf.embedFont(StandardFonts.Helvetica), pdf.embedFont(StandardFonts.HelveticaBold),
  ]);
  return { pdf, fonts: { mono, cardRegular, cardBold } };
}

/** The card speaks Dutch or English (its standard fonts print Western European letters only). */
const cardTexts = (language: string) => letterTexts(language === "en" ? "en" : "nl").card;

/** A character the standard fonts lack prints as "?" rather than failing the print (e.g. in a fund's name). */
function printable(font: PDFFont, text: string): string {
  let out = "";
  for (const char of text) {
    try {
      font.encodeText(char);
      out += char;
    } catch {
      out += "?";
    }
  }
  return out;
}

function fitCard(font: PDFFont, text: string, size: number, width: number): number {
  let s = size;
  while (s > 5 && font.widthOfTextAtSize(text, s) > width) s -= 0.5;
  return s;
}


function drawFront(page: PDFPage, x: number, y: number, card: PrintedCard, fonts: Fonts): void {
  const t = cardTexts(card.language);
  const { cardRegular: regular, cardBold: bold } = fonts;
  page.drawRectangle({ x, y, width: CARD_WIDTH, height: CARD_HEIGHT, borderColor: rgb(0.75, 0.75, 0.75), borderWidth: 0.5 });
  page.drawRectangle({ x, y: y + CARD_HEIGHT - 16 * MM, width: CARD_WIDTH, height: 16 * MM, color: ACCENT });
  const fund = printable(bold, card.fundName);
  page.drawText(fund, { x: x + 5 * MM, y: y + CARD_HEIGHT - 10 * MM, size: fitCard(bold, fund, 13, CARD_WIDTH - 10 * MM), font: bold, color: rgb(1, 1, 1) });
  page.drawText(t.card, { x: x + 5 * MM, y: y + CARD_HEIGHT - 14 * MM, size: 8, font: regular, color: rgb(1, 1, 1) });
  page.drawText(t.cardNumber, { x: x + 5 * MM, y: y + 17 * MM, size: 7, font: regular, color: INK });
  page.drawText(formatCardNumber(card.cardNumber), { x: x + 5 * MM, y: y + 10 * MM, size: 17, font: fonts.mono, color: INK });
  page.drawText(printable(regular, fill(t.lost, { phone: card.helpPhone })), { x: x + 5 * MM, y: y + 4 * MM, size: 6.5, font: regular, color: INK });
}

function drawBack(page: PDFPage, x: number, y: number, card: PrintedCard, fonts: Fonts): void {
  const t = cardTexts(card.language);
  const regular = fonts.cardRegular;
  page.drawRectangle({ x, y, width: CARD_WIDTH, height: CARD_HEIGHT, borderColor: rgb(0.75, 0.75, 0.75), borderWidth: 0.5 });
  // Error correction M, as the phone's payment QR: about 41 characters make a version 2 code.
  const { modules } = QRCode.create(card.cardCode, { errorCorrectionLevel: "M" });
  const quiet = 2;
  const side = 38 * MM;
  const cell = side / (modules.size + 2 * quiet);
  const qx = x + 3 * MM;
  const qy = y + (CARD_HEIGHT - side) / 2;
  page.drawRectangle({ x: qx, y: qy, width: side, height: side, color: rgb(1, 1, 1) });
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (!modules.get(row, col)) continue;
      page.drawRectangle({
        x: qx + (col + quiet) * cell, y: qy + side - (row + quiet + 1) * cell, width: cell + 0.05, height: cell + 0.05, color: rgb(0, 0, 0),
      });
    }
  }
  const tx = qx + side + 3 * MM;
  const width = x + CARD_WIDTH - 3 * MM - tx;
  let ty = y + CARD_HEIGHT - 8 * MM;
  for (const line of t.how) {
    page.drawText(printable(regular, line), { x: tx, y: ty, size: fitCard(regular, line, 6.5, width), font: regular, color: INK });
    ty -= 3 * MM;
  }
  ty -= 2 * MM;
  page.drawText(t.code, { x: tx, y: ty, size: 5.5, font: regular, color: INK });
  ty -= 3.2 * MM;
  // The code in lines of three groups, so it reads like the QR does when typed.
  const groups = formatCardCode(card.cardCode).split(" ");
  for (let i = 0; i < groups.length; i += 3) {
    page.drawText(groups.slice(i, i + 3).join(" "), { x: tx, y: ty, size: 7, font: fonts.mono, color: INK });
    ty -= 3 * MM;
  }
}

/** One card: the front on page 1, the back on page 2, each the card's own size. */
export async function renderCardPdf(card: PrintedCard): Promise<Uint8Array> {
  const { pdf, fonts } = await newDocument(cardTexts(card.language).card, card.language);
  drawFront(pdf.addPage([CARD_WIDTH, CARD_HEIGHT]), 0, 0, card, fonts);
  drawBack(pdf.addPage([CARD_WIDTH, CARD_HEIGHT]), 0, 0, card, fonts);
  return pdf.save();
}

/**
 * Cards on A4 sheets, 10 to a page: for every page of fronts a page of backs, its columns mirrored so
 * each back lands behind its front when printed double-sided (flip on the long edge).
 */
export async function renderCardSheets(cards: readonly PrintedCard[]): Promise<Uint8Array> {
  const { pdf, fonts } = await newDocument("Tegoed cards", cards[0]?.language ?? "nl");
  const perPage = SHEET.columns * SHEET.rows;
  const left = (A4.width - SHEET.columns * CARD_WIDTH) / 2;
  const bottom = (A4.height - SHEET.rows * CARD_HEIGHT) / 2;
  for (let first = 0; first < cards.length; first += perPage) {
    const batch = cards.slice(first, first + perPage);
    const fronts = pdf.addPage([A4.width, A4.height]);
    const backs = pdf.addPage([A4.width, A4.height]);
    batch.forEach((card, i) => {
      const column = i % SHEET.columns;
      const row = Math.floor(i / SHEET.columns);
      const y = bottom + (SHEET.rows - 1 - row) * CARD_HEIGHT;
      drawFront(fronts, left + column * CARD_WIDTH, y, card, fonts);
      drawBack(backs, left + (SHEET.columns - 1 - column) * CARD_WIDTH, y, card, fonts);
    });
  }
  return pdf.save();
}

function drawLetter(page: PDFPage, letter: PinLetter, fonts: Fonts & Typefaces): void {
  const { pinLetter: t, direction } = letterTexts(letter.language);
  const rtl = direction === "rtl";
  const x = 25 * MM;
  const right = A4.width - x;
  let y = A4.height - 50 * MM;
  // The address as the envelope's window shows it, left.
  for (const line of [letter.parentName, ...letter.addressLines]) {
    drawLine(page, fonts.regular, line, { x, y, size: 11, color: INK });
    y -= 5.5 * MM;
  }
  y -= 20 * MM;
  const line = (text: string, size: number, face: Typeface) =>
    drawLine(page, face, text, { x: rtl ? right : x, y, size, color: INK, direction, align: rtl ? "right" : "left" });
  line(t.title, 16, fonts.bold);
  y -= 12 * MM;
  const body = (text: string) => {
    for (const part of wrapText(fonts.regular, text, 11, right - x, direction)) {
      line(part, 11, fonts.regular);
      y -= 5.5 * MM;
    }
    y -= 3 * MM;
  };
  body(fill(t.greeting, { name: letter.parentName }, direction));
  body(fill(t.intro, { fund: letter.fundName }, direction));
  body(fill(t.pinFor, { number: formatCardNumber(letter.cardNumber) }, direction));
  const pinWidth = fonts.mono.widthOfTextAtSize(letter.pin, 30);
  page.drawText(letter.pin, { x: rtl ? right - 10 * MM - pinWidth : x + 10 * MM, y: y - 8 * MM, size: 30, font: fonts.mono, color: INK });
  y -= 22 * MM;
  for (const part of t.keep) body(part);
  body(fill(t.help, { phone: letter.helpPhone }, direction));
}

/** PIN letters, one A4 page each (one letter, or a whole batch in the cards' order). */
export async function renderPinLetters(letters: readonly PinLetter[]): Promise<Uint8Array> {
  const { pdf, fonts } = await newDocument(letters[0] ? letterTexts(letters[0].language).pinLetter.title : "PIN", letters[0]?.language ?? "nl");
  const faces = await embedTypefaces(pdf);
  for (const letter of letters) drawLetter(pdf.addPage([A4.width, A4.height]), letter, { ...fonts, ...faces });
  return pdf.save();
}

/** The balance letter: one A4 page, each child's budget left and until when, as of `asOf`. */
export async function renderBalanceLetter(letter: BalanceLetter): Promise<Uint8Array> {
  const { balanceLetter: t, language, direction } = letterTexts(letter.language);
  const rtl = direction === "rtl";
  const { pdf } = await newDocument(t.title, language);
  const fonts = await embedTypefaces(pdf);
  const page = pdf.addPage([A4.width, A4.height]);
  const x = 25 * MM;
  const right = A4.width - x;
  let y = A4.height - 50 * MM;
  // The address as the envelope's window shows it, left, in any language.
  for (const l of [letter.parentName, ...letter.addressLines]) {
    drawLine(page, fonts.regular, l, { x, y, size: 11, color: INK });
    y -= 5.5 * MM;
  }
  // Right to left, the text starts at the right margin and the table's columns run from right to left.
  const line = (text: string, face: Typeface = fonts.regular, size = 11, from = 0) =>
    drawLine(page, face, text, { x: rtl ? right - from : x + from, y, size, color: INK, direction, align: rtl ? "right" : "left" });
  y -= 20 * MM;
  line(t.title, fonts.bold, 16);
  y -= 10 * MM;
  line(fill(t.asOf, { fund: letter.fundName, at: formatDateTime(letter.asOf, language, { timeZone: letter.timeZone }) }, direction));
  y -= 6 * MM;
  if (letter.cardNumber) {
    line(fill(t.card, { number: formatCardNumber(letter.cardNumber) }, direction));
    y -= 6 * MM;
  }
  y -= 6 * MM;
  const columns = [0, 60 * MM, 105 * MM];
  [t.child, t.left, t.until].forEach((h, i) => line(h, fonts.bold, 11, columns[i]));
  y -= 7 * MM;
  for (const child of letter.children) {
    line(child.firstName, fonts.regular, 11, columns[0]);
    line(formatMoney(child.balanceCents, language), fonts.regular, 11, columns[1]);
    // The budget ends at the expiry instant: the last whole day is the one before it (as the wallet shows it).
    line(formatDay(new Date(child.expiresAt.getTime() - 1000), language, { timeZone: "UTC" }), fonts.regular, 11, columns[2]);
    y -= 6 * MM;
  }
  line(t.total, fonts.bold, 11, columns[0]);
  line(formatMoney(letter.children.reduce((sum, c) => sum + c.balanceCents, 0n), language), fonts.bold, 11, columns[1]);
  y -= 14 * MM;
  for (const text of [t.note, fill(t.help, { phone: letter.helpPhone }, direction)]) {
    for (const l of wrapText(fonts.regular, text, 11, right - x, direction)) {
      line(l);
      y -= 5.5 * MM;
    }
    y -= 3 * MM;
  }
  return pdf.save();
}
