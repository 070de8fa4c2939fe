import { describe, expect, it } from "vitest";
import { checkIban, printIban } from "../src/lib/iban.ts";

describe("checkIban", () => {
  it("accepts valid IBANs typed with or without spaces, any case", () => {
    expect(checkIban("NL91 ABNA 0417 1643 00")).toBe("valid");
    expect(checkIban("nl91abna0417164300")).toBe("valid");
    expect(checkIban("BE68 5390 0754 7034")).toBe("valid");
    expect(checkIban("DE89 3704 0044 0532 0130 00")).toBe("valid");
  });
  it("says incomplete while the shop is still typing", () => {
    expect(checkIban("")).toBe("empty");
    expect(checkIban("NL91 ABNA")).toBe("incomplete");
  });
  it("refuses a wrong check digit, a wrong length and odd characters", () => {
    expect(checkIban("NL92 ABNA 0417 1643 00")).toBe("invalid");
    expect(checkIban("NL91 ABNA 0417 1643 001")).toBe("invalid");
    expect(checkIban("NL91 AB!A 0417 1643 00")).toBe("invalid");
  });
  it("prints in groups of four", () => {
    expect(printIban("nl91abna0417164300")).toBe("NL91 ABNA 0417 1643 00");
  });
});
