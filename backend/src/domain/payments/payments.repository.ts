// What the payments service reads and writes: funds by QR index, payment and refund rows recorded at
// charge time, and the take-over of an abandoned idempotency claim.
import { sql } from "kysely";
import { paymentRow } from "../../db/chain-index.repository.ts";
import type { Db } from "../../db/transaction.ts";
import { PREPARED } from "../../db/connect.ts";
import { precompiled } from "../../db/precompiled.ts";
import { isUuid } from "../merchants/merchants.repository.ts";

export interface FundRef {
  id: string;
  name: string;
  chainAddress: string;
}

/** A payment as recorded (by the charge or the indexer), with what was refunded of it. */
export interface PaymentLine {
  paymentId: string;
  fundId: string;
  budgetId: string;
  merchant: string;
  amountCents: bigint;
  refundedCents: bigint;
  nonce: bigint;
  txHash: string;
  blockNumber: number;
  blockTime: Date;
  /** Whether the indexer has seen it on chain (a charge's own row is unconfirmed until then). */
  confirmed: boolean;
}

export interface PaymentTotals {
  count: number;
  amountCents: bigint;
  refundedCents: bigint;
}

export interface ChainRow {
  txHash: string;
  blockNumber: number;
  logIndex: number;
  blockTime: Date;
}

/**
 * A charge's outcome in one statement: complete the pending key (and the permit's claim, when it holds
 * one), insert the payment (unless the indexer was first) and the audit line, each only when the key was
 * this charge's to complete.
 */
const recordChargeStatement = precompiled((
  handle: Db, paymentId: string, fundId: string, budgetId: string, merchant: string, amountCents: bigint, nonce: bigint, txHash: string,
  blockNumber: bigint, logIndex: number, blockTime: Date, scope: string, key: string, response: string, actorId: string | null, details: string,
  permitScope: string, permitKey: string, permitResponse: string,
) =>
  handle
    .with("k", (q) =>
      q.updateTable("idempotency_keys")
        .set({ status: "done", response })
        .where("scope", "=", scope)
        .where("key", "=", key)
        .where("status", "=", "pending")
        .returning("key"),
    )
    .with("pk", (q) =>
      q.updateTable("idempotency_keys")
        .set({ status: "done", response: permitResponse })
        .where("scope", "=", permitScope)
        .where("key", "=", permitKey)
        .where("status", "=", "pending")
        .where(({ exists, selectFrom }) => exists(selectFrom("k").select("key")))
        .returning("key"),
    )
    .with("p", (q) =>
      q.insertInto("payments")
        .columns(["payment_id", "fund_id", "budget_id", "merchant", "amount_cents", "nonce", "tx_hash", "block_number", "log_index", "block_time"])
        .expression((e) =>
          e.selectFrom("k").select([
            sql.val(paymentId).as("payment_id"), sql.val(fundId).as("fund_id"), sql.val(budgetId).as("budget_id"),
            sql.val(merchant).as("merchant"), sql.val(amountCents).as("amount_cents"), sql.val(nonce).as("nonce"),
            sql.val(txHash).as("tx_hash"), sql.val(blockNumber).as("block_number"), sql.val(logIndex).as("log_index"),
            sql.val(blockTime).as("block_time"),
          ]),
        )
        .onConflict((oc) => oc.doNothing())
        .returning("payment_id"),
    )
    .with("a", (q) =>
      q.insertInto("audit_log")
        .columns(["actor_type", "actor_id", "action", "subject_type", "subject_id", "details"])
        .expression((e) =>
          e.selectFrom("k").select([
            sql.val("merchant").as("actor_type"), sql.val(actorId).as("actor_id"), sql.val("payment.charge").as("action"),
            sql.val("payment").as("subject_type"), sql.val(paymentId).as("subject_id"), sql`${details}::jsonb`.as("details"),
          ]),
        )
        .returning("id"),
    )
    .selectFrom("k")
    .select(sql<string>`count(*)::int8`.as("n"))
    .modifyEnd(PREPARED));

export function paymentsRepository(handle: Db) {
  const db = handle;

  return {
    async fundByIndex(factoryIndex: number): Promise<FundRef | null> {
      if (!Number.isSafeInteger(factoryIndex) || factoryIndex < 0 || factoryIndex > 2_147_483_647) return null;
      const row = await db.selectFrom("funds").select(["id", "name", "chain_address"]).where("factory_index", "=", factoryIndex).executeTakeFirst();
      return row ? { id: row.id, name: row.name, chainAddress: row.chain_address } : null;
    },

    async fundById(fundId: string): Promise<FundRef | null> {
      if (!isUuid(fundId)) return null;
      const row = await db.selectFrom("funds").select(["id", "name", "chain_address"]).where("id", "=", fundId).executeTakeFirst();
      return row ? { id: row.id, name: row.name, chainAddress: row.chain_address } : null;
    },

    async merchantAddress(merchantId: string): Promise<string | null> {
      if (!isUuid(merchantId)) return null;
      const row = await db.selectFrom("merchants").select("chain_address").where("id", "=", merchantId).executeTakeFirst();
      return row?.chain_address ?? null;
    },

    /**
     * A charge's outcome in one statement (one round trip, atomic on its own): the payment row (kept
     * when the indexer was first), the idempotency key completed with the receipt, and the audit line.
     * Writes nothing and returns false when the key is no longer this charge's pending claim.
     */
    async recordCharge(
      p: { paymentId: string; fundId: string; budgetId: string; merchant: string; amountCents: bigint; nonce: bigint } & ChainRow,
      key: { scope: string; key: string; response: Record<string, unknown> },
      audit: { actorId: string | null; details: Record<string, unknown> },
      /** The permit's claim this charge holds: completed with the payment's id in the same statement. */
      permit?: { scope: string; key: string },
    ): Promise<boolean> {
      const row = paymentRow(p);
      const [result] = await recordChargeStatement.rows(
        handle, row.payment_id, row.fund_id, row.budget_id, row.merchant, row.amount_cents, row.nonce, row.tx_hash, row.block_number,
        row.log_index, row.block_time, key.scope, key.key, JSON.stringify(key.response), audit.actorId, JSON.stringify(audit.details),
        permit?.scope ?? "", permit?.key ?? "", JSON.stringify(row.payment_id),
      );
      return Number(result!.n) > 0;
    },

    async recordRefund(r: { paymentId: string; amountCents: bigint } & ChainRow): Promise<void> {
      await db
        .insertInto("refunds")
        .values({
          payment_id: r.paymentId.toLowerCase(),
          amount_cents: r.amountCents,
          tx_hash: r.txHash.toLowerCase(),
          block_number: BigInt(r.blockNumber),
          log_index: r.logIndex,
          block_time: r.blockTime,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
    },

    /**
     * Marks the payments at these chain positions as seen by the indexer. The positions travel as two
     * arrays joined to the table: one plan whatever their number (an OR of hundreds of pairs cost more
     * to plan than to run).
     */
    async confirmPayments(positions: readonly { txHash: string; logIndex: number }[], at: Date): Promise<void> {
      for (let i = 0; i < positions.length; i += 5_000) {
        const chunk = positions.slice(i, i + 5_000);
        await sql`
          update payments p set confirmed_at = ${at}
            from unnest(${chunk.map((c) => c.txHash.toLowerCase())}::text[], ${chunk.map((c) => c.logIndex)}::int4[]) as c (tx_hash, log_index)
           where p.tx_hash = c.tx_hash and p.log_index = c.log_index and p.confirmed_at is null`.execute(db);
      }
    },

    async payment(paymentId: string): Promise<(PaymentLine & { fundAddress: string }) | null> {
      if (!/^0x[0-9a-fA-F]{64}$/.test(paymentId)) return null;
      const rows = await lines(db, { paymentId: paymentId.toLowerCase() });
      const line = rows[0];
      if (!line) return null;
      const fund = await db.selectFrom("funds").select("chain_address").where("id", "=", line.fundId).executeTakeFirstOrThrow();
      return { ...line, fundAddress: fund.chain_address };
    },

    /** A shop's payments in [from, to), newest first (at most `limit`), and the totals of the whole range. */
    async merchantPayments(merchant: string, from: Date, to: Date, limit = 1000): Promise<{ payments: PaymentLine[]; totals: PaymentTotals }> {
      const payments = await lines(db, { merchant: merchant.toLowerCase(), from, to, limit });
      const totals = await db
        .selectFrom("payments as p")
        .select([
          sql<string>`count(*)`.as("count"),
          sql<string>`coalesce(sum(p.amount_cents), 0)`.as("amount"),
          sql<string>`coalesce(sum((select coalesce(sum(r.amount_cents), 0) from refunds r where r.payment_id = p.payment_id)), 0)`.as("refunded"),
        ])
        .where("p.merchant", "=", merchant.toLowerCase())
        .where("p.block_time", ">=", from)
        .where("p.block_time", "<", to)
        .executeTakeFirstOrThrow();
      return {
        payments,
        totals: { count: Number(totals.count), amountCents: BigInt(totals.amount), refundedCents: BigInt(totals.refunded) },
      };
    },

    /**
     * Takes over an idempotency claim left pending since before `staleBefore` (its holder crashed or
     * gave up), for the same request; true for exactly one of concurrent callers.
     */
    async takeOverStaleClaim(scope: string, key: string, requestHash: string, staleBefore: Date): Promise<boolean> {
      const row = await db
        .updateTable("idempotency_keys")
        .set({ created_at: sql`now()` })
        .where("scope", "=", scope)
        .where("key", "=", key)
        .where("request_hash", "=", requestHash)
        .where("status", "=", "pending")
        .where("created_at", "<", staleBefore)
        .returning("key")
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

async function lines(
  db: Db,
  filter: { paymentId?: string; merchant?: string; from?: Date; to?: Date; limit?: number },
): Promise<PaymentLine[]> {
  let query = db
    .selectFrom("payments as p")
    .selectAll("p")
    .select(sql<string>`(select coalesce(sum(r.amount_cents), 0) from refunds r where r.payment_id = p.payment_id)`.as("refunded"));
  if (filter.paymentId !== undefined) query = query.where("p.payment_id", "=", filter.paymentId);
  if (filter.merchant !== undefined) query = query.where("p.merchant", "=", filter.merchant);
  if (filter.from !== undefined) query = query.where("p.block_time", ">=", filter.from);
  if (filter.to !== undefined) query = query.where("p.block_time", "<", filter.to);
  const rows = await query
    .orderBy("p.block_time", "desc")
    .orderBy("p.block_number", "desc")
    .orderBy("p.log_index", "desc")
    .limit(Math.min(Math.max(filter.limit ?? 1000, 1), 1000))
    .execute();
  return rows.map((row) => ({
    paymentId: row.payment_id,
    fundId: row.fund_id,
    budgetId: row.budget_id,
    merchant: row.merchant,
    amountCents: row.amount_cents,
    refundedCents: BigInt(row.refunded),
    nonce: row.nonce,
    txHash: row.tx_hash,
    blockNumber: Number(row.block_number),
    blockTime: row.block_time,
    confirmed: row.confirmed_at !== null,
  }));
}

export type PaymentsRepository = ReturnType<typeof paymentsRepository>;
