import { describe, expect, it } from "vitest";
import { previewImport } from "../src/features/eligibility/import-preview.ts";

const YEAR = 2026;
const HEADER = "family_ref,parent_name,address_line1,postal_code,city,language,child_first_name,child_birth_year";
const row = (ref: string, child: string, fields: Partial<Record<"postal" | "language" | "year" | "parent", string>> = {}) =>
  `${ref},${fields.parent ?? `Ouder ${ref}`},Dorpsstraat 1,${fields.postal ?? "9801 AA"},Zuidhorn,${fields.language ?? "nl"},${child},${fields.year ?? "2018"}`;

describe("previewImport", () => {
  describe("when every row is valid", () => {
    it("counts rows and families and rejects nothing", async () => {
      const csv = [HEADER, row("F1", "Anna"), row("F1", "Bram"), row("F2", "Cas")].join("\n");
      const preview = await previewImport(csv, { currentYear: YEAR });
      expect(preview).toMatchObject({ missingColumns: [], rows: 3, validRows: 3, families: 2, validFamilies: 2, rejected: [] });
      expect(preview.sample[0]).toMatchObject({ family_ref: "F1", child_first_name: "Anna" });
    });

    it("takes a family language by code or name, in a language or taal column, or none at all", async () => {
      const named = [HEADER.replace(",language,", ",taal,"), row("F1", "Anna", { language: "Türkçe" }), row("F1", "Bram", { language: "tr" }), row("F2", "Cas", { language: "Українська" })];
      expect(await previewImport(named.join("\n"), { currentYear: YEAR })).toMatchObject({ missingColumns: [], validRows: 3, rejected: [] });
      const without = "family_ref,parent_name,address_line1,postal_code,city,child_first_name,child_birth_year\nF1,Ouder,Dorpsstraat 1,9801 AA,Zuidhorn,Anna,2018";
      expect(await previewImport(without, { currentYear: YEAR })).toMatchObject({ missingColumns: [], validRows: 1, rejected: [] });
    });
  });

  describe("when rows are bad", () => {
    it("reports each rejected row with its spreadsheet row number, column and reason, and holds back the rest of its family", async () => {
      const csv = [
        HEADER,
        row("F1", "Anna"), // row 2
        row("F2", "Bram", { postal: "98011 AA" }), // row 3
        row("F3", "Cas", { year: "2027" }), // row 4
        row("F4", "Daan", { language: "fy" }), // row 5
        row("F4", "Eva"), // row 6: its family has a bad row
        row("F5", "Fien"), // row 7
        row("F5", "Fien"), // row 8: the same child twice
        row("F6", "Gijs"), // row 9
        row("F6", "Hanna", { parent: "Iemand anders" }), // row 10: another parent for the same family
        "F7,Ouder,Straat 1,9801 AA", // row 11: too few columns
      ].join("\r\n");
      const preview = await previewImport(csv, { currentYear: YEAR });
      expect(preview.rejected).toEqual([
        { row: 3, field: "postal_code", reason: "postalCode" },
        { row: 4, field: "child_birth_year", reason: "yearAfter", params: { year: 2026 } },
        { row: 5, field: "language", reason: "language" },
        { row: 6, field: "family_ref", reason: "familyRejected", params: { other: 5 } },
        { row: 7, field: "family_ref", reason: "familyRejected", params: { other: 8 } },
        { row: 8, field: "child_first_name", reason: "sameChild", params: { other: 7 } },
        { row: 9, field: "family_ref", reason: "familyRejected", params: { other: 10 } },
        { row: 10, field: "parent_name", reason: "differs", params: { first: 9 } },
        { row: 11, field: "(row)", reason: "columns", params: { expected: 8, found: 4 } },
      ]);
      expect(preview).toMatchObject({ rows: 10, validRows: 1, families: 7, validFamilies: 1 });
    });

    it("names the columns a file lacks and checks no row", async () => {
      const preview = await previewImport("family_ref;parent_name\nF1;Jan\n", { currentYear: YEAR });
      expect(preview.missingColumns).toEqual(["address_line1", "postal_code", "city", "child_first_name", "child_birth_year"]);
      expect(preview.rejected).toEqual([]);
    });

    it("reads quoted fields with commas and quotes, and semicolon files", async () => {
      const csv = `${HEADER.replaceAll(",", ";")}\nF1;"Jansen; ""Jan""";"Dorpsstraat 1, achter";9801AA;Zuidhorn;;Anna;2018\n`;
      const preview = await previewImport(csv, { currentYear: YEAR });
      expect(preview.rejected).toEqual([]);
      expect(preview.sample[0]!.parent_name).toBe('Jansen; "Jan"');
    });
  });

  describe("with a large file (10,000 rows)", () => {
    it("reports progress as it goes and ends at the total", async () => {
      const lines = [HEADER];
      for (let i = 0; i < 10_000; i++) lines.push(row(`F${Math.floor(i / 2)}`, `Kind${i}`));
      const seen: number[] = [];
      const preview = await previewImport(lines.join("\n"), { currentYear: YEAR, onProgress: (done) => seen.push(done) });
      expect(preview).toMatchObject({ rows: 10_000, validRows: 10_000, families: 5_000, rejected: [] });
      expect(seen.length).toBeGreaterThan(10);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(seen.at(-1)).toBe(10_000);
    });
  });

  describe("when the file is not CSV as the backend reads it", () => {
    it("calls a stray quote unreadable, as the backend's CSV_UNREADABLE does, instead of previewing rows it would refuse", async () => {
      const csv = [HEADER, row("F1", "Anna", { parent: '"Jan" de Vries' })].join("\n");
      const preview = await previewImport(csv, { currentYear: YEAR });
      expect(preview.unreadable).toBe(true);
      expect(preview.validRows).toBe(0);
    });
  });
});
