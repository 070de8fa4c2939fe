import { describe, expect, it } from "vitest";
import nl from "../src/i18n/nl.json" with { type: "json" };
import en from "../src/i18n/en.json" with { type: "json" };
import { ApiError, ERROR_CODE_LIST } from "@tegoed/sdk";
import { errorMessage } from "../src/lib/errors.ts";
import { createI18n, LANGUAGES } from "../src/lib/i18n.ts";

const keys = (value: unknown, prefix = ""): string[] =>
  typeof value === "object" && value !== null
    ? Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
    : [prefix];

describe("translations", () => {
  it("every language file has every key of the Dutch one, and no empty text", () => {
    expect(LANGUAGES).toEqual(["nl", "en"]);
    expect(keys(en).sort()).toEqual(keys(nl).sort());
    for (const file of [nl, en]) for (const key of keys(file)) expect(key.split(".").reduce<any>((o, k) => o[k], file)).not.toBe("");
  });

  it("has the family's own words for every API error code, in every language", () => {
    for (const file of [nl, en]) {
      const errors = (file as { errors: Record<string, string> }).errors;
      expect(ERROR_CODE_LIST.filter((code) => !errors[code])).toEqual([]);
    }
    const { t } = createI18n("nl");
    expect(errorMessage(new ApiError("BUDGET_FROZEN", 422, "This budget is frozen by the municipality."), t, "nl")).toBe(nl.errors.BUDGET_FROZEN);
  });
});
