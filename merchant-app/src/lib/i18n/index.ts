// The till speaks the shop assistants' languages (TILL_LANGUAGES) that have a file here. Dutch and
// English load with the app; the others when chosen.
import { TILL_LANGUAGES } from "@tegoed/sdk/languages";
import { appLanguages, type Messages } from "@tegoed/ui/i18n";
import nl from "./nl.json" with { type: "json" };
import en from "./en.json" with { type: "json" };

export const tillLanguages = appLanguages({
  app: "till",
  languages: TILL_LANGUAGES,
  bundled: { nl, en },
  lazy: import.meta.glob<Messages>(["./*.json", "!./nl.json", "!./en.json"], { import: "default" }),
});

/** A fresh i18next instance (tests make their own, in the language they check). */
export const createI18n = (language?: string) => tillLanguages.create(language);
