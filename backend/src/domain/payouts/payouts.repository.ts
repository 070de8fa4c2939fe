// Payout runs and payouts: the only SQL of the payouts service. Rows become domain objects here.
import { sql, type Selectable } from "kysely";
import {
  type BankName, type PayoutRunStatus, type PayoutRunsTable, type PayoutStatus, type PayoutTrigger, type PayoutsTable,
} from "../../db/schema.ts";
import type { Db } from "../../db/transaction.ts";

export const OPEN_STATUSES: readonly PayoutStatus[] = ["pending", "sent", "confirmed"];

export interface PayoutRun {
  id: string;
  fundId: string;
  trigger: PayoutTrigger;
  bank: BankName;
  status: PayoutRunStatus;
  totalCents: bigint;
  payoutCount: number;
  startedBy: string | null;
  approvedBy: string | null;
  approvedAt: Date | null;
  messageId: string | null;
  hasFile: boolean;
  sentBy: string | null;
  sentAt: Date | null;
  createdAt: Date;
  completedAt: Date | null;
}

export interface Payout {
  id: string;
  reference: string;
  /** keccak256 of the reference: what the chain records as the settle's bankRef (a rebuilt payout's before the bank named it: see chainReference). */
  bankRef: string;
  runId: string;
  fundId: string;
  merchantId: string;
  merchantAddress: string;
  amountCents: bigint;
  creditorName: string;
  iban: string;
  bic: string | null;
  description: string;
  periodFrom: Date;
  periodTo: Date;
  status: PayoutStatus;
  bankAttempts: number;
  bankId: string | null;
  settleTxHash: string | null;
  lastError: string | null;
  createdAt: Date;
  confirmedAt: Date | null;
  settledAt: Date | null;
}

export type NewPayout = Omit<Payout, "id" | "runId" | "status" | "bankAttempts" | "bankId" | "settleTxHash" | "lastError" | "createdAt" | "confirmedAt" | "settledAt">;

/** A shop of a fund that may be owed money: it has an address on chain. */
export interface PayoutCandidate {
  merchantId: string;
  name: string;
  iban: string;
  bic: string | null;
  merchantAddress: string;
  /** Where the next payout's period starts: the end of the last one, else the approval. */
  periodFrom: Date;
  /** The open payout's amount, 0 when none. */
  openCents: bigint;
}

export interface RunProgress {
  pending: number;
  sent: number;
  confirmed: number;
  settled: number;
  failed: number;
}

export interface MerchantPaidTotal {
  merchantId: string;
  name: string;
  payoutCount: number;
  paidCents: bigint;
}

function toRun(row: Selectable<PayoutRunsTable>): PayoutRun {
  return {
    id: row.id, fundId: row.fund_id, trigger: row.trigger, bank: row.bank, status: row.status, totalCents: row.total_cents,
    payoutCount: row.payout_count, startedBy: row.started_by, approvedBy: row.approved_by, approvedAt: row.approved_at,
    messageId: row.message_id, hasFile: row.sepa_xml !== null, sentBy: row.sent_by, sentAt: row.sent_at, createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

function toPayout(row: Selectable<PayoutsTable>): Payout {
  return {
    id: row.id, reference: row.reference, bankRef: row.bank_ref, runId: row.run_id, fundId: row.fund_id, merchantId: row.merchant_id,
    merchantAddress: row.merchant_address, amountCents: row.amount_cents, creditorName: row.creditor_name, iban: row.iban, bic: row.bic,
    description: row.description, periodFrom: row.period_from, periodTo: row.period_to, status: row.status, bankAttempts: row.bank_attempts,
    bankId: row.bank_id, settleTxHash: row.settle_tx_hash, lastError: row.last_error, createdAt: row.created_at,
    confirmedAt: row.confirmed_at, settledAt: row.settled_at,
  };
}

const runColumns = [
  "id", "fund_id", "trigger", "bank", "status", "total_cents", "payout_count", "started_by", "approved_by", "approved_at", "message_id",
  sql<string | null>`case when sepa_xml is null then null else '' end`.as("sepa_xml"),
  "sent_by", "sent_at", "created_at", "completed_at",
] as const;

const CHUNK = 500;

/** A settle the chain recorded (MerchantSettled), as the indexer read it. */
export interface SettledOnChain {
  fundAddress: string;
  merchant: string;
  amount: bigint;
  bankRef: string;
  txHash: string;
  blockTime: Date;
}

/** How a payout rebuilt from the chain is named until the bank tells its reference: its bankRef's first hex digits. */
export const CHAIN_REFERENCE_PREFIX = "CHAIN-";
export function chainReference(bankRef: string): string {
  return `${CHAIN_REFERENCE_PREFIX}${bankRef.replace(/^0x/i, "").slice(0, 29).toUpperCase()}`;
}

export function payoutsRepository(handle: Db) {
  const db = handle;
  return {
    /** How many payouts are in each state (for the metrics). */
    async countByStatus(): Promise<{ state: string; count: number }[]> {
      const rows = await db.selectFrom("payouts").select(["status", sql<string>`count(*)::text`.as("n")]).groupBy("status").execute();
      return rows.map((row) => ({ state: row.status, count: Number(row.n) }));
    },

    async candidates(fundId: string): Promise<PayoutCandidate[]> {
      const rows = await db
        .selectFrom("merchant_funds as mf")
        .innerJoin("merchants as m", "m.id", "mf.merchant_id")
        .select((eb) => [
          "m.id", "m.name", "m.iban", "m.bic", "m.chain_address", "mf.approved_at",
          eb.selectFrom("payouts as p").select((inner) => inner.fn.max("p.period_to").as("t"))
            .whereRef("p.merchant_id", "=", "m.id").where("p.fund_id", "=", fundId).where("p.status", "<>", "failed").as("last_to"),
          eb.selectFrom("payouts as p").select(sql<string>`coalesce(sum(p.amount_cents), 0)::text`.as("s"))
            .whereRef("p.merchant_id", "=", "m.id").where("p.fund_id", "=", fundId).where("p.status", "in", OPEN_STATUSES).as("open_cents"),
        ])
        .where("mf.fund_id", "=", fundId)
        .where("m.chain_address", "is not", null)
        .orderBy("m.name")
        .orderBy("m.id")
        .execute();
      return rows.map((r) => ({
        merchantId: r.id, name: r.name, iban: r.iban, bic: r.bic, merchantAddress: r.chain_address!,
        periodFrom: (r.last_to as Date | null) ?? r.approved_at, openCents: BigInt(r.open_cents ?? "0"),
      }));
    },

    async insertRun(run: { fundId: string; trigger: PayoutTrigger; bank: BankName; status: PayoutRunStatus; startedBy: string | null }, payouts: readonly NewPayout[]) {
      const total = payouts.reduce((sum, p) => sum + p.amountCents, 0n);
      const row = await db
        .insertInto("payout_runs")
        .values({ fund_id: run.fundId, trigger: run.trigger, bank: run.bank, status: run.status, total_cents: total, payout_count: payouts.length, started_by: run.startedBy })
        .returning(runColumns)
        .executeTakeFirstOrThrow();
      let inserted = 0;
      let insertedTotal = 0n;
      for (let i = 0; i < payouts.length; i += CHUNK) {
        const added = await db
          .insertInto("payouts")
          .values(payouts.slice(i, i + CHUNK).map((p) => ({
            reference: p.reference, bank_ref: p.bankRef.toLowerCase(), run_id: row.id, fund_id: p.fundId, merchant_id: p.merchantId, merchant_address: p.merchantAddress.toLowerCase(),
            amount_cents: p.amountCents, creditor_name: p.creditorName, iban: p.iban, bic: p.bic, description: p.description,
            period_from: p.periodFrom, period_to: p.periodTo, status: "pending" as const,
          })))
          // Another run took the shop first (the one-open-payout index): this run leaves it out.
          .onConflict((oc) => oc.doNothing())
          .returning("amount_cents")
          .execute();
        inserted += added.length;
        insertedTotal += added.reduce((sum, a) => sum + a.amount_cents, 0n);
      }
      if (inserted !== payouts.length) {
        await db.updateTable("payout_runs").set({ payout_count: inserted, total_cents: insertedTotal }).where("id", "=", row.id).execute();
      }
      return { ...toRun(row), payoutCount: inserted, totalCents: insertedTotal };
    },

    async findRun(id: string, options: { forUpdate?: boolean } = {}): Promise<PayoutRun | null> {
      let query = db.selectFrom("payout_runs").select(runColumns).where("id", "=", id);
      if (options.forUpdate) query = query.forUpdate();
      const row = await query.executeTakeFirst();
      return row ? toRun(row) : null;
    },

    async runFile(id: string): Promise<{ messageId: string; xml: string } | null> {
      const row = await db.selectFrom("payout_runs").select(["message_id", "sepa_xml"]).where("id", "=", id).executeTakeFirst();
      return row?.sepa_xml && row.message_id ? { messageId: row.message_id, xml: row.sepa_xml } : null;
    },

    async listRuns(filter: { fundId?: string; statuses?: readonly PayoutRunStatus[]; limit?: number } = {}): Promise<PayoutRun[]> {
      let query = db.selectFrom("payout_runs").select(runColumns);
      if (filter.fundId) query = query.where("fund_id", "=", filter.fundId);
      if (filter.statuses) query = query.where("status", "in", filter.statuses);
      const rows = await query.orderBy("created_at", "desc").orderBy("id").limit(Math.min(filter.limit ?? 100, 1000)).execute();
      return rows.map(toRun);
    },

    async updateRun(id: string, patch: Partial<Pick<Selectable<PayoutRunsTable>, "status" | "approved_by" | "approved_at" | "message_id" | "sepa_xml" | "sent_by" | "sent_at" | "completed_at">>) {
      await db.updateTable("payout_runs").set(patch).where("id", "=", id).execute();
    },

    async payoutsOfRun(runId: string, statuses?: readonly PayoutStatus[]): Promise<Payout[]> {
      let query = db.selectFrom("payouts").selectAll().where("run_id", "=", runId);
      if (statuses) query = query.where("status", "in", statuses);
      return (await query.orderBy("reference").execute()).map(toPayout);
    },

    async findByReferences(references: readonly string[]): Promise<Map<string, Payout>> {
      const out = new Map<string, Payout>();
      for (let i = 0; i < references.length; i += CHUNK) {
        const rows = await db.selectFrom("payouts").selectAll().where("reference", "in", references.slice(i, i + CHUNK)).execute();
        for (const row of rows) out.set(row.reference, toPayout(row));
      }
      return out;
    },

    async findPayout(id: string): Promise<Payout | null> {
      const row = await db.selectFrom("payouts").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toPayout(row) : null;
    },

    async updatePayout(id: string, patch: Partial<Pick<Selectable<PayoutsTable>, "status" | "bank_attempts" | "bank_id" | "settle_tx_hash" | "last_error" | "confirmed_at" | "settled_at">>) {
      await db.updateTable("payouts").set(patch).where("id", "=", id).execute();
    },

    /**
     * Records payouts the chain settled, many in one statement: each becomes settled with its own
     * transaction (null when the chain had it already) and time. Only open payouts move; returns how many did.
     */
    async markSettled(rows: readonly { id: string; txHash: string | null; settledAt: Date }[]): Promise<number> {
      let updated = 0;
      for (let i = 0; i < rows.length; i += CHUNK) {
        const values = sql.join(rows.slice(i, i + CHUNK).map((r) => sql`(${r.id}::uuid, ${r.txHash}::text, ${r.settledAt}::timestamptz)`));
        const result = await sql`
          update payouts as p set status = 'settled', settle_tx_hash = v.tx_hash, settled_at = v.settled_at, last_error = null
          from (values ${values}) as v(id, tx_hash, settled_at)
          where p.id = v.id and p.status in ('pending', 'sent', 'confirmed')`.execute(db);
        updated += Number(result.numAffectedRows ?? 0n);
      }
      return updated;
    },

    /** Counts one more bank attempt, only if nobody else did since `seen` was read: false means hands off. */
    async claimBankAttempt(id: string, seen: number): Promise<boolean> {
      const result = await db.updateTable("payouts").set({ bank_attempts: seen + 1 })
        .where("id", "=", id).where("status", "=", "pending").where("bank_attempts", "=", seen).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Moves every payout of the run in `from` to `to`; returns how many moved. */
    async setRunPayouts(runId: string, from: PayoutStatus, patch: Partial<Pick<Selectable<PayoutsTable>, "status" | "bank_attempts" | "confirmed_at">>) {
      const result = await db.updateTable("payouts").set(patch).where("run_id", "=", runId).where("status", "=", from).executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async progress(runId: string): Promise<RunProgress> {
      const rows = await db.selectFrom("payouts").select(["status", (eb) => eb.fn.countAll<string>().as("n")]).where("run_id", "=", runId).groupBy("status").execute();
      const progress: RunProgress = { pending: 0, sent: 0, confirmed: 0, settled: 0, failed: 0 };
      for (const r of rows) progress[r.status] = Number(r.n);
      return progress;
    },

    async merchantPayouts(merchantId: string, limit = 200): Promise<Payout[]> {
      const rows = await db.selectFrom("payouts").selectAll().where("merchant_id", "=", merchantId).orderBy("created_at", "desc").orderBy("reference").limit(limit).execute();
      return rows.map(toPayout);
    },

    /** Settled payouts per shop with `settled_at` in [from, to). */
    async paidPerMerchant(filter: { fundId?: string; from: Date; to: Date }): Promise<MerchantPaidTotal[]> {
      let query = db
        .selectFrom("payouts as p")
        .innerJoin("merchants as m", "m.id", "p.merchant_id")
        .select(["p.merchant_id", "m.name", (eb) => eb.fn.countAll<string>().as("n"), sql<string>`sum(p.amount_cents)::text`.as("paid")])
        .where("p.status", "=", "settled")
        .where("p.settled_at", ">=", filter.from)
        .where("p.settled_at", "<", filter.to);
      if (filter.fundId) query = query.where("p.fund_id", "=", filter.fundId);
      const rows = await query.groupBy(["p.merchant_id", "m.name"]).orderBy("m.name").execute();
      return rows.map((r) => ({ merchantId: r.merchant_id, name: r.name, payoutCount: Number(r.n), paidCents: BigInt(r.paid) }));
    },

    /**
     * The chain's MerchantSettled events, from the indexer: a payout whose bankRef the chain recorded is
     * settled, with the transaction that did it (also when a crash kept us from writing that down).
     */
    async recordSettledEvents(events: readonly { bankRef: string; txHash: string; blockTime: Date }[]): Promise<number> {
      let updated = 0;
      for (const e of events) {
        const result = await db.updateTable("payouts")
          .set((eb) => ({
            status: "settled" as const,
            settle_tx_hash: eb.fn.coalesce("settle_tx_hash", eb.val(e.txHash.toLowerCase())),
            settled_at: eb.fn.coalesce("settled_at", eb.val(e.blockTime)),
          }))
          .where("bank_ref", "=", e.bankRef.toLowerCase())
          .where("status", "in", ["confirmed", "sent", "settled"])
          .executeTakeFirst();
        updated += Number(result.numUpdatedRows);
      }
      return updated;
    },

    /**
     * The chain's MerchantSettled events that no payout row knows (a backup restored from before them):
     * each comes back as a settled payout of the shop with that address, in one 'recovered' run per fund,
     * named by its bankRef until the bank tells its own reference ({@link nameRecovered}).
     */
    async rebuildSettledFromChain(events: readonly SettledOnChain[], bank: PayoutRun["bank"], now: Date): Promise<number> {
      const refs = [...new Set(events.map((e) => e.bankRef.toLowerCase()))];
      if (refs.length === 0) return 0;
      const known = new Set((await db.selectFrom("payouts").select("bank_ref").where("bank_ref", "in", refs).execute()).map((r) => r.bank_ref));
      const missing = events.filter((e) => !known.has(e.bankRef.toLowerCase()));
      let rebuilt = 0;
      for (const fundAddress of new Set(missing.map((e) => e.fundAddress.toLowerCase()))) {
        const fund = await db.selectFrom("funds").select("id").where("chain_address", "=", fundAddress).executeTakeFirst();
        const mine = missing.filter((e) => e.fundAddress.toLowerCase() === fundAddress);
        const shops = await db.selectFrom("merchants").select(["id", "name", "iban", "bic", "chain_address"])
          .where("chain_address", "in", [...new Set(mine.map((e) => e.merchant.toLowerCase()))]).execute();
        const rows = mine.flatMap((e) => {
          const shop = shops.find((m) => m.chain_address === e.merchant.toLowerCase());
          return fund && shop ? [{ e, shop }] : [];
        });
        if (!fund || rows.length === 0) continue;
        const total = rows.reduce((sum, r) => sum + r.e.amount, 0n);
        const run = await db.insertInto("payout_runs")
          .values({ fund_id: fund.id, trigger: "recovered", bank, status: "completed", total_cents: total, payout_count: rows.length, completed_at: now })
          .returning("id").executeTakeFirstOrThrow();
        await db.insertInto("payouts").values(rows.map(({ e, shop }) => {
          const reference = chainReference(e.bankRef);
          return {
            reference, bank_ref: e.bankRef.toLowerCase(), run_id: run.id, fund_id: fund.id, merchant_id: shop.id, merchant_address: e.merchant.toLowerCase(),
            amount_cents: e.amount, creditor_name: shop.name, iban: shop.iban, bic: shop.bic, description: `Tegoed ${reference} rebuilt from the chain`,
            period_from: e.blockTime, period_to: e.blockTime, status: "settled" as const, settle_tx_hash: e.txHash.toLowerCase(), settled_at: e.blockTime,
          };
        })).execute();
        rebuilt += rows.length;
      }
      return rebuilt;
    },

    /** Rebuilt payouts still named by their bankRef. */
    async unnamedRecovered(): Promise<Payout[]> {
      const rows = await db.selectFrom("payouts").selectAll().where("reference", "like", `${CHAIN_REFERENCE_PREFIX}%`).orderBy("created_at").execute();
      return rows.map(toPayout);
    },

    /** A rebuilt payout gets the reference the bank paid it under, and the bank's id of the transfer. */
    async nameRecovered(id: string, reference: string, bankId: string | null): Promise<void> {
      await db.updateTable("payouts").set({ reference, bank_id: bankId })
        .where("id", "=", id).where("reference", "like", `${CHAIN_REFERENCE_PREFIX}%`).execute();
    },

    /** Runs a crash or error may have left unfinished. */
    async unfinishedRuns(): Promise<PayoutRun[]> {
      const rows = await db.selectFrom("payout_runs").select(runColumns).where("status", "=", "processing").orderBy("created_at").execute();
      return rows.map(toRun);
    },

    /** SEPA runs not completed: some of their payouts may be sent or confirmed (by a statement) but not yet on chain. */
    async sentRunsWithOpenPayouts(): Promise<PayoutRun[]> {
      const rows = await db.selectFrom("payout_runs").select(runColumns)
        .where("status", "=", "awaiting_sent").orderBy("created_at").execute();
      return rows.map(toRun);
    },

    /** The funds a shop is approved for, with its open payout in each. */
    async shopFunds(merchantId: string) {
      return db
        .selectFrom("merchant_funds as mf")
        .innerJoin("funds as f", "f.id", "mf.fund_id")
        .innerJoin("merchants as m", "m.id", "mf.merchant_id")
        .select((eb) => [
          "f.id as fund_id", "f.name as fund_name", "f.chain_address as fund_address", "m.chain_address as merchant_address",
          eb.selectFrom("payouts as p").select(sql<string>`coalesce(sum(p.amount_cents), 0)::text`.as("s"))
            .whereRef("p.merchant_id", "=", "mf.merchant_id").whereRef("p.fund_id", "=", "mf.fund_id").where("p.status", "in", OPEN_STATUSES).as("open_cents"),
        ])
        .where("mf.merchant_id", "=", merchantId)
        .orderBy("f.name")
        .execute();
    },

    async fundSchedule(fundId: string) {
      return db.selectFrom("funds").select(["id", "chain_address", "name", "payout_schedule", "payout_minimum_cents", "payout_last_daily_on", "time_zone"]).where("id", "=", fundId).executeTakeFirst();
    },

    async allFundSchedules() {
      return db.selectFrom("funds").select(["id", "chain_address", "name", "payout_schedule", "payout_minimum_cents", "payout_last_daily_on", "time_zone"]).orderBy("created_at").execute();
    },

    async setFundSchedule(fundId: string, schedule: string, minimumCents: bigint) {
      await db.updateTable("funds").set({ payout_schedule: schedule, payout_minimum_cents: minimumCents }).where("id", "=", fundId).execute();
    },

    /** Claims today's daily run for the fund; false when it ran already (another replica, or before a restart). */
    async claimDaily(fundId: string, localDate: string): Promise<boolean> {
      const result = await db.updateTable("funds").set({ payout_last_daily_on: localDate }).where("id", "=", fundId)
        .where((eb) => eb.or([eb("payout_last_daily_on", "is", null), eb("payout_last_daily_on", "<", localDate)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type PayoutsRepository = ReturnType<typeof payoutsRepository>;
