// The wallet speaks every language a family reads (FAMILY_LANGUAGES) that has a file here. Dutch loads
// with the app; every other language only when a family chooses it, so the first load stays small.
import { FAMILY_LANGUAGES } from "@tegoed/sdk/languages";
import { appLanguages, type Messages } from "@tegoed/ui/i18n";
import nl from "./nl.json" with { type: "json" };

export const walletLanguages = appLanguages({
  app: "wallet",
  languages: FAMILY_LANGUAGES,
  bundled: { nl },
  lazy: import.meta.glob<Messages>(["./*.json", "!./nl.json"], { import: "default" }),
});
