// The import file checked in the browser before anything is sent: the same rules as the backend
// (backend/src/domain/eligibility/families.service.ts), so staff see every rejected row and why at once.
// The backend checks again on import; its report is the one that counts.
import { familyLanguageOf } from "@tegoed/sdk";
import { readCsv } from "@tegoed/sdk/csv";

export const REQUIRED_COLUMNS = [
  "family_ref", "parent_name", "address_line1", "postal_code", "city", "child_first_name", "child_birth_year",
] as const;
/** `language` (or `taal`): a code or the language's name; empty or absent is Dutch. */
export const OPTIONAL_COLUMNS = ["address_line2", "language"] as const;
const FAMILY_FIELDS = ["parent_name", "address_line1", "address_line2", "postal_code", "city", "language"] as const;

/** `reason` is a translation key under eligibility.reasons; `params` fill it in. */
export interface PreviewRejection {
  row: number;
  field: string;
  reason: string;
  params?: Record<string, string | number>;
}

export interface ImportPreview {
  /** The file is not CSV (an unclosed quote…): the backend refuses it whole with CSV_UNREADABLE. */
  unreadable: boolean;
  missingColumns: string[];
  rows: number;
  validRows: number;
  families: number;
  validFamilies: number;
  /** The first rows as read, for a look at the columns. */
  sample: Record<string, string>[];
  rejected: PreviewRejection[];
}

export interface PreviewOptions {
  currentYear: number;
  /** Rows checked between two progress reports (and pauses that keep the page responsive). */
  chunk?: number;
  onProgress?: (done: number, total: number) => void;
  sampleSize?: number;
}

const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function checkRow(record: Record<string, string>, currentYear: number): PreviewRejection[] {
  const out: PreviewRejection[] = [];
  const text = (field: string, max: number) => {
    const value = (record[field] ?? "").trim();
    if (value === "") out.push({ row: 0, field, reason: "empty" });
    else if (value.length > max) out.push({ row: 0, field, reason: "tooLong", params: { max } });
  };
  text("family_ref", 64);
  text("parent_name", 200);
  text("address_line1", 200);
  if ((record.address_line2 ?? "").trim().length > 200) out.push({ row: 0, field: "address_line2", reason: "tooLong", params: { max: 200 } });
  if (!/^[1-9][0-9]{3} ?[A-Z]{2}$/.test((record.postal_code ?? "").trim().toUpperCase())) out.push({ row: 0, field: "postal_code", reason: "postalCode" });
  text("city", 100);
  const language = (record.language ?? "").trim();
  if (language !== "" && !familyLanguageOf(language)) out.push({ row: 0, field: "language", reason: "language" });
  text("child_first_name", 100);
  const year = (record.child_birth_year ?? "").trim();
  if (!/^\d{4}$/.test(year)) out.push({ row: 0, field: "child_birth_year", reason: "notYear" });
  else if (Number(year) < currentYear - 18) out.push({ row: 0, field: "child_birth_year", reason: "yearBefore", params: { year: currentYear - 18 } });
  else if (Number(year) > currentYear) out.push({ row: 0, field: "child_birth_year", reason: "yearAfter", params: { year: currentYear } });
  return out;
}

function normalised(record: Record<string, string>, field: string): string {
  const value = (record[field] ?? "").trim();
  if (field === "postal_code") {
    const upper = value.toUpperCase();
    return `${upper.slice(0, 4)} ${upper.slice(-2)}`;
  }
  if (field === "language") return familyLanguageOf(value) ?? (value.toLowerCase() || "nl");
  return value;
}

export async function previewImport(csv: string, options: PreviewOptions): Promise<ImportPreview> {
  const chunk = options.chunk ?? 500;
  const table = readCsv(csv);
  if (table.fields.includes("taal") && !table.fields.includes("language")) {
    for (const record of table.records) record.language = record.taal ?? "";
  }
  const missingColumns = REQUIRED_COLUMNS.filter((c) => !table.fields.includes(c));
  const body = table.records;
  const preview: ImportPreview = { unreadable: table.unreadable !== undefined, missingColumns, rows: body.length, validRows: 0, families: 0, validFamilies: 0, sample: [], rejected: [] };
  if (preview.unreadable || missingColumns.length > 0) return preview;

  const groups = new Map<string, { row: number; record: Record<string, string> }[]>();
  const rejectedRows = new Map<number, PreviewRejection[]>();
  const refOfRow = new Map<number, string>();
  for (let i = 0; i < body.length; i++) {
    const record = body[i]!;
    const row = i + 2; // as a spreadsheet shows it: the header is row 1
    if (preview.sample.length < (options.sampleSize ?? 5)) preview.sample.push(record);
    const ref = (record.family_ref ?? "").trim();
    if (ref) refOfRow.set(row, ref);
    const mismatch = table.mismatched.get(i);
    if (mismatch) {
      rejectedRows.set(row, [{ row, field: "(row)", reason: "columns", params: { expected: mismatch.expected, found: mismatch.found } }]);
    } else {
      const problems = checkRow(record, options.currentYear).map((p) => ({ ...p, row }));
      if (problems.length) rejectedRows.set(row, problems);
    }
    if (ref) {
      const group = groups.get(ref) ?? [];
      group.push({ row, record });
      groups.set(ref, group);
    }
    if ((i + 1) % chunk === 0) {
      options.onProgress?.(i + 1, body.length);
      await pause();
    }
  }

  // One family's rows must agree on the family's fields and not repeat a child; one bad row holds back the family.
  for (const group of groups.values()) {
    const first = group.find((g) => !rejectedRows.has(g.row)) ?? group[0]!;
    const seen = new Map<string, number>();
    for (const { row, record } of group) {
      if (rejectedRows.has(row) || row === first.row) {
        if (row === first.row && !rejectedRows.has(row)) seen.set(`${normalised(record, "child_first_name").toLowerCase()}|${normalised(record, "child_birth_year")}`, row);
        continue;
      }
      const differing = FAMILY_FIELDS.find((f) => normalised(record, f) !== normalised(first.record, f));
      if (differing) {
        rejectedRows.set(row, [{ row, field: differing, reason: "differs", params: { first: first.row } }]);
        continue;
      }
      const key = `${normalised(record, "child_first_name").toLowerCase()}|${normalised(record, "child_birth_year")}`;
      const twin = seen.get(key);
      if (twin !== undefined) rejectedRows.set(row, [{ row, field: "child_first_name", reason: "sameChild", params: { other: twin } }]);
      else seen.set(key, row);
    }
    const bad = group.find((g) => rejectedRows.has(g.row));
    if (bad) {
      for (const { row } of group) {
        if (!rejectedRows.has(row)) rejectedRows.set(row, [{ row, field: "family_ref", reason: "familyRejected", params: { other: bad.row } }]);
      }
    }
  }
  options.onProgress?.(body.length, body.length);

  preview.families = groups.size;
  preview.rejected = [...rejectedRows.values()].flat().sort((a, b) => a.row - b.row || a.field.localeCompare(b.field));
  preview.validRows = body.length - rejectedRows.size;
  preview.validFamilies = [...groups.values()].filter((g) => g.every(({ row }) => !rejectedRows.has(row))).length;
  return preview;
}
