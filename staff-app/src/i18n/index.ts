// The staff app and the public page speak STAFF_LANGUAGES that have a file here, all loaded with the
// page: desk work on a desktop, where two small files cost nothing.
import { STAFF_LANGUAGES } from "@tegoed/sdk/languages";
import { appLanguages, type Messages } from "@tegoed/ui/i18n";

export const staffLanguages = appLanguages({
  app: "staff",
  languages: STAFF_LANGUAGES,
  bundled: import.meta.glob<Messages>("./*.json", { eager: true, import: "default" }),
});

/** A fresh i18next instance (one per page, one per test). */
export const createI18n = (language?: string) => staffLanguages.create(language);
