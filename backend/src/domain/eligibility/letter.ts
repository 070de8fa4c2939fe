// The activation letter a municipality posts to a family. `letterContent` decides what it says, worded in
// the family's language, as plain structured data (the same content can go into an email); the renderers
// only lay it out: `renderLetterHtml` as a printable A4 page (one family per page in a batch), and
// letter-pdf.ts as a PDF.
import QRCode from "qrcode";
import type { Language } from "../../db/schema.ts";

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
  language: Language;
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
  language: Language;
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

const LOCALE = { nl: "nl-NL", en: "en-GB" } as const;

/** The letter's language for a family's: its own where the letter's texts have it, else Dutch. */
export function letterLanguage(language: string): Language {
  return language === "en" ? "en" : "nl";
}
const TIME_ZONE = "Europe/Amsterdam";

const CATEGORY: Record<Language, Record<string, string>> = {
  nl: { books: "boeken", bike: "fietsen", sport: "sport", swimming: "zwemles", computer: "computers", clothing: "kleding", toys: "speelgoed", other: "overige" },
  en: { books: "books", bike: "bikes", sport: "sport", swimming: "swimming lessons", computer: "computers", clothing: "clothing", toys: "toys", other: "other" },
};

const TEXT = {
  nl: {
    labels: { date: "Datum", reference: "Kenmerk", subject: "Onderwerp", code: "Uw activatiecode", url: "Of ga naar", help: "Vragen?" },
    subject: (fund: string) => `Tegoed ${fund}`,
    reissueSubject: "Uw tegoed op een nieuwe telefoon",
    greeting: (name: string) => `Beste ${name},`,
    intro: (fund: string, n: number) =>
      `${n === 1 ? "Uw kind krijgt" : "Uw kinderen krijgen"} een tegoed van ${fund}. Daarmee betaalt u bij winkels en verenigingen in de buurt, met de Tegoed-app op uw telefoon.`,
    reissue: "U vroeg om toegang op een nieuwe telefoon. Met deze code zet u het tegoed over; de oude telefoon werkt daarna niet meer.",
    validity: (date: string) => `Het tegoed is geldig tot en met ${date}.`,
    spendOn: (what: string) => `U kunt het besteden aan ${what}.`,
    codeValidity: (date: string) => `Deze code werkt één keer, tot en met ${date}.`,
    steps: (short: string) => [
      "Scan de QR-code met de camera van uw telefoon. De Tegoed-app opent met de code al ingevuld.",
      `Lukt scannen niet? Ga naar ${short} en typ de code over.`,
      "Kies een pincode. Klaar: u ziet het tegoed en kunt betalen.",
    ],
    shops: (url: string) => `Welke winkels meedoen, ziet u in de app en op ${url}.`,
    help: (phone: string, email: string) => `Bel ${phone} of mail naar ${email}.`,
    closing: ["Bewaar deze brief goed en deel de code met niemand.", "Met vriendelijke groet,"],
  },
  en: {
    labels: { date: "Date", reference: "Reference", subject: "Subject", code: "Your activation code", url: "Or go to", help: "Questions?" },
    subject: (fund: string) => `Budget ${fund}`,
    reissueSubject: "Your budget on a new phone",
    greeting: (name: string) => `Dear ${name},`,
    intro: (fund: string, n: number) =>
      `${n === 1 ? "Your child receives" : "Your children receive"} a budget from ${fund}. You pay with it at local shops and clubs, with the Tegoed app on your phone.`,
    reissue: "You asked for access on a new phone. This code moves the budget to it; the old phone stops working.",
    validity: (date: string) => `The budget is valid up to and including ${date}.`,
    spendOn: (what: string) => `You can spend it on ${what}.`,
    codeValidity: (date: string) => `This code works once, up to and including ${date}.`,
    steps: (short: string) => [
      "Scan the QR code with your phone's camera. The Tegoed app opens with the code filled in.",
      `Scanning does not work? Go to ${short} and type the code.`,
      "Choose a PIN. Done: you see the budget and can pay.",
    ],
    shops: (url: string) => `Which shops take part is shown in the app and at ${url}.`,
    help: (phone: string, email: string) => `Call ${phone} or email ${email}.`,
    closing: ["Keep this letter safe and do not share the code with anyone.", "Kind regards,"],
  },
} as const;

/** The wallet's address, and the same without scheme and trailing slash for people to type. */
export function walletUrls(publicBaseUrl: string, code: string): { qrText: string; shortUrl: string; shopsUrl: string } {
  const base = publicBaseUrl.replace(/\/+$/, "");
  const short = base.replace(/^https?:\/\//, "");
  return { qrText: `${base}/wallet/#code=${code}`, shortUrl: `${short}/wallet`, shopsUrl: `${short}/public` };
}

function formatDay(date: Date, language: Language): string {
  return date.toLocaleDateString(LOCALE[language], { day: "numeric", month: "long", year: "numeric", timeZone: TIME_ZONE });
}

export function formatEuro(cents: bigint, language: Language): string {
  // Whole cents as text first: no float ever holds the amount.
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const euros = (abs / 100n).toLocaleString(LOCALE[language]);
  const rest = (abs % 100n).toString().padStart(2, "0");
  return `€ ${negative ? "-" : ""}${euros}${language === "nl" ? "," : "."}${rest}`;
}

function list(items: string[], language: Language): string {
  return new Intl.ListFormat(LOCALE[language], { type: "conjunction" }).format(items);
}

export function letterContent(facts: LetterFacts, settings: Pick<LetterSettings, "publicBaseUrl" | "sender">): LetterContent {
  const t = TEXT[facts.language];
  const urls = walletUrls(settings.publicBaseUrl, facts.code.replaceAll("-", ""));
  const budgetDay = new Date(`${facts.budgetValidUntil}T12:00:00Z`);
  const categories = facts.categories.map((c) => CATEGORY[facts.language][c] ?? c);
  return {
    language: facts.language,
    sender: settings.sender,
    recipient: facts.recipient,
    date: formatDay(facts.date, facts.language),
    labels: t.labels,
    reference: facts.reference,
    subject: facts.kind === "reissue" ? t.reissueSubject : t.subject(facts.fundName),
    greeting: t.greeting(facts.recipient.name),
    intro: [t.intro(facts.fundName, facts.children.length), ...(facts.kind === "reissue" ? [t.reissue] : [])],
    children: facts.children.map((c) => ({ name: c.firstName, amount: formatEuro(c.amountCents, facts.language) })),
    budgetValidity: t.validity(formatDay(budgetDay, facts.language)),
    spendOn: t.spendOn(list(categories.length ? categories : [CATEGORY[facts.language].other!], facts.language)),
    code: { display: facts.code, qrText: urls.qrText, shortUrl: urls.shortUrl, validity: t.codeValidity(formatDay(facts.codeExpiresAt, facts.language)) },
    steps: [...t.steps(urls.shortUrl)],
    shops: t.shops(urls.shopsUrl),
    help: t.help(settings.sender.phone, settings.sender.email),
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
  body { margin: 0; font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; line-height: 1.4; color: #000; }
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
  @media screen { body { background: #eee; } .letter { background: #fff; margin: 0 auto 8mm; } }
`;

async function letterSection(c: LetterContent): Promise<string> {
  const e = escapeHtml;
  const logo = c.sender.logoPng ? `<img src="data:image/png;base64,${Buffer.from(c.sender.logoPng).toString("base64")}" alt="${e(c.sender.name)}">` : `<strong>${e(c.sender.name)}</strong>`;
  return `<section class="letter" lang="${c.language}">
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
  const sections: string[] = [];
  for (const letter of letters) sections.push(await letterSection(letter));
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<title>${escapeHtml(letters.length === 1 ? letters[0]!.subject : TEXT[language].labels.code)}</title>
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
