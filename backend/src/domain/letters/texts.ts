// The wording of what Tegoed posts to families (the activation letter, the card, its PIN letter and the
// balance letter), one JSON file per language in texts/, so a translator adds a language by adding a file.
// `{name}` marks a value filled in; "one"/"other" (and any other Intl plural category) pick the sentence
// by a count.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { DEFAULT_LANGUAGE, directionOf, FAMILY_LANGUAGES, type FamilyLanguage } from "@tegoed/sdk";

const Plural = z.object({ other: z.string() }).catchall(z.string());

const LetterTextsSchema = z.object({
  /** The BCP 47 locale of dates and numbers, e.g. "nl-NL". */
  locale: z.string(),
  activation: z.object({
    labels: z.object({ date: z.string(), reference: z.string(), subject: z.string(), code: z.string(), url: z.string(), help: z.string() }),
    subject: z.string(),
    reissueSubject: z.string(),
    greeting: z.string(),
    intro: Plural,
    reissue: z.string(),
    validity: z.string(),
    spendOn: z.string(),
    codeValidity: z.string(),
    steps: z.array(z.string()),
    shops: z.string(),
    help: z.string(),
    closing: z.array(z.string()),
  }),
  categories: z.record(z.string(), z.string()),
  card: z.object({ card: z.string(), cardNumber: z.string(), how: z.array(z.string()), code: z.string(), lost: z.string() }),
  pinLetter: z.object({ title: z.string(), greeting: z.string(), intro: z.string(), pinFor: z.string(), keep: z.array(z.string()), help: z.string() }),
  balanceLetter: z.object({
    title: z.string(), asOf: z.string(), card: z.string(), child: z.string(), left: z.string(), until: z.string(), total: z.string(),
    note: z.string(), help: z.string(),
  }),
});
export type LetterTexts = z.output<typeof LetterTextsSchema>;

const loaded = new Map<FamilyLanguage, LetterTexts>();

/** The texts of `language`; a language without a file yet is written in Dutch. */
export function letterTexts(language: string): LetterTexts & { language: FamilyLanguage; direction: "ltr" | "rtl" } {
  const wanted = (FAMILY_LANGUAGES as readonly string[]).includes(language) ? (language as FamilyLanguage) : DEFAULT_LANGUAGE;
  if (!loaded.has(wanted)) {
    try {
      const text = readFileSync(new URL(`./texts/${wanted}.json`, import.meta.url), "utf8");
      loaded.set(wanted, LetterTextsSchema.parse(JSON.parse(text)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || wanted === DEFAULT_LANGUAGE) throw error;
      return letterTexts(DEFAULT_LANGUAGE);
    }
  }
  return { ...loaded.get(wanted)!, language: wanted, direction: directionOf(wanted) };
}

/**
 * The template with each `{key}` replaced by its value. In a right-to-left text each value is isolated
 * (FSI … PDI): otherwise the bidirectional algorithm sets "14 0594" or a card number's groups in
 * right-to-left order, and a phone number reads "0594 14".
 */
export function fill(template: string, values: Record<string, string | number> = {}, direction: "ltr" | "rtl" = "ltr"): string {
  const put = direction === "rtl" ? (value: string) => `\u2068${value}\u2069` : (value: string) => value;
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? put(String(values[key])) : whole));
}

/** The form of a plural text for `count` in `locale`. */
export function plural(forms: { other: string } & Record<string, string>, count: number, locale: string): string {
  return forms[new Intl.PluralRules(locale).select(count)] ?? forms.other;
}
