// Money on the till: integer cents only. Typed euros are parsed digit by digit, never through a float.

export type AmountProblem = "empty" | "format" | "negative" | "zero" | "tooLarge" | "overSpendable";

export type ParsedAmount = { ok: true; cents: number } | { ok: false; problem: AmountProblem };

// Whole euros up to 9 digits keep every amount far below Number.MAX_SAFE_INTEGER.
const EURO = /^(\d{1,9})(?:[.,](\d{1,2}))?$/;

/** "12,5" → 1250, "12.50" → 1250, "€ 3" → 300. One decimal separator (comma or dot), at most 2 decimals. */
export function parseEuros(text: string, spendableCents?: number): ParsedAmount {
  const clean = text.replace(/\s+/g, "").replace(/^€/, "");
  if (clean === "") return { ok: false, problem: "empty" };
  if (/^-/.test(clean)) return { ok: false, problem: "negative" };
  if (/^\d{10,}([.,]\d*)?$/.test(clean)) return { ok: false, problem: "tooLarge" };
  const match = EURO.exec(clean);
  if (!match) return { ok: false, problem: "format" };
  const euros = Number.parseInt(match[1]!, 10);
  const fraction = Number.parseInt((match[2] ?? "").padEnd(2, "0"), 10);
  const cents = euros * 100 + fraction;
  if (cents === 0) return { ok: false, problem: "zero" };
  if (spendableCents !== undefined && cents > spendableCents) return { ok: false, problem: "overSpendable" };
  return { ok: true, cents };
}

/** 1250 → "12,50" (nl) or "12.50" (en), with thousands grouped; built from integers. */
export function formatCents(cents: number, language = "nl"): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const euros = Math.floor(abs / 100);
  const rest = String(abs % 100).padStart(2, "0");
  const grouped = new Intl.NumberFormat(language === "en" ? "en-GB" : "nl-NL", { maximumFractionDigits: 0 }).format(euros);
  return `${sign}${grouped}${language === "en" ? "." : ","}${rest}`;
}

/** "€ 12,50" / "€12.50". */
export function formatEuro(cents: number, language = "nl"): string {
  return language === "en" ? `€${formatCents(cents, language)}` : `€ ${formatCents(cents, language)}`;
}

/** Plain "12.50" for files meant for spreadsheets and bookkeeping (no grouping, dot). */
export function centsToDecimal(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}
