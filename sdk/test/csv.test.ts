import { describe, expect, it } from "vitest";
import { readCsv, toCsv } from "../src/csv.ts";

describe("toCsv", () => {
  it("writes a BOM, CRLF lines, quotes where needed, and a leading ' before = + - @ tab and CR in text", () => {
    const text = toCsv(["name", "cents"], [["=cmd|' /C calc'!A0", -5], ["De Bal, sport", null], ["@SUM(1)", 0], ["\tx", "-1"]]);
    expect(text).toBe(
      "\uFEFFname,cents\r\n" + `"'=cmd|' /C calc'!A0",-5\r\n` + `"De Bal, sport",\r\n` + `"'@SUM(1)",0\r\n` + `"'\tx","'-1"\r\n`,
    );
  });

  it("reads back what it wrote", () => {
    const rows = [["Anna \"Ans\" de Vries", "Hoofdstraat 1\nZuidhorn"]];
    expect(readCsv(toCsv(["a", "b"], rows)).records).toEqual([{ a: rows[0]![0], b: rows[0]![1] }]);
  });
});

describe("readCsv", () => {
  it("guesses the delimiter, trims and lower-cases the header, skips blank lines, and reports rows of the wrong width", () => {
    const table = readCsv("\uFEFF Family_Ref ;City\r\nF1;Zuidhorn\r\n\r\n;\r\nF2;Grootegast;extra\r\nF3\r\n");
    expect(table.fields).toEqual(["family_ref", "city"]);
    expect(table.records.map((r) => r.family_ref)).toEqual(["F1", "F2", "F3"]);
    expect([...table.mismatched.entries()].map(([i, m]) => [i, m.expected, m.found])).toEqual([[1, 2, 3], [2, 2, 1]]);
    expect(table.unreadable).toBeUndefined();
  });

  it("calls a file with an unclosed quote unreadable", () => {
    expect(readCsv('a,b\r\n"x,y\r\n').unreadable).toBeDefined();
  });
});
