// What a family sees (its children, their balances and expiry from the chain, their history from the
// indexed payments) and the deletion of a family's personal data (GDPR), which leaves the anonymous
// budgets and payments in place.
import { z } from "zod";
import { DomainError } from "@tegoed/sdk";
import { auditLogRepository } from "../../db/audit-log.repository.ts";
import { familiesRepository, type Family, type FamilyDeletion } from "../../db/families.repository.ts";
import type { BudgetStatus } from "../../db/schema.ts";
import { inTransaction } from "../../db/transaction.ts";
import { getFund, parseInput } from "../funds/funds.service.ts";
import type { EligibilityDeps } from "./deps.ts";
import { eligibilityRepository, type HistoryEntry } from "./eligibility.repository.ts";

export interface ChildBudgetView {
  childId: string;
  firstName: string;
  birthYear: number;
  budgetId: string;
  status: BudgetStatus;
  /** From the chain; null while the budget is pending. */
  balanceCents: bigint | null;
  spentCents: bigint | null;
  /** The moment the budget stops working; null while pending. */
  expiresAt: Date | null;
  frozen: boolean;
  activated: boolean;
  /** The nonce the next permit must carry; null while pending. */
  nonce: bigint | null;
  /** What the phone needs to sign a permit and build the QR. */
  fund: { id: string; name: string; chainAddress: string; chainId: bigint; index: number; timeZone: string };
  /** Payments and refunds, newest first. */
  history: HistoryEntry[];
}

/** The family of a session: undefined once its personal data was deleted (the session no longer works). */
export async function findLiveFamily(deps: Pick<EligibilityDeps, "db">, familyId: string): Promise<Family | undefined> {
  const found = await familiesRepository(deps.db).findById(familyId);
  return found && !found.deletedAt ? found : undefined;
}

/** What a family's session is bound to: the device key that holds its budgets, and the budgets. */
export async function familyBinding(deps: Pick<EligibilityDeps, "db">, familyId: string): Promise<{ holderAddress: string; budgetIds: string[] }> {
  const budgets = await eligibilityRepository(deps.db).budgetsOfFamily(familyId);
  return {
    holderAddress: budgets.find((b) => b.holderAddress)?.holderAddress ?? "0x0000000000000000000000000000000000000000",
    budgetIds: budgets.map((b) => b.budgetId),
  };
}

/** A family's children with their budgets as the chain holds them now, and their history. */
/** The ids of the family's own budgets (what its phone may register QR codes for). */
export async function familyBudgetIds(deps: EligibilityDeps, familyId: string): Promise<string[]> {
  return (await eligibilityRepository(deps.db).budgetsOfFamily(familyId)).map((b) => b.budgetId);
}

export async function listFamilyChildren(deps: EligibilityDeps, familyId: string): Promise<ChildBudgetView[]> {
  const family = await familiesRepository(deps.db).findById(familyId);
  if (!family || family.deletedAt) throw new DomainError("NOT_FOUND", "This family was not found.", { familyId });
  const fund = await getFund(deps, family.fundId);
  const repo = eligibilityRepository(deps.db);
  const budgets = await repo.budgetsOfFamily(familyId);
  const history = await repo.history(budgets.map((b) => b.budgetId));
  const client = deps.fundClient(fund.chainAddress);
  const chainId = await client.relayer.chainId();
  const fundView = { id: fund.id, name: fund.name, chainAddress: fund.chainAddress, chainId, index: fund.factoryIndex, timeZone: fund.timeZone };
  return Promise.all(
    budgets.map(async (budget): Promise<ChildBudgetView> => {
      const state = budget.status === "pending" ? null : await client.budgetOf(budget.budgetId);
      return {
        childId: budget.childId,
        firstName: budget.firstName,
        birthYear: budget.birthYear,
        budgetId: budget.budgetId,
        status: budget.status,
        balanceCents: state?.balance ?? null,
        spentCents: state?.spent ?? null,
        expiresAt: state ? new Date(Number(state.expiry) * 1000) : null,
        frozen: state?.frozen ?? false,
        activated: state !== null && /^0x0{40}$/.test(state.holder) === false,
        nonce: state?.nonce ?? null,
        fund: fundView,
        history: history.filter((h) => h.budgetId === budget.budgetId),
      };
    }),
  );
}

export const DeleteFamilyCommand = z.object({
  actorId: z.string().min(1),
  familyId: z.string().uuid(),
  /** Why, for the audit log (no personal data). */
  reason: z.string().trim().min(1).max(500).default("request of the family"),
});
export type DeleteFamilyCommand = z.input<typeof DeleteFamilyCommand>;

/**
 * Deletes the family's personal data (name, address, children, codes, sessions); its budgets keep their
 * anonymous chain id, amounts and payments. NOT_FOUND when there is no such family.
 */
export async function deleteFamilyData(deps: EligibilityDeps, input: DeleteFamilyCommand): Promise<FamilyDeletion> {
  const cmd = parseInput(DeleteFamilyCommand, input);
  return inTransaction(deps.db, async (trx) => {
    const deletion = await familiesRepository(trx).deleteFamilyPersonalData(cmd.familyId);
    if (!deletion) throw new DomainError("NOT_FOUND", "This family was not found.", { familyId: cmd.familyId });
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: cmd.actorId, action: "family.delete_personal_data", subjectType: "family", subjectId: cmd.familyId,
      details: {
        reason: cmd.reason, children: deletion.childrenDeleted, budgetsAnonymised: deletion.budgetsAnonymised,
        activationCodes: deletion.activationCodesDeleted, sessions: deletion.sessionsDeleted,
        applications: deletion.applicationsDeleted,
      },
    });
    return deletion;
  });
}
