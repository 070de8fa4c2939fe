// Families apply for a fund (/api/apply/… public: the open funds and the pre-check; /api/applicant/…
// with the applicant's session), and validators review (/api/funds/:id/applications, /api/applications/…).
import { z } from "zod";
import {
  ActivateApplicantRequestSchema, ApplicationDocumentSchema, ApplicationDraftRequestSchema, ApplicationMessageRequestSchema,
  ApplicationParamsSchema, ApplicationQueueQuerySchema, ApplicationQueueSchema, ApplicationReviewSchema, ApplicationSettingsSchema,
  ApplicationUpdateRequestSchema, DeclineApplicationRequestSchema, DocumentUploadRequestSchema, FamilySessionSchema,
  FundApplicationListSchema, FundApplicationSchema, FundParamsSchema, OpenFundListSchema, PrecheckRequestSchema, PrecheckResultSchema,
  SubmitApplicationRequestSchema, ApplicationBsnSchema, type ApplicationReview, type FundApplication,
} from "@tegoed/sdk";
import type { SessionService } from "../domain/auth/index.ts";
import type { ApplicantDeps } from "../domain/applicants/index.ts";
import {
  activateFromApplication, applicationDocument, applicationQueue, applicationSettings, approveApplication, askQuestion, canActivate,
  createApplication, declineApplication, myApplication, myApplications, openFunds, precheck, removeDocument, replyToQuestion,
  reviewApplication, revealBsn, saveApplicationSettings, submitApplication, updateApplication, uploadDocument,
  type ApplicationDeps, type ApplicationRecord, type Review,
} from "../domain/applications/index.ts";
import { getFund } from "../domain/funds/funds.service.ts";
import { applicantGuard, BSN_COOKIE } from "./applicant.routes.ts";
import { parseCookies, type Auth } from "./auth.ts";
import type { Api } from "./validate.ts";

export interface ApplicationRouteDeps {
  applications: ApplicationDeps;
  applicants: Pick<ApplicantDeps, "db">;
  sessions: SessionService;
  auth: Auth;
}

/** POST /api/applicant/applications/:id/documents: a document travels base64 in JSON, up to 5 MB. */
export const DOCUMENT_UPLOAD_PATH = /^\/api\/applicant\/applications\/[^/]+\/documents$/;

export function registerApplicationRoutes(api: Api, { applications: deps, applicants, sessions, auth }: ApplicationRouteDeps): void {
  const tags = ["applications"];
  const applicant = applicantGuard(auth, applicants);
  const me = (req: Parameters<typeof applicant.userOf>[0]) => applicant.userOf(req).id;
  const fundNames = new Map<string, string>();
  const fundName = async (fundId: string) => {
    if (!fundNames.has(fundId)) fundNames.set(fundId, (await getFund(deps, fundId)).name);
    return fundNames.get(fundId)!;
  };

  const toWire = async (a: ApplicationRecord): Promise<FundApplication> => ({
    id: a.id, fundId: a.fundId, fundName: await fundName(a.fundId),
    // The family sees a waiting second approval as submitted: it is nothing it can act on.
    status: a.status === "awaiting_second" ? "submitted" : a.status,
    household: a.household, children: a.children, answers: a.answers,
    documents: a.documents.map((d) => ({ ...d, uploadedAt: d.uploadedAt.toISOString() })),
    messages: a.messages.map((m) => ({ id: m.id, author: m.author, body: m.body, at: m.at.toISOString() })),
    declineReason: a.declineReason, submittedAt: a.submittedAt?.toISOString() ?? null, decidedAt: a.decidedAt?.toISOString() ?? null,
    canActivate: await canActivate(deps, a),
  });
  const toReview = async (r: Review): Promise<ApplicationReview> => ({
    ...(await toWire(r.application)),
    status: r.application.status,
    criteria: r.application.snapshot?.criteria ?? [], requestedDocuments: r.application.snapshot?.documents ?? [],
    results: r.results, knownFamilyId: r.knownFamilyId, familyId: r.application.familyId, fourEyes: r.fourEyes,
    firstApprovedBy: r.application.firstApprovedBy, hasBsn: r.application.hasBsn,
  });

  // --- public
  api.route(
    { method: "get", path: "/api/apply/funds", operationId: "openFunds", summary: "Funds open for applications, with their criteria and documents", tags, response: OpenFundListSchema },
    async () => ({ funds: await openFunds(deps) }),
  );
  api.route(
    {
      method: "post", path: "/api/apply/funds/:id/precheck", operationId: "precheckApplication",
      summary: "Whether applying makes sense: the answers against the fund's criteria (nothing is stored)", tags,
      params: FundParamsSchema, body: PrecheckRequestSchema, response: PrecheckResultSchema, errors: ["NOT_FOUND", "APPLICATIONS_CLOSED"],
    },
    async ({ params, body }) => precheck(deps, params.id, body),
  );

  // --- the applicant
  api.route(
    { method: "get", path: "/api/applicant/applications", operationId: "myApplications", summary: "The applicant's applications with their status and messages", tags, guard: applicant, response: FundApplicationListSchema },
    async ({ req }) => ({ applications: await Promise.all((await myApplications(deps, me(req))).map(toWire)) }),
  );
  api.route(
    {
      method: "post", path: "/api/applicant/applications", operationId: "createApplication", summary: "Start an application (a draft)", tags, guard: applicant,
      body: ApplicationDraftRequestSchema, response: FundApplicationSchema, status: 201, errors: ["NOT_FOUND", "APPLICATIONS_CLOSED", "CONFLICT"],
    },
    async ({ req, body }) => toWire(await createApplication(deps, me(req), body)),
  );
  api.route(
    { method: "get", path: "/api/applicant/applications/:id", operationId: "myApplication", summary: "One application of the applicant", tags, guard: applicant, params: ApplicationParamsSchema, response: FundApplicationSchema, errors: ["NOT_FOUND"] },
    async ({ req, params }) => toWire(await myApplication(deps, me(req), params.id)),
  );
  api.route(
    {
      method: "put", path: "/api/applicant/applications/:id", operationId: "updateApplication", summary: "Change a draft's household, children and answers", tags, guard: applicant,
      params: ApplicationParamsSchema, body: ApplicationUpdateRequestSchema, response: FundApplicationSchema, errors: ["NOT_FOUND", "APPLICATION_NOT_EDITABLE"],
    },
    async ({ req, params, body }) => toWire(await updateApplication(deps, me(req), params.id, body)),
  );
  api.route(
    {
      method: "post", path: "/api/applicant/applications/:id/documents", operationId: "uploadApplicationDocument",
      summary: "Add a document the fund asks for (PDF, JPEG or PNG, at most 5 MB; the type is read from the content)", tags, guard: applicant,
      params: ApplicationParamsSchema, body: DocumentUploadRequestSchema, response: ApplicationDocumentSchema, status: 201,
      errors: ["NOT_FOUND", "APPLICATION_NOT_EDITABLE", "DOCUMENT_TYPE_REFUSED", "DOCUMENT_TOO_LARGE"],
    },
    async ({ req, params, body }) => {
      const d = await uploadDocument(deps, me(req), params.id, body);
      return { ...d, uploadedAt: d.uploadedAt.toISOString() };
    },
  );
  api.route(
    {
      method: "delete", path: "/api/applicant/applications/:id/documents/:documentId", operationId: "removeApplicationDocument", summary: "Remove a document from a draft", tags, guard: applicant,
      params: z.object({ id: z.uuid(), documentId: z.uuid() }), errors: ["NOT_FOUND", "APPLICATION_NOT_EDITABLE"],
    },
    async ({ req, params }) => removeDocument(deps, me(req), params.id, params.documentId),
  );
  api.route(
    {
      method: "post", path: "/api/applicant/applications/:id/submit", operationId: "submitApplication", summary: "Submit the application with the family's consent", tags, guard: applicant,
      params: ApplicationParamsSchema, body: SubmitApplicationRequestSchema, response: FundApplicationSchema,
      errors: ["NOT_FOUND", "APPLICATION_NOT_EDITABLE", "APPLICATION_INCOMPLETE", "APPLICATION_DUPLICATE_CHILD", "APPLICATIONS_CLOSED", "BSN_REQUIRED"],
    },
    async ({ req, params }) => toWire(await submitApplication(deps, me(req), params.id, { loginBsn: parseCookies(req.headers.cookie).get(BSN_COOKIE) })),
  );
  api.route(
    {
      method: "post", path: "/api/applicant/applications/:id/replies", operationId: "replyToApplicationQuestion", summary: "Answer the validator's question", tags, guard: applicant,
      params: ApplicationParamsSchema, body: ApplicationMessageRequestSchema, response: FundApplicationSchema, errors: ["NOT_FOUND", "APPLICATION_NOT_EDITABLE"],
    },
    async ({ req, params, body }) => toWire(await replyToQuestion(deps, me(req), params.id, body.body)),
  );
  api.route(
    {
      method: "post", path: "/api/applicant/applications/:id/activation", operationId: "activateFromApplication",
      summary: "Right after approval: bind the phone's key to the family's budgets and start the family's session", tags, guard: applicant,
      params: ApplicationParamsSchema, body: ActivateApplicantRequestSchema, response: FamilySessionSchema,
      errors: ["NOT_FOUND", "APPLICATION_NOT_EDITABLE", "BUDGETS_NOT_ISSUED", "BUDGET_ALREADY_ACTIVATED", "CHAIN_UNAVAILABLE", "CHAIN_TIMEOUT"],
    },
    async ({ req, res, params, body }) => {
      const result = await activateFromApplication(deps, me(req), params.id, body.holderAddress);
      await sessions.end(auth.tokenOf(req)!);
      const session = await sessions.start("family", result.familyId);
      auth.setSessionCookie(res, session);
      return { ...result, csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() };
    },
  );

  // --- staff
  const reader = auth.requireStaffTo("applications.view");
  const validator = auth.requireStaffTo("applications.review");
  const actorOf = (req: Parameters<typeof auth.staffOf>[0]) => auth.staffOf(req).id;

  api.route(
    { method: "get", path: "/api/funds/:id/application-settings", operationId: "applicationSettings", summary: "A fund's criteria, documents, retention and four-eyes", tags, guard: reader, params: FundParamsSchema, response: ApplicationSettingsSchema, errors: ["NOT_FOUND"] },
    async ({ params }) => applicationSettings(deps, params.id),
  );
  api.route(
    {
      method: "put", path: "/api/funds/:id/application-settings", operationId: "saveApplicationSettings", summary: "Set a fund's criteria, documents, retention and four-eyes; open or close it",
      tags, guard: auth.requireStaffTo("applications.configure"), params: FundParamsSchema, body: ApplicationSettingsSchema, response: ApplicationSettingsSchema, errors: ["NOT_FOUND"],
    },
    async ({ req, params, body }) => saveApplicationSettings(deps, { actorId: actorOf(req), fundId: params.id, settings: body }),
  );
  api.route(
    {
      method: "get", path: "/api/funds/:id/applications", operationId: "applicationQueue", summary: "The fund's applications, oldest submitted first (drafts are not shown)", tags, guard: reader,
      params: FundParamsSchema, query: ApplicationQueueQuerySchema, response: ApplicationQueueSchema, errors: ["NOT_FOUND"],
    },
    async ({ params, query }) => {
      const { items, total } = await applicationQueue(deps, params.id, query);
      return {
        total,
        applications: items.map(({ application: a, failing }) => ({
          id: a.id, status: a.status, parentName: a.household.parentName, children: a.children.length,
          submittedAt: a.submittedAt?.toISOString() ?? null, failingCriteria: failing, openQuestion: a.status === "questions",
        })),
      };
    },
  );
  api.route(
    { method: "get", path: "/api/applications/:id", operationId: "reviewApplication", summary: "An application with its answers judged against the criteria", tags, guard: reader, params: ApplicationParamsSchema, response: ApplicationReviewSchema, errors: ["NOT_FOUND"] },
    async ({ params }) => toReview(await reviewApplication(deps, params.id)),
  );
  api.route(
    {
      method: "get", path: "/api/applications/:id/documents/:documentId", operationId: "applicationDocument",
      summary: "A document of the application, to show inline (its content type as read from its bytes)", tags, guard: auth.requireStaffTo("applications.review"),
      params: z.object({ id: z.uuid(), documentId: z.uuid() }), errors: ["NOT_FOUND"],
    },
    async ({ params, res }) => {
      const doc = await applicationDocument(deps, params.id, params.documentId);
      // Shown in the staff app's frame, never run: no scripts, nothing else loaded.
      res.set({
        "Content-Type": doc.contentType, "Content-Disposition": "inline", "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; object-src 'self'",
        "X-Frame-Options": "SAMEORIGIN", "Cache-Control": "no-store",
      });
      res.status(200).end(Buffer.from(doc.content));
    },
  );
  api.route(
    {
      method: "post", path: "/api/applications/:id/questions", operationId: "askApplicationQuestion", summary: "Ask the family a question (the application waits for the answer)", tags, guard: validator,
      params: ApplicationParamsSchema, body: ApplicationMessageRequestSchema, response: ApplicationReviewSchema, errors: ["NOT_FOUND", "APPLICATION_NOT_EDITABLE"],
    },
    async ({ req, params, body }) => toReview(await askQuestion(deps, { actorId: actorOf(req), id: params.id, body: body.body })),
  );
  api.route(
    {
      method: "post", path: "/api/applications/:id/approve", operationId: "approveApplication",
      summary: "Approve: the family is created (or the known family gets the children) and the budgets are issued on chain",
      description: "With four-eyes, the first approval waits for a second validator. Approving an approved application retries the issuing.",
      tags, guard: validator, params: ApplicationParamsSchema, response: ApplicationReviewSchema,
      errors: ["NOT_FOUND", "APPLICATION_NOT_EDITABLE", "SECOND_APPROVER_REQUIRED", "RESERVE_INSUFFICIENT", "CHAIN_UNAVAILABLE", "CHAIN_TIMEOUT"],
    },
    async ({ req, params }) => toReview(await approveApplication(deps, { actorId: actorOf(req), id: params.id })),
  );
  api.route(
    {
      method: "post", path: "/api/applications/:id/bsn", operationId: "applicationBsn",
      summary: "Show the applicant's BSN (validators only; each look is in the audit log)", tags, guard: auth.requireStaffTo("applications.bsn"),
      params: ApplicationParamsSchema, response: ApplicationBsnSchema, errors: ["NOT_FOUND"],
    },
    async ({ req, res, params }) => {
      res.set("Cache-Control", "no-store");
      return { bsn: await revealBsn(deps, { actorId: actorOf(req), id: params.id }) };
    },
  );
  api.route(
    {
      method: "post", path: "/api/applications/:id/decline", operationId: "declineApplication", summary: "Decline with a reason the family sees", tags, guard: validator,
      params: ApplicationParamsSchema, body: DeclineApplicationRequestSchema, response: ApplicationReviewSchema, errors: ["NOT_FOUND", "APPLICATION_NOT_EDITABLE"],
    },
    async ({ req, params, body }) => toReview(await declineApplication(deps, { actorId: actorOf(req), id: params.id, reason: body.reason })),
  );
}
