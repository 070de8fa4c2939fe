// Amounts are whole euro cents everywhere; only the screen sees euros.
const LOCALES: Record<string, string> = { nl: "nl-NL", en: "en-GB" };

export function localeOf(language: string): string {
  return LOCALES[language] ?? language;
}

export function formatCents(cents: number, language: string): string {
  return new Intl.NumberFormat(localeOf(language), { style: "currency", currency: "EUR" }).format(cents / 100);
}

/** Cents as a parent would type them: "50,00" in Dutch, "50.00" in English. */
export function centsToInput(cents: number, language: string): string {
  const text = (cents / 100).toFixed(2);
  return language === "nl" ? text.replace(".", ",") : text;
}

/** "12,50" or "12.50" typed by a parent → cents; null when it is not an amount. */
export function parseEuros(text: string): number | null {
  const cleaned = text.trim().replace(/^€\s*/, "").replace(",", ".");
  if (!/^\d{1,6}(\.\d{1,2})?$/.test(cleaned)) return null;
  const [whole, fraction = ""] = cleaned.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

/** A budget's expiry is the first second it no longer counts (UTC midnight after the last day): show that last day. */
export function formatLastDay(expiresAt: string, language: string): string {
  return new Intl.DateTimeFormat(localeOf(language), { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
    .format(new Date(Date.parse(expiresAt) - 1000));
}
