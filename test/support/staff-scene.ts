// For the staff app's browser tests: its own Dutch or English texts (the app's language files through
// i18next, so a test finds exactly what a user reads) and an import file with good and bad rows.
import i18next, { type TFunction } from "i18next";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const I18N = join(import.meta.dirname, "..", "..", "staff-app", "src", "i18n");

export function staffText(language: "nl" | "en"): TFunction {
  const translation = JSON.parse(readFileSync(join(I18N, `${language}.json`), "utf8")) as Record<string, unknown>;
  const instance = i18next.createInstance();
  void instance.init({ lng: language, resources: { [language]: { translation } }, interpolation: { escapeValue: false }, initAsync: false });
  return instance.t.bind(instance);
}

export interface ImportFile {
  text: string;
  goodFamilies: number;
  goodChildren: number;
  /** Rows the preview and the server reject (one reason each). */
  badRows: number;
}

/** Six good families with two children each (12: enough for the public totals), and four bad rows. */
export function goodAndBadCsv(year: number): ImportFile {
  const header = "family_ref,parent_name,address_line1,address_line2,postal_code,city,language,child_first_name,child_birth_year";
  const good = ["Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer"].flatMap((name, i) => {
    const ref = `F00${i + 1}`;
    const street = `Hoofdstraat ${i + 1}`;
    return [
      `${ref},Familie ${name},${street},,9801 AA,Zuidhorn,nl,Kind${i}a,${year - 6}`,
      `${ref},Familie ${name},${street},,9801 AA,Zuidhorn,${i === 1 ? "en" : "nl"},Kind${i}b,${year - 9}`,
    ].map((row) => (i === 1 ? row.replace(",nl,", ",en,") : row));
  });
  const bad = [
    `F007,Familie Mulder,Kerkstraat 2,,98011 AA,Zuidhorn,nl,Lotte,${year - 7}`, // postal code
    `F008,Familie Bos,Kerkstraat 3,,9801 AB,Zuidhorn,nl,Bram,${year + 1}`, // born next year
    `F009,Familie Dekker,Kerkstraat 4,,9801 AC,Zuidhorn,fy,Noor,${year - 5}`, // language
    `F009,Familie Dekker,Kerkstraat 4,,9801 AC,Zuidhorn,fy,Tim,${year - 3}`, // same language: held back with its family
  ];
  return { text: `${[header, ...good, ...bad].join("\n")}\n`, goodFamilies: 6, goodChildren: 12, badRows: 4 };
}
