// The activation letter a municipality posts to a family. `letterContent` decides what it says, worded in
// the family's language (the texts are data: ../letters/texts/<language>.json), as plain structured data (the same content can go into an email); the renderers
// only lay it out: `renderLetterHtml` as a printable A4 page (one family per page in a batch), and
// letter-pdf.ts as a PDF.
import QRCode from "qrcode";
import type { FamilyLanguage } from "@tegoed/sdk";
import { fill, letterTexts, plural } from "../letters/texts.ts";

/** Who sends the letters: per installation (LETTER_SENDER_FILE), the demo's by default. */
export interface LetterSender {
  /** "Gemeente Westerkwartier". */
  name: string;
  /** The return address. */
  addressLines: string[];
  /** Where families get help. */
  phone: string;
  email: string;
  /** A PNG logo, printed top left; absent: the name only. */
  logoPng?: Uint8Array;
}

export interface LetterSettings {
  /** Derives the code a letter shows (activation-codes.ts): a server secret, never in the database. */
  codeSecret: string;
  /** Where the apps are served, e.g. "https://tegoed.westerkwartier.nl": the QR opens its /wallet/. */
  publicBaseUrl: string;
  sender: LetterSender;
}

export const DEMO_SENDER: LetterSender = {
  name: "Gemeente Westerkwartier (demo)",
  addressLines: ["Postbus 100", "9800 AC  Zuidhorn"],
  phone: "14 0594",
  email: "kindpakket@tegoed.example",
};

/** Only for development and tests: a real installation sets PUBLIC_BASE_URL and its own secret. */
export const DEVELOPMENT_LETTER_SETTINGS: LetterSettings = {
  codeSecret: "tegoed-development-letter-secret",
  publicBaseUrl: "http://127.0.0.1:8080",
  sender: DEMO_SENDER,
};

/** What the letter is about: the facts, no wording. */
export interface LetterFacts {
  /** A family language; one without a text file yet is written in Dutch. */
  language: FamilyLanguage;
  kind: "activation" | "reissue";
  /** The day the letter is dated. */
  date: Date;
  /** Printed as "Kenmerk": the family's reference and the letter's number, e.g. "ZH-101/2". */
  reference: string;
  fundName: string;
  /** The last day the budgets can be spent ('YYYY-MM-DD'). */
  budgetValidUntil: string;
  /** Shop categories of the fund (stored keys). */
  categories: string[];
  recipient: { name: string; addressLines: string[] };
  children: { firstName: string; amountCents: bigint }[];
  /** The code as printed, "ABCD-EFGH-JKMN". */
  code: string;
  codeExpiresAt: Date;
}

/** The letter, worded: everything a renderer prints, in order. */
export interface LetterContent {
  language: FamilyLanguage;
  direction: "ltr" | "rtl";
  sender: LetterSender;
  recipient: { name: string; addressLines: string[] };
  /** "7 december 2026". */
  date: string;
  labels: { date: string; reference: string; subject: string; code: string; url: string; help: string };
  reference: string;
  subject: string;
  greeting: string;
  /** Paragraphs before the children's table. */
  intro: string[];
  children: { name: string; amount: string }[];
  /** "Geldig tot en met 31 december 2027". */
  budgetValidity: string;
  spendOn: string;
  code: {
    display: string;
    /** What the QR holds: the wallet's URL with the code in its fragment (never sent to a server). */
    qrText: string;
    /** The wallet's address to type, short: "tegoed.westerkwartier.nl/wallet". */
    shortUrl: string;
    /** "Deze code werkt één keer, tot en met 7 maart 2027." */
    validity: string;
  };
  steps: string[];
  shops: string;
  help: string;
  closing: string[];
}

const TIME_ZONE = "Europe/Amsterdam";

/** The wallet's address, and the same without scheme and trailing slash for people to type. */
export function walletUrls(publicBaseUrl: string, code: string): { qrText: string; shortUrl: string; shopsUrl: string } {
  const base = publicBaseUrl.replace(/\/+$/, "");
  const short = base.replace(/^https?:\/\//, "");
  return { qrText: `${base}/wallet/#code=${code}`, shortUrl: `${short}/wallet`, shopsUrl: `${short}/public` };
}

function formatDay(date: Date, locale: string): string {
  return date.toLocaleDateString(locale, { day: "numeric", month: "long", year: "numeric", timeZone: TIME_ZONE });
}

export function formatEuro(cents: bigint, language: string): string {
  const { locale } = letterTexts(language);
  // Whole cents as text first: no float ever holds the amount.
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const euros = (abs / 100n).toLocaleString(locale);
  const decimal = new Intl.NumberFormat(locale).formatToParts(0.5).find((p) => p.type === "decimal")?.value ?? ",";
  const rest = (abs % 100n).toString().padStart(2, "0");
  return `€ ${negative ? "-" : ""}${euros}${decimal}${rest}`;
}

function list(items: string[], locale: string): string {
  return new Intl.ListFormat(locale, { type: "conjunction" }).format(items);
}

export function letterContent(facts: LetterFacts, settings: Pick<LetterSettings, "publicBaseUrl" | "sender">): LetterContent {
  const texts = letterTexts(facts.language);
  const t = texts.activation;
  const locale = texts.locale;
  const urls = walletUrls(settings.publicBaseUrl, facts.code.replaceAll("-", ""));
  const budgetDay = new Date(`${facts.budgetValidUntil}T12:00:00Z`);
  const categories = facts.categories.map((c) => texts.categories[c] ?? c);
  const dir = texts.direction;
  return {
    language: texts.language,
    direction: texts.direction,
    sender: settings.sender,
    recipient: facts.recipient,
    date: formatDay(facts.date, locale),
    labels: t.labels,
    reference: facts.reference,
    subject: facts.kind === "reissue" ? t.reissueSubject : fill(t.subject, { fund: facts.fundName }, dir),
    greeting: fill(t.greeting, { name: facts.recipient.name }, dir),
    intro: [fill(plural(t.intro, facts.children.length, locale), { fund: facts.fundName }, dir), ...(facts.kind === "reissue" ? [t.reissue] : [])],
    children: facts.children.map((c) => ({ name: c.firstName, amount: formatEuro(c.amountCents, texts.language) })),
    budgetValidity: fill(t.validity, { date: formatDay(budgetDay, locale) }, dir),
    spendOn: fill(t.spendOn, { what: list(categories.length ? categories : [texts.categories.other ?? "—"], locale) }, dir),
    code: { display: facts.code, qrText: urls.qrText, shortUrl: urls.shortUrl, validity: fill(t.codeValidity, { date: formatDay(facts.codeExpiresAt, locale) }, dir) },
    steps: t.steps.map((step) => fill(step, { short: urls.shortUrl }, dir)),
    shops: fill(t.shops, { url: urls.shopsUrl }, dir),
    help: fill(t.help, { phone: settings.sender.phone, email: settings.sender.email }, dir),
    closing: [...t.closing, settings.sender.name],
  };
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The QR of `text` as an SVG element (error correction M). */
export async function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
}

// NEN 1026 window envelope (EA5/6, window left): the address block starts 20 mm from the left and
// 50 mm from the top of the sheet, 85 mm wide and 40 mm high (sender's return line included).
const STYLE = `
  @page { size: A4; margin: 0; }
  * { box-sizing: border-box; }
  body { margin: 0; font-family: "Noto Sans", "Noto Sans Arabic", "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; line-height: 1.4; color: #000; }
  .letter { position: relative; width: 210mm; min-height: 297mm; padding: 105mm 20mm 15mm; break-after: page; page-break-after: always; }
  .letter:last-child { break-after: auto; page-break-after: auto; }
  .head { position: absolute; top: 15mm; left: 20mm; right: 20mm; display: flex; justify-content: space-between; }
  .head img { height: 18mm; }
  .sender { text-align: right; font-size: 9pt; }
  .address { position: absolute; top: 50mm; left: 20mm; width: 85mm; height: 40mm; overflow: hidden; }
  .address .return { font-size: 7pt; border-bottom: 0.3pt solid #000; margin-bottom: 2mm; }
  .meta { position: absolute; top: 50mm; left: 120mm; font-size: 9pt; }
  .meta dt { font-weight: bold; } .meta dd { margin: 0 0 1.5mm; }
  h1 { font-size: 13pt; margin: 0 0 4mm; }
  table { border-collapse: collapse; margin: 2mm 0; } td { padding: 0.5mm 6mm 0.5mm 0; } td.amount { text-align: right; }
  .box { border: 0.4mm solid #000; padding: 4mm; display: flex; gap: 6mm; align-items: center; margin: 4mm 0; }
  .qr { width: 38mm; height: 38mm; flex: none; } .qr svg { width: 100%; height: 100%; }
  .code { font-family: "DejaVu Sans Mono", monospace; font-size: 18pt; letter-spacing: 0.08em; white-space: nowrap; }
  ol { margin: 2mm 0; padding-left: 6mm; }
  [dir="rtl"] ol { padding-left: 0; padding-right: 6mm; } [dir="rtl"] td { padding: 0.5mm 0 0.5mm 6mm; }
  [dir="rtl"] .address, [dir="rtl"] .code { direction: ltr; text-align: left; }
  @media screen { body { background: #eee; } .letter { background: #fff; margin: 0 auto 8mm; } }
`;

async function letterSection(c: LetterContent): Promise<string> {
  const e = escapeHtml;
  const logo = c.sender.logoPng ? `<img src="data:image/png;base64,${Buffer.from(c.sender.logoPng).toString("base64")}" alt="${e(c.sender.name)}">` : `<strong>${e(c.sender.name)}</strong>`;
  return `<section class="letter" lang="${c.language}" dir="${c.direction}">
<div class="head">${logo}<div class="sender">${[c.sender.name, ...c.sender.addressLines].map(e).join("<br>")}</div></div>
<div class="address"><div class="return">${e([c.sender.name, ...c.sender.addressLines].join(", "))}</div>${[c.recipient.name, ...c.recipient.addressLines].map(e).join("<br>")}</div>
<dl class="meta"><dt>${e(c.labels.date)}</dt><dd>${e(c.date)}</dd><dt>${e(c.labels.reference)}</dt><dd>${e(c.reference)}</dd><dt>${e(c.labels.subject)}</dt><dd>${e(c.subject)}</dd></dl>
<h1>${e(c.subject)}</h1>
<p>${e(c.greeting)}</p>
${c.intro.map((p) => `<p>${e(p)}</p>`).join("\n")}
<table class="children"><tbody>${c.children.map((k) => `<tr><td>${e(k.name)}</td><td class="amount">${e(k.amount)}</td></tr>`).join("")}</tbody></table>
<p>${e(c.budgetValidity)} ${e(c.spendOn)}</p>
<div class="box">
  <div class="qr" data-qr-text="${e(c.code.qrText)}">${await qrSvg(c.code.qrText)}</div>
  <div><div>${e(c.labels.code)}</div><div class="code">${e(c.code.display)}</div><div>${e(c.labels.url)} <strong>${e(c.code.shortUrl)}</strong></div><div>${e(c.code.validity)}</div></div>
</div>
<ol>${c.steps.map((s) => `<li>${e(s)}</li>`).join("")}</ol>
<p>${e(c.shops)}</p>
<p><strong>${e(c.labels.help)}</strong> ${e(c.help)}</p>
<p>${c.closing.map(e).join("<br>")}</p>
</section>`;
}

/** One printable HTML page holding every letter, one per sheet. */
export async function renderLetterHtml(letters: readonly LetterContent[]): Promise<string> {
  const language = letters[0]?.language ?? "nl";
  const { direction } = letterTexts(language);
  const sections: string[] = [];
  for (const letter of letters) sections.push(await letterSection(letter));
  return `<!doctype html>
<html lang="${language}" dir="${direction}">
<head>
<meta charset="utf-8">
<title>${escapeHtml(letters.length === 1 ? letters[0]!.subject : letterTexts(language).activation.labels.code)}</title>
<style>${STYLE}</style>
</head>
<body>
${sections.join("\n")}
</body>
</html>
`;
}

/**
 * The activation letter as an email's template data: the same code, validity and wallet link (with the
 * code in its fragment) as the paper letter. A new letter changes this function and the
 * activation_letter templates together; nothing else knows the letter's fields.
 */
export function activationLetterMailData(letter: {
  fundName: string; childNames: string[]; code: { display: string; code: string }; expiresAt: Date; publicBaseUrl: string;
}): Record<string, string> {
  return {
    senderName: letter.fundName,
    childNames: letter.childNames.join(", "),
    code: letter.code.display,
    expiresOn: letter.expiresAt.toLocaleDateString("en-CA", { timeZone: TIME_ZONE }),
    ...(letter.publicBaseUrl !== "" && { walletUrl: walletUrls(letter.publicBaseUrl, letter.code.code).qrText }),
  };
}
