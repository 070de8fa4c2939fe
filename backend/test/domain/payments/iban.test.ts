import { describe, expect, it } from "vitest";
import { isValidIban, normalizeIban } from "../../../src/domain/merchants/iban.ts";

describe("isValidIban (ISO 13616 mod-97)", () => {
  it.each(["NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "nl91abna0417164300", "DE89370400440532013000", "BE68539007547034",
    "GB82WEST12345698765432", "FR1420041010050500013M02606"])("accepts %s", (iban) => {
    expect(isValidIban(iban)).toBe(true);
  });

  it.each([
    ["a wrong check digit", "NL92ABNA0417164300"],
    ["a swapped pair of digits", "NL91ABNA0417163400"],
    ["a wrong length for the country", "NL91ABNA041716430"],
    ["no country code", "9191ABNA0417164300"],
    ["characters outside A-Z0-9", "NL91ABNA04171643_0"],
    ["an empty text", ""],
  ])("refuses %s", (_why, iban) => {
    expect(isValidIban(iban)).toBe(false);
  });

  it("normalizes the printed form to the electronic one", () => {
    expect(normalizeIban(" nl91 abna 0417 1643 00 ")).toBe("NL91ABNA0417164300");
  });
});
