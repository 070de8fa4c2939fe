// One i18n set-up for the three apps. Each app keeps its own JSON files and declares which languages it
// speaks (a list from @tegoed/sdk/languages); the files it bundles load with the app, every other
// language is fetched when chosen, so a new language costs the first load nothing. The choice is kept
// on the device under "tegoed.<app>.language", and <html lang dir> follows every change.
import i18next, { type i18n, type ReadCallback } from "i18next";
import { initReactI18next } from "react-i18next";
import { DEFAULT_LANGUAGE, directionOf } from "@tegoed/sdk/languages";
import { localeOfLanguage } from "@tegoed/sdk/dates";

export type Messages = { [key: string]: string | Messages };
type Loader = () => Promise<Messages>;

export interface AppLanguagesConfig {
  /** Names the storage key: "tegoed.wallet.language". */
  app: "wallet" | "till" | "staff";
  /** The languages the app is meant to speak, default first (a list from @tegoed/sdk/languages). */
  languages: readonly string[];
  /** Loaded with the app: at least the default language. Keys are file paths or language codes. */
  bundled: Record<string, Messages>;
  /** The other files, loaded when their language is chosen (Vite's lazy `import.meta.glob`). */
  lazy?: Record<string, Loader>;
}

export interface AppLanguages {
  /** The declared languages that have a file, in the declared order: what the chooser offers. */
  languages: string[];
  storageKey: string;
  /** The language kept on the device, or the default. */
  saved(): string;
  /** A fresh i18next instance (one per app, one per test); `preloaded` skips the lazy loading in tests. */
  create(language?: string, preloaded?: Record<string, Messages>): i18n;
  /** As create, resolved once the language's texts are there: what an app awaits before its first render. */
  load(language?: string): Promise<i18n>;
}

/** "../i18n/nl.json" (a glob's key) or "nl" → "nl". */
export function languageOfFile(path: string): string {
  return path.replace(/^.*\//, "").replace(/\.json$/, "");
}

const byLanguage = <T>(files: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(files).map(([path, value]) => [languageOfFile(path), value]));

// Kept on the instance itself: react-i18next hands components a derived object, not the instance.
const STORAGE_KEY = Symbol("tegoed.storageKey");
type WithStorageKey = i18n & { [STORAGE_KEY]?: string };

/** Switches to a language the person chose and keeps the choice on the device; false when its texts
 * could not be fetched (offline), and the screen stays as it was. */
export async function chooseLanguage(instance: i18n, language: string): Promise<boolean> {
  const before = instance.language;
  await instance.changeLanguage(language);
  if (!instance.hasResourceBundle(language, "translation")) {
    await instance.changeLanguage(before);
    return false;
  }
  try {
    globalThis.localStorage?.setItem((instance as WithStorageKey)[STORAGE_KEY] ?? "tegoed.language", language);
  } catch {
    // not kept: the device asks again next time
  }
  return true;
}

/** Sets <html lang dir>: screen readers pick their voice by lang, the layout mirrors by dir. */
export function applyLanguageToPage(language: string): void {
  if (typeof document === "undefined") return;
  document.documentElement.lang = language;
  document.documentElement.dir = directionOf(language);
}

export function appLanguages(config: AppLanguagesConfig): AppLanguages {
  const bundled = byLanguage(config.bundled);
  const lazy = byLanguage(config.lazy ?? {});
  const languages = config.languages.filter((language) => language in bundled || language in lazy);
  const fallback = languages[0] ?? DEFAULT_LANGUAGE;
  const storageKey = `tegoed.${config.app}.language`;

  const saved = (): string => {
    try {
      const value = globalThis.localStorage?.getItem(storageKey);
      if (value && languages.includes(value)) return value;
    } catch {
      // storage blocked (private mode): the default will do
    }
    return fallback;
  };

  const create = (language = saved(), preloaded: Record<string, Messages> = {}): i18n => {
    const resources = Object.fromEntries(
      Object.entries({ ...bundled, ...byLanguage(preloaded) }).map(([code, messages]) => [code, { translation: messages }]),
    );
    const instance = i18next.createInstance();
    instance.use(initReactI18next).use({
      type: "backend",
      init() {},
      read(code: string, _namespace: string, callback: ReadCallback) {
        const load = lazy[code];
        if (!load) return callback(null, {});
        load().then((messages) => callback(null, messages), (error: Error) => callback(error, false));
      },
    });
    void instance.init({
      resources,
      partialBundledLanguages: true, // the rest comes through the backend above
      supportedLngs: languages,
      lng: languages.includes(language) ? language : fallback,
      fallbackLng: fallback,
      interpolation: { escapeValue: false }, // React escapes
      initAsync: false,
    });
    // "{{count, number}}" in the language's own locale (Arabic with Latin digits, like every amount).
    instance.services.formatter?.add("number", (value, code, options) =>
      new Intl.NumberFormat(localeOfLanguage(code ?? fallback), options as Intl.NumberFormatOptions).format(value as number));
    (instance as WithStorageKey)[STORAGE_KEY] = storageKey;
    applyLanguageToPage(instance.language);
    instance.on("languageChanged", applyLanguageToPage);
    return instance;
  };

  const load = async (language = saved()): Promise<i18n> => {
    const instance = create(language);
    await instance.changeLanguage(instance.language);
    // Its file could not be fetched (offline, no service worker yet): open in the default, keep the choice.
    if (!instance.hasResourceBundle(instance.language, "translation")) await instance.changeLanguage(fallback);
    return instance;
  };

  return { languages, storageKey, saved, create, load };
}
