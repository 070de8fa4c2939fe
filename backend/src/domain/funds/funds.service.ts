// Funds: set up a scheme (its own contract, created by the factory), read its settings, record a
// sponsor's deposit, pause and unpause. Every staff action lands in the audit log with the actor's id.
// The chain is called outside any database transaction; the row or audit entry follows once it is done.
import { z } from "zod";
import { DomainError, FUND_TIME_ZONE, isTimeZone } from "@tegoed/sdk";
import type { FactoryClient } from "../../chain/factory-client.ts";
import { bankRefOf, type FundClient } from "../../chain/fund-client.ts";
import { auditLogRepository } from "../../db/audit-log.repository.ts";
import { inTransaction, type Db } from "../../db/transaction.ts";
import { fundsRepository, type Fund } from "./funds.repository.ts";

export type { Fund, PayoutSchedule } from "./funds.repository.ts";

export interface FundsDeps {
  db: Db;
  factory: FactoryClient;
  /** The FundClient of a fund contract, sent through the backend's relayer. */
  fundClient: (address: string) => FundClient;
  clock: () => Date;
}

const Cents = z.bigint().positive().max(2n ** 63n - 1n);
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), "not a date");
const ActorId = z.string().min(1);

export const PayoutScheduleSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("instant") }),
  z.object({ kind: z.literal("daily"), at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/) }),
]);

export const CreateFundCommand = z.object({
  actorId: ActorId,
  name: z.string().trim().min(1).max(100),
  currency: z.literal("EUR").default("EUR"),
  amountPerChildCents: Cents,
  budgetExpiry: IsoDate,
  categories: z.array(z.string().trim().min(1).max(40)).max(32).default([]),
  payoutSchedule: PayoutScheduleSchema.default({ kind: "daily", at: "17:00" }),
  timeZone: z.string().refine(isTimeZone, "must be a time zone such as Europe/Amsterdam").default(FUND_TIME_ZONE),
});
export type CreateFundCommand = z.input<typeof CreateFundCommand>;

/** Unix seconds of the end of `date` (UTC): a budget can be spent through its last day. */
export function expiryToUnix(date: string): bigint {
  return BigInt(Date.parse(`${date}T00:00:00Z`) / 1000 + 24 * 60 * 60);
}

/** Parses with zod; a refusal is INVALID_INPUT naming the first bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new DomainError("INVALID_INPUT", undefined, { field: issue.path.join(".") || "(input)", reason: issue.message });
}

async function requireFund(db: Db, fundId: string): Promise<Fund> {
  const fund = await fundsRepository(db).findById(fundId);
  if (!fund) throw new DomainError("FUND_UNKNOWN", undefined, { fundId });
  return fund;
}

/** Deploys the fund's contract through the factory (the relayer's lanes get their roles), and stores the settings. */
export async function createFund(deps: FundsDeps, input: CreateFundCommand): Promise<Fund> {
  const cmd = parseInput(CreateFundCommand, input);
  const expiry = expiryToUnix(cmd.budgetExpiry);
  if (expiry * 1000n <= BigInt(deps.clock().getTime())) {
    throw new DomainError("EXPIRY_IN_PAST", undefined, { budgetExpiry: cmd.budgetExpiry });
  }
  // The lanes' roles and the hand-over to the fund admin happen in this one transaction.
  const created = await deps.factory.createFund({ name: cmd.name, currency: cmd.currency, defaultBudgetExpiry: expiry });
  return inTransaction(deps.db, async (trx) => {
    const fund = await fundsRepository(trx).insert({
      chainAddress: created.address,
      factoryIndex: created.index,
      name: cmd.name,
      currency: cmd.currency,
      amountPerChildCents: cmd.amountPerChildCents,
      budgetExpiry: cmd.budgetExpiry,
      categories: cmd.categories,
      payoutSchedule: cmd.payoutSchedule,
      timeZone: cmd.timeZone,
    });
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: cmd.actorId, action: "fund.create", subjectType: "fund", subjectId: fund.id,
      details: {
        chainAddress: fund.chainAddress, factoryIndex: fund.factoryIndex, txHash: created.txHash,
        amountPerChildCents: fund.amountPerChildCents.toString(), budgetExpiry: fund.budgetExpiry,
        timeZone: fund.timeZone,
      },
    });
    return fund;
  });
}

/** The fund's settings. FUND_UNKNOWN when there is none. */
export async function getFund(deps: Pick<FundsDeps, "db">, fundId: string): Promise<Fund> {
  return requireFund(deps.db, fundId);
}

export async function listFunds(deps: Pick<FundsDeps, "db">): Promise<Fund[]> {
  return fundsRepository(deps.db).list();
}

export const RecordDepositCommand = z.object({
  actorId: ActorId,
  fundId: z.string(),
  /** The sponsor's account: one of the relayer's lanes holding SPONSOR_ROLE. */
  sponsor: z.string(),
  amountCents: Cents,
  /** The bank's reference of the incoming transfer; only its hash goes on chain, and only once. */
  bankReference: z.string().trim().min(1).max(140),
});
export type RecordDepositCommand = z.input<typeof RecordDepositCommand>;

export interface DepositReceipt {
  fundId: string;
  amountCents: bigint;
  bankRef: string;
  txHash: string;
  /** The sponsor's reserve after the deposit. */
  reserveCents: bigint;
}

/** Records money received in the fund's bank account. BANK_REF_USED when the transfer was recorded before. */
export async function recordDeposit(deps: FundsDeps, input: RecordDepositCommand): Promise<DepositReceipt> {
  const cmd = parseInput(RecordDepositCommand, input);
  const fund = await requireFund(deps.db, cmd.fundId);
  const client = deps.fundClient(fund.chainAddress);
  const bankRef = bankRefOf(cmd.bankReference);
  const tx = await client.deposit(cmd.sponsor, cmd.amountCents, bankRef);
  const reserveCents = await client.reserveOf(cmd.sponsor);
  await auditLogRepository(deps.db).append({
    actorType: "staff", actorId: cmd.actorId, action: "fund.deposit", subjectType: "fund", subjectId: fund.id,
    details: { sponsor: cmd.sponsor.toLowerCase(), amountCents: cmd.amountCents.toString(), bankRef, txHash: tx.txHash },
  });
  return { fundId: fund.id, amountCents: cmd.amountCents, bankRef, txHash: tx.txHash, reserveCents };
}

export const PauseCommand = z.object({
  actorId: ActorId,
  fundId: z.string(),
  reason: z.string().trim().min(1).max(500),
});
export type PauseCommand = z.input<typeof PauseCommand>;

/** Pauses payments in the fund on chain, with the reason. Pausing a paused fund only updates the reason. */
export async function pauseFund(deps: FundsDeps, input: PauseCommand): Promise<Fund> {
  return setPaused(deps, input, true);
}

/** Lets payments run again. */
export async function unpauseFund(deps: FundsDeps, input: PauseCommand): Promise<Fund> {
  return setPaused(deps, input, false);
}

async function setPaused(deps: FundsDeps, input: PauseCommand, paused: boolean): Promise<Fund> {
  const cmd = parseInput(PauseCommand, input);
  const fund = await requireFund(deps.db, cmd.fundId);
  const client = deps.fundClient(fund.chainAddress);
  let txHash: string | null = null;
  if ((await client.paused()) !== paused) txHash = (paused ? await client.pause() : await client.unpause()).txHash;
  return inTransaction(deps.db, async (trx) => {
    const updated = await fundsRepository(trx).setPaused(fund.id, paused, paused ? cmd.reason : null);
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: cmd.actorId, action: paused ? "fund.pause" : "fund.unpause", subjectType: "fund", subjectId: fund.id,
      details: { reason: cmd.reason, txHash },
    });
    return updated;
  });
}
