// Dutch first (the shops are Dutch), English for everyone else. The choice is kept on the device.
import i18next, { type i18n } from "i18next";
import { initReactI18next } from "react-i18next";
import nl from "./nl.json" with { type: "json" };
import en from "./en.json" with { type: "json" };

export const LANGUAGES = ["nl", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = "tegoed-shop-language";

function storedLanguage(): Language {
  try {
    const value = globalThis.localStorage?.getItem(STORAGE_KEY);
    return value === "en" ? "en" : "nl";
  } catch {
    return "nl";
  }
}

/** A fresh i18next instance (tests make their own, in the language they check). */
export function createI18n(language: Language = storedLanguage()): i18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources: { nl: { translation: nl }, en: { translation: en } },
    lng: language,
    fallbackLng: "nl",
    interpolation: { escapeValue: false }, // React escapes already
    initAsync: false,
  });
  instance.on("languageChanged", (lng) => {
    if (typeof document !== "undefined") document.documentElement.lang = lng;
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, lng);
    } catch {
      // private mode: the choice just is not remembered
    }
  });
  if (typeof document !== "undefined") document.documentElement.lang = language;
  return instance;
}
