// Budgets on chain for approved children: issue (in batches, crash-safe), top up, freeze and unfreeze.
//
// Issuing is idempotent: each child first gets a 'pending' budget row with its random on-chain id,
// committed BEFORE the chain is called; a run then asks the chain (budgetOf) about every pending row and
// issues only the ids the chain does not know. So a retry after a crash at any point (before the chain
// call, or after it and before the row says 'issued') never issues a child twice.
import { hexlify, randomBytes } from "ethers";
import { z } from "zod";
import { DomainError } from "@tegoed/sdk";
import { BUDGET_BATCH_SIZE, type FundClient } from "../../chain/fund-client.ts";
import { auditLogRepository } from "../../db/audit-log.repository.ts";
import { inTransaction } from "../../db/transaction.ts";
import { expiryToUnix, getFund, parseInput, type Fund } from "../funds/funds.service.ts";
import type { EligibilityDeps } from "./deps.ts";
import { eligibilityRepository, type BudgetRecord } from "./eligibility.repository.ts";
import { outboxRepository, queueFamilyNotice } from "../notifications/index.ts";

/** A new random on-chain budget id: nothing in it says whose child it is. */
export function newBudgetId(): string {
  return hexlify(randomBytes(32));
}

const Cents = z.bigint().positive().max(2n ** 63n - 1n);
const Bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/).transform((s) => s.toLowerCase());

export const IssueBudgetsCommand = z.object({
  actorId: z.string().min(1),
  fundId: z.string(),
  /** The sponsor whose reserve pays: a relayer lane holding SPONSOR_ROLE on the fund. */
  sponsor: z.string(),
  /** Only these families' children (an approved application); absent: every approved child of the fund. */
  familyIds: z.array(z.string().uuid()).max(100_000).optional(),
});
export type IssueBudgetsCommand = z.input<typeof IssueBudgetsCommand>;

export interface IssueReport {
  /** Budgets issued on chain by this run. */
  issued: number;
  /** Pending budgets the chain already had (an earlier run crashed after its chain call): only recorded. */
  reconciled: number;
  amountPerChildCents: bigint;
  totalCents: bigint;
  txHashes: string[];
}

/** Step one of issuing: a pending row with a random id for every approved child without a budget. */
export async function reservePendingBudgets(deps: EligibilityDeps, fundId: string, familyIds?: readonly string[]): Promise<number> {
  const fund = await getFund(deps, fundId);
  return inTransaction(deps.db, (trx) => eligibilityRepository(trx).reservePendingBudgets(fund.id, newBudgetId, familyIds));
}

/**
 * Issues a budget of the fund's amount per child to every approved child of the fund that has none,
 * in transactions of {@link BUDGET_BATCH_SIZE}. Safe to run again after any failure.
 * RESERVE_INSUFFICIENT before anything is sent when the sponsor's reserve cannot pay them all.
 */
export async function issueBudgets(deps: EligibilityDeps, input: IssueBudgetsCommand): Promise<IssueReport> {
  const cmd = parseInput(IssueBudgetsCommand, input);
  const fund = await getFund(deps, cmd.fundId);
  const client = deps.fundClient(fund.chainAddress);
  await reservePendingBudgets(deps, fund.id, cmd.familyIds);
  const repo = eligibilityRepository(deps.db);
  const pending = await repo.budgetsOfFund(fund.id, "pending", cmd.familyIds);

  const { onChain, missing } = await reconcile(client, pending);
  if (onChain.length > 0) await repo.markIssued(onChain, fund.amountPerChildCents);

  const txHashes: string[] = [];
  const total = fund.amountPerChildCents * BigInt(missing.length);
  if (missing.length > 0) {
    const reserve = await client.reserveOf(cmd.sponsor);
    if (reserve < total) {
      throw new DomainError("RESERVE_INSUFFICIENT", undefined, { sponsor: cmd.sponsor, reserve: reserve.toString(), amount: total.toString() });
    }
    const expiry = expiryToUnix(fund.budgetExpiry);
    for (let i = 0; i < missing.length; i += BUDGET_BATCH_SIZE) {
      const batch = missing.slice(i, i + BUDGET_BATCH_SIZE);
      const txs = await client.issueBudgets(cmd.sponsor, batch.map((budgetId) => ({ budgetId, amountCents: fund.amountPerChildCents, expiry })));
      txHashes.push(...txs.map((tx) => tx.txHash));
      await repo.markIssued(batch, fund.amountPerChildCents);
    }
  }
  await auditLogRepository(deps.db).append({
    actorType: "staff", actorId: cmd.actorId, action: "budget.issue", subjectType: "fund", subjectId: fund.id,
    details: { issued: missing.length, reconciled: onChain.length, totalCents: total.toString(), txHashes, ...(cmd.familyIds && { families: cmd.familyIds.length }) },
  });
  return { issued: missing.length, reconciled: onChain.length, amountPerChildCents: fund.amountPerChildCents, totalCents: total, txHashes };
}

/** Splits pending rows into ids the chain already knows and ids it does not. */
async function reconcile(client: FundClient, pending: readonly BudgetRecord[]) {
  const onChain: string[] = [];
  const missing: string[] = [];
  for (let i = 0; i < pending.length; i += 50) {
    const states = await Promise.all(pending.slice(i, i + 50).map((b) => client.budgetOf(b.budgetId)));
    for (const state of states) (state.exists ? onChain : missing).push(state.budgetId);
  }
  return { onChain, missing };
}

export const TopUpTarget = z.union([
  z.object({ all: z.literal(true) }),
  z.object({ childIds: z.array(z.string().uuid()).min(1).max(100_000) }),
]);

export const TopUpCommand = z.object({
  actorId: z.string().min(1),
  fundId: z.string(),
  /** One child, a list of children, or every issued budget of the fund. */
  target: TopUpTarget,
  amountCents: Cents,
});
export type TopUpCommand = z.input<typeof TopUpCommand>;
export type TopUpPreviewCommand = Omit<TopUpCommand, "actorId">;

export interface TopUpSummary {
  budgets: number;
  amountCents: bigint;
  /** What the top-up takes from the reserve: show it for confirmation. */
  totalCents: bigint;
}

async function topUpTargets(deps: EligibilityDeps, fund: Fund, target: z.output<typeof TopUpTarget>): Promise<BudgetRecord[]> {
  const repo = eligibilityRepository(deps.db);
  if ("all" in target) return repo.budgetsOfFund(fund.id, ["issued", "frozen"]);
  const budgets = await repo.budgetsOfChildren(fund.id, target.childIds);
  const issued = new Set(budgets.filter((b) => b.status !== "pending").map((b) => b.childId));
  const missing = target.childIds.find((id) => !issued.has(id));
  if (missing !== undefined) throw new DomainError("BUDGET_UNKNOWN", "This child has no issued budget in this fund.", { childId: missing });
  return budgets;
}

/** What a top-up would cost, without doing it. */
export async function previewTopUp(deps: EligibilityDeps, input: TopUpPreviewCommand): Promise<TopUpSummary> {
  const cmd = parseInput(TopUpCommand.omit({ actorId: true }), input);
  const fund = await getFund(deps, cmd.fundId);
  const budgets = await topUpTargets(deps, fund, cmd.target);
  return { budgets: budgets.length, amountCents: cmd.amountCents, totalCents: cmd.amountCents * BigInt(budgets.length) };
}

/**
 * Adds `amountCents` to each targeted budget from its sponsor's reserve, in batches. Not idempotent:
 * a retry after CHAIN_TIMEOUT tops up again; check the budgets (budgetOf) first.
 */
export async function topUp(deps: EligibilityDeps, input: TopUpCommand): Promise<TopUpSummary & { txHashes: string[] }> {
  const cmd = parseInput(TopUpCommand, input);
  const fund = await getFund(deps, cmd.fundId);
  const budgets = await topUpTargets(deps, fund, cmd.target);
  if (budgets.length === 0) throw new DomainError("INVALID_INPUT", "There are no issued budgets to top up.", { field: "target" });
  const ids = budgets.map((b) => b.budgetId);
  const txs = await deps.fundClient(fund.chainAddress).topUp(ids, cmd.amountCents);
  const totalCents = cmd.amountCents * BigInt(ids.length);
  const txHashes = txs.map((tx) => tx.txHash);
  await inTransaction(deps.db, async (trx) => {
    await eligibilityRepository(trx).addIssued(ids, cmd.amountCents);
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: cmd.actorId, action: "budget.top_up", subjectType: "fund", subjectId: fund.id,
      details: { budgets: ids.length, amountCents: cmd.amountCents.toString(), totalCents: totalCents.toString(), txHashes },
    });
    for (const child of await outboxRepository(trx).childrenWithEmail(ids)) {
      await queueFamilyNotice(trx, child.familyId, {
        kind: "budget_topped_up", data: { senderName: fund.name, childName: child.firstName, amountCents: cmd.amountCents.toString() },
      });
    }
  });
  return { budgets: ids.length, amountCents: cmd.amountCents, totalCents, txHashes };
}

export const FreezeCommand = z.object({
  actorId: z.string().min(1),
  budgetId: Bytes32,
  reason: z.string().trim().min(1).max(500),
});
export type FreezeCommand = z.input<typeof FreezeCommand>;

/** Freezes a child's budget: no payment from it until unfrozen. BUDGET_FROZEN when it already is. */
export async function freezeBudget(deps: EligibilityDeps, input: FreezeCommand): Promise<BudgetRecord> {
  return setFrozen(deps, input, true);
}

/** Unfreezes it. BUDGET_NOT_FROZEN when it is not frozen. */
export async function unfreezeBudget(deps: EligibilityDeps, input: FreezeCommand): Promise<BudgetRecord> {
  return setFrozen(deps, input, false);
}

async function setFrozen(deps: EligibilityDeps, input: FreezeCommand, frozen: boolean): Promise<BudgetRecord> {
  const cmd = parseInput(FreezeCommand, input);
  const repo = eligibilityRepository(deps.db);
  const budget = await repo.budgetById(cmd.budgetId);
  if (!budget || budget.status === "pending") throw new DomainError("BUDGET_UNKNOWN", undefined, { budgetId: cmd.budgetId });
  const fund = await getFund(deps, budget.fundId);
  const client = deps.fundClient(fund.chainAddress);
  const tx = frozen ? await client.freeze(budget.budgetId) : await client.unfreeze(budget.budgetId);
  return inTransaction(deps.db, async (trx) => {
    await eligibilityRepository(trx).setStatus(budget.budgetId, frozen ? "frozen" : "issued");
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: cmd.actorId, action: frozen ? "budget.freeze" : "budget.unfreeze",
      subjectType: "budget", subjectId: budget.budgetId, details: { reason: cmd.reason, txHash: tx.txHash },
    });
    return { ...budget, status: frozen ? "frozen" : "issued" };
  });
}
