// Key parity across languages is checked for every app in ui/test/key-parity.test.ts; here, what is
// the wallet's own: words for every refusal, and the choice of languages.
import { describe, expect, it } from "vitest";
import { ApiError, ERROR_CODE_LIST } from "@tegoed/sdk";
import { FAMILY_LANGUAGES } from "@tegoed/sdk/languages";
import nl from "../src/i18n/nl.json" with { type: "json" };
import { errorMessage } from "../src/lib/errors.ts";
import { walletLanguages } from "../src/i18n/index.ts";
import { createI18n } from "./fixtures.tsx";

const files = import.meta.glob<{ errors: Record<string, string> }>("../src/i18n/*.json", { eager: true, import: "default" });

describe("the wallet's languages", () => {
  it("offers the family languages that have a file, Dutch first", () => {
    expect(walletLanguages.languages[0]).toBe("nl");
    expect(walletLanguages.languages).toEqual(FAMILY_LANGUAGES.filter((l) => `../src/i18n/${l}.json` in files));
  });

  it("has the family's own words for every API error code, in every language", () => {
    for (const file of Object.values(files)) expect(ERROR_CODE_LIST.filter((code) => !file.errors[code])).toEqual([]);
    const { t } = createI18n("nl");
    expect(errorMessage(new ApiError("BUDGET_FROZEN", 422, "This budget is frozen by the municipality."), t, "nl")).toBe(nl.errors.BUDGET_FROZEN);
  });
});
