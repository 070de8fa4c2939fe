import { describe, expect, it } from "vitest";
import { centsToDecimal, formatEuro, parseEuros } from "../src/lib/money.ts";

describe("parseEuros", () => {
  it.each([
    ["12,50", 1250], ["12.50", 1250], ["12,5", 1250], ["12.5", 1250], ["12", 1200], ["0,01", 1], ["€ 3", 300], [" 7,05 ", 705],
    ["0.1", 10], ["999999999,99", 99_999_999_999],
  ])("reads %s as %i cents", (text, cents) => {
    expect(parseEuros(text)).toEqual({ ok: true, cents });
  });

  it.each([
    ["", "empty"], ["1.2.3", "format"], ["1,2,3", "format"], ["12,505", "format"], ["abc", "format"], ["1.234,56", "format"],
    ["-5", "negative"], ["-0,50", "negative"], ["0", "zero"], ["0,00", "zero"], ["1234567890", "tooLarge"],
  ])("refuses %j as %s", (text, problem) => {
    expect(parseEuros(text)).toEqual({ ok: false, problem });
  });

  it("refuses more than the budget can pay, accepts exactly that", () => {
    expect(parseEuros("42,51", 42_50)).toEqual({ ok: false, problem: "overSpendable" });
    expect(parseEuros("42,50", 42_50)).toEqual({ ok: true, cents: 42_50 });
  });

  it("is cents-exact where floats are not (0.1 + 0.2, 1.005)", () => {
    expect(parseEuros("0,29")).toEqual({ ok: true, cents: 29 });
    expect(parseEuros("1.15")).toEqual({ ok: true, cents: 115 });
    expect(parseEuros("4.35")).toEqual({ ok: true, cents: 435 });
  });
});

describe("formatting", () => {
  it("writes Dutch and English euros from integer cents", () => {
    expect(formatEuro(123456, "nl")).toBe("€ 1.234,56");
    expect(formatEuro(123456, "en")).toBe("€1,234.56");
    expect(formatEuro(5, "nl")).toBe("€ 0,05");
    expect(centsToDecimal(1250)).toBe("12.50");
    expect(centsToDecimal(7)).toBe("0.07");
  });
});
