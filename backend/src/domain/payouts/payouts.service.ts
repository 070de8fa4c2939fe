// Settlement: paying shops in euros what the fund owes them (their on-chain receivable), crash-safe.
//
// A payout goes pending → (bank) confirmed → (chain) settled; with a SEPA file: pending → sent (staff
// uploaded the file) → settled. The rules that keep a crash from paying twice or losing a payout:
// 1. the payout row, with its unique reference, is committed before the bank hears of it;
// 2. `bank_attempts` is raised and committed before each bank call; a payout with attempts > 0 is
//    looked up at the bank by its reference before anything is sent again;
// 3. only a confirmed (or sent) transfer is recorded on chain, with settle(merchant, amount,
//    keccak(reference)); the contract accepts a bankRef once, and we ask isBankRefUsed first (for a
//    sent SEPA file: for all its payouts at once, before the first settle; a settle refused with
//    BANK_REF_USED counts as recorded too);
// 4. one open payout per shop and fund (a unique index), so what is owed = receivable − open payout.
// `reconcilePayouts` finishes whatever a crash left halfway; the server runs it at start-up.
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { DomainError, FUND_TIME_ZONE } from "@tegoed/sdk";
import { auditLogRepository } from "../../db/audit-log.repository.ts";
import { inTransaction, type Db } from "../../db/transaction.ts";
import { outboxRepository, queueShopNotice, queueShopNotices, queueStaffNotice } from "../notifications/index.ts";
import { SETTLE_BATCH_MAX, bankRefOf, type FundClient, type SettleOutcome } from "../../chain/fund-client.ts";
import type { BankAdapter, DebtorAccount, TransferBank } from "../../bank/index.ts";
import { buildPain001, sepaText } from "../../bank/sepa/pain001.ts";
import { readCamt053 } from "../../bank/sepa/camt053.ts";
import type { PayoutTrigger } from "../../db/schema.ts";
import { payoutsRepository, type NewPayout, type Payout, type PayoutCandidate, type PayoutRun, type RunProgress } from "./payouts.repository.ts";

export type { Payout, PayoutRun, RunProgress, MerchantPaidTotal } from "./payouts.repository.ts";

/** Where a test (or a real crash) may stop a payout. */
export type CrashPoint = "after-run-created" | "before-bank" | "after-bank" | "after-confirm" | "after-chain" | "after-file" | "after-marked-sent";

export interface PayoutDeps {
  db: Db;
  fund(address: string): FundClient;
  bank: BankAdapter;
  clock?: () => Date;
  /** A run whose total is above this needs a second finance user's approval. Default: never. */
  fourEyesCents?: bigint;
  /** The name on the SEPA file's initiating party. Default: the debtor's name. */
  initiatingPartyName?: string;
  /** Fault injection: throw here to stop as a crash would. Never set in production. */
  crashAt?: (point: CrashPoint, payout: { reference: string } | null) => void | Promise<void>;
  log?: (message: string, facts?: Record<string, string | number>) => void;
  /** Bulk reads of the chain at once (receivables, used bank references), each one eth_call of up to 500 views. Default 4. */
  chainConcurrency?: number;
  /**
   * Settle transactions of a sent SEPA run at once. Default 32. Each relayer lane sends one after the
   * other but keeps several in flight, so this may exceed the lanes; on a chain with a block period,
   * settle transactions per second ≈ this ÷ the time a transaction waits for its block (8 at 2 s blocks: 4 a second).
   */
  settleConcurrency?: number;
  /**
   * At most this many settles of a sent SEPA run in one transaction (a multicall; all or none). Default
   * 100. A run's payouts are spread over up to `settleConcurrency` such transactions at once.
   */
  settleBatchSize?: number;
  /** "postgres": runs are also locked across processes (advisory lock). Default: within this process only (PGlite). */
  dbKind?: "pglite" | "postgres";
}

export interface OwedLine {
  merchantId: string;
  name: string;
  merchantAddress: string;
  receivableCents: bigint;
  openCents: bigint;
  owedCents: bigint;
}

export interface StartRunCommand {
  fundId: string;
  trigger: PayoutTrigger;
  /** The finance user who starts it; null for the scheduler. */
  staffUserId: string | null;
  /** Shops owed less than this are left for a later run. Default: the fund's minimum. */
  minimumCents?: bigint;
}

export interface RunView extends PayoutRun {
  progress: RunProgress;
  bankLabel: string;
}

const CHAIN_READS = 4;
const SETTLES_AT_ONCE = 32;

// Made once per zone: a formatter costs far more to build than to use.
const LOCAL_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** 'YYYY-MM-DD' and 'HH:MM' of `date` in the fund's time zone. */
export function localDateTime(date: Date, timeZone: string = FUND_TIME_ZONE): { date: string; time: string } {
  let format = LOCAL_FORMATS.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    LOCAL_FORMATS.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

const BASE32 = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const codeOf = (bytes: Uint8Array) => Array.from(bytes, (b) => BASE32[b % BASE32.length]).join("");
function randomCode(length: number): string {
  return codeOf(randomBytes(length));
}

/** `count` codes from one draw of random bytes: a draw per code costs more than the rest of a payout's row. */
function randomCodes(count: number, length: number): string[] {
  const bytes = randomBytes(count * length);
  return Array.from({ length: count }, (_, i) => codeOf(bytes.subarray(i * length, (i + 1) * length)));
}

const referenceOn = (localDate: string, code: string) => `TGD-${localDate.replace(/-/g, "")}-${code}`;

/** Our payout reference: unique, SEPA-safe, at most 35 characters (EndToEndId). */
export function newPayoutReference(now: Date, timeZone?: string): string {
  return referenceOn(localDateTime(now, timeZone).date, randomCode(10));
}

const describePayout = (reference: string, fromDate: string, toDate: string, fundName: string) =>
  sepaText(`Tegoed ${reference} periode ${fromDate} t/m ${toDate} ${fundName}`, 140);

/** What the shop reads on its bank statement: the reference and the period. */
export function payoutDescription(reference: string, from: Date, to: Date, fundName: string, timeZone?: string): string {
  return describePayout(reference, localDateTime(from, timeZone).date, localDateTime(to, timeZone).date, fundName);
}

const clockOf = (deps: PayoutDeps) => deps.clock ?? (() => new Date());
const log = (deps: PayoutDeps, message: string, facts: Record<string, string | number> = {}) =>
  (deps.log ?? ((m, f) => console.info(`payouts: ${m}`, f ?? {})))(message, { bank: deps.bank.label, ...facts });

async function crash(deps: PayoutDeps, point: CrashPoint, payout: { reference: string } | null) {
  await deps.crashAt?.(point, payout);
}

async function fundOf(deps: PayoutDeps, fundId: string) {
  const fund = await payoutsRepository(deps.db).fundSchedule(fundId);
  if (!fund) throw new DomainError("FUND_UNKNOWN", undefined, { fundId });
  return fund;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    // After a failure (a crash) no new item starts: as when the process dies.
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await work(items[i]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  }));
  return out;
}

/** What the fund owes each of its shops now: receivable on chain minus the open payout. */
export async function owedPerShop(deps: PayoutDeps, fundId: string): Promise<OwedLine[]> {
  return (await owedWithCandidates(deps, fundId)).map(({ candidate: _, ...line }) => line);
}

async function owedWithCandidates(deps: PayoutDeps, fundId: string): Promise<(OwedLine & { candidate: PayoutCandidate })[]> {
  const fund = await fundOf(deps, fundId);
  const client = deps.fund(fund.chain_address);
  const candidates = await payoutsRepository(deps.db).candidates(fundId);
  const receivables = await client.receivablesOf(candidates.map((c) => c.merchantAddress), deps.chainConcurrency ?? CHAIN_READS);
  return candidates.map((c, i) => {
    const receivable = receivables[i]!;
    const owed = receivable > c.openCents ? receivable - c.openCents : 0n;
    return { merchantId: c.merchantId, name: c.name, merchantAddress: c.merchantAddress, receivableCents: receivable, openCents: c.openCents, owedCents: owed, candidate: c };
  });
}

/**
 * Starts a run: one pending payout per shop owed at least the minimum (and with no open payout), all
 * written with their references in one transaction before any bank is called. Above the four-eyes
 * threshold the run waits for approval; else it is ready for `processRun`.
 * @throws PAYOUT_NOTHING_OWED when no shop qualifies.
 */
export async function startRun(deps: PayoutDeps, cmd: StartRunCommand): Promise<PayoutRun> {
  const now = clockOf(deps)();
  const fund = await fundOf(deps, cmd.fundId);
  const minimum = cmd.minimumCents ?? fund.payout_minimum_cents;
  const owed = await owedWithCandidates(deps, cmd.fundId);
  const payouts: NewPayout[] = [];
  // Dates in the fund's zone once per run (and per distinct period start), not per payout.
  const today = localDateTime(now, fund.time_zone).date;
  const localDates = new Map<number, string>();
  const localDateOf = (date: Date) => {
    let day = localDates.get(date.getTime());
    if (day === undefined) localDates.set(date.getTime(), (day = localDateTime(date, fund.time_zone).date));
    return day;
  };
  const codes = randomCodes(owed.length, 10);
  for (const line of owed) {
    const c = line.candidate;
    // A shop with an open payout waits for it to finish: never two payouts of the same money.
    if (line.openCents > 0n || line.owedCents === 0n || line.owedCents < minimum) continue;
    const reference = referenceOn(today, codes[payouts.length]!);
    payouts.push({
      reference, bankRef: bankRefOf(reference), fundId: cmd.fundId, merchantId: c.merchantId, merchantAddress: c.merchantAddress, amountCents: line.owedCents,
      creditorName: c.name, iban: c.iban, bic: c.bic, description: describePayout(reference, localDateOf(c.periodFrom), today, fund.name),
      periodFrom: c.periodFrom, periodTo: now,
    });
  }
  if (payouts.length === 0) throw new DomainError("PAYOUT_NOTHING_OWED", undefined, { fundId: cmd.fundId, minimumCents: minimum.toString() });
  const total = payouts.reduce((sum, p) => sum + p.amountCents, 0n);
  const needsApproval = deps.fourEyesCents !== undefined && total > deps.fourEyesCents;
  const run = await inTransaction(deps.db, async (trx) => {
    const created = await payoutsRepository(trx).insertRun(
      { fundId: cmd.fundId, trigger: cmd.trigger, bank: deps.bank.name, status: needsApproval ? "awaiting_approval" : "processing", startedBy: cmd.staffUserId },
      payouts,
    );
    await auditLogRepository(trx).append({
      actorType: cmd.staffUserId ? "staff" : "system", actorId: cmd.staffUserId, action: "payout.run.start", subjectType: "payout_run", subjectId: created.id,
      details: { fundId: cmd.fundId, trigger: cmd.trigger, bank: deps.bank.name, payouts: created.payoutCount, totalCents: created.totalCents.toString(), needsApproval },
    });
    if (needsApproval) {
      await queueStaffNotice(trx, "finance", {
        kind: "payout_run_awaiting_approval", data: { senderName: fund.name, payoutCount: String(created.payoutCount), totalCents: created.totalCents.toString() },
      });
    }
    return created;
  });
  if (run.payoutCount === 0) throw new DomainError("PAYOUT_NOTHING_OWED", undefined, { fundId: cmd.fundId });
  log(deps, "run started", { runId: run.id, payouts: run.payoutCount, totalCents: run.totalCents.toString(), status: run.status });
  await crash(deps, "after-run-created", null);
  return run;
}

async function requireRun(db: Db, runId: string, forUpdate = false): Promise<PayoutRun> {
  const run = /^[0-9a-f-]{36}$/i.test(runId) ? await payoutsRepository(db).findRun(runId, { forUpdate }) : null;
  if (!run) throw new DomainError("PAYOUT_RUN_NOT_FOUND", undefined, { runId });
  return run;
}

/** Four eyes: a second finance user, not the starter, approves a run above the threshold. */
export async function approveRun(deps: PayoutDeps, runId: string, staffUserId: string): Promise<PayoutRun> {
  const now = clockOf(deps)();
  await inTransaction(deps.db, async (trx) => {
    const run = await requireRun(trx, runId, true);
    if (run.status !== "awaiting_approval") throw new DomainError("PAYOUT_RUN_STATE", undefined, { runId, status: run.status });
    if (run.startedBy === staffUserId) throw new DomainError("PAYOUT_FOUR_EYES", undefined, { runId });
    await payoutsRepository(trx).updateRun(runId, { status: "processing", approved_by: staffUserId, approved_at: now });
    await auditLogRepository(trx).append({ actorType: "staff", actorId: staffUserId, action: "payout.run.approve", subjectType: "payout_run", subjectId: runId, details: { totalCents: run.totalCents.toString() } });
  });
  return requireRun(deps.db, runId);
}

/** Refuses a run awaiting approval: its payouts fail, so the money stays owed for a later run. */
export async function rejectRun(deps: PayoutDeps, runId: string, staffUserId: string): Promise<PayoutRun> {
  await inTransaction(deps.db, async (trx) => {
    const run = await requireRun(trx, runId, true);
    if (run.status !== "awaiting_approval") throw new DomainError("PAYOUT_RUN_STATE", undefined, { runId, status: run.status });
    await payoutsRepository(trx).setRunPayouts(runId, "pending", { status: "failed" });
    await payoutsRepository(trx).updateRun(runId, { status: "rejected", completed_at: clockOf(deps)() });
    await auditLogRepository(trx).append({ actorType: "staff", actorId: staffUserId, action: "payout.run.reject", subjectType: "payout_run", subjectId: runId, details: {} });
  });
  return requireRun(deps.db, runId);
}

/**
 * Pays a run that is processing. A transfer bank pays each payout (crash-safe steps in `payOne`);
 * a file bank gets the run's pain.001 written, and the run waits for staff to mark it sent.
 * Payouts the bank could not be reached for stay pending: `reconcilePayouts` or the next call retries.
 */
export async function processRun(deps: PayoutDeps, runId: string): Promise<RunView> {
  // One payer per run at a time (a hand-started run paying in the background and the scheduler's
  // reconciliation may meet): a second would see the same pending payouts and could pay them again.
  const done = await withRunLock(deps, runId, () => processLockedRun(deps, runId));
  return done ?? getRun(deps, runId);
}

const runsInProcess = new Set<string>();

/** Runs `work` holding the run's lock; null when another payer holds it. */
async function withRunLock<T>(deps: PayoutDeps, runId: string, work: () => Promise<T>): Promise<T | null> {
  if (runsInProcess.has(runId)) return null;
  runsInProcess.add(runId);
  try {
    if (deps.dbKind !== "postgres") return await work();
    // A session lock on its own connection: released by PostgreSQL itself if this process dies.
    const key = sql`hashtextextended(${`payout-run:${runId}`}, 0)`;
    return await deps.db.connection().execute(async (conn) => {
      const locked = (await sql<{ ok: boolean }>`select pg_try_advisory_lock(${key}) as ok`.execute(conn)).rows[0]?.ok === true;
      if (!locked) return null;
      try {
        return await work();
      } finally {
        // Fails only on a lost connection, whose session took the lock with it.
        await sql`select pg_advisory_unlock(${key})`.execute(conn).catch(() => {});
      }
    });
  } finally {
    runsInProcess.delete(runId);
  }
}

async function processLockedRun(deps: PayoutDeps, runId: string): Promise<RunView> {
  const run = await requireRun(deps.db, runId);
  if (run.status !== "processing") return getRun(deps, runId);
  const fund = await fundOf(deps, run.fundId);
  if (deps.bank.kind === "file") {
    await writeRunFile(deps, run, deps.bank.debtor);
    return getRun(deps, runId);
  }
  const client = deps.fund(fund.chain_address);
  const bank = deps.bank;
  const open = await payoutsRepository(deps.db).payoutsOfRun(runId, ["pending", "confirmed", "sent"]);
  for (const payout of open) await payOne(deps, bank, client, payout);
  await finishRunIfDone(deps, runId);
  return getRun(deps, runId);
}

async function fail(deps: PayoutDeps, payout: Payout, error: unknown) {
  const message = error instanceof DomainError ? `${error.code}: ${error.message}` : (error as Error)?.message ?? String(error);
  await inTransaction(deps.db, async (trx) => {
    await payoutsRepository(trx).updatePayout(payout.id, { last_error: message.slice(0, 500) });
    // Finance hear of a payout's first failure once (the scheduler goes on retrying it).
    await queueStaffNotice(trx, "finance", {
      kind: "payout_needs_person", dedupeKey: `payout_needs_person:${payout.id}`,
      data: { senderName: (await outboxRepository(trx).fundName(payout.fundId)) ?? "", reference: payout.reference, shopName: payout.creditorName, amountCents: payout.amountCents.toString() },
    });
  });
  log(deps, "payout step failed, left open for a retry", { reference: payout.reference, error: error instanceof DomainError ? error.code : "error" });
}

/** The shop hears its payout was sent once the bank confirmed it (queued with that confirmation). */
async function payoutSentNotice(trx: Db, payout: Payout): Promise<void> {
  await queueShopNotice(trx, payout.merchantId, payoutSent(payout, (await outboxRepository(trx).fundName(payout.fundId)) ?? ""));
}

/** {@link payoutSentNotice} for a whole sent file's payouts, in a few statements. */
async function payoutSentNotices(trx: Db, payouts: readonly Payout[]): Promise<void> {
  const fundNames = new Map<string, string>();
  for (const fundId of new Set(payouts.map((p) => p.fundId))) fundNames.set(fundId, (await outboxRepository(trx).fundName(fundId)) ?? "");
  await queueShopNotices(trx, payouts.map((payout) => ({ merchantId: payout.merchantId, notice: payoutSent(payout, fundNames.get(payout.fundId)!) })));
}

function payoutSent(payout: Payout, fundName: string) {
  return {
    kind: "payout_sent" as const, dedupeKey: `payout_sent:${payout.id}`,
    data: { senderName: fundName, amountCents: payout.amountCents.toString(), reference: payout.reference, ibanLast4: payout.iban.slice(-4) },
  };
}

/** One payout through its steps, from wherever it stands. Errors leave it open (never failed halfway). */
async function payOne(deps: PayoutDeps, bank: TransferBank, client: FundClient, start: Payout): Promise<void> {
  const repo = payoutsRepository(deps.db);
  let payout = start;
  if (payout.status === "pending") {
    try {
      // Rule 2: the bank may have paid it already (a crash or timeout after the call): ask first.
      const known = payout.bankAttempts > 0 ? await bank.findByReference(payout.reference) : null;
      if (known) {
        log(deps, "bank already has the transfer: not sent again", { reference: payout.reference });
      } else {
        if (payout.bankAttempts === 0) {
          // A refund since the run started may have lowered what is owed: then pay nothing now.
          const { receivable } = await client.merchantOf(payout.merchantAddress);
          if (receivable < payout.amountCents) {
            await repo.updatePayout(payout.id, { status: "failed", last_error: `receivable ${receivable} below the payout` });
            return;
          }
        }
        if (!(await repo.claimBankAttempt(payout.id, payout.bankAttempts))) return; // another payer has it
        await crash(deps, "before-bank", payout);
      }
      const record = known ?? (await bank.transfer({
        reference: payout.reference, amountCents: payout.amountCents, creditorName: payout.creditorName, iban: payout.iban, bic: payout.bic,
        description: payout.description,
      }));
      await crash(deps, "after-bank", payout);
      if (record.amountCents !== payout.amountCents) {
        throw new DomainError("BANK_REFUSED", "The bank's transfer under this reference has another amount.", { reference: payout.reference });
      }
      const confirmedAt = clockOf(deps)();
      await inTransaction(deps.db, async (trx) => {
        await payoutsRepository(trx).updatePayout(payout.id, { status: "confirmed", bank_id: record.bankId, confirmed_at: confirmedAt, last_error: null });
        await payoutSentNotice(trx, payout);
      });
      payout = { ...payout, status: "confirmed", bankId: record.bankId, confirmedAt };
      await crash(deps, "after-confirm", payout);
    } catch (error) {
      if (isCrash(error)) throw error;
      await fail(deps, payout, error);
      return;
    }
  }
  if (payout.status === "confirmed" || payout.status === "sent") {
    try {
      await settleOnChain(deps, client, payout);
    } catch (error) {
      if (isCrash(error)) throw error;
      await fail(deps, payout, error);
    }
  }
}

/** Where a settled payout is written down: one UPDATE now, or in a group with others (see `settledWriter`). */
type RecordSettled = (row: { id: string; txHash: string | null; settledAt: Date }) => Promise<void> | void;

/**
 * Rule 3: record the paid transfer on chain once; a bankRef already used means it was recorded.
 * `used`: what isBankRefUsed answered for it (asked in bulk by the caller); asked here when absent.
 */
async function settleOnChain(deps: PayoutDeps, client: FundClient, payout: Payout, options: { used?: boolean; record?: RecordSettled } = {}): Promise<void> {
  const bankRef = payout.bankRef;
  let txHash: string | null = null;
  if (!(options.used ?? (await client.isBankRefUsed(bankRef)))) {
    try {
      txHash = (await client.settle(payout.merchantAddress, payout.amountCents, bankRef)).txHash;
    } catch (error) {
      // Sent twice at once (a second replica), or recorded since it was asked: the chain refused the copy, the first one counts.
      if (!(error instanceof DomainError && error.code === "BANK_REF_USED")) throw error;
    }
    await crash(deps, "after-chain", payout);
  }
  const settledAt = clockOf(deps)();
  if (options.record) await options.record({ id: payout.id, txHash, settledAt });
  else await payoutsRepository(deps.db).updatePayout(payout.id, { status: "settled", settle_tx_hash: txHash, settled_at: settledAt, last_error: null });
}

/**
 * Rule 3 for payouts the chain does not have yet (isBankRefUsed said so): recorded with one multicall
 * transaction, all or none. A refused batch is sent again one by one (FundClient.settleMany), where a
 * bankRef used since counts as recorded, as in `settleOnChain`; any other error leaves that payout open.
 */
async function settleBatchOnChain(deps: PayoutDeps, client: FundClient, batch: readonly Payout[], record: RecordSettled): Promise<void> {
  let outcomes: SettleOutcome[];
  try {
    outcomes = await client.settleMany(batch.map((p) => ({ merchant: p.merchantAddress, amountCents: p.amountCents, bankRef: p.bankRef })), { maxBatch: batch.length, concurrency: 1 });
  } catch (error) {
    for (const payout of batch) await fail(deps, payout, error);
    return;
  }
  for (const [i, payout] of batch.entries()) {
    const outcome = outcomes[i]!;
    let txHash: string | null = null;
    if (outcome.ok) txHash = outcome.txHash;
    else if (!(outcome.error instanceof DomainError && outcome.error.code === "BANK_REF_USED")) {
      await fail(deps, payout, outcome.error);
      continue;
    }
    await crash(deps, "after-chain", payout);
    await record({ id: payout.id, txHash, settledAt: clockOf(deps)() });
  }
}

/**
 * Writes settled payouts in groups (one UPDATE per `maxRows`, or after `maxWaitMs`) instead of one
 * statement each. A payout the chain recorded but whose row was not written yet when the process dies
 * stays sent: reconciliation finds its bankRef used and writes it down (as after any crash past the chain).
 */
function settledWriter(deps: PayoutDeps, maxRows = 250, maxWaitMs = 200) {
  const repo = payoutsRepository(deps.db);
  let buffer: { id: string; txHash: string | null; settledAt: Date }[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> = Promise.resolve();
  let failure: unknown;
  let stopped = false;
  const write = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const rows = buffer;
    buffer = [];
    if (rows.length > 0 && !stopped) {
      writing = writing.then(() => repo.markSettled(rows)).then(() => undefined, (error: unknown) => void (failure ??= error));
    }
    return writing;
  };
  return {
    record: ((row) => {
      buffer.push(row);
      if (buffer.length >= maxRows) void write();
      else timer ??= setTimeout(() => void write(), maxWaitMs);
    }) satisfies RecordSettled,
    /** Writes what is left; throws the first write's error. */
    async flush() {
      await write();
      if (failure !== undefined) throw failure;
    },
    /** As when the process dies: what is not written yet is dropped. */
    drop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      buffer = [];
    },
  };
}

/** Crashes injected by tests pass through every catch: they stand for the process dying. */
export class InjectedCrash extends Error {
  readonly point: CrashPoint;
  constructor(point: CrashPoint) {
    super(`injected crash at ${point}`);
    this.point = point;
    this.name = "InjectedCrash";
  }
}
const isCrash = (error: unknown) => error instanceof InjectedCrash;

async function finishRunIfDone(deps: PayoutDeps, runId: string): Promise<void> {
  const progress = await payoutsRepository(deps.db).progress(runId);
  if (progress.pending + progress.sent + progress.confirmed === 0) {
    await payoutsRepository(deps.db).updateRun(runId, { status: "completed", completed_at: clockOf(deps)() });
    log(deps, "run completed", { runId, settled: progress.settled, failed: progress.failed });
  }
}

/** The SEPA file of a run, written once (the same MsgId on every download, so a bank refuses a second upload). */
async function writeRunFile(deps: PayoutDeps, run: PayoutRun, debtor: DebtorAccount): Promise<void> {
  const now = clockOf(deps)();
  const payouts = await payoutsRepository(deps.db).payoutsOfRun(run.id, ["pending"]);
  const messageId = `TGD-RUN-${localDateTime(now).date.replace(/-/g, "")}-${randomCode(10)}`;
  const xml = buildPain001({
    messageId, createdAt: now, executionDate: localDateTime(now).date, initiatingPartyName: deps.initiatingPartyName ?? debtor.name, debtor,
    transfers: payouts.map((p) => ({ endToEndId: p.reference, amountCents: p.amountCents, creditorName: p.creditorName, iban: p.iban, bic: p.bic, remittance: p.description })),
  });
  await inTransaction(deps.db, async (trx) => {
    const repo = payoutsRepository(trx);
    await repo.setRunPayouts(run.id, "pending", { bank_attempts: 1 });
    await repo.updateRun(run.id, { status: "awaiting_sent", message_id: messageId, sepa_xml: xml });
  });
  log(deps, "SEPA file written, waiting for staff to send it", { runId: run.id, payouts: payouts.length });
  await crash(deps, "after-file", null);
}

/** The run's pain.001 file, for staff to upload to the bank. */
export async function runFile(deps: PayoutDeps, runId: string, staffUserId?: string): Promise<{ messageId: string; xml: string; fileName: string }> {
  await requireRun(deps.db, runId);
  const file = await payoutsRepository(deps.db).runFile(runId);
  if (!file) throw new DomainError("PAYOUT_RUN_STATE", "This payout run has no SEPA file.", { runId });
  if (staffUserId) {
    await auditLogRepository(deps.db).append({ actorType: "staff", actorId: staffUserId, action: "payout.run.download", subjectType: "payout_run", subjectId: runId, details: { messageId: file.messageId } });
  }
  return { ...file, fileName: `${file.messageId}.xml` };
}

/**
 * Staff uploaded the run's file to the bank: its payouts count as sent, and are recorded on chain.
 * Marking twice is harmless (the second only finishes what is left).
 */
export async function markRunSent(deps: PayoutDeps, runId: string, staffUserId: string, options: { settle?: boolean } = {}): Promise<RunView> {
  const now = clockOf(deps)();
  await inTransaction(deps.db, async (trx) => {
    const run = await requireRun(trx, runId, true);
    if (run.status !== "awaiting_sent") throw new DomainError("PAYOUT_RUN_STATE", undefined, { runId, status: run.status });
    if (run.sentAt) return;
    await payoutSentNotices(trx, await payoutsRepository(trx).payoutsOfRun(runId, ["pending"]));
    await payoutsRepository(trx).setRunPayouts(runId, "pending", { status: "sent", confirmed_at: now });
    await payoutsRepository(trx).updateRun(runId, { sent_by: staffUserId, sent_at: now });
    await auditLogRepository(trx).append({ actorType: "staff", actorId: staffUserId, action: "payout.run.sent", subjectType: "payout_run", subjectId: runId, details: { messageId: run.messageId ?? "" } });
  });
  await crash(deps, "after-marked-sent", null);
  if (options.settle !== false) await settleSentRun(deps, runId);
  return getRun(deps, runId);
}

/** Records a sent SEPA run's payouts on chain (those not yet recorded). */
export async function settleSentRun(deps: PayoutDeps, runId: string): Promise<void> {
  const run = await requireRun(deps.db, runId);
  const fund = await fundOf(deps, run.fundId);
  const client = deps.fund(fund.chain_address);
  const open = await payoutsRepository(deps.db).payoutsOfRun(runId, ["sent", "confirmed"]);
  // Rule 3, asked for all of them first (in bulk reads): a bankRef the chain has already (a crash after
  // the chain, before the row) is written down as settled, not sent again. When the read fails, each
  // payout is asked again on its own before it is settled.
  const used: (boolean | undefined)[] = await client.bankRefsUsed(open.map((p) => p.bankRef), deps.chainConcurrency ?? CHAIN_READS)
    .catch(() => open.map(() => undefined));
  const writer = settledWriter(deps);
  const concurrency = deps.settleConcurrency ?? SETTLES_AT_ONCE;
  // Those the chain surely lacks are recorded in batches (one multicall of settles per transaction);
  // those it has, or that could not be asked, go one by one as before (asked again there when unknown).
  const fresh = open.filter((_, i) => used[i] === false);
  const others = open.map((payout, i) => ({ payout, used: used[i] })).filter((entry) => entry.used !== false);
  // As many batches as transactions may be in flight, each of at most settleBatchSize payouts.
  const size = Math.max(1, Math.min(deps.settleBatchSize ?? SETTLE_BATCH_MAX, Math.ceil(fresh.length / concurrency)));
  const batches: Payout[][] = [];
  for (let i = 0; i < fresh.length; i += size) batches.push(fresh.slice(i, i + size));
  // Each payout has its own bankRef and shop: batches (and single payouts) may be recorded side by side.
  try {
    await mapLimited(others, concurrency, async ({ payout, used }) => {
      try {
        await settleOnChain(deps, client, payout, { used, record: writer.record });
      } catch (error) {
        if (isCrash(error)) throw error;
        await fail(deps, payout, error);
      }
    });
    await mapLimited(batches, concurrency, (batch) => settleBatchOnChain(deps, client, batch, writer.record));
  } catch (error) {
    if (isCrash(error)) writer.drop();
    else await writer.flush().catch(() => {});
    throw error;
  }
  await writer.flush();
  await finishRunIfDone(deps, runId);
}

export interface StatementImport {
  /** Payouts the statement confirmed (and that are now recorded on chain, unless the chain failed). */
  confirmed: string[];
  /** Ours, but the amount differs: left as they were, for a person to look at. */
  mismatched: string[];
  /** Transactions of the statement that are no payout of ours (or were confirmed before). */
  ignored: number;
}

/**
 * A camt.053 statement of the municipality's account: each booked debit whose EndToEndId is a payout
 * reference of a SEPA run, with the same amount, confirms that payout (whether or not staff marked the
 * file sent), and the payout is recorded on chain.
 */
export async function importStatement(deps: PayoutDeps, xml: string | readonly string[], staffUserId: string): Promise<StatementImport> {
  const transactions = (typeof xml === "string" ? [xml] : xml).flatMap((file) => readCamt053(file));
  const now = clockOf(deps)();
  const result: StatementImport = { confirmed: [], mismatched: [], ignored: 0 };
  const runs = new Set<string>();
  await inTransaction(deps.db, async (trx) => {
    const repo = payoutsRepository(trx);
    const payouts = await repo.findByReferences(transactions.map((t) => t.endToEndId));
    // Payouts rebuilt from the chain are known by their bankRef only: the statement line whose reference hashes to it names them.
    const recovered = new Map((await repo.unnamedRecovered()).map((p) => [p.bankRef.toLowerCase(), p]));
    for (const tx of transactions) {
      const payout = payouts.get(tx.endToEndId);
      const rebuilt = payout || tx.endToEndId.trim() === "" ? undefined : recovered.get(bankRefOf(tx.endToEndId).toLowerCase());
      if (rebuilt && rebuilt.amountCents === tx.amountCents && tx.currency === "EUR") {
        await repo.nameRecovered(rebuilt.id, tx.endToEndId, null);
        result.confirmed.push(tx.endToEndId);
        continue;
      }
      if (!payout || (payout.status !== "pending" && payout.status !== "sent") || payout.bankAttempts === 0) {
        result.ignored++;
        continue;
      }
      if (payout.amountCents !== tx.amountCents || tx.currency !== "EUR") {
        result.mismatched.push(payout.reference);
        await queueStaffNotice(trx, "finance", {
          kind: "statement_line_unmatched", dedupeKey: `statement_line_unmatched:${payout.reference}:${tx.amountCents}`,
          data: { senderName: (await outboxRepository(trx).fundName(payout.fundId)) ?? "", reference: payout.reference, amountCents: tx.amountCents.toString() },
        });
        continue;
      }
      await repo.updatePayout(payout.id, { status: "confirmed", confirmed_at: now, last_error: null });
      await payoutSentNotice(trx, payout);
      result.confirmed.push(payout.reference);
      runs.add(payout.runId);
    }
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: staffUserId, action: "payout.statement.import", subjectType: "payout_run", subjectId: null,
      details: { confirmed: result.confirmed.length, mismatched: result.mismatched.length, ignored: result.ignored },
    });
  });
  for (const runId of runs) await settleSentRun(deps, runId);
  return result;
}

/**
 * Finishes what a crash or an unreachable bank or chain left open: processing runs are processed again
 * (each payout from the step it reached; the bank asked by reference first), sent SEPA runs settled.
 * Returns the runs it looked at.
 */
export async function reconcilePayouts(deps: PayoutDeps): Promise<string[]> {
  const repo = payoutsRepository(deps.db);
  const runs = [...(await repo.unfinishedRuns()), ...(await repo.sentRunsWithOpenPayouts())];
  for (const run of runs) {
    if (run.status === "processing") {
      // A run started with another bank adapter is left for that configuration.
      if (run.bank !== deps.bank.name) continue;
      await processRun(deps, run.id);
    } else {
      await settleSentRun(deps, run.id);
    }
  }
  if (runs.length) log(deps, "reconciled unfinished runs", { runs: runs.length });
  await nameRecoveredPayouts(deps);
  return runs.map((r) => r.id);
}

/**
 * Payouts rebuilt from the chain (a restored backup did not know them) are named by their bankRef; the
 * bank's statement tells which of its transfers each was: its reference hashes to that bankRef. A file
 * bank's payouts are named when staff import its statement (importStatement).
 */
async function nameRecoveredPayouts(deps: PayoutDeps): Promise<number> {
  if (deps.bank.kind !== "transfer") return 0;
  const repo = payoutsRepository(deps.db);
  const unnamed = await repo.unnamedRecovered();
  if (unnamed.length === 0) return 0;
  const byBankRef = new Map((await deps.bank.recentTransfers()).map((t) => [bankRefOf(t.reference).toLowerCase(), t]));
  let named = 0;
  for (const payout of unnamed) {
    const transfer = byBankRef.get(payout.bankRef.toLowerCase());
    if (!transfer || transfer.amountCents !== payout.amountCents) continue;
    await repo.nameRecovered(payout.id, transfer.reference, transfer.bankId);
    named++;
  }
  log(deps, "payouts rebuilt from the chain matched to the bank's transfers", { named, unnamed: unnamed.length - named });
  return named;
}

export async function getRun(deps: PayoutDeps, runId: string): Promise<RunView> {
  const run = await requireRun(deps.db, runId);
  return { ...run, progress: await payoutsRepository(deps.db).progress(runId), bankLabel: bankLabelOf(deps, run.bank) };
}

function bankLabelOf(deps: PayoutDeps, name: string): string {
  return name === deps.bank.name ? deps.bank.label : name;
}

export async function listRuns(deps: PayoutDeps, filter: { fundId?: string; limit?: number } = {}): Promise<RunView[]> {
  const runs = await payoutsRepository(deps.db).listRuns(filter);
  return Promise.all(runs.map(async (run) => ({ ...run, progress: await payoutsRepository(deps.db).progress(run.id), bankLabel: bankLabelOf(deps, run.bank) })));
}

export async function runPayouts(deps: PayoutDeps, runId: string): Promise<Payout[]> {
  await requireRun(deps.db, runId);
  return payoutsRepository(deps.db).payoutsOfRun(runId);
}

export async function merchantPayouts(deps: Pick<PayoutDeps, "db">, merchantId: string): Promise<Payout[]> {
  return payoutsRepository(deps.db).merchantPayouts(merchantId);
}

/** What each fund owes one shop now (receivable minus its open payout). */
export async function owedToShop(deps: Pick<PayoutDeps, "db" | "fund">, merchantId: string) {
  const rows = await payoutsRepository(deps.db).shopFunds(merchantId);
  return Promise.all(rows.map(async (r) => {
    const open = BigInt(r.open_cents ?? "0");
    const receivable = r.merchant_address ? (await deps.fund(r.fund_address).merchantOf(r.merchant_address)).receivable : 0n;
    return { fundId: r.fund_id, fundName: r.fund_name, openCents: open, owedCents: receivable > open ? receivable - open : 0n };
  }));
}

export async function paidPerShop(deps: Pick<PayoutDeps, "db">, filter: { fundId?: string; from: Date; to: Date }) {
  return payoutsRepository(deps.db).paidPerMerchant(filter);
}

/** Starts and pays (unless it waits for approval) a run: the scheduler's and a hand-started run's path. */
export async function startAndProcess(deps: PayoutDeps, cmd: StartRunCommand): Promise<RunView> {
  const run = await startRun(deps, cmd);
  return run.status === "processing" ? processRun(deps, run.id) : getRun(deps, run.id);
}
