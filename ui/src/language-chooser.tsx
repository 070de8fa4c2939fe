// The language menu of every app: each language in its own name and script ("Türkçe", "العربية"), so a
// person finds theirs without reading the current one. Buttons, not a select: choosing is one press (two
// in the compact form, from the button naming the current language) and nothing changes while a keyboard
// moves through the list.
import { useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { LANGUAGE_NAMES, directionOf, type Language } from "@tegoed/sdk/languages";
import { chooseLanguage } from "./i18n.ts";
import { Icon } from "./icons.tsx";

export interface LanguageChooserProps {
  /** The app's languages (AppLanguages.languages). */
  languages: readonly string[];
  /** The group's name for screen readers, in the current language ("Taal"). */
  label: string;
  /** Told after the screen has switched: the wallet keeps the family's choice on its record too. */
  onLanguageChosen?: (language: string) => void;
  /**
   * One button showing the current language that opens the list (a disclosure), for a phone's header
   * once the person is in: eight names take three rows of a 320 px screen, above the QR.
   */
  compact?: boolean;
}

const nameOf = (language: string) => LANGUAGE_NAMES[language as Language] ?? language;

export function LanguageChooser({ languages, label, onLanguageChosen, compact = false }: LanguageChooserProps) {
  const { i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const listId = useId();
  const toggle = useRef<HTMLButtonElement>(null);
  const close = () => {
    setOpen(false);
    toggle.current?.focus(); // the pressed button goes away with the list: focus stays where it was
  };
  const choose = async (language: string) => {
    const chosen = await chooseLanguage(i18n, language); // <html lang dir> follow, the device keeps it
    if (compact) close();
    if (chosen) onLanguageChosen?.(language);
  };
  const list = (
    <div className="language" role="group" aria-label={label} id={listId}
      onKeyDown={compact ? (event) => { if (event.key === "Escape") close(); } : undefined}>
      {languages.map((language) => (
        <button key={language} type="button" lang={language} dir={directionOf(language)} aria-pressed={i18n.language === language}
          onClick={() => void choose(language)}>
          {nameOf(language)}
        </button>
      ))}
    </div>
  );
  if (!compact) return list;
  return (
    <div className="language-menu">
      {/* The current language is the page's own, so its name needs no lang of its own. */}
      <button ref={toggle} type="button" className="language-toggle" aria-expanded={open} aria-controls={listId}
        aria-label={`${label}: ${nameOf(i18n.language)}`} onClick={() => setOpen((o) => !o)}>
        <Icon name="globe" />{nameOf(i18n.language)}
      </button>
      {open && list}
    </div>
  );
}
