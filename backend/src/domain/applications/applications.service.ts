// The family's side of applying: the open funds and their pre-check, a draft (household, children,
// answers), its documents, the submit with consent, answering staff's questions, and activating the
// wallet in the same app right after approval. Every call names the applicant; an application of
// another applicant is NOT_FOUND, as if it did not exist.
import { createHash } from "node:crypto";
import { getAddress, ZeroAddress } from "ethers";
import {
  ApplicationSettingsSchema, ApplicationDraftRequestSchema, ApplicationUpdateRequestSchema, DocumentUploadRequestSchema, DomainError,
  type Answers, type ApplicationSettings, type ApplicationSettingsInput, type ApplicationDraftRequest, type ApplicationUpdateRequest,
  type DocumentUploadRequest, type OpenFund, type PrecheckResult,
} from "@tegoed/sdk";
import { sql } from "kysely";
import { withApplicationTables } from "../../db/applications-schema.ts";
import { auditLogRepository } from "../../db/audit-log.repository.ts";
import { familiesRepository } from "../../db/families.repository.ts";
import { inTransaction, type Db } from "../../db/transaction.ts";
import type { EligibilityDeps } from "../eligibility/deps.ts";
import { eligibilityRepository } from "../eligibility/eligibility.repository.ts";
import { getFund, parseInput } from "../funds/funds.service.ts";
import { applicationsRepository, type ApplicationRecord, type ApplicationsRepository, type DocumentMeta } from "./applications.repository.ts";
import { evaluate, questionsToAnswer } from "./criteria.ts";
import { checkDocument } from "./documents.ts";
import { knownChildren } from "./matching.ts";
import { loginBsnContext } from "../applicants/applicants.service.ts";
import { openBsn, sealBsn } from "../applicants/bsn.ts";
import { queueApplicationNotice } from "../notifications/notify.ts";

export interface ApplicationDeps extends EligibilityDeps {
  /** The relayer lane whose reserve pays the budgets of approved applications. */
  sponsor: string;
  /** Seals the BSN of applications to funds that need one (BSN_KEY_FILE); absent: such funds refuse submits. */
  bsnKey?: Uint8Array;
}

/** What an application's sealed BSN belongs to. */
export const applicationBsnContext = (applicationId: string) => `application:${applicationId}`;

/** Uploads per requested document. */
export const MAX_FILES_PER_DOCUMENT = 5;
const ACTIVE = new Set(["draft", "submitted", "questions", "awaiting_second"]);

export async function applicationSettings(deps: ApplicationDeps, fundId: string): Promise<ApplicationSettings> {
  const fund = await getFund(deps, fundId);
  return applicationsRepository(deps.db).settings(fund.id);
}

/** Staff set the fund's criteria, documents, retention, four-eyes and whether it is open. */
export async function saveApplicationSettings(
  deps: ApplicationDeps, input: { actorId: string; fundId: string; settings: ApplicationSettingsInput },
): Promise<ApplicationSettings> {
  const settings = parseInput(ApplicationSettingsSchema, input.settings);
  const ids = settings.criteria.map((c) => c.id);
  if (new Set(ids).size !== ids.length) throw new DomainError("INVALID_INPUT", "Two criteria have the same id.", { field: "criteria" });
  const keys = settings.documents.map((d) => d.key);
  if (new Set(keys).size !== keys.length) throw new DomainError("INVALID_INPUT", "Two documents have the same key.", { field: "documents" });
  settings.criteria.forEach((c, i) => {
    if (c.kind === "choice" && c.accepted.some((a) => !c.options.some((o) => o.value === a))) {
      throw new DomainError("INVALID_INPUT", "An accepted choice is not one of the options.", { field: `criteria.${i}.accepted` });
    }
  });
  const fund = await getFund(deps, input.fundId);
  await inTransaction(deps.db, async (trx) => {
    await applicationsRepository(trx).saveSettings(fund.id, settings, deps.clock());
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: input.actorId, action: "applications.settings", subjectType: "fund", subjectId: fund.id,
      details: {
        open: settings.open, fourEyes: settings.fourEyes, retentionDays: settings.retentionDays, criteria: settings.criteria.length,
        documents: settings.documents.length, bsnRequired: settings.bsnRequired,
      },
    });
  });
  return settings;
}

async function openSettings(deps: ApplicationDeps, fundId: string): Promise<ApplicationSettings> {
  const settings = await applicationSettings(deps, fundId);
  if (!settings.open) throw new DomainError("APPLICATIONS_CLOSED", undefined, { fundId });
  return settings;
}

export async function openFunds(deps: ApplicationDeps): Promise<OpenFund[]> {
  const repo = applicationsRepository(deps.db);
  const funds: OpenFund[] = [];
  for (const fundId of await repo.openFundIds()) {
    const fund = await getFund(deps, fundId);
    const s = await repo.settings(fundId);
    funds.push({ fundId, name: fund.name, consentText: s.consentText, criteria: s.criteria, documents: s.documents });
  }
  return funds;
}

/** Says honestly whether applying makes sense, before anything is stored. */
export async function precheck(deps: ApplicationDeps, fundId: string, input: { answers: Answers; childBirthDates: string[] }): Promise<PrecheckResult> {
  const settings = await openSettings(deps, fundId);
  return evaluate(settings.criteria, input.answers, input.childBirthDates);
}

async function ownApplication(deps: ApplicationDeps, applicantId: string, id: string, forUpdate = false): Promise<ApplicationRecord> {
  const application = await applicationsRepository(deps.db).findById(id, { forUpdate });
  if (!application || application.applicantId !== applicantId) throw new DomainError("NOT_FOUND", "This application was not found.", { applicationId: id });
  return application;
}

export async function myApplications(deps: ApplicationDeps, applicantId: string): Promise<ApplicationRecord[]> {
  return applicationsRepository(deps.db).ofApplicant(applicantId);
}

export async function myApplication(deps: ApplicationDeps, applicantId: string, id: string): Promise<ApplicationRecord> {
  return ownApplication(deps, applicantId, id);
}

/** A new draft. CONFLICT when the applicant has an application for this fund under way already. */
export async function createApplication(deps: ApplicationDeps, applicantId: string, input: ApplicationDraftRequest): Promise<ApplicationRecord> {
  const draft = parseInput(ApplicationDraftRequestSchema, input);
  await openSettings(deps, draft.fundId);
  const id = await inTransaction(deps.db, async (trx) => {
    const repo = applicationsRepository(trx);
    const earlier = (await repo.ofApplicant(applicantId)).find((a) => a.fundId === draft.fundId && ACTIVE.has(a.status));
    if (earlier) throw new DomainError("CONFLICT", "You already have an application for this fund.", { applicationId: earlier.id });
    const id = await repo.insert({ fundId: draft.fundId, applicantId, household: draft.household, answers: draft.answers, children: draft.children });
    await auditLogRepository(trx).append({ actorType: "applicant", actorId: applicantId, action: "application.create", subjectType: "application", subjectId: id, details: { fundId: draft.fundId } });
    return id;
  });
  return ownApplication(deps, applicantId, id);
}

/** Changes a draft's household, children and answers. APPLICATION_NOT_EDITABLE once submitted. */
export async function updateApplication(deps: ApplicationDeps, applicantId: string, id: string, input: ApplicationUpdateRequest): Promise<ApplicationRecord> {
  const body = parseInput(ApplicationUpdateRequestSchema, input);
  await inTransaction(deps.db, async (trx) => {
    const application = await ownApplication({ ...deps, db: trx }, applicantId, id, true);
    if (application.status !== "draft") throw new DomainError("APPLICATION_NOT_EDITABLE", undefined, { status: application.status });
    await applicationsRepository(trx).update(id, { fundId: application.fundId, household: body.household, answers: body.answers, children: body.children }, deps.clock());
  });
  return ownApplication(deps, applicantId, id);
}

/**
 * Adds a document asked for by the fund, while a draft or while staff wait for an answer. Its type is
 * read from its content: DOCUMENT_TYPE_REFUSED, DOCUMENT_TOO_LARGE.
 */
export async function uploadDocument(deps: ApplicationDeps, applicantId: string, id: string, input: DocumentUploadRequest): Promise<DocumentMeta> {
  const body = parseInput(DocumentUploadRequestSchema, input);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body.contentBase64)) throw new DomainError("INVALID_INPUT", "The file is not base64.", { field: "contentBase64" });
  const content = Buffer.from(body.contentBase64, "base64");
  const contentType = checkDocument(content, body.fileName);
  return inTransaction(deps.db, async (trx) => {
    const application = await ownApplication({ ...deps, db: trx }, applicantId, id, true);
    if (application.status !== "draft" && application.status !== "questions") throw new DomainError("APPLICATION_NOT_EDITABLE", undefined, { status: application.status });
    const requested = application.snapshot?.documents ?? (await applicationsRepository(trx).settings(application.fundId)).documents;
    if (!requested.some((d) => d.key === body.documentKey)) {
      throw new DomainError("INVALID_INPUT", "The fund does not ask for this document.", { field: "documentKey" });
    }
    if (application.documents.filter((d) => d.documentKey === body.documentKey).length >= MAX_FILES_PER_DOCUMENT) {
      throw new DomainError("INVALID_INPUT", `At most ${MAX_FILES_PER_DOCUMENT} files per document.`, { field: "documentKey" });
    }
    const meta = await applicationsRepository(trx).insertDocument({
      applicationId: id, documentKey: body.documentKey, contentType, content, sha256: createHash("sha256").update(content).digest("hex"),
    });
    await auditLogRepository(trx).append({
      actorType: "applicant", actorId: applicantId, action: "application.document", subjectType: "application", subjectId: id,
      details: { documentId: meta.id, documentKey: body.documentKey, contentType, sizeBytes: content.length },
    });
    return meta;
  });
}

export async function removeDocument(deps: ApplicationDeps, applicantId: string, id: string, documentId: string): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    const application = await ownApplication({ ...deps, db: trx }, applicantId, id, true);
    if (application.status !== "draft") throw new DomainError("APPLICATION_NOT_EDITABLE", undefined, { status: application.status });
    if (!(await applicationsRepository(trx).deleteDocument(id, documentId))) throw new DomainError("NOT_FOUND", "This document was not found.", { documentId });
  });
}

/** What a draft still lacks: unanswered questions and required documents. */
export function missingParts(application: ApplicationRecord, settings: ApplicationSettings): string[] {
  const missing: string[] = [];
  for (const id of questionsToAnswer(settings.criteria)) {
    const answer = application.answers[id];
    if (answer === undefined || answer === "") missing.push(`answers.${id}`);
  }
  for (const doc of settings.documents) {
    if (doc.required && !application.documents.some((d) => d.documentKey === doc.key)) missing.push(`documents.${doc.key}`);
  }
  if (application.children.length === 0) missing.push("children");
  return missing;
}

/**
 * Submits a complete draft with the family's consent. APPLICATION_INCOMPLETE (details.missing);
 * APPLICATION_DUPLICATE_CHILD (details.child, the child's position) when the fund knows the child already
 * or another live application names it. A fund that needs the BSN takes it from this login's sealed
 * claim (`loginBsn`, from finishOidcLogin) and stores it sealed to the application: BSN_REQUIRED without
 * one. Any other fund stores none, whatever the login brought.
 */
export async function submitApplication(
  deps: ApplicationDeps, applicantId: string, id: string, options: { loginBsn?: string } = {},
): Promise<ApplicationRecord> {
  const now = deps.clock();
  await inTransaction(deps.db, async (trx) => {
    const repo = applicationsRepository(trx);
    const application = await ownApplication({ ...deps, db: trx }, applicantId, id, true);
    if (application.status !== "draft") throw new DomainError("APPLICATION_NOT_EDITABLE", undefined, { status: application.status });
    const settings = await openSettings({ ...deps, db: trx }, application.fundId);
    const missing = missingParts(application, settings);
    if (missing.length > 0) throw new DomainError("APPLICATION_INCOMPLETE", undefined, { missing: missing.join(",") });
    const known = await knownChildren(trx, application.fundId, application.household.postalCode, application.children);
    if (known.length > 0) {
      throw new DomainError("APPLICATION_DUPLICATE_CHILD", "This child already has a budget in this fund.", { child: String(known[0]), reason: "known" });
    }
    const bsnSealed = settings.bsnRequired ? sealedBsnFor(deps, applicantId, id, options.loginBsn) : undefined;
    await takeChildrenPlaces(trx, repo, application);
    await repo.setStatus(id, "submitted", now, {
      submitted_at: now, consent_text: settings.consentText,
      criteria: { criteria: settings.criteria, documents: settings.documents } as never,
      ...(bsnSealed && { bsn_sealed: bsnSealed }),
    });
    const evaluation = evaluate(settings.criteria, application.answers, application.children.map((c) => c.birthDate));
    await auditLogRepository(trx).append({
      actorType: "applicant", actorId: applicantId, action: "application.submit", subjectType: "application", subjectId: id,
      details: { fundId: application.fundId, children: application.children.length, documents: application.documents.length, outcome: evaluation.outcome },
    });
    await queueApplicationNotice(trx, application, { kind: "application_received", dedupeKey: `application_received:${id}` });
  });
  return ownApplication(deps, applicantId, id);
}

function sealedBsnFor(deps: ApplicationDeps, applicantId: string, id: string, loginBsn: string | undefined): Uint8Array {
  const bsn = deps.bsnKey && loginBsn ? openBsn(deps.bsnKey, Buffer.from(loginBsn, "base64url"), loginBsnContext(applicantId)) : null;
  if (!bsn) throw new DomainError("BSN_REQUIRED");
  return sealBsn(deps.bsnKey!, bsn, applicationBsnContext(id));
}

/** The live-children index refuses a second live application for the same child: its own refusal. */
async function takeChildrenPlaces(trx: Db, repo: ApplicationsRepository, application: ApplicationRecord) {
  // Check first, so the refusal can name the child; the unique index holds against a concurrent submit.
  const taken = await withApplicationTables(trx)
    .selectFrom("application_children")
    .select(["first_name", "birth_date"])
    .where("fund_id", "=", application.fundId)
    .where("live", "=", true)
    .where(sql<string>`lower(first_name)`, "in", application.children.map((c) => c.firstName.toLowerCase()))
    .execute();
  const index = application.children.findIndex((c) => taken.some((t) => t.first_name.toLowerCase() === c.firstName.toLowerCase() && t.birth_date === c.birthDate));
  if (index >= 0) {
    throw new DomainError("APPLICATION_DUPLICATE_CHILD", undefined, { child: String(index), reason: "applied" });
  }
  try {
    await repo.setChildrenLive(application.id, true);
  } catch (error) {
    if ((error as { code?: string }).code === "23505") throw new DomainError("APPLICATION_DUPLICATE_CHILD", undefined, { reason: "applied" });
    throw error;
  }
}

/** The family answers staff's question; the application goes back to the validators. */
export async function replyToQuestion(deps: ApplicationDeps, applicantId: string, id: string, body: string): Promise<ApplicationRecord> {
  const now = deps.clock();
  await inTransaction(deps.db, async (trx) => {
    const application = await ownApplication({ ...deps, db: trx }, applicantId, id, true);
    if (application.status !== "questions") throw new DomainError("APPLICATION_NOT_EDITABLE", "There is no open question on this application.", { status: application.status });
    const repo = applicationsRepository(trx);
    await repo.addMessage(id, "applicant", null, body, now);
    await repo.setStatus(id, "submitted", now);
    await auditLogRepository(trx).append({ actorType: "applicant", actorId: applicantId, action: "application.reply", subjectType: "application", subjectId: id });
  });
  return ownApplication(deps, applicantId, id);
}

/** Whether the applicant may activate the wallet of this application's family now. */
export async function canActivate(deps: ApplicationDeps, application: ApplicationRecord): Promise<boolean> {
  if (application.status !== "approved" || !application.familyId) return false;
  const family = await familiesRepository(deps.db).findById(application.familyId);
  return !!family && !family.deletedAt && !family.activatedAt;
}

/**
 * Right after approval, the app in which the family applied binds the key it made on the phone to the
 * family's budgets, as an activation letter's code would. BUDGETS_NOT_ISSUED while the budgets are not
 * on chain yet; BUDGET_ALREADY_ACTIVATED once the wallet is active (a lost phone: staff re-issue access).
 */
export async function activateFromApplication(
  deps: ApplicationDeps, applicantId: string, id: string, holderAddress: string,
): Promise<{ familyId: string; holderAddress: string; budgetIds: string[] }> {
  const holder = getAddress(holderAddress);
  if (holder === ZeroAddress) throw new DomainError("INVALID_INPUT", undefined, { field: "holderAddress" });
  const application = await ownApplication(deps, applicantId, id);
  if (application.status !== "approved" || !application.familyId) {
    throw new DomainError("APPLICATION_NOT_EDITABLE", "This application is not approved.", { status: application.status });
  }
  const familyId = application.familyId;
  const family = await familiesRepository(deps.db).findById(familyId);
  if (!family || family.deletedAt) throw new DomainError("NOT_FOUND", "This family was not found.", { familyId });
  if (family.activatedAt) throw new DomainError("BUDGET_ALREADY_ACTIVATED");
  const fund = await getFund(deps, family.fundId);
  const budgets = await eligibilityRepository(deps.db).budgetsOfFamily(familyId);
  if (budgets.length < family.children.length || budgets.some((b) => b.status === "pending")) throw new DomainError("BUDGETS_NOT_ISSUED", undefined, { familyId });
  const client = deps.fundClient(fund.chainAddress);
  const txHashes: string[] = [];
  for (const budget of budgets) {
    const state = await client.budgetOf(budget.budgetId);
    if (state.holder === holder) continue;
    if (state.holder !== ZeroAddress) throw new DomainError("BUDGET_ALREADY_ACTIVATED", undefined, { budgetId: budget.budgetId });
    txHashes.push((await client.setHolder(budget.budgetId, holder)).txHash);
  }
  await inTransaction(deps.db, async (trx) => {
    const repo = eligibilityRepository(trx);
    await repo.setHolder(budgets.map((b) => b.budgetId), holder);
    await repo.markFamilyActivated(familyId, deps.clock());
    await auditLogRepository(trx).append({
      actorType: "applicant", actorId: applicantId, action: "family.activate", subjectType: "family", subjectId: familyId,
      details: { holder: holder.toLowerCase(), budgets: budgets.length, txHashes, applicationId: id },
    });
  });
  return { familyId, holderAddress: holder, budgetIds: budgets.map((b) => b.budgetId) };
}
