// The printable activation letter: one HTML page per family, in the family's language, with the code
// as text and as a QR (inline SVG), and the children's first names.
import QRCode from "qrcode";
import type { Language } from "../../db/schema.ts";

export interface LetterContent {
  language: Language;
  fundName: string;
  parentName: string;
  addressLines: string[];
  childNames: string[];
  /** The code as printed, "ABCD-EFGH-JKMN". */
  displayCode: string;
  /** What the QR holds: the 12 characters without separators. */
  qrText: string;
  expiresAt: Date;
  /** A re-issued access code (lost phone) gets its own wording. */
  reissue: boolean;
}

const TEXT = {
  nl: {
    title: "Uw activatiecode",
    greeting: (name: string) => `Beste ${name},`,
    intro: (fund: string) => `Uw kinderen hebben een tegoed van ${fund}. Activeer het in de Tegoed-app op uw telefoon.`,
    reissue: "U vroeg om toegang op een nieuwe telefoon. Met deze code zet u het tegoed over; de oude telefoon werkt dan niet meer.",
    children: "Tegoed voor:",
    steps: "Open de Tegoed-app, kies ‘Activeren’ en scan de QR-code of typ de code over. Kies daarna een pincode.",
    code: "Activatiecode",
    valid: (date: string) => `Deze code werkt één keer en is geldig tot ${date}.`,
    secret: "Bewaar deze brief goed en deel de code met niemand.",
    locale: "nl-NL",
  },
  en: {
    title: "Your activation code",
    greeting: (name: string) => `Dear ${name},`,
    intro: (fund: string) => `Your children have a budget from ${fund}. Activate it in the Tegoed app on your phone.`,
    reissue: "You asked for access on a new phone. This code moves the budget to it; the old phone stops working.",
    children: "Budget for:",
    steps: "Open the Tegoed app, choose ‘Activate’ and scan the QR code or type the code. Then choose a PIN.",
    code: "Activation code",
    valid: (date: string) => `This code works once and is valid until ${date}.`,
    secret: "Keep this letter safe and do not share the code with anyone.",
    locale: "en-GB",
  },
} as const;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The QR of `text` as an SVG element (error correction M). */
export async function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
}

export async function renderActivationLetter(content: LetterContent): Promise<string> {
  const t = TEXT[content.language];
  const date = content.expiresAt.toLocaleDateString(t.locale, { day: "numeric", month: "long", year: "numeric", timeZone: "Europe/Amsterdam" });
  const svg = await qrSvg(content.qrText);
  return `<!doctype html>
<html lang="${content.language}">
<head>
<meta charset="utf-8">
<title>${escapeHtml(t.title)}</title>
<style>
  @page { size: A4; margin: 25mm 20mm; }
  body { font-family: system-ui, sans-serif; font-size: 11pt; line-height: 1.45; color: #000; }
  .address { margin: 20mm 0 15mm; white-space: pre-line; }
  .code { font-family: ui-monospace, monospace; font-size: 20pt; letter-spacing: 0.1em; }
  .qr { width: 45mm; height: 45mm; }
  .box { border: 1px solid #000; padding: 6mm; display: flex; gap: 8mm; align-items: center; }
</style>
</head>
<body>
<div class="address">${[content.parentName, ...content.addressLines].map(escapeHtml).join("\n")}</div>
<h1>${escapeHtml(t.title)}</h1>
<p>${escapeHtml(t.greeting(content.parentName))}</p>
<p>${escapeHtml(t.intro(content.fundName))}</p>
${content.reissue ? `<p>${escapeHtml(t.reissue)}</p>` : ""}
<p>${escapeHtml(t.children)}</p>
<ul class="children">${content.childNames.map((name) => `<li>${escapeHtml(name)}</li>`).join("")}</ul>
<div class="box">
  <div class="qr" data-qr-text="${escapeHtml(content.qrText)}">${svg}</div>
  <div><div>${escapeHtml(t.code)}</div><div class="code">${escapeHtml(content.displayCode)}</div></div>
</div>
<p>${escapeHtml(t.steps)}</p>
<p>${escapeHtml(t.valid(date))} ${escapeHtml(t.secret)}</p>
</body>
</html>
`;
}

/**
 * The activation letter as an email's template data: the same content as the paper letter (the wallet's
 * address is added when the mail is sent). A new letter changes this function and the activation_letter
 * templates together; nothing else knows the letter's fields.
 */
export function activationLetterMailData(content: LetterContent): Record<string, string> {
  return {
    senderName: content.fundName,
    parentName: content.parentName,
    childNames: content.childNames.join(", "),
    code: content.displayCode,
    expiresOn: content.expiresAt.toISOString().slice(0, 10),
  };
}
