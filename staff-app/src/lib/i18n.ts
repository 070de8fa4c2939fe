// Every screen text comes from src/i18n/<language>.json (Dutch first, English); one i18next instance per
// app and per test, so tests never share a language.
import i18next, { type i18n } from "i18next";
import { initReactI18next } from "react-i18next";

// Vite reads the JSON files at build time (eager glob): no import attributes needed.
const files = import.meta.glob<{ default: Record<string, unknown> }>("../i18n/*.json", { eager: true });
const nl = files["../i18n/nl.json"]!.default;
const en = files["../i18n/en.json"]!.default;

export const LANGUAGES = ["nl", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = "nl";
const STORAGE_KEY = "tegoed.staff.language";

export function savedLanguage(): Language {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === "nl" || saved === "en") return saved;
  } catch {
    // storage blocked: the default will do
  }
  return DEFAULT_LANGUAGE;
}

export function rememberLanguage(language: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // not kept: fine
  }
  document.documentElement.lang = language;
}

export function createI18n(language: Language = savedLanguage()): i18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources: { nl: { translation: nl }, en: { translation: en } },
    lng: language,
    fallbackLng: DEFAULT_LANGUAGE,
    interpolation: { escapeValue: false }, // React escapes
    initAsync: false,
  });
  if (typeof document !== "undefined") document.documentElement.lang = language;
  return instance;
}
