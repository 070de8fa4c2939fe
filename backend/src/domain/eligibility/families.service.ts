// Eligible families: import them with their children from a municipality's CSV file (validated row by
// row), add one by hand, approve them. Personal data stays in Postgres; nothing of it reaches the chain
// or the audit log (which records ids and counts only).
import { z } from "zod";
import { readCsv } from "@tegoed/sdk/csv";
import { DomainError, FAMILY_LANGUAGES, familyLanguageOf, type RejectionCode } from "@tegoed/sdk";
import { auditLogRepository } from "../../db/audit-log.repository.ts";
import { familiesRepository, type Family } from "../../db/families.repository.ts";
import { inTransaction } from "../../db/transaction.ts";
import { getFund, parseInput } from "../funds/funds.service.ts";
import type { EligibilityDeps } from "./deps.ts";
import { eligibilityRepository, type FamilyOverview, type FamilyToInsert } from "./eligibility.repository.ts";

/** The columns an import file must have (header names, case-insensitive). */
export const IMPORT_COLUMNS = [
  "family_ref", "parent_name", "address_line1", "postal_code", "city", "child_first_name", "child_birth_year",
] as const;
/** Optional: `language` (or `taal`) empty or absent is Dutch. */
export const OPTIONAL_IMPORT_COLUMNS = ["address_line2", "language"] as const;
export const LANGUAGE_COLUMN_ALIASES = ["taal"];
/** More rows than this is refused as a whole (split the file). */
export const MAX_IMPORT_ROWS = 50_000;

export type ImportMode = "all-or-nothing" | "valid-rows";

export interface RejectedRow {
  /** The row's number as a spreadsheet shows it: the header is row 1, the first family row 2. */
  row: number;
  /** The column at fault. */
  field: string;
  reason: string;
  code: RejectionCode;
  params?: Record<string, string | number>;
}

export interface ImportReport {
  /** Whether anything was written (false: all-or-nothing with a rejected row, or nothing valid). */
  committed: boolean;
  /** Rows (children) imported. */
  accepted: number;
  /** Families imported. */
  families: number;
  rejected: RejectedRow[];
}

const text = (max: number) => z.string().trim().min(1, "is empty").max(max, `is longer than ${max} characters`);

function rowSchema(currentYear: number) {
  return z.object({
    family_ref: text(64),
    parent_name: text(200),
    address_line1: text(200),
    address_line2: z.string().trim().max(200, "is longer than 200 characters").optional().default(""),
    postal_code: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[1-9][0-9]{3} ?[A-Z]{2}$/, "is not a Dutch postal code (1234 AB)")
      .transform((s) => `${s.slice(0, 4)} ${s.slice(-2)}`),
    city: text(100),
    language: z
      .string()
      .default("")
      .transform((s) => (s.trim() === "" ? "nl" : s))
      .transform((s) => familyLanguageOf(s) ?? s)
      .pipe(z.enum(FAMILY_LANGUAGES, { error: `must be one of ${FAMILY_LANGUAGES.join(", ")} (or the language's name)` })),
    child_first_name: text(100),
    child_birth_year: z
      .string()
      .trim()
      .regex(/^\d{4}$/, "is not a year")
      .transform(Number)
      .pipe(z.number().int().min(currentYear - 18, `is before ${currentYear - 18}`).max(currentYear, `is after ${currentYear}`)),
  });
}

type ValidRow = z.output<ReturnType<typeof rowSchema>>;
const FAMILY_FIELDS = ["parent_name", "address_line1", "address_line2", "postal_code", "city", "language"] as const;

export const ImportCommand = z.object({
  actorId: z.string().min(1),
  fundId: z.string(),
  csv: z.string(),
  mode: z.enum(["all-or-nothing", "valid-rows"]).default("all-or-nothing"),
});
export type ImportCommand = z.input<typeof ImportCommand>;

/**
 * Imports families and children from CSV text, one row per child; rows with the same `family_ref`
 * form one family and must agree on its name, address and language. A family is imported whole or
 * not at all. In "all-or-nothing" mode one rejected row stops the whole import; in "valid-rows" mode
 * the valid families are imported and the report lists the rest. A file that cannot be read as CSV
 * with the expected columns is refused as a whole: CSV_UNREADABLE.
 */
export async function importFamilies(deps: EligibilityDeps, input: ImportCommand): Promise<ImportReport> {
  const cmd = parseInput(ImportCommand, input);
  const fund = await getFund(deps, cmd.fundId);
  const { rows, rejected } = parseCsv(cmd.csv, deps.clock().getUTCFullYear());

  // Group by family, check the rows of one family agree, and that the family is new.
  const byRef = new Map<string, { row: number; data: ValidRow }[]>();
  for (const entry of rows) {
    const group = byRef.get(entry.data.family_ref) ?? [];
    group.push(entry);
    byRef.set(entry.data.family_ref, group);
  }
  const existing = await eligibilityRepository(deps.db).existingRefs(fund.id, [...byRef.keys()]);
  const rejectedRows = new Set(rejected.map((r) => r.row));
  const refOfRejected = new Map<number, string>();
  for (const r of rejected) if (r.familyRef) refOfRejected.set(r.row, r.familyRef);
  const familiesWithRejects = new Map<string, number>();
  for (const [row, ref] of refOfRejected) if (!familiesWithRejects.has(ref)) familiesWithRejects.set(ref, row);

  const families: FamilyToInsert[] = [];
  let accepted = 0;
  for (const [ref, group] of byRef) {
    const first = group[0]!;
    const groupRejects: RejectedRow[] = [];
    if (existing.has(ref)) {
      for (const { row } of group) groupRejects.push({ row, field: "family_ref", reason: "this family was imported before", code: "importedBefore" });
    } else {
      const seenChildren = new Map<string, number>();
      for (const { row, data } of group) {
        const differing = FAMILY_FIELDS.find((f) => data[f] !== first.data[f]);
        if (differing) {
          groupRejects.push({ row, field: differing, reason: `differs from row ${first.row} of the same family`, code: "differs", params: { first: first.row } });
          continue;
        }
        const childKey = `${data.child_first_name.toLowerCase()}|${data.child_birth_year}`;
        const twin = seenChildren.get(childKey);
        if (twin !== undefined) {
          groupRejects.push({ row, field: "child_first_name", reason: `the same child is on row ${twin}`, code: "sameChild", params: { other: twin } });
          continue;
        }
        seenChildren.set(childKey, row);
      }
    }
    const badRow = familiesWithRejects.get(ref) ?? groupRejects[0]?.row;
    if (badRow !== undefined) {
      const own = new Set(groupRejects.map((r) => r.row));
      for (const { row } of group) {
        if (!own.has(row) && !rejectedRows.has(row)) {
          groupRejects.push({ row, field: "family_ref", reason: `row ${badRow} of the same family was rejected`, code: "familyRejected", params: { other: badRow } });
        }
      }
      rejected.push(...groupRejects);
      continue;
    }
    accepted += group.length;
    families.push({
      fundId: fund.id,
      externalRef: ref,
      displayName: first.data.parent_name,
      addressLines: [
        first.data.address_line1, first.data.address_line2, `${first.data.postal_code}  ${first.data.city}`,
      ].filter((line) => line !== ""),
      preferredLanguage: first.data.language,
      children: group.map(({ data }) => ({ firstName: data.child_first_name, birthYear: data.child_birth_year })),
    });
  }

  const report: RejectedRow[] = rejected
    .map(({ row, field, reason, code, params }) => ({ row, field, reason, code, ...(params && { params }) }))
    .sort((a, b) => a.row - b.row || a.field.localeCompare(b.field));
  if (families.length === 0 || (cmd.mode === "all-or-nothing" && report.length > 0)) {
    return { committed: false, accepted: 0, families: 0, rejected: report };
  }
  await inTransaction(deps.db, async (trx) => {
    await eligibilityRepository(trx).insertFamilies(families);
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: cmd.actorId, action: "eligibility.import", subjectType: "fund", subjectId: fund.id,
      details: { mode: cmd.mode, families: families.length, children: accepted, rejectedRows: report.length },
    });
  });
  return { committed: true, accepted, families: families.length, rejected: report };
}

interface ParsedRows {
  rows: { row: number; data: ValidRow }[];
  rejected: (RejectedRow & { familyRef?: string })[];
}

/** Reads and validates the file; throws CSV_UNREADABLE when it is not CSV with the expected columns. */
function parseCsv(csv: string, currentYear: number): ParsedRows {
  const table = readCsv(csv);
  const alias = LANGUAGE_COLUMN_ALIASES.find((a) => table.fields.includes(a));
  if (alias && !table.fields.includes("language")) {
    for (const record of table.records) record.language = record[alias] ?? "";
  }
  if (table.unreadable) throw new DomainError("CSV_UNREADABLE", undefined, { reason: table.unreadable.reason, row: String(table.unreadable.line) });
  const missing = IMPORT_COLUMNS.filter((c) => !table.fields.includes(c));
  if (missing.length > 0) throw new DomainError("CSV_UNREADABLE", undefined, { missingColumns: missing.join(",") });
  if (table.records.length > MAX_IMPORT_ROWS) {
    throw new DomainError("INVALID_INPUT", `At most ${MAX_IMPORT_ROWS} rows per file.`, { field: "csv", rows: String(table.records.length) });
  }

  const schema = rowSchema(currentYear);
  const out: ParsedRows = { rows: [], rejected: [] };
  table.records.forEach((record, index) => {
    const row = index + 2;
    const familyRef = typeof record.family_ref === "string" && record.family_ref.trim() !== "" ? record.family_ref.trim() : undefined;
    const mismatch = table.mismatched.get(index);
    if (mismatch !== undefined) {
      out.rejected.push({ row, field: "(row)", reason: mismatch.message, code: "columns", params: { expected: mismatch.expected, found: mismatch.found }, ...(familyRef && { familyRef }) });
      return;
    }
    const result = schema.safeParse(record);
    if (result.success) {
      out.rows.push({ row, data: result.data });
      return;
    }
    const seen = new Set<string>();
    for (const issue of result.error.issues) {
      const field = String(issue.path[0] ?? "(row)");
      if (seen.has(field)) continue;
      seen.add(field);
      const reason = issue.code === "invalid_type" ? "is missing" : issue.message;
      out.rejected.push({ row, field, reason, ...rejectionCode(field, issue), ...(familyRef && { familyRef }) });
    }
  });
  return out;
}

/** The code and facts of a row's schema issue (see rowSchema), for the apps' own words. */
function rejectionCode(field: string, issue: z.core.$ZodIssue): Pick<RejectedRow, "code" | "params"> {
  const year = field === "child_birth_year";
  switch (issue.code) {
    case "invalid_type":
      return { code: "empty" };
    case "too_small":
      return year ? { code: "yearBefore", params: { year: Number(issue.minimum) } } : { code: "empty" };
    case "too_big":
      return year ? { code: "yearAfter", params: { year: Number(issue.maximum) } } : { code: "tooLong", params: { max: Number(issue.maximum) } };
    case "invalid_format":
      return { code: field === "postal_code" ? "postalCode" : year ? "notYear" : "invalid" };
    case "invalid_value":
      return { code: field === "language" ? "language" : "invalid" };
    default:
      return { code: "invalid" };
  }
}

export const AddFamilyCommand = z.object({
  actorId: z.string().min(1),
  fundId: z.string(),
  externalRef: z.string().trim().min(1).max(64).optional(),
  displayName: z.string().trim().min(1).max(200),
  addressLines: z.array(z.string().trim().min(1).max(200)).min(1).max(5),
  preferredLanguage: z.enum(FAMILY_LANGUAGES).default("nl"),
  children: z.array(z.object({ firstName: z.string().trim().min(1).max(100), birthYear: z.number().int() })).min(1).max(20),
});
export type AddFamilyCommand = z.input<typeof AddFamilyCommand>;

/** Adds one family with its children, as staff typed it in. */
export async function addFamily(deps: EligibilityDeps, input: AddFamilyCommand): Promise<Family> {
  const cmd = parseInput(AddFamilyCommand, input);
  const year = deps.clock().getUTCFullYear();
  cmd.children.forEach((child, i) => {
    if (child.birthYear < year - 18 || child.birthYear > year) {
      throw new DomainError("INVALID_INPUT", undefined, { field: `children.${i}.birthYear`, reason: `not between ${year - 18} and ${year}` });
    }
  });
  const fund = await getFund(deps, cmd.fundId);
  const familyId = await inTransaction(deps.db, async (trx) => {
    const repo = eligibilityRepository(trx);
    if (cmd.externalRef !== undefined && (await repo.existingRefs(fund.id, [cmd.externalRef])).size > 0) {
      throw new DomainError("CONFLICT", "A family with this reference exists already.", { field: "externalRef" });
    }
    const [id] = await repo.insertFamilies([{
      fundId: fund.id, externalRef: cmd.externalRef ?? null, displayName: cmd.displayName,
      addressLines: cmd.addressLines, preferredLanguage: cmd.preferredLanguage, children: cmd.children,
    }]);
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: cmd.actorId, action: "family.add", subjectType: "family", subjectId: id!,
      details: { fundId: fund.id, children: cmd.children.length },
    });
    return id!;
  });
  return (await familiesRepository(deps.db).findById(familyId))!;
}

export const ApproveCommand = z.object({
  actorId: z.string().min(1),
  fundId: z.string(),
  /** Absent: every family of the fund not yet approved. */
  familyIds: z.array(z.string().uuid()).max(100_000).optional(),
});
export type ApproveCommand = z.input<typeof ApproveCommand>;

/** Approves families of the fund; returns the ids newly approved (approving again changes nothing). */
export async function approveFamilies(deps: EligibilityDeps, input: ApproveCommand): Promise<{ approved: string[] }> {
  const cmd = parseInput(ApproveCommand, input);
  const fund = await getFund(deps, cmd.fundId);
  return inTransaction(deps.db, async (trx) => {
    const approved = await eligibilityRepository(trx).approve(fund.id, cmd.familyIds, deps.clock());
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: cmd.actorId, action: "family.approve", subjectType: "fund", subjectId: fund.id,
      details: { count: approved.length, familyIds: approved },
    });
    return { approved };
  });
}

/** Staff look a family or child up to help or intervene. NOT_FOUND for an unknown fund. */
export async function searchFamilies(
  deps: EligibilityDeps,
  fundId: string,
  query: { q?: string; limit: number; offset: number },
): Promise<{ families: FamilyOverview[]; total: number }> {
  await getFund(deps, fundId);
  return eligibilityRepository(deps.db).searchFamilies(fundId, query.q?.trim() || undefined, query.limit, query.offset);
}
