// Every app speaks every language its list in @tegoed/sdk/languages declares, with every key of the
// Dutch file: plural keys in the language's own plural forms (Arabic six, Polish and Ukrainian four),
// no stray keys, no empty texts, and the same {{variables}} as Dutch. A missing file or key fails here,
// in CI, instead of showing a Dutch or raw key to a family at run time.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FAMILY_LANGUAGES, STAFF_LANGUAGES, TILL_LANGUAGES } from "@tegoed/sdk/languages";

const ROOT = join(import.meta.dirname, "..", "..");
const APPS = [
  { app: "wallet", folder: "wallet-app/src/i18n", languages: FAMILY_LANGUAGES },
  { app: "till", folder: "merchant-app/src/lib/i18n", languages: TILL_LANGUAGES },
  { app: "staff and public page", folder: "staff-app/src/i18n", languages: STAFF_LANGUAGES },
] as const;

const PLURAL_FORMS = ["zero", "one", "two", "few", "many", "other"] as const;
const PLURAL_SUFFIX = new RegExp(`_(${PLURAL_FORMS.join("|")})$`);

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

/** "{{name}}", "{{count, number}}" → name, count. */
const variables = (text: string) => new Set([...text.matchAll(/\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)].map((m) => m[1]!));

/** The keys a language must have, from Dutch: a plural key ("x_other" in Dutch) in the language's own forms. */
export function expectedKeys(dutch: Map<string, string>, language: string): { plain: string[]; plural: Map<string, string[]> } {
  const forms = new Intl.PluralRules(language).resolvedOptions().pluralCategories as string[];
  const plural = new Map<string, string[]>();
  const plain: string[] = [];
  for (const key of dutch.keys()) {
    const base = key.replace(PLURAL_SUFFIX, "");
    if (base !== key && dutch.has(`${base}_other`)) {
      if (!plural.has(base)) plural.set(base, forms.map((form) => `${base}_${form}`));
    } else plain.push(key);
  }
  return { plain, plural };
}

const files = (folder: string) => readdirSync(join(ROOT, folder)).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, ""));
const read = (folder: string, language: string) => flatten(JSON.parse(readFileSync(join(ROOT, folder, `${language}.json`), "utf8")) as Tree);

describe.each(APPS.map((app) => [app.app, app] as const))("the %s's translations", (_app, { folder, languages }) => {
  it("has a file for exactly the languages @tegoed/sdk/languages declares for it", () => {
    expect(files(folder).sort()).toEqual([...languages].sort());
  });

  const dutch = read(folder, "nl");
  describe.each(languages.filter((language) => files(folder).includes(language)))("in %s", (language) => {
    const texts = read(folder, language);
    const { plain, plural } = expectedKeys(dutch, language);
    const wanted = [...plain, ...[...plural.values()].flat()];

    it("has every key of the Dutch file, plurals in the language's own forms, and nothing else", () => {
      expect(wanted.filter((key) => !texts.has(key)), "missing").toEqual([]);
      expect([...texts.keys()].filter((key) => !wanted.includes(key)), "stray").toEqual([]);
    });

    it("leaves no text empty", () => {
      expect([...texts].filter(([, text]) => text.trim() === "").map(([key]) => key)).toEqual([]);
    });

    it("uses the same {{variables}} as the Dutch text", () => {
      const wrong: string[] = [];
      for (const key of plain) {
        const text = texts.get(key);
        if (text !== undefined && [...variables(text)].sort().join() !== [...variables(dutch.get(key)!)].sort().join()) wrong.push(key);
      }
      // A plural form may leave out {{count}} ("one day"), never the other variables.
      const withoutCount = (text: string) => [...variables(text)].filter((v) => v !== "count").sort().join();
      for (const [base, keys] of plural) {
        const expected = withoutCount(dutch.get(`${base}_other`)!);
        for (const key of keys) if (texts.has(key) && withoutCount(texts.get(key)!) !== expected) wrong.push(key);
      }
      expect(wrong).toEqual([]);
    });
  });
});

describe("plural keys per language", () => {
  const dutch = new Map([["pin.wrong_one", "nog {{count}} keer"], ["pin.wrong_other", "nog {{count}} keer"], ["title", "Tegoed"]]);

  it("asks Arabic for six forms, Polish and Ukrainian for four, Dutch and Turkish for two", () => {
    expect(new Set(expectedKeys(dutch, "ar").plural.get("pin.wrong"))).toEqual(
      new Set(["zero", "one", "two", "few", "many", "other"].map((form) => `pin.wrong_${form}`)));
    for (const language of ["pl", "uk"]) expect(expectedKeys(dutch, language).plural.get("pin.wrong")).toHaveLength(4);
    for (const language of ["nl", "tr", "en"]) expect(expectedKeys(dutch, language).plural.get("pin.wrong")).toEqual(["pin.wrong_one", "pin.wrong_other"]);
    expect(expectedKeys(dutch, "ar").plain).toEqual(["title"]);
  });
});
