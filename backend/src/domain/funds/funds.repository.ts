// Funds as the domain sees them: the settings of one scheme and period, and its contract's address.
import type { Selectable } from "kysely";
import type { FundsTable, JsonObject } from "../../db/schema.ts";
import type { Db } from "../../db/transaction.ts";

export type PayoutSchedule = { kind: "instant" } | { kind: "daily"; at: string };

export interface Fund {
  id: string;
  chainAddress: string;
  factoryIndex: number;
  name: string;
  currency: string;
  amountPerChildCents: bigint;
  /** 'YYYY-MM-DD': the last day a budget can be spent. */
  budgetExpiry: string;
  categories: string[];
  payoutSchedule: PayoutSchedule;
  /** The zone the fund's days are counted and shown in ("Europe/Amsterdam"). */
  timeZone: string;
  paused: boolean;
  pausedReason: string | null;
  createdAt: Date;
}

export type NewFund = Omit<Fund, "id" | "paused" | "pausedReason" | "createdAt">;

export interface FundsRepository {
  insert(fund: NewFund): Promise<Fund>;
  findById(id: string): Promise<Fund | null>;
  /** Locks the row until the transaction ends. */
  findByIdForUpdate(id: string): Promise<Fund | null>;
  list(): Promise<Fund[]>;
  setPaused(id: string, paused: boolean, reason: string | null): Promise<Fund>;
}

function toFund(row: Selectable<FundsTable>): Fund {
  return {
    id: row.id,
    chainAddress: row.chain_address,
    factoryIndex: row.factory_index,
    name: row.name,
    currency: row.currency,
    amountPerChildCents: row.amount_per_child_cents,
    budgetExpiry: row.budget_expiry,
    categories: row.categories,
    payoutSchedule: row.payout_schedule as unknown as PayoutSchedule,
    timeZone: row.time_zone,
    paused: row.paused,
    pausedReason: row.paused_reason,
    createdAt: row.created_at,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function fundsRepository(db: Db): FundsRepository {
  return {
    async insert(fund) {
      const row = await db
        .insertInto("funds")
        .values({
          chain_address: fund.chainAddress.toLowerCase(),
          factory_index: fund.factoryIndex,
          name: fund.name,
          currency: fund.currency,
          amount_per_child_cents: fund.amountPerChildCents,
          budget_expiry: fund.budgetExpiry,
          categories: fund.categories,
          payout_schedule: JSON.stringify(fund.payoutSchedule as unknown as JsonObject),
          time_zone: fund.timeZone,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toFund(row);
    },

    async findById(id) {
      if (!UUID.test(id)) return null;
      const row = await db.selectFrom("funds").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toFund(row) : null;
    },

    async findByIdForUpdate(id) {
      if (!UUID.test(id)) return null;
      const row = await db.selectFrom("funds").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
      return row ? toFund(row) : null;
    },

    async list() {
      const rows = await db.selectFrom("funds").selectAll().orderBy("created_at", "desc").execute();
      return rows.map(toFund);
    },

    async setPaused(id, paused, reason) {
      const row = await db
        .updateTable("funds")
        .set({ paused, paused_reason: reason })
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toFund(row);
    },
  };
}
