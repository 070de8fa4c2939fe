// The validators' side: the queue of a fund, one application with its answers judged against the
// criteria it was submitted under, a question to the family, approval (the family and its children are
// created as an import creates them, approved, and their budgets issued on chain) and decline with a
// reason. With four-eyes, an approval needs two different validators. Decided applications are kept
// for the fund's retention period, then deleted with their documents.
import { DomainError, type CriterionResult } from "@tegoed/sdk";
import { auditLogRepository } from "../../db/audit-log.repository.ts";
import { familiesRepository } from "../../db/families.repository.ts";
import { inTransaction } from "../../db/transaction.ts";
import { issueBudgets, type IssueReport } from "../eligibility/budgets.service.ts";
import { eligibilityRepository } from "../eligibility/eligibility.repository.ts";
import { getFund } from "../funds/funds.service.ts";
import { applicationBsnContext, type ApplicationDeps } from "./applications.service.ts";
import { openBsn } from "../applicants/bsn.ts";
import { applicationsRepository, type ApplicationRecord } from "./applications.repository.ts";
import { evaluate } from "./criteria.ts";
import { knownFamily } from "./matching.ts";
import { outboxRepository, queueApplicationNotice } from "../notifications/index.ts";
import type { ApplicationStatus } from "../../db/applications-schema.ts";
import { withApplicationTables } from "../../db/applications-schema.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Drafts nobody touched for this long are deleted. */
export const DRAFT_RETENTION_DAYS = 30;
const UNDECIDED = new Set<ApplicationStatus>(["submitted", "questions", "awaiting_second"]);

export interface Review {
  application: ApplicationRecord;
  results: CriterionResult[];
  knownFamilyId: string | null;
  fourEyes: boolean;
}

async function requireApplication(deps: ApplicationDeps, id: string, forUpdate = false): Promise<ApplicationRecord> {
  const application = await applicationsRepository(deps.db).findById(id, { forUpdate });
  if (!application || application.status === "draft") throw new DomainError("NOT_FOUND", "This application was not found.", { applicationId: id });
  return application;
}

function judged(application: ApplicationRecord): CriterionResult[] {
  const criteria = application.snapshot?.criteria ?? [];
  return evaluate(criteria, application.answers, application.children.map((c) => c.birthDate)).results;
}

export async function applicationQueue(
  deps: ApplicationDeps, fundId: string, query: { status?: ApplicationStatus; limit: number; offset: number },
): Promise<{ items: { application: ApplicationRecord; failing: number }[]; total: number }> {
  const fund = await getFund(deps, fundId);
  const { rows, total } = await applicationsRepository(deps.db).queue(fund.id, query.status, query.limit, query.offset);
  return { items: rows.map((application) => ({ application, failing: judged(application).filter((r) => r.passes === false).length })), total };
}

export async function reviewApplication(deps: ApplicationDeps, id: string): Promise<Review> {
  const application = await requireApplication(deps, id);
  const settings = await applicationsRepository(deps.db).settings(application.fundId);
  const knownFamilyId = application.familyId ?? (await knownFamily(deps.db, application.fundId, application.applicantId, application.household));
  return { application, results: judged(application), knownFamilyId, fourEyes: settings.fourEyes };
}

/** Staff ask the family something; the application waits for the answer. */
export async function askQuestion(deps: ApplicationDeps, input: { actorId: string; id: string; body: string }): Promise<Review> {
  const now = deps.clock();
  await inTransaction(deps.db, async (trx) => {
    const application = await requireApplication({ ...deps, db: trx }, input.id, true);
    if (!UNDECIDED.has(application.status)) throw new DomainError("APPLICATION_NOT_EDITABLE", undefined, { status: application.status });
    const repo = applicationsRepository(trx);
    await repo.addMessage(input.id, "staff", input.actorId, input.body, now);
    await repo.setStatus(input.id, "questions", now);
    await auditLogRepository(trx).append({ actorType: "staff", actorId: input.actorId, action: "application.question", subjectType: "application", subjectId: input.id });
    await queueApplicationNotice(trx, application, { kind: "application_question" });
  });
  return reviewApplication(deps, input.id);
}

/**
 * The application's BSN for a validator who asks to see it; the asking is in the audit log (the number is
 * not). NOT_FOUND when none is stored (or the key cannot open it).
 */
export async function revealBsn(deps: ApplicationDeps, input: { actorId: string; id: string }): Promise<string> {
  await requireApplication(deps, input.id);
  const sealed = await applicationsRepository(deps.db).sealedBsn(input.id);
  const bsn = sealed && deps.bsnKey ? openBsn(deps.bsnKey, sealed, applicationBsnContext(input.id)) : null;
  if (!bsn) throw new DomainError("NOT_FOUND", "No BSN is stored with this application.", { applicationId: input.id });
  await auditLogRepository(deps.db).append({ actorType: "staff", actorId: input.actorId, action: "application.bsn_view", subjectType: "application", subjectId: input.id });
  return bsn;
}

export async function declineApplication(deps: ApplicationDeps, input: { actorId: string; id: string; reason: string }): Promise<Review> {
  const now = deps.clock();
  await inTransaction(deps.db, async (trx) => {
    const application = await requireApplication({ ...deps, db: trx }, input.id, true);
    if (!UNDECIDED.has(application.status)) throw new DomainError("APPLICATION_NOT_EDITABLE", undefined, { status: application.status });
    const repo = applicationsRepository(trx);
    const { retentionDays } = await repo.settings(application.fundId);
    await repo.setChildrenLive(input.id, false);
    await repo.setStatus(input.id, "declined", now, {
      decided_by: input.actorId, decided_at: now, decline_reason: input.reason, delete_after: new Date(now.getTime() + retentionDays * DAY_MS),
    });
    await auditLogRepository(trx).append({ actorType: "staff", actorId: input.actorId, action: "application.decline", subjectType: "application", subjectId: input.id });
    await queueApplicationNotice(trx, application, { kind: "application_declined", data: { reason: input.reason }, dedupeKey: `application_decided:${input.id}` });
  });
  return reviewApplication(deps, input.id);
}

export interface Approval extends Review {
  /** The budgets issued by this call; null when it waits for a second approval. */
  issue: IssueReport | null;
}

/**
 * Approves: with four-eyes the first validator's approval waits for a second, different one
 * (SECOND_APPROVER_REQUIRED when the same one tries). Then, in one transaction, the family is created
 * (or the fund's known family gets the new children), approved, and the application marked approved;
 * after that this family's budgets are issued on chain, which is safe to run again: approving an approved
 * application only retries the issuing (e.g. after RESERVE_INSUFFICIENT or a chain time-out).
 */
export async function approveApplication(deps: ApplicationDeps, input: { actorId: string; id: string }): Promise<Approval> {
  const now = deps.clock();
  const decided = await inTransaction(deps.db, async (trx): Promise<"waiting" | "approved"> => {
    const application = await requireApplication({ ...deps, db: trx }, input.id, true);
    if (application.status === "approved") return "approved";
    if (!UNDECIDED.has(application.status)) throw new DomainError("APPLICATION_NOT_EDITABLE", undefined, { status: application.status });
    const repo = applicationsRepository(trx);
    const settings = await repo.settings(application.fundId);
    const audit = auditLogRepository(trx);
    if (settings.fourEyes) {
      if (application.firstApprovedBy === null) {
        await repo.setStatus(input.id, "awaiting_second", now, { first_approved_by: input.actorId, first_approved_at: now });
        await audit.append({ actorType: "staff", actorId: input.actorId, action: "application.first_approval", subjectType: "application", subjectId: input.id });
        return "waiting";
      }
      if (application.firstApprovedBy === input.actorId) throw new DomainError("SECOND_APPROVER_REQUIRED");
    }
    const fund = await getFund({ ...deps, db: trx }, application.fundId);
    const h = application.household;
    const children = application.children.map((c) => ({ firstName: c.firstName, birthYear: Number(c.birthDate.slice(0, 4)) }));
    const known = await knownFamily(trx, fund.id, application.applicantId, h);
    let familyId: string;
    if (known) {
      familyId = known;
      await trx.insertInto("children").values(children.map((c) => ({ family_id: known, first_name: c.firstName, birth_year: c.birthYear }))).execute();
    } else {
      // As the import does: a family row with its children, the municipality's reference being the application.
      [familyId] = (await eligibilityRepository(trx).insertFamilies([{
        fundId: fund.id, externalRef: `application:${application.id}`, displayName: h.parentName,
        addressLines: [h.addressLine1, h.addressLine2, `${h.postalCode}  ${h.city}`].filter((line) => line !== ""),
        preferredLanguage: h.language, children,
      }])) as [string];
    }
    await eligibilityRepository(trx).approve(fund.id, [familyId], now);
    await repo.setStatus(input.id, "approved", now, {
      decided_by: input.actorId, decided_at: now, family_id: familyId, delete_after: new Date(now.getTime() + settings.retentionDays * DAY_MS),
    });
    await audit.append({
      actorType: "staff", actorId: input.actorId, action: "application.approve", subjectType: "application", subjectId: input.id,
      details: { familyId, knownFamily: known !== null, children: children.length, ...(settings.fourEyes && { firstApprovedBy: application.firstApprovedBy! }) },
    });
    // The family's letters and mails follow the form: its language, and its address where none was known.
    const contact = outboxRepository(trx);
    const family = await contact.family(familyId);
    await contact.setFamilyContact(familyId, { language: h.language, ...(h.email && !family?.email && { email: h.email }) });
    await queueApplicationNotice(trx, application, {
      kind: "application_approved", data: { childNames: children.map((c) => c.firstName).join(", ") }, dedupeKey: `application_decided:${input.id}`,
    });
    return "approved";
  });
  let issue: IssueReport | null = null;
  if (decided === "approved") {
    const application = await requireApplication(deps, input.id);
    // This family's children only: other approved families wait for staff's own issue run.
    issue = await issueBudgets(deps, { actorId: input.actorId, fundId: application.fundId, sponsor: deps.sponsor, familyIds: [application.familyId!] });
    await bindNewBudgetsOfActiveFamily(deps, application.familyId!);
  }
  return { ...(await reviewApplication(deps, input.id)), issue };
}

/** A known family with an active wallet: its new children's budgets go to the same phone key at once. */
async function bindNewBudgetsOfActiveFamily(deps: ApplicationDeps, familyId: string): Promise<void> {
  const family = await familiesRepository(deps.db).findById(familyId);
  if (!family?.activatedAt) return;
  const budgets = await eligibilityRepository(deps.db).budgetsOfFamily(familyId);
  const holder = budgets.find((b) => b.holderAddress)?.holderAddress;
  const unbound = budgets.filter((b) => !b.holderAddress && b.status !== "pending");
  if (!holder || unbound.length === 0) return;
  const fund = await getFund(deps, family.fundId);
  const client = deps.fundClient(fund.chainAddress);
  for (const budget of unbound) await client.setHolder(budget.budgetId, holder);
  await eligibilityRepository(deps.db).setHolder(unbound.map((b) => b.budgetId), holder);
}

export async function applicationDocument(deps: ApplicationDeps, id: string, documentId: string) {
  await requireApplication(deps, id);
  const document = await applicationsRepository(deps.db).documentContent(id, documentId);
  if (!document) throw new DomainError("NOT_FOUND", "This document was not found.", { documentId });
  return document;
}

/** Deletes decided applications past their fund's retention (with documents and messages) and stale drafts. */
export async function purgeApplications(deps: Pick<ApplicationDeps, "db" | "clock">): Promise<number> {
  const now = deps.clock();
  return applicationsRepository(deps.db).purge(now, new Date(now.getTime() - DRAFT_RETENTION_DAYS * DAY_MS));
}

/** Applications linked to a family, for the family's deletion (they go with it). */
export async function deleteApplicationsOfFamily(deps: Pick<ApplicationDeps, "db">, familyId: string): Promise<number> {
  const result = await withApplicationTables(deps.db).deleteFrom("applications").where("family_id", "=", familyId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
