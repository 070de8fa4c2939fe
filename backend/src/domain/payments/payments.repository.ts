// What the payments service reads and writes: funds by QR index, payment and refund rows recorded at
// charge time, and the take-over of an abandoned idempotency claim.
import { sql, type RawBuilder } from "kysely";
import { paymentRow } from "../../db/chain-index.repository.ts";
import type { Db } from "../../db/transaction.ts";
import { PREPARED } from "../../db/connect.ts";
import { together } from "../../db/together.ts";
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

/** One charge's outcome, as `recordCharges` writes it. */
interface ChargeOutcome {
  row: ReturnType<typeof paymentRow>;
  scope: string;
  key: string;
  response: string;
  permitScope: string;
  permitKey: string;
  actorId: string | null;
  details: string;
}

/**
 * Charges' outcomes in one statement: complete each pending key (and the permit's claim it holds, if
 * any), insert its payment (unless the indexer was first) and its audit line, each only for the keys
 * that were still their charge's to complete. The charges' positions (`n`, from 1) of those are returned.
 * The payments go in in chain order, as the indexer inserts them: two statements that insert the
 * same payments then wait for each other in one order, never in a cycle.
 */
async function recordChargesStatement(handle: Db, outcomes: ChargeOutcome[]): Promise<Set<number>> {
  const column = <T>(f: (o: ChargeOutcome) => T) => outcomes.map(f);
  const { rows } = await sql<{ n: string }>`
  with c as (
    select * from unnest(
      ${column((o) => o.scope)}::text[], ${column((o) => o.key)}::text[], ${column((o) => o.response)}::text[],
      ${column((o) => o.permitScope)}::text[], ${column((o) => o.permitKey)}::text[],
      ${column((o) => o.row.payment_id)}::text[], ${column((o) => o.row.fund_id)}::uuid[], ${column((o) => o.row.budget_id)}::text[],
      ${column((o) => o.row.merchant)}::text[], ${column((o) => String(o.row.amount_cents))}::int8[], ${column((o) => String(o.row.nonce))}::int8[],
      ${column((o) => o.row.tx_hash)}::text[], ${column((o) => String(o.row.block_number))}::int8[], ${column((o) => o.row.log_index)}::int4[],
      ${column((o) => o.row.block_time.toISOString())}::timestamptz[], ${column((o) => o.actorId)}::text[], ${column((o) => o.details)}::text[]
    ) with ordinality as c (
      scope, key, response, permit_scope, permit_key, payment_id, fund_id, budget_id, merchant, amount_cents, nonce,
      tx_hash, block_number, log_index, block_time, actor_id, details, n
    )
  ),
  k as (
    update idempotency_keys i set status = 'done', response = c.response::jsonb
      from c where i.scope = c.scope and i.key = c.key and i.status = 'pending'
    returning i.scope, i.key
  ),
  mine as (select c.* from c join k on k.scope = c.scope and k.key = c.key),
  pk as (
    update idempotency_keys i set status = 'done', response = to_jsonb(mine.payment_id)
      from mine where i.scope = mine.permit_scope and i.key = mine.permit_key and i.status = 'pending'
    returning i.key
  ),
  p as (
    insert into payments (payment_id, fund_id, budget_id, merchant, amount_cents, nonce, tx_hash, block_number, log_index, block_time)
    select payment_id, fund_id, budget_id, merchant, amount_cents, nonce, tx_hash, block_number, log_index, block_time
      from mine order by block_number, log_index
    on conflict do nothing
    returning payment_id
  ),
  a as (
    insert into audit_log (actor_type, actor_id, action, subject_type, subject_id, details)
    select 'merchant', actor_id, 'payment.charge', 'payment', payment_id, details::jsonb from mine order by n
    returning id
  )
  select n from mine${PREPARED}`.execute(handle);
  return new Set(rows.map((r) => Number(r.n)));
}

/** Each database's charges recorded together: those answered at the same moment share a statement. */
const recorders = new WeakMap<Db, (outcome: ChargeOutcome) => Promise<boolean>>();

function recorderOf(handle: Db): (outcome: ChargeOutcome) => Promise<boolean> {
  let record = recorders.get(handle);
  if (!record) {
    record = together(
      async (outcomes: ChargeOutcome[]) => {
        const recorded = await recordChargesStatement(handle, outcomes);
        return outcomes.map((_, i) => recorded.has(i + 1));
      },
      { keyOf: (o) => `${o.scope}\u0000${o.key}` },
    );
    recorders.set(handle, record);
  }
  return record;
}

export function paymentsRepository(handle: Db) {
  const db = handle;

  /**
   * Makes a pending claim `holder`'s, as of now, when it was left: `left` held for it (as `k`) when the
   * statement started, and it has not changed since. `request`: the claim's own request (a retry of its
   * key), or another one that replaces it (another key's charge of the same permit). True for exactly one
   * of concurrent callers: the first stamps the claim with its own time, and PostgreSQL checks a waiting
   * update again only against the row's new version, so the others no longer find the stamp they read.
   */
  async function takeOver(
    scope: string, key: string, request: { hash: string } | { replaceWith: string }, holder: number | null, left: RawBuilder<boolean>,
  ): Promise<boolean> {
    let update = db
      .updateTable("idempotency_keys as c")
      .set({ created_at: sql`now()`, holder })
      .where("c.scope", "=", scope)
      .where("c.key", "=", key)
      .where("c.status", "=", "pending")
      .where(sql<boolean>`c.created_at = (select k.created_at from idempotency_keys k where k.scope = ${scope} and k.key = ${key} and ${left})`);
    update = "hash" in request ? update.where("c.request_hash", "=", request.hash) : update.set({ request_hash: request.replaceWith });
    return (await update.returning("c.key").executeTakeFirst()) !== undefined;
  }

  /**
   * The claim's holder process is gone: its lock (claim-holder.ts) is held by no session any more. A
   * claim without a mark has no known holder: only its age tells. A bigint advisory lock shows its high
   * half as classid and its low half as objid, objsubid 1.
   */
  const holderGone = sql<boolean>`k.holder is not null and not exists (
    select 1 from pg_locks l
     where l.locktype = 'advisory' and l.objsubid = 1 and l.granted
       and (l.classid::int8 << 32) + l.objid::int8 = k.holder)`;

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
     * A charge's outcome (atomic on its own; charges answered together share one statement): the
     * payment row (kept when the indexer was first), the idempotency key completed with the receipt,
     * and the audit line. Writes nothing and returns false when the key is no longer this charge's
     * pending claim.
     */
    async recordCharge(
      p: { paymentId: string; fundId: string; budgetId: string; merchant: string; amountCents: bigint; nonce: bigint } & ChainRow,
      key: { scope: string; key: string; response: Record<string, unknown> },
      audit: { actorId: string | null; details: Record<string, unknown> },
      /** The permit's claim this charge holds: completed with the payment's id in the same statement. */
      permit?: { scope: string; key: string },
    ): Promise<boolean> {
      return recorderOf(handle)({
        row: paymentRow(p), scope: key.scope, key: key.key, response: JSON.stringify(key.response),
        permitScope: permit?.scope ?? "", permitKey: permit?.key ?? "", actorId: audit.actorId, details: JSON.stringify(audit.details),
      });
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
     * gave up), for the same request; true for exactly one of concurrent callers. The claim is marked
     * as `holder`'s from then on.
     */
    takeOverStaleClaim(scope: string, key: string, requestHash: string, staleBefore: Date, holder: number | null = null): Promise<boolean> {
      return takeOver(scope, key, { hash: requestHash }, holder, sql<boolean>`k.created_at < ${staleBefore}`);
    },

    /** Takes over a pending claim, for the same request, whose holder process is gone; true for exactly one of concurrent callers. */
    takeOverOrphanedClaim(scope: string, key: string, requestHash: string, holder: number | null): Promise<boolean> {
      return takeOver(scope, key, { hash: requestHash }, holder, holderGone);
    },

    /**
     * Takes over the pending claim of a QR's permit that another charge (another idempotency key) made
     * and left: its holder process is gone, or it dates from before `staleBefore`. The claim is this
     * request's (`requestHash`) and `holder`'s from then on; true for exactly one of concurrent callers.
     */
    takeOverAbandonedPermit(scope: string, key: string, requestHash: string, staleBefore: Date, holder: number | null): Promise<boolean> {
      return takeOver(scope, key, { replaceWith: requestHash }, holder, sql<boolean>`(k.created_at < ${staleBefore} or ${holderGone})`);
    },

    /** Whether a claim is complete (a QR's permit: its payment recorded), not pending or gone. */
    async permitClaimDone(scope: string, key: string): Promise<boolean> {
      const row = await db.selectFrom("idempotency_keys").select("status").where("scope", "=", scope).where("key", "=", key).executeTakeFirst();
      return row?.status === "done";
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
