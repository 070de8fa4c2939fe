// The criteria judge answers as staff set them; a document's type is read from its bytes.
import { describe, expect, it } from "vitest";
import { CriterionSchema, MAX_DOCUMENT_BYTES, type Criterion } from "@tegoed/sdk";
import { evaluate } from "../../../src/domain/applications/criteria.ts";
import { checkDocument } from "../../../src/domain/applications/documents.ts";
import { HTML_AS_PDF, JPEG_FRAME, PNG_1x1, TRUNCATED_PDF, pdfBytes } from "./fixtures.ts";

const criteria: Criterion[] = [
  { id: "lives-here", kind: "yes-no", label: "Woont u in de gemeente?", expected: true },
  { id: "income", kind: "number", label: "Netto inkomen per maand", max: 2_000, min: 0 },
  { id: "children-age", kind: "date", label: "Geboortedatum kinderen", from: "2009-01-01", to: "2026-12-31", children: true },
  { id: "moved-in", kind: "date", label: "Sinds wanneer woont u hier?", to: "2026-06-30" },
  {
    id: "housing", kind: "choice", label: "Woonsituatie",
    options: [{ value: "rent", label: "Huur" }, { value: "own", label: "Koop" }, { value: "other", label: "Anders" }], accepted: ["rent", "other"],
  },
].map((c) => CriterionSchema.parse(c));

const good = { "lives-here": true, income: 1_850, "moved-in": "2025-03-01", housing: "rent" };

describe("evaluate", () => {
  it("every answer within its criterion and every child born in range: likely", () => {
    const { outcome, results } = evaluate(criteria, good, ["2015-04-02", "2019-11-30"]);
    expect(outcome).toBe("likely");
    expect(results.every((r) => r.passes === true)).toBe(true);
  });

  it.each([
    ["a no where yes is asked", { "lives-here": false }, "lives-here"],
    ["an income over the limit", { income: 2_001 }, "income"],
    ["a number that is not whole", { income: 1_850.5 }, "income"],
    ["a date after the last day", { "moved-in": "2026-07-01" }, "moved-in"],
    ["a choice not accepted", { housing: "own" }, "housing"],
    ["a choice that is not an option", { housing: "castle" }, "housing"],
    ["a yes/no answered with text", { "lives-here": "yes" }, "lives-here"],
  ])("%s fails only that criterion: unlikely", (_name, change, failing) => {
    const { outcome, results } = evaluate(criteria, { ...good, ...change }, ["2015-04-02"]);
    expect(outcome).toBe("unlikely");
    expect(results.filter((r) => r.passes === false).map((r) => r.criterionId)).toEqual([failing]);
  });

  it("a child born before the range fails the children's criterion, even with another child in range", () => {
    const { results } = evaluate(criteria, good, ["2015-04-02", "2008-12-31"]);
    expect(results.find((r) => r.criterionId === "children-age")!.passes).toBe(false);
  });

  it("limits are inclusive: exactly the maximum income and the first allowed date pass", () => {
    expect(evaluate(criteria, { ...good, income: 2_000 }, ["2009-01-01"]).outcome).toBe("likely");
  });

  it("unanswered questions and no children yet: incomplete, those marked null", () => {
    const { outcome, results } = evaluate(criteria, { "lives-here": true }, []);
    expect(outcome).toBe("incomplete");
    expect(results.filter((r) => r.passes === null).map((r) => r.criterionId)).toEqual(["income", "children-age", "moved-in", "housing"]);
  });
});

describe("checkDocument", () => {
  it("reads PDF, PNG and JPEG from their bytes, whatever the name says when it has no known extension", async () => {
    expect(checkDocument(await pdfBytes(), "inkomen.pdf")).toBe("application/pdf");
    expect(checkDocument(PNG_1x1, "scan.PNG")).toBe("image/png");
    expect(checkDocument(JPEG_FRAME, "foto.jpeg")).toBe("image/jpeg");
    expect(checkDocument(JPEG_FRAME, "IMG_2041")).toBe("image/jpeg");
  });

  it.each([
    ["an HTML page named .pdf", HTML_AS_PDF, "inkomen.pdf"],
    ["a PDF start without its end", TRUNCATED_PDF, "inkomen.pdf"],
    ["a PNG named .pdf", PNG_1x1, "inkomen.pdf"],
    ["a PNG cut short (no IEND)", PNG_1x1.subarray(0, 40), "scan.png"],
    ["an empty file", Buffer.alloc(0), "leeg.pdf"],
  ])("refuses %s: DOCUMENT_TYPE_REFUSED", (_name, bytes, name) => {
    expect(() => checkDocument(bytes, name)).toThrow(expect.objectContaining({ code: "DOCUMENT_TYPE_REFUSED" }));
  });

  it("refuses a file one byte over 5 MB: DOCUMENT_TOO_LARGE; exactly 5 MB is fine", () => {
    const atLimit = Buffer.concat([PNG_1x1.subarray(0, 33), Buffer.alloc(MAX_DOCUMENT_BYTES - PNG_1x1.length, 0), PNG_1x1.subarray(33)]);
    expect(atLimit.length).toBe(MAX_DOCUMENT_BYTES);
    expect(checkDocument(atLimit, "groot.png")).toBe("image/png");
    const over = Buffer.concat([atLimit.subarray(0, 33), Buffer.alloc(1), atLimit.subarray(33)]);
    expect(() => checkDocument(over, "groot.png")).toThrow(expect.objectContaining({ code: "DOCUMENT_TOO_LARGE", details: { sizeBytes: String(MAX_DOCUMENT_BYTES + 1), maxBytes: String(MAX_DOCUMENT_BYTES) } }));
  });
});
