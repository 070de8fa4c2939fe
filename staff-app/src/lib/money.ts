// Amounts are whole euro cents (integers) everywhere; only the screen sees euros. Formatting passes a
// decimal string to Intl, so no float ever stands for money.
const LOCALES: Record<string, string> = { nl: "nl-NL", en: "en-GB" };

export function localeOf(language: string): string {
  return LOCALES[language] ?? language;
}

/** 12345 → "12345.45"-style decimal text, exact for any safe integer. */
export function centsToDecimal(cents: number): string {
  const negative = cents < 0;
  const abs = Math.abs(Math.trunc(cents));
  const text = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
  return negative ? `-${text}` : text;
}

export function formatCents(cents: number, language: string, currency = "EUR"): string {
  const format = new Intl.NumberFormat(localeOf(language), { style: "currency", currency });
  return format.format(centsToDecimal(cents) as unknown as number); // Intl takes decimal strings exactly
}

/** "12,50", "12.50", "€ 1.234,56" or "1,234.56" typed by staff → cents; null when it is not an amount. */
export function parseEuros(text: string): number | null {
  let cleaned = text.trim().replace(/^€\s*/, "").replace(/\s/g, "");
  // The last separator followed by 1-2 digits is the decimal one; the others group thousands.
  const match = /^(.*?)(?:[.,](\d{1,2}))?$/.exec(cleaned);
  if (!match) return null;
  const whole = match[1]!.replace(/[.,](?=\d{3}(?:[.,]|$))/g, "");
  if (!/^\d{1,9}$/.test(whole)) return null;
  cleaned = whole;
  return Number(cleaned) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

export function formatNumber(value: number, language: string): string {
  return new Intl.NumberFormat(localeOf(language)).format(value);
}
