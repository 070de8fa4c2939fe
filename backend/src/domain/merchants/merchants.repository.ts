// Merchants, their users and the funds they are approved for. The only SQL of the merchants service.
import { sql, type ExpressionBuilder, type Selectable } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import type { Database, MerchantFundsTable, MerchantStatus, MerchantsTable } from "../../db/schema.ts";
import type { Db } from "../../db/transaction.ts";
import { PREPARED } from "../../db/connect.ts";
import { precompiled } from "../../db/precompiled.ts";
import { toSessionRow, type SessionRow } from "../auth/sessions.repository.ts";

export interface MerchantFundLink {
  fundId: string;
  categoriesMask: number;
  approvedAt: Date;
  approveTxHash: string;
  suspendedAt: Date | null;
  /** The fund's time zone. */
  timeZone: string;
}

export interface Merchant {
  id: string;
  name: string;
  kvkNumber: string;
  iban: string;
  bic: string | null;
  categories: string[];
  address: string;
  contactEmail: string;
  status: MerchantStatus;
  declineReason: string | null;
  suspendReason: string | null;
  /** The address the fund contracts pay; assigned at the first approval. */
  chainAddress: string | null;
  createdAt: Date;
  funds: MerchantFundLink[];
}

export interface MerchantUser {
  id: string;
  merchantId: string;
  email: string;
  createdAt: Date;
}

/** What a charge needs to know of a shop: may it take payments, at which address, from which funds. */
export interface ShopStanding {
  status: MerchantStatus;
  chainAddress: string | null;
  /** The funds it was ever approved for. */
  funds: { fundId: string; suspended: boolean }[];
}

/** A logged-in till: the shop user and their shop's standing, read with the session. */
export interface ShopUser extends MerchantUser {
  shop: ShopStanding;
}

export interface NewMerchantRow {
  name: string;
  kvkNumber: string;
  iban: string;
  bic: string | null;
  categories: string[];
  address: string;
  contactEmail: string;
  statusTokenHash: string;
}

/** What anyone may know of a shop that takes budgets. */
export interface ParticipatingMerchant {
  id: string;
  name: string;
  categories: string[];
  address: string;
}

export interface FundForApproval {
  id: string;
  chainAddress: string;
  categories: string[];
}

function toLink(row: Selectable<MerchantFundsTable> & { time_zone: string }): MerchantFundLink {
  return {
    fundId: row.fund_id,
    categoriesMask: Number(row.categories_mask),
    approvedAt: row.approved_at,
    approveTxHash: row.approve_tx_hash,
    suspendedAt: row.suspended_at,
    timeZone: row.time_zone,
  };
}

function toMerchant(row: Selectable<MerchantsTable> & { suspend_reason: string | null }, links: MerchantFundLink[]): Merchant {
  return {
    id: row.id,
    name: row.name,
    kvkNumber: row.kvk_number,
    iban: row.iban,
    bic: row.bic,
    categories: row.categories,
    address: row.address,
    contactEmail: row.contact_email,
    status: row.status,
    declineReason: row.decline_reason,
    suspendReason: row.suspend_reason,
    chainAddress: row.chain_address,
    createdAt: row.created_at,
    funds: links,
  };
}

/** The session row of a token hash, its shop user and the shop's standing (a till's every request). */
const shopUserBySession = precompiled((handle: Db, tokenHash: string) =>
  handle
    .selectFrom("sessions as s")
    .leftJoin("merchant_users as u", "u.id", "s.subject_id")
    .leftJoin("merchants as m", "m.id", "u.merchant_id")
    .select(["s.token_hash", "s.subject_type", "s.subject_id", "s.csrf_token_hash", "s.expires_at"])
    .select(["u.id", "u.merchant_id", "u.email", "u.created_at", "m.status", "m.chain_address"])
    .select((eb) => fundLinks(eb).as("funds"))
    .where("s.token_hash", "=", tokenHash)
    .where("s.subject_type", "=", "merchant")
    .modifyEnd(PREPARED));

/** The funds of shop `m` as a JSON array, read in the same query. */
function fundLinks(eb: ExpressionBuilder<Database & { m: Database["merchants"] }, "m">) {
  return jsonArrayFrom(
    eb.selectFrom("merchant_funds as mf")
      .select(["mf.fund_id as fundId", sql<boolean>`mf.suspended_at is not null`.as("suspended")])
      .whereRef("mf.merchant_id", "=", "m.id"),
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Whether `id` can be a uuid column's value (anything else would make PostgreSQL throw). */
export const isUuid = (id: string) => UUID.test(id);

export function merchantsRepository(handle: Db) {
  const db = handle;

  /** The fund links of these shops, each with its fund's time zone, oldest approval first. */
  function linksOf(merchantIds: string[]) {
    return db
      .selectFrom("merchant_funds")
      .innerJoin("funds", "funds.id", "merchant_funds.fund_id")
      .selectAll("merchant_funds")
      .select("funds.time_zone")
      .where("merchant_funds.merchant_id", "in", merchantIds)
      .orderBy("merchant_funds.approved_at")
      .execute();
  }

  async function links(merchantId: string): Promise<MerchantFundLink[]> {
    return (await linksOf([merchantId])).map(toLink);
  }

  return {
    async insert(row: NewMerchantRow): Promise<Merchant> {
      const inserted = await db
        .insertInto("merchants")
        .values({
          name: row.name,
          kvk_number: row.kvkNumber,
          iban: row.iban,
          bic: row.bic,
          categories: row.categories,
          address: row.address,
          contact_email: row.contactEmail,
          status_token_hash: row.statusTokenHash,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toMerchant(inserted, []);
    },

    /** With `forUpdate`, locks the row until the caller's transaction ends. */
    async find(id: string, options: { forUpdate?: boolean } = {}): Promise<Merchant | null> {
      if (!isUuid(id)) return null;
      let query = db.selectFrom("merchants").selectAll().where("id", "=", id);
      if (options.forUpdate) query = query.forUpdate();
      const row = await query.executeTakeFirst();
      return row ? toMerchant(row, await links(id)) : null;
    },

    async statusTokenHash(id: string): Promise<string | null> {
      if (!isUuid(id)) return null;
      const row = await db.selectFrom("merchants").select("status_token_hash").where("id", "=", id).executeTakeFirst();
      return row?.status_token_hash ?? null;
    },

    /** Approved shops with a live (not suspended) approval, for one fund or any; by name. */
    async participating(fundId?: string): Promise<ParticipatingMerchant[]> {
      let links = db.selectFrom("merchant_funds").select("merchant_funds.merchant_id").where("merchant_funds.suspended_at", "is", null);
      if (fundId !== undefined) links = links.where("merchant_funds.fund_id", "=", fundId);
      const rows = await db.selectFrom("merchants")
        .select(["id", "name", "categories", "address"])
        .where("status", "=", "approved")
        .where("id", "in", links)
        .orderBy("name").limit(5000).execute();
      return rows.map((r) => ({ id: r.id, name: r.name, categories: r.categories, address: r.address }));
    },

    async list(status?: MerchantStatus): Promise<Merchant[]> {
      let query = db.selectFrom("merchants").selectAll();
      if (status !== undefined) query = query.where("status", "=", status);
      const rows = await query.orderBy("created_at").limit(1000).execute();
      const all = rows.length ? await linksOf(rows.map((r) => r.id)) : [];
      return rows.map((row) => toMerchant(row, all.filter((l) => l.merchant_id === row.id).map(toLink)));
    },

    /** Sets the chain address unless one is set already; returns the merchant's address either way. */
    async assignChainAddress(id: string, address: string): Promise<string> {
      await db.updateTable("merchants").set({ chain_address: address }).where("id", "=", id).where("chain_address", "is", null).execute();
      const row = await db.selectFrom("merchants").select("chain_address").where("id", "=", id).executeTakeFirstOrThrow();
      return row.chain_address!;
    },

    async setStatus(id: string, status: MerchantStatus, reasons: { declineReason?: string | null; suspendReason?: string | null } = {}) {
      await db
        .updateTable("merchants")
        .set({
          status,
          ...(reasons.declineReason !== undefined && { decline_reason: reasons.declineReason }),
          ...(reasons.suspendReason !== undefined && { suspend_reason: reasons.suspendReason }),
        })
        .where("id", "=", id)
        .execute();
    },

    async fundForApproval(fundId: string): Promise<FundForApproval | null> {
      if (!isUuid(fundId)) return null;
      const row = await db.selectFrom("funds").select(["id", "chain_address", "categories"]).where("id", "=", fundId).executeTakeFirst();
      return row ? { id: row.id, chainAddress: row.chain_address, categories: row.categories } : null;
    },

    async fundAddresses(fundIds: readonly string[]): Promise<Map<string, string>> {
      if (fundIds.length === 0) return new Map();
      const rows = await db.selectFrom("funds").select(["id", "chain_address"]).where("id", "in", [...fundIds]).execute();
      return new Map(rows.map((r) => [r.id, r.chain_address]));
    },

    async upsertApproval(merchantId: string, fundId: string, mask: number, at: Date, txHash: string) {
      await db
        .insertInto("merchant_funds")
        .values({ merchant_id: merchantId, fund_id: fundId, categories_mask: BigInt(mask), approved_at: at, approve_tx_hash: txHash })
        .onConflict((oc) =>
          oc.columns(["merchant_id", "fund_id"]).doUpdateSet({
            categories_mask: BigInt(mask), approved_at: at, approve_tx_hash: txHash, suspended_at: null, suspend_tx_hash: null,
          }),
        )
        .execute();
    },

    async markSuspended(merchantId: string, fundId: string, at: Date, txHash: string | null) {
      await db
        .updateTable("merchant_funds")
        .set({ suspended_at: at, suspend_tx_hash: txHash })
        .where("merchant_id", "=", merchantId)
        .where("fund_id", "=", fundId)
        .execute();
    },

    /** Null when the email is taken. */
    async insertUser(merchantId: string, email: string, passwordHash: string): Promise<MerchantUser | null> {
      const row = await db
        .insertInto("merchant_users")
        .values({ merchant_id: merchantId, email, password_hash: passwordHash })
        .onConflict((oc) => oc.column("email").doNothing())
        .returning(["id", "merchant_id", "email", "created_at"])
        .executeTakeFirst();
      return row ? { id: row.id, merchantId: row.merchant_id, email: row.email, createdAt: row.created_at } : null;
    },

    async userWithHash(email: string): Promise<(MerchantUser & { passwordHash: string }) | null> {
      const row = await db.selectFrom("merchant_users").selectAll().where("email", "=", email).executeTakeFirst();
      return row
        ? { id: row.id, merchantId: row.merchant_id, email: row.email, createdAt: row.created_at, passwordHash: row.password_hash }
        : null;
    },

    /** False when there is no such user (of this shop, when `merchantId` is given). */
    async setUserPasswordHash(userId: string, passwordHash: string, merchantId?: string): Promise<boolean> {
      if (!isUuid(userId)) return false;
      let update = db.updateTable("merchant_users").set({ password_hash: passwordHash }).where("id", "=", userId);
      if (merchantId !== undefined) update = update.where("merchant_id", "=", merchantId);
      return (await update.executeTakeFirst()).numUpdatedRows > 0n;
    },

    async userHash(userId: string): Promise<string | null> {
      if (!isUuid(userId)) return null;
      const row = await db.selectFrom("merchant_users").select("password_hash").where("id", "=", userId).executeTakeFirst();
      return row?.password_hash ?? null;
    },

    /**
     * A merchant session, its user and the shop's standing in one query (a till's every request). The
     * user is undefined when it was deleted; the session is undefined when unknown or not a shop's.
     */
    async userBySession(tokenHash: string): Promise<{ session: SessionRow; user: ShopUser | undefined } | undefined> {
      const [row] = await shopUserBySession.rows(handle, tokenHash);
      if (!row) return undefined;
      const user = row.id === null || row.merchant_id === null || row.email === null || row.created_at === null || row.status === null
        ? undefined
        : {
            id: row.id, merchantId: row.merchant_id, email: row.email, createdAt: row.created_at,
            shop: { status: row.status, chainAddress: row.chain_address, funds: row.funds },
          };
      return { session: toSessionRow(row), user };
    },

    /** A shop's standing on its own (where no session brought it). */
    async shopStanding(merchantId: string): Promise<ShopStanding | null> {
      if (!isUuid(merchantId)) return null;
      const row = await db
        .selectFrom("merchants as m")
        .select(["m.status", "m.chain_address"])
        .select((eb) => fundLinks(eb).as("funds"))
        .where("m.id", "=", merchantId)
        .executeTakeFirst();
      return row ? { status: row.status, chainAddress: row.chain_address, funds: row.funds } : null;
    },

    async listUsers(merchantId: string): Promise<MerchantUser[]> {
      const rows = await db
        .selectFrom("merchant_users")
        .select(["id", "merchant_id", "email", "created_at"])
        .where("merchant_id", "=", merchantId)
        .orderBy("created_at")
        .execute();
      return rows.map((row) => ({ id: row.id, merchantId: row.merchant_id, email: row.email, createdAt: row.created_at }));
    },
  };
}

export type MerchantsRepository = ReturnType<typeof merchantsRepository>;
