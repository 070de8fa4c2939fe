// Every screen text comes from src/i18n/<language>.json: adding a language is adding one file.
import i18next, { type i18n } from "i18next";
import { initReactI18next } from "react-i18next";

const files = import.meta.glob<{ default: Record<string, unknown> }>("../i18n/*.json", { eager: true });

export const LANGUAGES = Object.keys(files)
  .map((path) => path.replace(/^.*\/(\w+)\.json$/, "$1"))
  .sort((a, b) => (a === "nl" ? -1 : b === "nl" ? 1 : a.localeCompare(b)));
export const DEFAULT_LANGUAGE = "nl";
const STORAGE_KEY = "tegoed.language";

export function savedLanguage(): string {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved && LANGUAGES.includes(saved)) return saved;
  } catch {
    // private mode: the default will do
  }
  return DEFAULT_LANGUAGE;
}

export function rememberLanguage(language: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // not kept: fine
  }
  document.documentElement.lang = language;
}

/** A fresh i18next instance (one per app, one per test). */
export function createI18n(language = savedLanguage()): i18n {
  const instance = i18next.createInstance();
  const resources = Object.fromEntries(
    Object.entries(files).map(([path, file]) => [path.replace(/^.*\/(\w+)\.json$/, "$1"), { translation: file.default }]),
  );
  void instance.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: DEFAULT_LANGUAGE,
    interpolation: { escapeValue: false }, // React escapes
    initAsync: false,
  });
  if (typeof document !== "undefined") document.documentElement.lang = language;
  return instance;
}
