// Templates: one file per kind and language in templates/<language>/<kind>.txt, a "Subject:" line, a
// blank line, then the body. `{{name}}` takes a value from the data; `{{name|money}}` formats cents,
// `{{name|date}}` a YYYY-MM-DD day and `{{name|weeks}}` a number of weeks in the language. The plain part gets the values as they are; the
// HTML part escapes template and values alike, one <p> per paragraph, and links values named *Url.
// Families read every family language; shops and staff nl and en (the template test holds each audience to its list).
import { existsSync, readFileSync } from "node:fs";
import { DEFAULT_LANGUAGE, FAMILY_LANGUAGES, directionOf, localeOfLanguage, type FamilyLanguage } from "@tegoed/sdk";

export type MailLanguage = FamilyLanguage;
export const MAIL_LANGUAGES: readonly MailLanguage[] = FAMILY_LANGUAGES;

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export type TemplateData = Readonly<Record<string, string | number | boolean | null | undefined>>;

const TEMPLATES = new URL("./templates/", import.meta.url);
const cache = new Map<string, { subject: string; body: string }>();
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)(?:\|(money|date|weeks))?\s*\}\}/g;

export class TemplateError extends Error {
  override name = "TemplateError";
}

export function templateFile(kind: string, language: MailLanguage): URL {
  if (!/^[a-z][a-z0-9_]*$/.test(kind)) throw new TemplateError(`not a template name: ${kind}`);
  return new URL(`${language}/${kind}.txt`, TEMPLATES);
}

export function hasTemplate(kind: string, language: MailLanguage): boolean {
  return existsSync(templateFile(kind, language));
}

/** The language a mail of `kind` is written in: the asked one where its template exists, else Dutch. */
export function mailLanguage(kind: string, language: MailLanguage): MailLanguage {
  return hasTemplate(kind, language) ? language : DEFAULT_LANGUAGE;
}

function load(kind: string, language: MailLanguage): { subject: string; body: string } {
  const key = `${language}/${kind}`;
  let template = cache.get(key);
  if (!template) {
    const source = readFileSync(templateFile(kind, language), "utf8").replace(/\r\n/g, "\n");
    const match = /^Subject: (.+)\n\n([\s\S]+)$/.exec(source);
    if (!match) throw new TemplateError(`${key}: must start with "Subject: …" and a blank line`);
    template = { subject: match[1]!.trim(), body: match[2]!.trimEnd() };
    cache.set(key, template);
  }
  return template;
}

/** The placeholders a template uses (tests check the sample data covers them). */
export function placeholders(kind: string, language: MailLanguage): string[] {
  const { subject, body } = load(kind, language);
  return [...new Set([...`${subject}\n${body}`.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

export function formatMoney(cents: bigint, language: MailLanguage): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const rest = (abs % 100n).toString().padStart(2, "0");
  if (language !== "nl" && language !== "en") {
    // A decimal string, not a float: Intl formats it exactly.
    const decimal = `${negative ? "-" : ""}${abs / 100n}.${rest}` as unknown as number;
    return new Intl.NumberFormat(localeOfLanguage(language), { style: "currency", currency: "EUR" }).format(decimal);
  }
  const euros = (abs / 100n).toLocaleString(localeOfLanguage(language));
  return `${negative ? "-" : ""}€ ${euros}${language === "nl" ? "," : "."}${rest}`;
}

function formatDay(day: string, language: MailLanguage): string {
  const date = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return date.toLocaleDateString(localeOfLanguage(language), { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

function formatWeeks(weeks: string, language: MailLanguage): string {
  return new Intl.NumberFormat(localeOfLanguage(language), { style: "unit", unit: "week", unitDisplay: "long" }).format(Number(weeks));
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function fill(template: string, data: TemplateData, language: MailLanguage, html: boolean, where: string): string {
  let out = "";
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const [whole, name, filter] = match;
    const value = data[name!];
    if (value === undefined || value === null) throw new TemplateError(`${where}: no value for {{${name}}}`);
    let text = String(value);
    if (filter === "money") text = formatMoney(BigInt(text), language);
    if (filter === "date") text = formatDay(text, language);
    if (filter === "weeks") text = formatWeeks(text, language);
    const before = template.slice(last, match.index);
    out += html ? escapeHtml(before) : before;
    if (html && name!.endsWith("Url") && /^https?:\/\//.test(text)) out += `<a href="${escapeHtml(text)}">${escapeHtml(text)}</a>`;
    else out += html ? escapeHtml(text) : text;
    last = match.index! + whole.length;
  }
  const tail = template.slice(last);
  return out + (html ? escapeHtml(tail) : tail);
}

/**
 * The mail of `kind` in `language` with `data`. A `footer` kind (e.g. the unsubscribe line) is appended
 * after a rule when given. A language without this template gets the Dutch one (a shop or staff mail, or a
 * family language whose translation is not there yet). Throws TemplateError when a template or a value is missing.
 */
export function renderMail(kind: string, asked: MailLanguage, data: TemplateData, footer?: string): RenderedMail {
  const language = mailLanguage(kind, asked);
  const { subject, body } = load(kind, language);
  const where = `${language}/${kind}`;
  const bodies = [body, ...(footer ? [load(footer, language).body] : [])];
  const text = bodies.map((b) => fill(b, data, language, false, where)).join("\n\n-- \n");
  const paragraphs = bodies.map((b) =>
    fill(b, data, language, true, where)
      .split(/\n{2,}/)
      .map((p) => `<p>${p.replace(/\n/g, "<br>\n")}</p>`)
      .join("\n"),
  );
  const html = `<!doctype html>\n<html lang="${language}" dir="${directionOf(language)}"><head><meta charset="utf-8"><title>${escapeHtml(fill(subject, data, language, false, where))}</title></head>\n`
    + `<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em">\n${paragraphs.join('\n<hr>\n<div style="color:#555;font-size:0.9em">\n')}${bodies.length > 1 ? "\n</div>" : ""}\n</body></html>\n`;
  return { subject: fill(subject, data, language, false, where).replace(/[\r\n]+/g, " "), text: `${text}\n`, html };
}
