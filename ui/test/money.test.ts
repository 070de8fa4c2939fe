// Money as every app shows and reads it: integer cents in, Intl text out, typed text back to cents.
import { describe, expect, it } from "vitest";
import { centsToDecimal, centsToInput, formatCents, formatNumber, parseAmount, parseEuros } from "../src/money.ts";

/** Intl puts a no-break space in "€ 1.234,56": compare on plain spaces. */
const plain = (text: string) => text.replace(/[\s\u00a0\u202f]/g, " ");

describe("parseAmount", () => {
  it.each([
    ["12,50", 1250], ["12.50", 1250], ["12,5", 1250], ["12.5", 1250], ["12", 1200], ["0,01", 1], ["€ 3", 300], [" 7,05 ", 705],
    ["0.1", 10], ["999999999,99", 99_999_999_999], ["€ 1.234,56", 123456], ["1,234.56", 123456], ["10.000,00", 1_000_000],
    ["12,50 €", 1250], ["1 234,56", 123456],
  ])("reads %s as %i cents", (text, cents) => {
    expect(parseAmount(text)).toEqual({ ok: true, cents });
  });

  it("reads digits and separators as an Arabic keyboard types them", () => {
    expect(parseAmount("١٢٫٥٠")).toEqual({ ok: true, cents: 1250 });
    expect(parseAmount("١٬٢٣٤٫٥٦")).toEqual({ ok: true, cents: 123456 });
  });

  it.each([
    ["", "empty"], ["1.2.3", "format"], ["1,2,3", "format"], ["12,505", "format"], ["12,345", "format"], ["abc", "format"], ["1e3", "format"],
    ["1.23,45.6", "format"], ["-5", "negative"], ["-0,50", "negative"], ["0", "zero"], ["0,00", "zero"], ["1234567890", "tooLarge"],
  ])("refuses %j as %s", (text, problem) => {
    expect(parseAmount(text)).toEqual({ ok: false, problem });
  });

  it("refuses more than the budget can pay, accepts exactly that", () => {
    expect(parseAmount("42,51", 42_50)).toEqual({ ok: false, problem: "overSpendable" });
    expect(parseAmount("42,50", 42_50)).toEqual({ ok: true, cents: 42_50 });
  });

  it("is cents-exact where floats are not (0.1 + 0.2, 1.005)", () => {
    expect(parseAmount("0,29")).toEqual({ ok: true, cents: 29 });
    expect(parseAmount("1.15")).toEqual({ ok: true, cents: 115 });
    expect(parseAmount("4.35")).toEqual({ ok: true, cents: 435 });
  });

  it("parseEuros gives cents (zero included) or null, for forms that check their own limits", () => {
    expect(["12,50", "€ 12.05", "7", "0", "€ 1.234,56"].map(parseEuros)).toEqual([1250, 1205, 700, 0, 123456]);
    expect(["", "abc", "1,2,3", "-5", "12,345"].map(parseEuros)).toEqual([null, null, null, null, null]);
  });
});

describe("formatting", () => {
  it("writes euros from integer cents in each language's locale", () => {
    expect(plain(formatCents(123456, "nl"))).toBe("€ 1.234,56");
    expect(formatCents(123456, "en")).toBe("€1,234.56");
    expect(plain(formatCents(5, "nl"))).toBe("€ 0,05");
    expect(plain(formatCents(-1250, "nl"))).toBe("€ -12,50");
    expect(plain(formatCents(12_345_678, "pl"))).toBe("123 456,78 €"); // Polish groups from five digits on
    expect(plain(formatCents(123456, "uk"))).toBe("1 234,56 €");
    expect(formatCents(123456, "tr")).toBe("€1.234,56");
  });

  it("in Arabic: Latin digits, the € kept, and the amount isolated so it reads in order inside right-to-left text", () => {
    const text = formatCents(123456, "ar");
    expect(text.startsWith("\u2068") && text.endsWith("\u2069")).toBe(true);
    expect(text).toMatch(/1,234\.56/);
    expect(text).toContain("€");
  });

  it("is exact for any safe integer: Intl gets a decimal string, never a float", () => {
    expect(centsToDecimal(9_007_199_254_740_991)).toBe("90071992547409.91");
    expect(formatCents(9_007_199_254_740_991, "en")).toBe("€90,071,992,547,409.91");
    expect(centsToDecimal(1250)).toBe("12.50");
    expect(centsToDecimal(7)).toBe("0.07");
    expect(centsToDecimal(-7)).toBe("-0.07");
  });

  it("puts an amount back in a field as a person would type it, and counts per locale", () => {
    expect(centsToInput(5000, "nl")).toBe("50,00");
    expect(centsToInput(123456, "en")).toBe("1234.56");
    expect(centsToInput(123456, "ar")).toBe("1234.56");
    expect(plain(formatNumber(1234, "nl"))).toBe("1.234");
  });
});
