// CSV in and out, one definition for the backend and every app, on papaparse. Exports are for
// spreadsheet programs: a BOM so accents read right, CRLF, and a text starting with = + - @ tab or CR
// gets a leading ' so a spreadsheet shows it instead of running it as a formula (a shop's name comes
// from a public form). Imports are read as the backend reads them, so a preview never disagrees.
import Papa from "papaparse";

export type CsvCell = string | number | null;

/** The CSV text of a table with a header row. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const data = rows.map((row) => row.map((cell) => cell ?? ""));
  return `\uFEFF${Papa.unparse({ fields: [...header], data }, { escapeFormulae: true, newline: "\r\n" })}\r\n`;
}

export interface CsvTable {
  /** The header's column names, trimmed and lower-case. */
  fields: string[];
  /** One record per line after the header, by column name; blank lines skipped. */
  records: Record<string, string>[];
  /** Lines whose number of fields is not the header's: their index in `records`, and what was found. */
  mismatched: Map<number, { expected: number; found: number; message: string }>;
  /** Set when the text is not CSV at all (an unclosed quote; no delimiter in a file of several columns). */
  unreadable?: { reason: string; line: number };
}

/** Reads CSV text with a header row; the delimiter (comma, semicolon or tab) is guessed. */
export function readCsv(text: string): CsvTable {
  const parsed = Papa.parse<Record<string, string | string[]>>(text.replace(/^\uFEFF/, ""), {
    header: true,
    skipEmptyLines: "greedy",
    transformHeader: (h) => h.trim().toLowerCase(),
    delimitersToGuess: [",", ";", "\t"],
  });
  const fields = parsed.meta.fields ?? [];
  const table: CsvTable = { fields, records: [], mismatched: new Map() };
  const fatal = parsed.errors.find((e) => e.type === "Quotes" || e.type === "Delimiter");
  if (fatal && !(fatal.type === "Delimiter" && fields.length > 1)) {
    table.unreadable = { reason: fatal.message, line: (fatal.row ?? 0) + 2 };
  }
  for (const e of parsed.errors) {
    if (e.type !== "FieldMismatch" || e.row === undefined) continue;
    const record = parsed.data[e.row] ?? {};
    const extra = record.__parsed_extra;
    const found = fields.filter((f) => record[f] !== undefined).length + (Array.isArray(extra) ? extra.length : 0);
    table.mismatched.set(e.row, { expected: fields.length, found, message: e.message });
  }
  table.records = parsed.data.map((record) => {
    const clean: Record<string, string> = {};
    for (const f of fields) clean[f] = typeof record[f] === "string" ? record[f] : "";
    return clean;
  });
  return table;
}
