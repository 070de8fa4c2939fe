// Money on screen, the same in every app: integer cents in, text out through Intl in the language's own
// locale, and typed text back to integer cents digit by digit. No float ever stands for an amount:
// Intl is handed a decimal string, which it formats exactly.
import { localeOfLanguage } from "@tegoed/sdk/dates";
import { directionOf } from "@tegoed/sdk/languages";

/** 1250 → "12.50": for files meant for spreadsheets and bookkeeping (no grouping, a point). */
export function centsToDecimal(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** Unicode's first-strong isolate: an amount keeps € and its digits in order inside right-to-left text. */
const isolate = (text: string, language: string) => (directionOf(language) === "rtl" ? `\u2068${text}\u2069` : text);

/** 123456 → "€ 1.234,56" (nl), "€1,234.56" (en), "1.234,56 €" (tr: "€1.234,56"), per the language's locale. */
export function formatCents(cents: number, language: string, currency = "EUR"): string {
  const format = new Intl.NumberFormat(localeOfLanguage(language), { style: "currency", currency, currencyDisplay: "narrowSymbol" });
  return isolate(format.format(centsToDecimal(cents) as `${number}`), language);
}

/** 5000 → "50,00" (nl) or "50.00" (en): an amount to put back in a field, as a person would type it. */
export function centsToInput(cents: number, language: string): string {
  const format = new Intl.NumberFormat(localeOfLanguage(language), { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false });
  return format.format(centsToDecimal(cents) as `${number}`);
}

/** A count in the language's locale: 1234 → "1.234" (nl). */
export function formatNumber(value: number, language: string): string {
  return new Intl.NumberFormat(localeOfLanguage(language)).format(value);
}

export type AmountProblem = "empty" | "format" | "negative" | "zero" | "tooLarge" | "overSpendable";
export type ParsedAmount = { ok: true; cents: number } | { ok: false; problem: AmountProblem };

// Whole euros up to 9 digits keep every amount far below Number.MAX_SAFE_INTEGER.
const MAX_WHOLE_DIGITS = 9;

/** Digits and separators as an Arabic or Persian keyboard types them, as the Latin ones. */
function westernDigits(text: string): string {
  return text
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/\u066b/g, ",") // Arabic decimal separator
    .replace(/\u066c/g, "."); // Arabic thousands separator
}

/**
 * An amount as a person types it, in any of our languages, to cents: "12,5", "12.50", "€ 3",
 * "1.234,56", "1,234.56". The decimal mark is a comma or a point followed by one or two digits at the
 * end; the other mark may group thousands before it. A lone mark before three digits ("12,345") is
 * refused: in Dutch it groups, in English it does not, and a wrong guess moves money.
 */
export function parseAmount(text: string, maxCents?: number): ParsedAmount {
  const clean = westernDigits(text).replace(/[\s\u00a0\u202f]+/g, "").replace(/^€/, "").replace(/€$/, "");
  if (clean === "") return { ok: false, problem: "empty" };
  if (/^[-\u2212]/.test(clean)) return { ok: false, problem: "negative" };
  const match = /^(\d[\d.,]*?)(?:([.,])(\d{1,2}))?$/.exec(clean);
  if (!match) return { ok: false, problem: "format" };
  const [, wholeText = "", mark, fraction = ""] = match;
  const grouping = mark === "," ? "." : mark === "." ? "," : null;
  let whole: string;
  if (/^\d+$/.test(wholeText)) whole = wholeText;
  else if (grouping !== null && new RegExp(`^\\d{1,3}(\\${grouping}\\d{3})+$`).test(wholeText)) whole = wholeText.replaceAll(grouping, "");
  else return { ok: false, problem: "format" };
  if (whole.replace(/^0+(?=\d)/, "").length > MAX_WHOLE_DIGITS) return { ok: false, problem: "tooLarge" };
  const cents = Number.parseInt(whole, 10) * 100 + Number.parseInt(fraction.padEnd(2, "0"), 10);
  if (cents === 0) return { ok: false, problem: "zero" };
  if (maxCents !== undefined && cents > maxCents) return { ok: false, problem: "overSpendable" };
  return { ok: true, cents };
}

/** As parseAmount, for a form that checks its own limits: cents (0 included), or null when not an amount. */
export function parseEuros(text: string): number | null {
  const parsed = parseAmount(text);
  return parsed.ok ? parsed.cents : parsed.problem === "zero" ? 0 : null;
}
