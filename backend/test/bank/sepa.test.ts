// pain.001.001.03 as the municipality's bank receives it: valid against our XSD (xmllint --schema) for
// 1 and for 10,000 payouts, totals and control sums right, SEPA characters only, bad accounts refused.
import { describe, expect, it } from "vitest";
import { DomainError } from "@tegoed/sdk";
import { buildPain001, euros, sepaText, type Pain001Input, type SepaTransfer } from "../../src/bank/sepa/pain001.ts";
import { xmllint } from "../domain/payouts/support.ts";

const DEBTOR = { name: "Gemeente Westerkwartier", iban: "NL02ABNA0123456789", bic: "ABNANL2A" };
// Valid Dutch test IBANs (mod-97 right).
const IBANS = ["NL91ABNA0417164300", "NL20INGB0001234567", "NL39RABO0300065264", "NL69INGB0123456789"];

function transfer(i: number, cents: bigint): SepaTransfer {
  return {
    endToEndId: `TGD-20261123-${String(i).padStart(10, "0")}`,
    amountCents: cents,
    creditorName: `Winkel ${i}`,
    iban: IBANS[i % IBANS.length]!,
    bic: i % 2 === 0 ? "INGBNL2A" : null,
    remittance: `Tegoed TGD-20261123-${String(i).padStart(10, "0")} periode 2026-11-01 t/m 2026-11-23 Kindpakket 2027`,
  };
}

function input(transfers: SepaTransfer[]): Pain001Input {
  return { messageId: "TGD-RUN-20261123-ABCDEFGHJK", createdAt: new Date("2026-11-23T14:00:00Z"), executionDate: "2026-11-24", initiatingPartyName: "Gemeente Westerkwartier", debtor: DEBTOR, transfers };
}

const all = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}[^>]*>([^<]*)</${tag}>`, "g"))].map((m) => m[1]!);

describe("pain.001.001.03", () => {
  it("one payout: valid against the XSD, with the reference as EndToEndId and in the remittance text", () => {
    const xml = buildPain001(input([transfer(1, 12_50n)]));
    expect(xmllint(xml)).toEqual({ valid: true, output: expect.stringContaining("validates") });
    expect(all(xml, "NbOfTxs")).toEqual(["1", "1"]);
    expect(all(xml, "CtrlSum")).toEqual(["12.50", "12.50"]);
    expect(all(xml, "InstdAmt")).toEqual(["12.50"]);
    expect(all(xml, "EndToEndId")).toEqual(["TGD-20261123-0000000001"]);
    expect(all(xml, "Ustrd")[0]).toContain("TGD-20261123-0000000001 periode 2026-11-01 t/m 2026-11-23");
    expect(all(xml, "ChrgBr")).toEqual(["SLEV"]);
    expect(all(xml, "Cd")).toEqual(["SEPA"]);
  });

  it("10,000 payouts: valid, NbOfTxs 10000 and CtrlSum the exact sum of the amounts", () => {
    const transfers = Array.from({ length: 10_000 }, (_, i) => transfer(i, BigInt(1 + ((i * 7919) % 99_999))));
    const xml = buildPain001(input(transfers));
    const verdict = xmllint(xml);
    expect(verdict.output).toContain("validates");
    expect(verdict.valid).toBe(true);
    const sum = transfers.reduce((s, x) => s + x.amountCents, 0n);
    expect(all(xml, "NbOfTxs")).toEqual(["10000", "10000"]);
    expect(all(xml, "CtrlSum")).toEqual([euros(sum), euros(sum)]);
    // The control sum is the sum of what the file says, in cents, with no float on the way.
    const fromFile = all(xml, "InstdAmt").reduce((s, a) => s + BigInt(a.replace(".", "")), 0n);
    expect(fromFile).toBe(sum);
    expect(new Set(all(xml, "EndToEndId")).size).toBe(10_000);
  });

  it("writes names and texts in SEPA characters only, escaped, within EPC lengths", () => {
    const xml = buildPain001(input([{ ...transfer(2, 1n), creditorName: "Café \"De Bal\" & Zoon <Zuidhorn> ß".repeat(4), remittance: "x".repeat(200) }]));
    expect(xmllint(xml).valid).toBe(true);
    const [name] = all(xml, "Nm").slice(2);
    expect(name).toMatch(/^Cafe De Bal \+ Zoon Zuidhorn ss/);
    expect(name!.length).toBeLessThanOrEqual(70);
    expect(all(xml, "Ustrd")[0]!.length).toBe(140);
    expect(sepaText("Ünïcödé €", 70)).toBe("Unicode");
  });

  it("amounts with two decimals: 1 cent, whole euros, the SEPA maximum", () => {
    const xml = buildPain001(input([transfer(1, 1n), transfer(2, 100n), transfer(3, 999_999_999_99n)]));
    expect(all(xml, "InstdAmt")).toEqual(["0.01", "1.00", "999999999.99"]);
    expect(xmllint(xml).valid).toBe(true);
  });

  describe("refuses before writing", () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as DomainError).code;
      }
      return "none";
    };
    it("a wrong IBAN checksum, a bad BIC, an id over 35 characters, a zero amount, an empty batch", () => {
      expect(code(() => buildPain001(input([{ ...transfer(1, 1n), iban: "NL91ABNA0417164301" }])))).toBe("BANK_ACCOUNT_INVALID");
      expect(code(() => buildPain001(input([{ ...transfer(1, 1n), bic: "ABN" }])))).toBe("BANK_ACCOUNT_INVALID");
      expect(code(() => buildPain001({ ...input([transfer(1, 1n)]), debtor: { ...DEBTOR, iban: "NL00XXXX" } }))).toBe("BANK_ACCOUNT_INVALID");
      expect(code(() => buildPain001(input([{ ...transfer(1, 1n), endToEndId: "X".repeat(36) }])))).toBe("INVALID_INPUT");
      expect(code(() => buildPain001(input([{ ...transfer(1, 1n), endToEndId: "/TGD" }])))).toBe("INVALID_INPUT");
      expect(code(() => buildPain001(input([transfer(1, 0n)])))).toBe("INVALID_INPUT");
      expect(code(() => buildPain001(input([])))).toBe("INVALID_INPUT");
      expect(code(() => buildPain001(input([transfer(1, 5n), transfer(1, 6n)])))).toBe("INVALID_INPUT");
    });
  });

  describe("the XSD itself checks what it claims", () => {
    const good = () => buildPain001(input([transfer(1, 12_50n)]));
    it.each([
      ["elements out of order", (x: string) => x.replace(/(<DbtrAgt>.*<\/DbtrAgt>)\n(\s*<ChrgBr>SLEV<\/ChrgBr>)/, "$2\n$1")],
      ["three decimals", (x: string) => x.replace('Ccy="EUR">12.50<', 'Ccy="EUR">12.500<')],
      ["another charge bearer", (x: string) => x.replace("<ChrgBr>SLEV", "<ChrgBr>SHAR")],
      ["a remittance over 140 characters", (x: string) => x.replace(/<Ustrd>[^<]*</, `<Ustrd>${"a".repeat(141)}<`)],
      ["a non-SEPA character", (x: string) => x.replace(/<Cdtr><Nm>[^<]*</, "<Cdtr><Nm>Winkel &amp; Co<")],
      ["a MsgId over 35 characters", (x: string) => x.replace(/<MsgId>[^<]*</, `<MsgId>${"A".repeat(36)}<`)],
      ["a wrong currency", (x: string) => x.replace('Ccy="EUR"', 'Ccy="USD"')],
      ["a bad BIC", (x: string) => x.replace("<BIC>ABNANL2A<", "<BIC>abnanl2a<")],
    ])("rejects %s", (_name, mutate) => {
      const bad = mutate(good());
      expect(bad).not.toBe(good());
      expect(xmllint(bad).valid).toBe(false);
    });
  });
});
