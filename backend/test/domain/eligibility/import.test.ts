// Importing families from a municipality's CSV file: a row-by-row report, all-or-nothing, 10,000 rows.
import { describe, expect, it } from "vitest";
import { isDomainError } from "@tegoed/sdk";
import { auditLogRepository } from "../../../src/db/audit-log.repository.ts";
import { addFamily, approveFamilies, importFamilies, searchFamilies } from "../../../src/domain/eligibility/families.service.ts";
import { ENGINES, useDatabase } from "../../support/engines.ts";
import { seedFund } from "../../support/fixtures.ts";
import { HEADER, STAFF, csvOf, validRows } from "./support.ts";
import type { EligibilityDeps } from "../../../src/domain/eligibility/deps.ts";

const YEAR = new Date().getUTCFullYear();

/** Rows 2..11 as a spreadsheet numbers them (the header is row 1). */
const MIXED = [
  "family_ref,parent_name,address_line1,postal_code,city,language,child_first_name,child_birth_year",
  `F1,Jan de Vries,Dorpsstraat 1,9801 ab,Zuidhorn,nl,Anna,${YEAR - 7}`, // 2 ok
  `F1,Jan de Vries,Dorpsstraat 1,9801 ab,Zuidhorn,nl,Bram,${YEAR - 9}`, // 3 ok
  `F2,Sara Bakker,Kerkpad 2,12345,Zuidhorn,en,Cas,${YEAR - 4}`, // 4 bad postal code
  `F2,Sara Bakker,Kerkpad 2,12345,Zuidhorn,en,Dewi,${YEAR - 6}`, // 5 same bad postal code
  `F3,Piet Smit,Molenweg 3,9801 CD,Zuidhorn,fy,Eva,${YEAR - 3}`, // 6 bad language
  `F4,Els Mulder,Hoofdweg 4,9801 EF,Zuidhorn,nl,Finn,1990`, // 7 too old
  `F5,,Hoofdweg 5,9801 EF,Zuidhorn,nl,Gijs,${YEAR - 2}`, // 8 no parent name
  `F6,Anna Visser,Brink 6,9801 GH,Zuidhorn,nl,Hugo,${YEAR - 8}`, // 9 ok, but its family…
  `F6,Anna Visser,Brink 6,9801 GH,Grootegast,nl,Ida,${YEAR - 10}`, // 10 …disagrees on the city
  `F7,Kees Jansen,Laan 7`, // 11 too few fields
].join("\n");

const MIXED_REJECTED = [
  { row: 4, field: "postal_code", reason: "is not a Dutch postal code (1234 AB)", code: "postalCode" },
  { row: 5, field: "postal_code", reason: "is not a Dutch postal code (1234 AB)", code: "postalCode" },
  { row: 6, field: "language", reason: "must be one of nl, en, ar, tr, pl, uk, de, fr (or the language's name)", code: "language" },
  { row: 7, field: "child_birth_year", reason: `is before ${YEAR - 18}`, code: "yearBefore", params: { year: YEAR - 18 } },
  { row: 8, field: "parent_name", reason: "is empty", code: "empty" },
  { row: 9, field: "family_ref", reason: "row 10 of the same family was rejected", code: "familyRejected", params: { other: 10 } },
  { row: 10, field: "city", reason: "differs from row 9 of the same family", code: "differs", params: { first: 9 } },
  { row: 11, field: "(row)", reason: "Too few fields: expected 8 fields but parsed 3", code: "columns", params: { expected: 8, found: 3 } },
];

describe.each(ENGINES)("eligibility import on $name", (engine) => {
  const ctx = useDatabase(engine);
  const deps = (): EligibilityDeps => ({ db: ctx.db, clock: () => new Date(), fundClient: () => { throw new Error("no chain here"); } });

  async function familiesOf(fundId: string) {
    return ctx.db.selectFrom("families").selectAll().where("fund_id", "=", fundId).orderBy("external_ref").execute();
  }

  describe("importFamilies, valid rows mode, with good and bad rows", () => {
    it("imports the valid families and reports every rejected row with its field and reason", async () => {
      const fund = await seedFund(ctx.db);
      const report = await importFamilies(deps(), { actorId: STAFF, fundId: fund.id, csv: MIXED, mode: "valid-rows" });
      expect(report).toEqual({ committed: true, accepted: 2, families: 1, rejected: MIXED_REJECTED });

      const families = await familiesOf(fund.id);
      expect(families.map((f) => [f.external_ref, f.display_name, f.address_lines, f.language])).toEqual([
        ["F1", "Jan de Vries", ["Dorpsstraat 1", "9801 AB  Zuidhorn"], "nl"],
      ]);
      const children = await ctx.db.selectFrom("children").select(["first_name", "birth_year"]).where("family_id", "=", families[0]!.id).orderBy("first_name").execute();
      expect(children).toEqual([{ first_name: "Anna", birth_year: YEAR - 7 }, { first_name: "Bram", birth_year: YEAR - 9 }]);
      const [audit] = await auditLogRepository(ctx.db).list({ subjectId: fund.id, action: "eligibility.import" });
      expect(audit).toMatchObject({ actorType: "staff", actorId: STAFF, details: { families: 1, children: 2, rejectedRows: 8 } });
    });

    it("refuses a family imported before, by its reference", async () => {
      const fund = await seedFund(ctx.db);
      await importFamilies(deps(), { actorId: STAFF, fundId: fund.id, csv: MIXED, mode: "valid-rows" });
      const again = await importFamilies(deps(), { actorId: STAFF, fundId: fund.id, csv: MIXED, mode: "valid-rows" });
      expect(again.committed).toBe(false);
      expect(again.rejected.filter((r) => r.row <= 3)).toEqual([
        { row: 2, field: "family_ref", reason: "this family was imported before", code: "importedBefore" },
        { row: 3, field: "family_ref", reason: "this family was imported before", code: "importedBefore" },
      ]);
      expect(await familiesOf(fund.id)).toHaveLength(1);
    });
  });

  describe("importFamilies, all-or-nothing", () => {
    it("imports nothing when one row is rejected, and reports the same rows", async () => {
      const fund = await seedFund(ctx.db);
      const report = await importFamilies(deps(), { actorId: STAFF, fundId: fund.id, csv: MIXED, mode: "all-or-nothing" });
      expect(report).toEqual({ committed: false, accepted: 0, families: 0, rejected: MIXED_REJECTED });
      expect(await familiesOf(fund.id)).toEqual([]);
      expect(await auditLogRepository(ctx.db).list({ subjectId: fund.id })).toEqual([]);
    });

    it("imports everything when every row is valid (semicolons, as Dutch spreadsheets write)", async () => {
      const fund = await seedFund(ctx.db);
      const csv = csvOf(HEADER, validRows(3, 2)).replaceAll(",", ";");
      const report = await importFamilies(deps(), { actorId: STAFF, fundId: fund.id, csv });
      expect(report).toEqual({ committed: true, accepted: 6, families: 3, rejected: [] });
      expect(await familiesOf(fund.id)).toHaveLength(3);
    });
  });

  describe("importFamilies with an unreadable file", () => {
    it.each([
      ["a missing column", "family_ref,parent_name\nF1,Jan\n", { missingColumns: "address_line1,postal_code,city,child_first_name,child_birth_year" }],
      ["an unclosed quote", `${HEADER.join(",")}\nF1,"Jan,Dorpsstraat 1,9801 AB,Zuidhorn,nl,Anna,${YEAR - 3}\n`, {}],
      ["no header at all", "", {}],
    ])("refuses %s with CSV_UNREADABLE and imports nothing", async (_name, csv, details) => {
      const fund = await seedFund(ctx.db);
      const error = await importFamilies(deps(), { actorId: STAFF, fundId: fund.id, csv, mode: "valid-rows" }).catch((e: unknown) => e);
      expect(isDomainError(error, "CSV_UNREADABLE")).toBe(true);
      expect((error as { details: object }).details).toMatchObject(details);
      expect(await familiesOf(fund.id)).toEqual([]);
    });
  });

  describe("importFamilies with 10,000 rows", () => {
    it("imports 5,000 families of two children each, and approves them all", async () => {
      const fund = await seedFund(ctx.db);
      const csv = csvOf(HEADER, validRows(5000, 2));
      const report = await importFamilies(deps(), { actorId: STAFF, fundId: fund.id, csv });
      expect(report).toEqual({ committed: true, accepted: 10_000, families: 5000, rejected: [] });
      const counted = await ctx.db
        .selectFrom("children").innerJoin("families", "families.id", "children.family_id")
        .select((eb) => eb.fn.countAll<string>().as("n")).where("families.fund_id", "=", fund.id).executeTakeFirstOrThrow();
      expect(Number(counted.n)).toBe(10_000);
      const { approved } = await approveFamilies(deps(), { actorId: STAFF, fundId: fund.id });
      expect(approved).toHaveLength(5000);
    });
  });

  describe("addFamily", () => {
    it("adds one family with its children, and refuses a bad birth year", async () => {
      const fund = await seedFund(ctx.db);
      const family = await addFamily(deps(), {
        actorId: STAFF, fundId: fund.id, displayName: "Mila Bos", addressLines: ["Brink 1", "9801 AA  Zuidhorn"],
        preferredLanguage: "en", children: [{ firstName: "Noor", birthYear: YEAR - 6 }],
      });
      expect(family).toMatchObject({ fundId: fund.id, displayName: "Mila Bos", preferredLanguage: "en", children: [{ firstName: "Noor" }] });
      const error = await addFamily(deps(), {
        actorId: STAFF, fundId: fund.id, displayName: "X", addressLines: ["Y"], children: [{ firstName: "Z", birthYear: 1950 }],
      }).catch((e: unknown) => e);
      expect(isDomainError(error, "INVALID_INPUT")).toBe(true);
      expect((error as { details: object }).details).toMatchObject({ field: "children.0.birthYear" });
    });
  });

  describe("searchFamilies", () => {
    const csv = csvOf(HEADER, [
      ["TST-101", "Jan de Vries", "Dorpsstraat 1", "9801 AB", "Zuidhorn", "nl", "Anna", YEAR - 7],
      ["TST-102", "Sara Bakker", "Kerkpad 2", "9801 AB", "Zuidhorn", "nl", "Noor", YEAR - 4],
      ["ABC_1", "Piet 100% Smit", "Molenweg 3", "9801 CD", "Zuidhorn", "nl", "Eva", YEAR - 3],
      ["ABCX1", "Els Mulder", "Hoofdweg 4", "9801 EF", "Zuidhorn", "nl", "Finn", YEAR - 5],
    ]);
    const refs = async (fundId: string, q: string) =>
      (await searchFamilies(deps(), fundId, { q, limit: 50, offset: 0 })).families.map((f) => f.externalRef).sort();

    it("finds families by a part of the reference, the parent's name or a child's name, in any case", async () => {
      const fund = await seedFund(ctx.db);
      await importFamilies(deps(), { actorId: STAFF, fundId: fund.id, csv });
      expect(await refs(fund.id, "TST")).toEqual(["TST-101", "TST-102"]);
      expect(await refs(fund.id, "tst-10")).toEqual(["TST-101", "TST-102"]);
      expect(await refs(fund.id, "102")).toEqual(["TST-102"]);
      expect(await refs(fund.id, "bakker")).toEqual(["TST-102"]);
      expect(await refs(fund.id, " noor ")).toEqual(["TST-102"]);
      expect(await refs(fund.id, "")).toHaveLength(4);
    });

    it("takes % and _ as the characters themselves, not as wildcards, and quotes as text", async () => {
      const fund = await seedFund(ctx.db);
      await importFamilies(deps(), { actorId: STAFF, fundId: fund.id, csv });
      expect(await refs(fund.id, "%")).toEqual(["ABC_1"]);
      expect(await refs(fund.id, "100%")).toEqual(["ABC_1"]);
      expect(await refs(fund.id, "ABC_")).toEqual(["ABC_1"]);
      expect(await refs(fund.id, "_")).toEqual(["ABC_1"]);
      expect(await refs(fund.id, "\\")).toEqual([]);
      expect(await refs(fund.id, "' or '1'='1")).toEqual([]);
    });
  });
});
