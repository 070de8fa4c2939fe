// The language menu of every app: each language in its own name and script ("Türkçe", "العربية"), so a
// person finds theirs without reading the current one. Buttons, not a select: choosing is one press and
// nothing changes while a keyboard moves through the list.
import { useTranslation } from "react-i18next";
import { LANGUAGE_NAMES, directionOf, type Language } from "@tegoed/sdk/languages";
import { chooseLanguage } from "./i18n.ts";

export interface LanguageChooserProps {
  /** The app's languages (AppLanguages.languages). */
  languages: readonly string[];
  /** The group's name for screen readers, in the current language ("Taal"). */
  label: string;
  /** Told after the screen has switched: the wallet keeps the family's choice on its record too. */
  onLanguageChosen?: (language: string) => void;
}

export function LanguageChooser({ languages, label, onLanguageChosen }: LanguageChooserProps) {
  const { i18n } = useTranslation();
  const choose = async (language: string) => {
    if (await chooseLanguage(i18n, language)) onLanguageChosen?.(language); // <html lang dir> follow, the device keeps it
  };
  return (
    <div className="language" role="group" aria-label={label}>
      {languages.map((language) => (
        <button key={language} type="button" lang={language} dir={directionOf(language)} aria-pressed={i18n.language === language}
          onClick={() => void choose(language)}>
          {LANGUAGE_NAMES[language as Language] ?? language}
        </button>
      ))}
    </div>
  );
}
