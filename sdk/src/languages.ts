// The languages Tegoed speaks, per audience. One list, read by the apps (their language menus and
// key-parity tests), the backend (a family's language on its record, letters and emails) and the tests.

/** Everything a family reads: the wallet, letters, the card's PIN letter, emails, the application form. */
export const FAMILY_LANGUAGES = ["nl", "en", "ar", "tr", "pl", "uk", "de", "fr"] as const;
/** The till, used by shop assistants. */
export const TILL_LANGUAGES = ["nl", "en", "tr", "ar", "pl"] as const;
/** The staff app and the public page. */
export const STAFF_LANGUAGES = ["nl", "en"] as const;

export type FamilyLanguage = (typeof FAMILY_LANGUAGES)[number];
export type TillLanguage = (typeof TILL_LANGUAGES)[number];
export type StaffLanguage = (typeof STAFF_LANGUAGES)[number];
export type Language = FamilyLanguage | TillLanguage | StaffLanguage;

/** The default wherever nothing else is known: Dutch, in plain (B1) wording. */
export const DEFAULT_LANGUAGE = "nl" satisfies Language;

/** Each language in its own name, as a language menu shows it. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  nl: "Nederlands",
  en: "English",
  ar: "العربية",
  tr: "Türkçe",
  pl: "Polski",
  uk: "Українська",
  de: "Deutsch",
  fr: "Français",
};

const RIGHT_TO_LEFT: ReadonlySet<string> = new Set(["ar"]);

/** "rtl" for Arabic; the page's `dir`. */
export function directionOf(language: string): "ltr" | "rtl" {
  return RIGHT_TO_LEFT.has(language) ? "rtl" : "ltr";
}

export function isFamilyLanguage(value: unknown): value is FamilyLanguage {
  return typeof value === "string" && (FAMILY_LANGUAGES as readonly string[]).includes(value);
}
