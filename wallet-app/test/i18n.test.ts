import { describe, expect, it } from "vitest";
import nl from "../src/i18n/nl.json" with { type: "json" };
import en from "../src/i18n/en.json" with { type: "json" };
import { LANGUAGES } from "../src/lib/i18n.ts";

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
});
