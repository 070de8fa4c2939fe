// The card's printables, as PDFs (pdf-lib): the card itself, credit-card sized, front and back (the
// fund's name, the QR, the card number in groups, the code under the QR for typing, a help phone
// number; no name, no amount, no PIN), card sheets of 10 per A4 for many families, and the PIN letter,
// always a file of its own so the PIN never travels in the card's print job. And the balance letter a
// family without a smartphone may ask staff for: each child's budget left, as of now.
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from "pdf-lib";
import QRCode from "qrcode";
import { formatCardCode, formatCardNumber, formatDateTime, formatDay } from "@tegoed/sdk";
import { formatMoney } from "../../mail/render.ts";
import type { Language } from "../../db/schema.ts";

const MM = 72 / 25.4;
/** ISO/IEC 7810 ID-1: 85.60 × 53.98 mm. */
export const CARD_WIDTH = 85.6 * MM;
export const CARD_HEIGHT = 53.98 * MM;
const A4 = { width: 210 * MM, height: 297 * MM };
const SHEET = { columns: 2, rows: 5 };
const INK = rgb(0.1, 0.12, 0.16);
const ACCENT = rgb(0.05, 0.4, 0.35);

export interface PrintedCard {
  language: Language;
  fundName: string;
  cardNumber: string;
  /** The card QR's text. */
  cardCode: string;
  helpPhone: string;
}

export interface PinLetter {
  language: Language;
  fundName: string;
  cardNumber: string;
  pin: string;
  parentName: string;
  addressLines: string[];
  helpPhone: string;
}

export interface BalanceLetter {
  language: Language;
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

const BALANCE_TEXT = {
  nl: {
    title: "Saldo van uw tegoed",
    asOf: (fund: string, at: string) => `${fund}, stand op ${at}:`,
    card: (number: string) => `Tegoedkaart ${number}`,
    child: "Kind",
    left: "Tegoed",
    until: "Geldig tot",
    total: "Totaal",
    note: "Betalingen na dit moment staan hier niet op. Uw saldo ziet u ook op de website met uw kaartnummer en pincode.",
    help: (phone: string) => `Vragen? Bel ${phone}.`,
  },
  en: {
    title: "Your budget's balance",
    asOf: (fund: string, at: string) => `${fund}, as of ${at}:`,
    card: (number: string) => `Tegoed card ${number}`,
    child: "Child",
    left: "Left",
    until: "Valid until",
    total: "Total",
    note: "Payments after this moment are not on it. You can also see your balance on the website with your card number and PIN.",
    help: (phone: string) => `Questions? Call ${phone}.`,
  },
} as const;

const TEXT = {
  nl: {
    card: "Tegoedkaart",
    cardNumber: "Kaartnummer",
    how: ["Betaal bij deelnemende winkels: de winkel", "scant de code, u typt uw pincode."],
    code: "Code (als scannen niet lukt)",
    lost: (phone: string) => `Kwijt of vragen? Bel ${phone}`,
    letterTitle: "Uw pincode voor de Tegoedkaart",
    greeting: (name: string) => `Beste ${name},`,
    intro: (fund: string) => `U krijgt (of kreeg) een Tegoedkaart van ${fund}. Hiermee betaalt u het tegoed van uw kinderen zonder smartphone.`,
    pinFor: (number: string) => `De pincode van kaart ${number} is:`,
    keep: [
      "Bewaar deze brief niet bij de kaart. Vertel de pincode aan niemand, ook niet aan de winkel:",
      "u typt hem zelf in op de kassa. Na 5 verkeerde pogingen wordt de kaart geblokkeerd.",
    ],
    help: (phone: string) => `Kaart kwijt? Bel meteen ${phone}: wij blokkeren de kaart en u krijgt een nieuwe.`,
  },
  en: {
    card: "Tegoed card",
    cardNumber: "Card number",
    how: ["Pay at participating shops: the shop", "scans the code, you type your PIN."],
    code: "Code (if scanning fails)",
    lost: (phone: string) => `Lost it, or questions? Call ${phone}`,
    letterTitle: "Your PIN for the Tegoed card",
    greeting: (name: string) => `Dear ${name},`,
    intro: (fund: string) => `You get (or got) a Tegoed card from ${fund}. With it you pay from your children's budget without a smartphone.`,
    pinFor: (number: string) => `The PIN of card ${number} is:`,
    keep: [
      "Do not keep this letter with the card. Tell nobody the PIN, not even the shop:",
      "you type it on the till yourself. After 5 wrong tries the card is blocked.",
    ],
    help: (phone: string) => `Lost the card? Call ${phone} at once: we block it and you get a new one.`,
  },
} as const;

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  mono: PDFFont;
}

async function newDocument(title: string): Promise<{ pdf: PDFDocument; fonts: Fonts }> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(title);
  pdf.setProducer("Tegoed");
  pdf.setCreator("Tegoed");
  const [regular, bold, mono] = await Promise.all([
    pdf.embedFont(StandardFonts.Helvetica), pdf.embedFont(StandardFonts.HelveticaBold), pdf.embedFont(StandardFonts.CourierBold),
  ]);
  return { pdf, fonts: { regular, bold, mono } };
}

/** The standard fonts speak WinAnsi only: anything else becomes "?" rather than failing the print. */
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

function fit(font: PDFFont, text: string, size: number, width: number): number {
  let s = size;
  while (s > 5 && font.widthOfTextAtSize(text, s) > width) s -= 0.5;
  return s;
}

function drawFront(page: PDFPage, x: number, y: number, card: PrintedCard, fonts: Fonts): void {
  const t = TEXT[card.language];
  page.drawRectangle({ x, y, width: CARD_WIDTH, height: CARD_HEIGHT, borderColor: rgb(0.75, 0.75, 0.75), borderWidth: 0.5 });
  page.drawRectangle({ x, y: y + CARD_HEIGHT - 16 * MM, width: CARD_WIDTH, height: 16 * MM, color: ACCENT });
  const fund = printable(fonts.bold, card.fundName);
  page.drawText(fund, { x: x + 5 * MM, y: y + CARD_HEIGHT - 10 * MM, size: fit(fonts.bold, fund, 13, CARD_WIDTH - 10 * MM), font: fonts.bold, color: rgb(1, 1, 1) });
  page.drawText(t.card, { x: x + 5 * MM, y: y + CARD_HEIGHT - 14 * MM, size: 8, font: fonts.regular, color: rgb(1, 1, 1) });
  page.drawText(t.cardNumber, { x: x + 5 * MM, y: y + 17 * MM, size: 7, font: fonts.regular, color: INK });
  page.drawText(formatCardNumber(card.cardNumber), { x: x + 5 * MM, y: y + 10 * MM, size: 17, font: fonts.mono, color: INK });
  page.drawText(printable(fonts.regular, t.lost(card.helpPhone)), { x: x + 5 * MM, y: y + 4 * MM, size: 6.5, font: fonts.regular, color: INK });
}

function drawBack(page: PDFPage, x: number, y: number, card: PrintedCard, fonts: Fonts): void {
  const t = TEXT[card.language];
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
    page.drawText(printable(fonts.regular, line), { x: tx, y: ty, size: fit(fonts.regular, line, 6.5, width), font: fonts.regular, color: INK });
    ty -= 3 * MM;
  }
  ty -= 2 * MM;
  page.drawText(t.code, { x: tx, y: ty, size: 5.5, font: fonts.regular, color: INK });
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
  const { pdf, fonts } = await newDocument(TEXT[card.language].card);
  drawFront(pdf.addPage([CARD_WIDTH, CARD_HEIGHT]), 0, 0, card, fonts);
  drawBack(pdf.addPage([CARD_WIDTH, CARD_HEIGHT]), 0, 0, card, fonts);
  return pdf.save();
}

/**
 * Cards on A4 sheets, 10 to a page: for every page of fronts a page of backs, its columns mirrored so
 * each back lands behind its front when printed double-sided (flip on the long edge).
 */
export async function renderCardSheets(cards: readonly PrintedCard[]): Promise<Uint8Array> {
  const { pdf, fonts } = await newDocument("Tegoed cards");
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

function drawLetter(page: PDFPage, letter: PinLetter, fonts: Fonts): void {
  const t = TEXT[letter.language];
  const x = 25 * MM;
  let y = A4.height - 50 * MM;
  for (const line of [letter.parentName, ...letter.addressLines]) {
    page.drawText(printable(fonts.regular, line), { x, y, size: 11, font: fonts.regular, color: INK });
    y -= 5.5 * MM;
  }
  y -= 20 * MM;
  page.drawText(printable(fonts.bold, t.letterTitle), { x, y, size: 16, font: fonts.bold, color: INK });
  y -= 12 * MM;
  const body = (text: string) => {
    for (const line of wrap(fonts.regular, printable(fonts.regular, text), 11, A4.width - 2 * x)) {
      page.drawText(line, { x, y, size: 11, font: fonts.regular, color: INK });
      y -= 5.5 * MM;
    }
    y -= 3 * MM;
  };
  body(t.greeting(letter.parentName));
  body(t.intro(letter.fundName));
  body(t.pinFor(formatCardNumber(letter.cardNumber)));
  page.drawText(letter.pin, { x: x + 10 * MM, y: y - 8 * MM, size: 30, font: fonts.mono, color: INK });
  y -= 22 * MM;
  for (const line of t.keep) body(line);
  body(t.help(letter.helpPhone));
}

function wrap(font: PDFFont, text: string, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    const next = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(next, size) > width && line) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** PIN letters, one A4 page each (one letter, or a whole batch in the cards' order). */
export async function renderPinLetters(letters: readonly PinLetter[]): Promise<Uint8Array> {
  const { pdf, fonts } = await newDocument(letters[0] ? TEXT[letters[0].language].letterTitle : "PIN");
  for (const letter of letters) drawLetter(pdf.addPage([A4.width, A4.height]), letter, fonts);
  return pdf.save();
}

/** The balance letter: one A4 page, each child's budget left and until when, as of `asOf`. */
export async function renderBalanceLetter(letter: BalanceLetter): Promise<Uint8Array> {
  const t = BALANCE_TEXT[letter.language];
  const { pdf, fonts } = await newDocument(t.title);
  const page = pdf.addPage([A4.width, A4.height]);
  const x = 25 * MM;
  let y = A4.height - 50 * MM;
  const line = (text: string, font = fonts.regular, size = 11, at = x) => page.drawText(printable(font, text), { x: at, y, size, font, color: INK });
  for (const l of [letter.parentName, ...letter.addressLines]) {
    line(l);
    y -= 5.5 * MM;
  }
  y -= 20 * MM;
  line(t.title, fonts.bold, 16);
  y -= 10 * MM;
  line(t.asOf(letter.fundName, formatDateTime(letter.asOf, letter.language, { timeZone: letter.timeZone })));
  y -= 6 * MM;
  if (letter.cardNumber) {
    line(t.card(formatCardNumber(letter.cardNumber)));
    y -= 6 * MM;
  }
  y -= 6 * MM;
  const columns = [x, x + 60 * MM, x + 105 * MM];
  [t.child, t.left, t.until].forEach((h, i) => line(h, fonts.bold, 11, columns[i]));
  y -= 7 * MM;
  for (const child of letter.children) {
    line(child.firstName, fonts.regular, 11, columns[0]);
    line(formatMoney(child.balanceCents, letter.language), fonts.regular, 11, columns[1]);
    // The budget ends at the expiry instant: the last whole day is the one before it (as the wallet shows it).
    line(formatDay(new Date(child.expiresAt.getTime() - 1000), letter.language, { timeZone: "UTC" }), fonts.regular, 11, columns[2]);
    y -= 6 * MM;
  }
  line(t.total, fonts.bold, 11, columns[0]);
  line(formatMoney(letter.children.reduce((sum, c) => sum + c.balanceCents, 0n), letter.language), fonts.bold, 11, columns[1]);
  y -= 14 * MM;
  for (const text of [t.note, t.help(letter.helpPhone)]) {
    for (const l of wrap(fonts.regular, printable(fonts.regular, text), 11, A4.width - 2 * x)) {
      line(l);
      y -= 5.5 * MM;
    }
    y -= 3 * MM;
  }
  return pdf.save();
}
