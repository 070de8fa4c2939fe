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
  it("knows every IBAN country's length and account format, not only ten", () => {
    // Poland: 28 characters. Halfway it is still being typed, not wrong.
    expect(checkIban("PL61 1090 1014 0000 0712")).toBe("incomplete");
    expect(checkIban("PL61 1090 1014 0000 0712 1981 2874")).toBe("valid");
    expect(checkIban("MT84 MALT 0110 0001 2345 MTLC AST0 01S")).toBe("valid");
    // Right check digits, but a Dutch account has four letters for the bank: not an IBAN.
    expect(checkIban("NL53 1234 0417 1643 00")).toBe("invalid");
    expect(checkIban("XX12 3456 7890 1234 56")).toBe("invalid");
  });
  it("prints in groups of four", () => {
    expect(printIban("nl91abna0417164300")).toBe("NL91 ABNA 0417 1643 00");
  });
});
