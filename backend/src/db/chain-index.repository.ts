// The indexed copy of the chain's payments and refunds, and the cursors of the indexers that fill it.
// The chain is the source of truth: applying a block range is idempotent and the cursor only moves on.
import { sql, type Selectable } from "kysely";
import type { PaymentsTable, RefundsTable } from "./schema.ts";
import { inTransaction, type Db } from "./transaction.ts";

/** Where an event sits on the chain. Block numbers and log indexes are plain numbers, as in ethers. */
interface ChainPosition {
  txHash: string;
  blockNumber: number;
  logIndex: number;
  blockTime: Date;
}

/** A payment or refund event, decoded by the chain adapter's indexer. Hex strings in any case. */
export type IndexedEvent =
  | ({
      kind: "payment";
      paymentId: string;
      fundAddress: string;
      budgetId: string;
      merchant: string;
      amountCents: bigint;
      nonce: bigint;
    } & ChainPosition)
  | ({
      kind: "refund";
      /** The refunded payment; it must be indexed already or in the same call. */
      paymentId: string;
      budgetId: string;
      merchant: string;
      amountCents: bigint;
    } & ChainPosition);

export interface IndexedPayment extends ChainPosition {
  paymentId: string;
  fundId: string;
  budgetId: string;
  merchant: string;
  amountCents: bigint;
  nonce: bigint;
}

export interface IndexedRefund extends ChainPosition {
  paymentId: string;
  amountCents: bigint;
}

export interface AppliedRange {
  paymentsAdded: number;
  refundsAdded: number;
  /** The cursor after the call: `toBlock`, or a later block it already was at. */
  cursor: number;
}

export interface PaymentFilter {
  fundId?: string;
  merchant?: string;
  budgetId?: string;
  /** Block time at or after. */
  from?: Date;
  /** Block time before. */
  to?: Date;
  /** Default 100, at most 1000. */
  limit?: number;
}

export interface ChainIndexRepository {
  /** The last block fully stored under this cursor, or null before the first range. */
  getCursor(name: string): Promise<number | null>;
  /**
   * Stores the events of blocks up to `toBlock` and moves the cursor to `toBlock`, in one transaction.
   * Events already stored (same tx hash and log index) are skipped, so a range may be applied again;
   * the cursor never moves backwards.
   * @throws Error for an event after `toBlock`, a payment of an unknown fund, a refund of an unknown payment.
   */
  applyChainEvents(cursorName: string, toBlock: number, events: readonly IndexedEvent[]): Promise<AppliedRange>;
  /** Newest first. */
  listPayments(filter?: PaymentFilter): Promise<IndexedPayment[]>;
  /** Oldest first. */
  listRefunds(paymentId: string): Promise<IndexedRefund[]>;
}

const MAX_LIMIT = 1000;
const CHUNK = 500; // rows per INSERT, far below PostgreSQL's 65,535 parameters

function blockNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`Block number ${value} is beyond 2^53`);
  return Number(value);
}

function toIndexedPayment(row: Selectable<PaymentsTable>): IndexedPayment {
  return {
    paymentId: row.payment_id,
    fundId: row.fund_id,
    budgetId: row.budget_id,
    merchant: row.merchant,
    amountCents: row.amount_cents,
    nonce: row.nonce,
    txHash: row.tx_hash,
    blockNumber: blockNumber(row.block_number),
    logIndex: row.log_index,
    blockTime: row.block_time,
  };
}

function toIndexedRefund(row: Selectable<RefundsTable>): IndexedRefund {
  return {
    paymentId: row.payment_id,
    amountCents: row.amount_cents,
    txHash: row.tx_hash,
    blockNumber: blockNumber(row.block_number),
    logIndex: row.log_index,
    blockTime: row.block_time,
  };
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

function checkBlock(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${what} must be a block number, got ${value}`);
}

export function chainIndexRepository(db: Db): ChainIndexRepository {
  return {
    async getCursor(name) {
      const row = await db.selectFrom("chain_cursors").select("last_block").where("name", "=", name).executeTakeFirst();
      return row ? blockNumber(row.last_block) : null;
    },

    async applyChainEvents(cursorName, toBlock, events) {
      checkBlock("toBlock", toBlock);
      for (const event of events) {
        checkBlock(`Block of ${event.kind} in tx ${event.txHash}`, event.blockNumber);
        if (event.blockNumber > toBlock) {
          throw new Error(`A ${event.kind} of block ${event.blockNumber} is past the range's end, block ${toBlock}`);
        }
      }
      const payments = events.filter((e) => e.kind === "payment");
      const refunds = events.filter((e) => e.kind === "refund");

      return inTransaction(db, async (trx) => {
        const fundAddresses = [...new Set(payments.map((p) => p.fundAddress.toLowerCase()))];
        const funds = fundAddresses.length
          ? await trx.selectFrom("funds").select(["id", "chain_address"]).where("chain_address", "in", fundAddresses).execute()
          : [];
        const fundIds = new Map(funds.map((f) => [f.chain_address, f.id]));

        let paymentsAdded = 0;
        for (const chunk of chunks(payments)) {
          const rows = chunk.map((p) => {
            const fundId = fundIds.get(p.fundAddress.toLowerCase());
            if (fundId === undefined) {
              throw new Error(`Payment ${p.paymentId} in tx ${p.txHash} is of fund ${p.fundAddress}, which is not in the funds table`);
            }
            return paymentRow({ ...p, fundId });
          });
          const added = await trx
            .insertInto("payments")
            .values(rows)
            // Either key (payment id, or transaction and log index) names the same payment: a charge recording
            // it at the same moment may win on either one, and this row is then already there.
            .onConflict((oc) => oc.doNothing())
            .returning("payment_id")
            .execute();
          paymentsAdded += added.length;
        }

        const refundedIds = [...new Set(refunds.map((r) => r.paymentId.toLowerCase()))];
        if (refundedIds.length) {
          const known = await trx.selectFrom("payments").select("payment_id").where("payment_id", "in", refundedIds).execute();
          const knownIds = new Set(known.map((k) => k.payment_id));
          const unknown = refunds.find((r) => !knownIds.has(r.paymentId.toLowerCase()));
          if (unknown) {
            throw new Error(`Refund in tx ${unknown.txHash} is of payment ${unknown.paymentId}, which is not indexed`);
          }
        }
        let refundsAdded = 0;
        for (const chunk of chunks(refunds)) {
          const added = await trx
            .insertInto("refunds")
            .values(
              chunk.map((r) => ({
                payment_id: r.paymentId.toLowerCase(),
                amount_cents: r.amountCents,
                tx_hash: r.txHash.toLowerCase(),
                block_number: BigInt(r.blockNumber),
                log_index: r.logIndex,
                block_time: r.blockTime,
              })),
            )
            .onConflict((oc) => oc.columns(["tx_hash", "log_index"]).doNothing())
            .returning("id")
            .execute();
          refundsAdded += added.length;
        }

        const cursor = await trx
          .insertInto("chain_cursors")
          .values({ name: cursorName, last_block: BigInt(toBlock) })
          .onConflict((oc) =>
            oc.column("name").doUpdateSet({
              last_block: sql`greatest(chain_cursors.last_block, excluded.last_block)`,
              updated_at: sql`now()`,
            }),
          )
          .returning("last_block")
          .executeTakeFirstOrThrow();
        return { paymentsAdded, refundsAdded, cursor: blockNumber(cursor.last_block) };
      });
    },

    async listPayments(filter = {}) {
      const limit = Math.min(Math.max(filter.limit ?? 100, 1), MAX_LIMIT);
      let query = db.selectFrom("payments").selectAll();
      if (filter.fundId !== undefined) query = query.where("fund_id", "=", filter.fundId);
      if (filter.merchant !== undefined) query = query.where("merchant", "=", filter.merchant.toLowerCase());
      if (filter.budgetId !== undefined) query = query.where("budget_id", "=", filter.budgetId.toLowerCase());
      if (filter.from !== undefined) query = query.where("block_time", ">=", filter.from);
      if (filter.to !== undefined) query = query.where("block_time", "<", filter.to);
      const rows = await query
        .orderBy("block_time", "desc")
        .orderBy("block_number", "desc")
        .orderBy("log_index", "desc")
        .limit(limit)
        .execute();
      return rows.map(toIndexedPayment);
    },

    async listRefunds(paymentId) {
      const rows = await db
        .selectFrom("refunds")
        .selectAll()
        .where("payment_id", "=", paymentId.toLowerCase())
        .orderBy("block_number")
        .orderBy("log_index")
        .execute();
      return rows.map(toIndexedRefund);
    },
  };
}

/** A payment as its `payments` row: hex lower-cased, so the indexer and the charge write the same row. */
export function paymentRow(p: {
  paymentId: string; fundId: string; budgetId: string; merchant: string; amountCents: bigint; nonce: bigint;
  txHash: string; blockNumber: number; logIndex: number; blockTime: Date;
}) {
  return {
    payment_id: p.paymentId.toLowerCase(),
    fund_id: p.fundId,
    budget_id: p.budgetId.toLowerCase(),
    merchant: p.merchant.toLowerCase(),
    amount_cents: p.amountCents,
    nonce: p.nonce,
    tx_hash: p.txHash.toLowerCase(),
    block_number: BigInt(p.blockNumber),
    log_index: p.logIndex,
    block_time: p.blockTime,
  };
}
