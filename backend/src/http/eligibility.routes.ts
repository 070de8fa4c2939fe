// Families and budgets of a fund: CSV import, add one by hand, approve, issue budgets on chain, top up,
// freeze, activation letters, re-issue access for a lost phone, and deleting a family's personal data.
// The route parses with the sdk's schemas, the eligibility services decide.
import {
  IDEMPOTENCY_HEADER,
  FAMILY_LANGUAGES,
  ActivationLetterSchema,
  AddFamilyRequestSchema,
  ApproveFamiliesRequestSchema,
  ApprovedFamiliesSchema,
  BudgetParamsSchema,
  BudgetSchema,
  DeleteFamilyRequestSchema,
  FamilyDeletionSchema,
  FamilyParamsSchema,
  FamilySchema,
  FamilySearchQuerySchema,
  FamilySearchResultSchema,
  FreezeRequestSchema,
  FundLettersSchema,
  FundParamsSchema,
  ImportFamiliesRequestSchema,
  ImportReportSchema,
  IssueReportSchema,
  TopUpReceiptSchema,
  TopUpRequestSchema,
  TopUpSummarySchema,
  centsToWire,
  type ActivationLetter as LetterBody,
  type Budget as BudgetBody,
  type Family as FamilyBody,
  type FamilyOverview as FamilyOverviewBody,
} from "@tegoed/sdk";
import type { Request, Response } from "express";
import { z } from "zod";
import type { Family } from "../db/families.repository.ts";
import {
  addFamily,
  approveFamilies,
  deleteFamilyData,
  freezeBudget,
  importFamilies,
  issueActivationLetter,
  issueActivationLetters,
  newActivationCode,
  renderLetterHtml,
  renderLettersPdf,
  searchFamilies,
  issueBudgets,
  previewTopUp,
  reissueAccess,
  topUp,
  unfreezeBudget,
  type ActivationLetter,
  type BudgetRecord,
  type EligibilityDeps,
  type FamilyOverview,
} from "../domain/eligibility/index.ts";
import { IMPORT_COLUMNS, OPTIONAL_IMPORT_COLUMNS } from "../domain/eligibility/families.service.ts";
import { once } from "../domain/once.ts";
import type { Auth } from "./auth.ts";
import type { Api } from "./validate.ts";

export interface EligibilityRouteDeps {
  eligibility: EligibilityDeps;
  /** The relayer lane whose reserve pays issued budgets. */
  sponsor: string;
  auth: Auth;
}

function toFamilyOverviewBody(f: FamilyOverview): FamilyOverviewBody {
  return {
    id: f.id, fundId: f.fundId, externalRef: f.externalRef, displayName: f.displayName,
    approvedAt: f.approvedAt?.toISOString() ?? null, activatedAt: f.activatedAt?.toISOString() ?? null, createdAt: f.createdAt.toISOString(),
    children: f.children.map((c) => ({
      id: c.id, firstName: c.firstName, birthYear: c.birthYear,
      budget: c.budget && {
        budgetId: c.budget.budgetId, status: c.budget.status, issuedCents: centsToWire(c.budget.issuedCents),
        leftCents: centsToWire(c.budget.leftCents < 0n ? 0n : c.budget.leftCents),
      },
    })),
  };
}

export function toFamilyBody(family: Family): FamilyBody {
  return {
    id: family.id,
    fundId: family.fundId,
    displayName: family.displayName,
    addressLines: family.addressLines,
    preferredLanguage: family.preferredLanguage,
    approvedAt: family.approvedAt?.toISOString() ?? null,
    activatedAt: family.activatedAt?.toISOString() ?? null,
    createdAt: family.createdAt.toISOString(),
    children: family.children.map((c) => ({ id: c.id, firstName: c.firstName, birthYear: c.birthYear })),
  };
}

export function toBudgetBody(budget: BudgetRecord): BudgetBody {
  return {
    budgetId: budget.budgetId,
    fundId: budget.fundId,
    childId: budget.childId,
    issuedCents: centsToWire(budget.issuedCents),
    holderAddress: budget.holderAddress,
    status: budget.status,
  };
}

export function toLetterBody(letter: ActivationLetter): LetterBody {
  const { content: _content, ...rest } = letter;
  return { ...rest, expiresAt: letter.expiresAt.toISOString() };
}

const FORMAT_NOTE =
  "With `Accept: text/html` or `Accept: application/pdf` (and not application/json first), answers the printable " +
  "letter itself in that format, for the browser to show, print or save.";

/** The letters as JSON, or as the page or PDF itself when the client asks for one. */
async function sendLetters(req: Request, res: Response, letters: readonly ActivationLetter[], html: string): Promise<void> {
  const format = req.accepts(["application/json", "text/html", "application/pdf"]);
  if (format === "text/html") {
    res.type("html").set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:").send(html);
  } else if (format === "application/pdf") {
    const pdf = await renderLettersPdf(letters.map((l) => l.content));
    res.type("application/pdf").set("Content-Disposition", 'attachment; filename="activation-letters.pdf"').send(Buffer.from(pdf));
  }
}

const CHAIN_ERRORS = ["CHAIN_UNAVAILABLE", "CHAIN_TIMEOUT", "CHAIN_REVERTED"] as const;

/** `lang`: the letter in this family language instead of the family's own. */
const LetterQuerySchema = z.object({ lang: z.enum(FAMILY_LANGUAGES).optional() });

export function registerEligibilityRoutes(api: Api, { eligibility: deps, sponsor, auth }: EligibilityRouteDeps): void {
  const tags = ["eligibility"];
  const actorOf = (req: Request) => auth.staffOf(req).id;

  api.route(
    {
      method: "post",
      path: "/api/funds/:id/families/import",
      operationId: "importFamilies",
      summary: "Import families and their children from a CSV file's text",
      description:
        `One row per child; columns ${IMPORT_COLUMNS.join(", ")} (and optionally ${OPTIONAL_IMPORT_COLUMNS.join(", ")}); ` +
        "rows with the same family_ref form one family. Every row is checked; the answer lists each rejected row with " +
        "its column and reason. A family is imported whole or not at all; in mode all-or-nothing (the default) one " +
        "rejected row stops the whole import (committed: false).",
      tags,
      guard: auth.requireStaffTo("families.import"),
      params: FundParamsSchema,
      body: ImportFamiliesRequestSchema,
      response: ImportReportSchema,
      errors: ["FUND_UNKNOWN", "CSV_UNREADABLE"],
    },
    async ({ req, params, body }) => importFamilies(deps, { actorId: actorOf(req), fundId: params.id, csv: body.csv, mode: body.mode }),
  );

  api.route(
    {
      method: "get",
      path: "/api/funds/:id/families",
      operationId: "searchFamilies",
      summary: "Find families of a fund by parent's name, child's first name or the municipality's reference",
      description: "For helping a family or intervening (freeze, new access, deletion). Deleted families are not listed.",
      tags,
      guard: auth.requireStaffTo("families.search"),
      params: FundParamsSchema,
      query: FamilySearchQuerySchema,
      response: FamilySearchResultSchema,
      errors: ["FUND_UNKNOWN"],
    },
    async ({ params, query }) => {
      const found = await searchFamilies(deps, params.id, query);
      return { total: found.total, families: found.families.map(toFamilyOverviewBody) };
    },
  );

  api.route(
    {
      method: "post",
      path: "/api/funds/:id/families",
      operationId: "addFamily",
      summary: "Add one family and its children by hand",
      tags,
      guard: auth.requireStaffTo("families.import"),
      params: FundParamsSchema,
      body: AddFamilyRequestSchema,
      response: FamilySchema,
      status: 201,
      errors: ["FUND_UNKNOWN", "CONFLICT"],
    },
    async ({ req, params, body }) => toFamilyBody(await addFamily(deps, { ...body, actorId: actorOf(req), fundId: params.id })),
  );

  api.route(
    {
      method: "post",
      path: "/api/funds/:id/families/approve",
      operationId: "approveFamilies",
      summary: "Approve families of the fund (all not yet approved, or those listed)",
      description: "Answers the ids newly approved; approving again changes nothing.",
      tags,
      guard: auth.requireStaffTo("families.approve"),
      params: FundParamsSchema,
      body: ApproveFamiliesRequestSchema,
      response: ApprovedFamiliesSchema,
      errors: ["FUND_UNKNOWN"],
    },
    async ({ req, params, body }) => approveFamilies(deps, { actorId: actorOf(req), fundId: params.id, familyIds: body.familyIds }),
  );

  api.route(
    {
      method: "post",
      path: "/api/funds/:id/budgets/issue",
      operationId: "issueBudgets",
      summary: "Issue a budget on chain to every approved child of the fund that has none",
      description: "In batches, from the sponsor's reserve; safe to call again after any failure (never issues a child twice).",
      tags,
      guard: auth.requireStaffTo("budgets.issue"),
      params: FundParamsSchema,
      response: IssueReportSchema,
      errors: ["FUND_UNKNOWN", "RESERVE_INSUFFICIENT", ...CHAIN_ERRORS],
    },
    async ({ req, params }) => {
      const report = await issueBudgets(deps, { actorId: actorOf(req), fundId: params.id, sponsor });
      return { ...report, amountPerChildCents: centsToWire(report.amountPerChildCents), totalCents: centsToWire(report.totalCents) };
    },
  );

  api.route(
    {
      method: "post",
      path: "/api/funds/:id/top-ups/preview",
      operationId: "previewTopUp",
      summary: "What a top-up would cost, without doing it",
      tags,
      guard: auth.requireStaffTo("budgets.topUp"),
      params: FundParamsSchema,
      body: TopUpRequestSchema,
      response: TopUpSummarySchema,
      errors: ["FUND_UNKNOWN", "BUDGET_UNKNOWN"],
    },
    async ({ params, body }) => {
      const summary = await previewTopUp(deps, { fundId: params.id, target: body.target, amountCents: BigInt(body.amountCents) });
      return { budgets: summary.budgets, amountCents: centsToWire(summary.amountCents), totalCents: centsToWire(summary.totalCents) };
    },
  );

  api.route(
    {
      method: "post",
      path: "/api/funds/:id/top-ups",
      operationId: "topUp",
      summary: "Top up one child, some children, or every issued budget of the fund",
      description:
        `Send an ${IDEMPOTENCY_HEADER} header (8 to 200 characters, one per intended top-up): a retry with it answers the first ` +
        "receipt and tops up nothing again; when the first attempt's outcome is unknown (CHAIN_TIMEOUT) the retry is 409 CONFLICT, " +
        "never a second top-up. Without the header every request tops up.",
      tags,
      guard: auth.requireStaffTo("budgets.topUp"),
      params: FundParamsSchema,
      body: TopUpRequestSchema,
      response: TopUpReceiptSchema,
      errors: ["FUND_UNKNOWN", "BUDGET_UNKNOWN", "RESERVE_INSUFFICIENT", "AMOUNT_TOO_LARGE", "CONFLICT", ...CHAIN_ERRORS],
    },
    async ({ req, params, body }) =>
      once(deps.db, { scope: `top-up:${params.id}`, key: req.get(IDEMPOTENCY_HEADER), request: body }, async () => {
        const receipt = await topUp(deps, { actorId: actorOf(req), fundId: params.id, target: body.target, amountCents: BigInt(body.amountCents) });
        return { ...receipt, amountCents: centsToWire(receipt.amountCents), totalCents: centsToWire(receipt.totalCents) };
      }),
  );

  for (const frozen of [true, false]) {
    api.route(
      {
        method: "post",
        path: `/api/budgets/:budgetId/${frozen ? "freeze" : "unfreeze"}`,
        operationId: frozen ? "freezeBudget" : "unfreezeBudget",
        summary: frozen ? "Freeze a child's budget: no payment from it until unfrozen" : "Unfreeze a child's budget",
        tags,
        guard: auth.requireStaffTo("budgets.freeze"),
        params: BudgetParamsSchema,
        body: FreezeRequestSchema,
        response: BudgetSchema,
        errors: ["BUDGET_UNKNOWN", frozen ? "BUDGET_FROZEN" : "BUDGET_NOT_FROZEN", ...CHAIN_ERRORS],
      },
      async ({ req, params, body }) => {
        const cmd = { actorId: actorOf(req), budgetId: params.budgetId, reason: body.reason };
        return toBudgetBody(await (frozen ? freezeBudget(deps, cmd) : unfreezeBudget(deps, cmd)));
      },
    );
  }

  api.route(
    {
      method: "post",
      path: "/api/families/:id/letters",
      operationId: "issueActivationLetter",
      summary: "The family's activation letter, with the code it already has (or its first code)",
      description:
        "Opening, printing or downloading a letter again shows the same code: a new code is made only when the family has " +
        "none that still works (none yet, used, or expired): then 201 and `made`. " +
        `LETTER_CODE_UNAVAILABLE when the family's code cannot be shown again: make a new code. ${FORMAT_NOTE}`,
      tags,
      guard: auth.requireStaffTo("letters.issue"),
      params: FamilyParamsSchema,
      query: LetterQuerySchema,
      response: ActivationLetterSchema,
      errors: ["NOT_FOUND", "CONFLICT", "LETTER_CODE_UNAVAILABLE"],
    },
    async ({ req, res, params, query }) => {
      const letter = await issueActivationLetter(deps, { actorId: actorOf(req), familyId: params.id }, { language: query.lang });
      if (letter.made) res.status(201);
      await sendLetters(req, res, [letter], letter.html);
      return toLetterBody(letter);
    },
  );

  api.route(
    {
      method: "post",
      path: "/api/families/:id/letters/new-code",
      operationId: "newActivationCode",
      summary: "A new activation code for the family: the letter already sent stops working",
      description: `The family's earlier code is refused from now on as ACTIVATION_CODE_REPLACED. In the audit log. ${FORMAT_NOTE}`,
      tags,
      guard: auth.requireStaffTo("letters.issue"),
      params: FamilyParamsSchema,
      response: ActivationLetterSchema,
      status: 201,
      errors: ["NOT_FOUND", "CONFLICT"],
    },
    async ({ req, res, params }) => {
      const letter = await newActivationCode(deps, { actorId: actorOf(req), familyId: params.id });
      res.status(201);
      await sendLetters(req, res, [letter], letter.html);
      return toLetterBody(letter);
    },
  );

  api.route(
    {
      method: "post",
      path: "/api/funds/:id/letters",
      operationId: "fundActivationLetters",
      summary: "The letters of every approved family of the fund not yet activated, one family per page",
      description: `Each family's existing code; a code is made only for families without one. ${FORMAT_NOTE}`,
      tags,
      guard: auth.requireStaffTo("letters.issue"),
      params: FundParamsSchema,
      response: FundLettersSchema,
      errors: ["NOT_FOUND"],
    },
    async ({ req, res, params }) => {
      const { letters, unavailable } = await issueActivationLetters(deps, { actorId: actorOf(req), fundId: params.id });
      const html = await renderLetterHtml(letters.map((l) => l.content));
      await sendLetters(req, res, letters, html);
      const bodies = letters.map((letter) => {
        const { html: _page, ...body } = toLetterBody(letter);
        return body;
      });
      return { letters: bodies, unavailable, html };
    },
  );

  api.route(
    {
      method: "post",
      path: "/api/families/:id/reissue",
      operationId: "reissueAccess",
      summary: "Re-issue access for a lost phone: a new code whose activation moves the budgets to the new phone's key",
      description: FORMAT_NOTE,
      tags,
      guard: auth.requireStaffTo("access.reissue"),
      params: FamilyParamsSchema,
      response: ActivationLetterSchema,
      status: 201,
      errors: ["NOT_FOUND", "CONFLICT"],
    },
    async ({ req, res, params }) => {
      const letter = await reissueAccess(deps, { actorId: actorOf(req), familyId: params.id });
      res.status(201);
      await sendLetters(req, res, [letter], letter.html);
      return toLetterBody(letter);
    },
  );

  api.route(
    {
      method: "delete",
      path: "/api/families/:id",
      operationId: "deleteFamilyData",
      summary: "Delete a family's personal data (GDPR)",
      description: "Name, address, children, codes and sessions go; the budgets keep only their anonymous chain id, amounts and payments.",
      tags,
      guard: auth.requireStaffTo("families.delete"),
      params: FamilyParamsSchema,
      body: DeleteFamilyRequestSchema,
      response: FamilyDeletionSchema,
      errors: ["NOT_FOUND"],
    },
    async ({ req, params, body }) => deleteFamilyData(deps, { actorId: actorOf(req), familyId: params.id, reason: body.reason }),
  );
}
