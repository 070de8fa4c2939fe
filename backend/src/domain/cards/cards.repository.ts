// SQL of the Tegoed card: the card rows (number, salt, wrapped key, state, PIN tries), the card
// payments the daily limit counts, and each fund's card settings. Rows become CardRecords here.
import { sql, type Selectable } from "kysely";
import { withCardTables, type CardStateColumn, type CardsTable } from "../../db/cards-schema.ts";
import type { Db } from "../../db/transaction.ts";

export interface CardRecord {
  id: string;
  familyId: string;
  fundId: string;
  cardNumber: string;
  salt: string;
  wrappedKey: string;
  holderAddress: string;
  state: CardStateColumn;
  blockedReason: "pin" | "staff" | null;
  failedPinAttempts: number;
  replacedBy: string | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

function toRecord(row: Selectable<CardsTable>): CardRecord {
  return {
    id: row.id,
    familyId: row.family_id,
    fundId: row.fund_id,
    cardNumber: row.card_number,
    salt: row.salt,
    wrappedKey: row.wrapped_key,
    holderAddress: row.holder_address,
    state: row.state,
    blockedReason: row.blocked_reason,
    failedPinAttempts: row.failed_pin_attempts,
    replacedBy: row.replaced_by,
    lastUsedAt: row.last_used_at,
    createdAt: row.created_at,
  };
}

export interface NewCard {
  familyId: string;
  fundId: string;
  cardNumber: string;
  salt: string;
  wrappedKey: string;
  holderAddress: string;
}

export function cardsRepository(handle: Db) {
  const db = withCardTables(handle);
  return {
    async insert(card: NewCard): Promise<CardRecord> {
      const row = await db
        .insertInto("cards")
        .values({
          family_id: card.familyId, fund_id: card.fundId, card_number: card.cardNumber, salt: card.salt,
          wrapped_key: card.wrappedKey, holder_address: card.holderAddress,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async numberTaken(cardNumber: string): Promise<boolean> {
      return (await db.selectFrom("cards").select("id").where("card_number", "=", cardNumber).executeTakeFirst()) !== undefined;
    },

    async byId(id: string): Promise<CardRecord | null> {
      const row = await db.selectFrom("cards").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    /** The card, its row locked until the transaction ends: the deciding read of every state change. */
    async byIdForUpdate(id: string): Promise<CardRecord | null> {
      const row = await db.selectFrom("cards").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async byNumberForUpdate(cardNumber: string): Promise<CardRecord | null> {
      const row = await db.selectFrom("cards").selectAll().where("card_number", "=", cardNumber).forUpdate().executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    /** The family's card in use (any state but replaced), if any. */
    async liveOfFamily(familyId: string): Promise<CardRecord | null> {
      const row = await db.selectFrom("cards").selectAll().where("family_id", "=", familyId).where("state", "<>", "replaced").executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    /** Every card the family had, newest first. */
    async ofFamily(familyId: string): Promise<CardRecord[]> {
      const rows = await db.selectFrom("cards").selectAll().where("family_id", "=", familyId).orderBy("created_at", "desc").orderBy("id").execute();
      return rows.map(toRecord);
    },

    async setAttempts(id: string, attempts: number): Promise<void> {
      await db.updateTable("cards").set({ failed_pin_attempts: attempts }).where("id", "=", id).execute();
    },

    async block(id: string, reason: "pin" | "staff"): Promise<void> {
      await db.updateTable("cards").set({ state: "blocked", blocked_reason: reason }).where("id", "=", id).execute();
    },

    /** Back to active, or printed when it was never used; the PIN tries start afresh. */
    async unblock(id: string): Promise<void> {
      await db
        .updateTable("cards")
        .set({ state: sql<CardStateColumn>`case when last_used_at is null then 'printed' else 'active' end`, blocked_reason: null, failed_pin_attempts: 0 })
        .where("id", "=", id)
        .execute();
    },

    async markReplaced(id: string, by: string | null): Promise<void> {
      await db.updateTable("cards").set({ state: "replaced", blocked_reason: null, replaced_by: by }).where("id", "=", id).execute();
    },

    /** A payment went through: the card is in use now (unless staff blocked it meanwhile). */
    async markUsed(id: string, at: Date): Promise<void> {
      await db
        .updateTable("cards")
        .set({ last_used_at: at, state: sql<CardStateColumn>`case when state = 'printed' then 'active' else state end` })
        .where("id", "=", id)
        .execute();
    },

    /** What the card spent (or is spending) in this fund on this day. */
    async spentOn(cardId: string, day: string): Promise<bigint> {
      const row = await db
        .selectFrom("card_payments")
        .select(sql<string>`coalesce(sum(amount_cents), 0)::text`.as("total"))
        .where("card_id", "=", cardId)
        .where("day", "=", day)
        .executeTakeFirstOrThrow();
      return BigInt(row.total);
    },

    async reserve(p: { cardId: string; merchantId: string; requestKey: string; amountCents: bigint; day: string }): Promise<void> {
      await db
        .insertInto("card_payments")
        .values({ card_id: p.cardId, merchant_id: p.merchantId, request_key: p.requestKey, amount_cents: p.amountCents, day: p.day, status: "pending" })
        .onConflict((oc) => oc.columns(["merchant_id", "request_key"]).doNothing())
        .execute();
    },

    async markPaid(merchantId: string, requestKey: string, paymentId: string): Promise<void> {
      await db
        .updateTable("card_payments")
        .set({ status: "paid", payment_id: paymentId })
        .where("merchant_id", "=", merchantId)
        .where("request_key", "=", requestKey)
        .execute();
    },

    /** A refused payment (nothing was paid): it no longer counts towards the day's limit. */
    async dropReservation(merchantId: string, requestKey: string): Promise<void> {
      await db.deleteFrom("card_payments").where("merchant_id", "=", merchantId).where("request_key", "=", requestKey).where("status", "=", "pending").execute();
    },

    async dailyLimit(fundId: string): Promise<bigint | null> {
      const row = await db.selectFrom("card_fund_settings").select("daily_limit_cents").where("fund_id", "=", fundId).executeTakeFirst();
      return row?.daily_limit_cents ?? null;
    },

    async setDailyLimit(fundId: string, cents: bigint | null): Promise<void> {
      await db
        .insertInto("card_fund_settings")
        .values({ fund_id: fundId, daily_limit_cents: cents })
        .onConflict((oc) => oc.column("fund_id").doUpdateSet({ daily_limit_cents: cents }))
        .execute();
    },
  };
}

export type CardsRepository = ReturnType<typeof cardsRepository>;
