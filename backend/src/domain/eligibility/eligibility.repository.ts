// SQL of the eligibility flows: bulk import of families and children, approval, the budget rows that
// link a child to its random on-chain id, activation codes, and the payments history of a family.
import { randomUUID } from "node:crypto";
import { sql, type Selectable } from "kysely";
import type { FamilyLanguage } from "@tegoed/sdk";
import type { ActivationCodeKind, ActivationCodesTable, BudgetStatus, BudgetsTable, Language } from "../../db/schema.ts";
import type { Db } from "../../db/transaction.ts";

export interface FamilyToInsert {
  fundId: string;
  externalRef: string | null;
  displayName: string;
  addressLines: string[];
  preferredLanguage: FamilyLanguage;
  children: { firstName: string; birthYear: number }[];
}

export interface BudgetRecord {
  id: string;
  budgetId: string;
  fundId: string;
  childId: string | null;
  issuedCents: bigint;
  holderAddress: string | null;
  status: BudgetStatus;
}

export interface FamilyBudget extends BudgetRecord {
  childId: string;
  firstName: string;
  birthYear: number;
}

export interface ActivationCodeRecord {
  id: string;
  familyId: string;
  selector: string | null;
  codeHash: string;
  kind: ActivationCodeKind;
  attempts: number;
  lockedUntil: Date | null;
  usedAt: Date | null;
  usedBy: string | null;
  expiresAt: Date;
  /** The letter number the code derives from; null for a code that cannot be shown again. */
  letterSerial: number | null;
  replacedAt: Date | null;
}

export interface FamilyOverview {
  id: string;
  fundId: string;
  externalRef: string | null;
  displayName: string | null;
  approvedAt: Date | null;
  activatedAt: Date | null;
  createdAt: Date;
  children: { id: string; firstName: string; birthYear: number; budget: { budgetId: string; status: BudgetStatus; issuedCents: bigint; leftCents: bigint } | null }[];
}

export interface HistoryEntry {
  type: "payment" | "refund";
  budgetId: string;
  paymentId: string;
  merchant: string;
  /** The shop's name; null when the chain address is not a shop of ours (or it was removed). */
  merchantName: string | null;
  amountCents: bigint;
  at: Date;
  txHash: string;
}

function toBudget(row: Selectable<BudgetsTable>): BudgetRecord {
  return {
    id: row.id, budgetId: row.budget_id, fundId: row.fund_id, childId: row.child_id,
    issuedCents: row.issued_cents, holderAddress: row.holder_address, status: row.status,
  };
}

function toCode(row: Selectable<ActivationCodesTable>): ActivationCodeRecord {
  return {
    id: row.id, familyId: row.family_id, selector: row.selector, codeHash: row.code_hash, kind: row.kind,
    attempts: row.attempts, lockedUntil: row.locked_until, usedAt: row.used_at, usedBy: row.used_by, expiresAt: row.expires_at,
    letterSerial: row.letter_serial, replacedAt: row.replaced_at,
  };
}

/** Rows per INSERT statement: well under PostgreSQL's 65,535 bind parameters. */
const INSERT_CHUNK = 1000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function eligibilityRepository(db: Db) {
  return {
    /** Which of `refs` the fund already has (an earlier import). */
    async existingRefs(fundId: string, refs: readonly string[]): Promise<Set<string>> {
      const found = new Set<string>();
      for (const part of chunks(refs, INSERT_CHUNK)) {
        if (part.length === 0) continue;
        const rows = await db
          .selectFrom("families").select("external_ref").where("fund_id", "=", fundId).where("external_ref", "in", part).execute();
        for (const row of rows) if (row.external_ref !== null) found.add(row.external_ref);
      }
      return found;
    },

    /** Inserts families and their children in multi-row statements; returns the new family ids in order. */
    async insertFamilies(families: readonly FamilyToInsert[]): Promise<string[]> {
      const withIds = families.map((family) => ({ family, id: randomUUID() }));
      for (const part of chunks(withIds, INSERT_CHUNK)) {
        await db
          .insertInto("families")
          .values(part.map(({ family, id }) => ({
            id,
            fund_id: family.fundId,
            external_ref: family.externalRef,
            display_name: family.displayName,
            address_lines: family.addressLines,
            language: family.preferredLanguage,
          })))
          .execute();
      }
      const children = withIds.flatMap(({ family, id }) =>
        family.children.map((c) => ({ family_id: id, first_name: c.firstName, birth_year: c.birthYear })),
      );
      for (const part of chunks(children, INSERT_CHUNK)) await db.insertInto("children").values(part).execute();
      return withIds.map(({ id }) => id);
    },

    /** Marks families of the fund approved (all not yet approved when `familyIds` is absent). Returns their ids. */
    async approve(fundId: string, familyIds: readonly string[] | undefined, at: Date): Promise<string[]> {
      let query = db
        .updateTable("families")
        .set({ approved_at: at })
        .where("fund_id", "=", fundId)
        .where("approved_at", "is", null)
        .where("deleted_at", "is", null);
      if (familyIds !== undefined) {
        if (familyIds.length === 0) return [];
        query = query.where("id", "in", familyIds);
      }
      const rows = await query.returning("id").execute();
      return rows.map((r) => r.id);
    },

    /** Approved, not deleted, not yet activated families of the fund. */
    async familiesAwaitingActivation(fundId: string): Promise<string[]> {
      const rows = await db.selectFrom("families").select("id").where("fund_id", "=", fundId)
        .where("approved_at", "is not", null).where("deleted_at", "is", null).where("activated_at", "is", null)
        .orderBy("created_at").execute();
      return rows.map((r) => r.id);
    },

    async familyExternalRef(familyId: string): Promise<{ fundId: string; externalRef: string | null } | null> {
      const row = await db.selectFrom("families").select(["fund_id", "external_ref"]).where("id", "=", familyId).executeTakeFirst();
      return row ? { fundId: row.fund_id, externalRef: row.external_ref } : null;
    },

    /**
     * Adds a pending budget row, with a new random id from `newId`, for every child of an approved,
     * not deleted family of the fund (or of `familyIds` only) that has none yet. Returns how many were added.
     */
    async reservePendingBudgets(fundId: string, newId: () => string, familyIds?: readonly string[]): Promise<number> {
      if (familyIds?.length === 0) return 0;
      let query = db
        .selectFrom("children")
        .innerJoin("families", "families.id", "children.family_id")
        .leftJoin("budgets", (join) => join.onRef("budgets.child_id", "=", "children.id").on("budgets.fund_id", "=", fundId))
        .select("children.id")
        .where("families.fund_id", "=", fundId)
        .where("families.approved_at", "is not", null)
        .where("families.deleted_at", "is", null)
        .where("budgets.id", "is", null);
      if (familyIds) query = query.where("families.id", "in", [...familyIds]);
      const children = await query.execute();
      let added = 0;
      for (const part of chunks(children, INSERT_CHUNK)) {
        const result = await db
          .insertInto("budgets")
          .values(part.map((c) => ({ budget_id: newId(), fund_id: fundId, child_id: c.id, status: "pending" as const })))
          .onConflict((oc) => oc.columns(["fund_id", "child_id"]).doNothing())
          .returning("id")
          .execute();
        added += result.length;
      }
      return added;
    },

    async budgetsOfFund(fundId: string, status?: BudgetStatus | readonly BudgetStatus[], familyIds?: readonly string[]): Promise<BudgetRecord[]> {
      if (familyIds?.length === 0) return [];
      let query = db.selectFrom("budgets").selectAll("budgets").where("budgets.fund_id", "=", fundId);
      if (status !== undefined) query = query.where("budgets.status", "in", typeof status === "string" ? [status] : [...status]);
      if (familyIds) {
        query = query.where("budgets.child_id", "in", (eb) => eb.selectFrom("children").select("children.id").where("children.family_id", "in", [...familyIds]));
      }
      return (await query.orderBy("budgets.created_at").orderBy("budgets.budget_id").execute()).map(toBudget);
    },

    async budgetsOfChildren(fundId: string, childIds: readonly string[]): Promise<BudgetRecord[]> {
      if (childIds.length === 0) return [];
      const rows = await db.selectFrom("budgets").selectAll().where("fund_id", "=", fundId).where("child_id", "in", childIds).execute();
      return rows.map(toBudget);
    },

    async budgetById(budgetId: string): Promise<BudgetRecord | null> {
      const row = await db.selectFrom("budgets").selectAll().where("budget_id", "=", budgetId.toLowerCase()).executeTakeFirst();
      return row ? toBudget(row) : null;
    },

    /** The budgets of a family's children, with the child's name (not deleted families only). */
    async budgetsOfFamily(familyId: string): Promise<FamilyBudget[]> {
      const rows = await db
        .selectFrom("budgets")
        .innerJoin("children", "children.id", "budgets.child_id")
        .selectAll("budgets")
        .select(["children.first_name", "children.birth_year"])
        .where("children.family_id", "=", familyId)
        .orderBy("children.birth_year")
        .orderBy("children.first_name")
        .execute();
      return rows.map((row) => ({ ...toBudget(row), childId: row.child_id!, firstName: row.first_name, birthYear: row.birth_year }));
    },

    /** The live family whose budgets this device key holds (as the last activation recorded it). */
    async familyOfHolder(holder: string): Promise<string | null> {
      const row = await db
        .selectFrom("budgets")
        .innerJoin("children", "children.id", "budgets.child_id")
        .innerJoin("families", "families.id", "children.family_id")
        .select("families.id")
        .where("budgets.holder_address", "=", holder.toLowerCase())
        .where("families.deleted_at", "is", null)
        .executeTakeFirst();
      return row?.id ?? null;
    },

    /** Opens a login challenge for a device key; an earlier open one of the key is replaced. */
    async putLoginChallenge(holder: string, nonceHash: string, expiresAt: Date): Promise<void> {
      await db
        .insertInto("family_login_challenges")
        .values({ holder_address: holder.toLowerCase(), nonce_hash: nonceHash, expires_at: expiresAt })
        .onConflict((oc) => oc.column("holder_address").doUpdateSet({ nonce_hash: nonceHash, expires_at: expiresAt }))
        .execute();
    },

    /** Takes the key's open challenge away (each is used at most once), or null when there is none. */
    async takeLoginChallenge(holder: string): Promise<{ nonceHash: string; expiresAt: Date } | null> {
      const row = await db
        .deleteFrom("family_login_challenges")
        .where("holder_address", "=", holder.toLowerCase())
        .returning(["nonce_hash", "expires_at"])
        .executeTakeFirst();
      return row ? { nonceHash: row.nonce_hash, expiresAt: row.expires_at } : null;
    },

    async markIssued(budgetIds: readonly string[], issuedCents: bigint): Promise<void> {
      for (const part of chunks(budgetIds, INSERT_CHUNK)) {
        await db.updateTable("budgets").set({ status: "issued", issued_cents: issuedCents })
          .where("budget_id", "in", part).where("status", "=", "pending").execute();
      }
    },

    async addIssued(budgetIds: readonly string[], amountCents: bigint): Promise<void> {
      for (const part of chunks(budgetIds, INSERT_CHUNK)) {
        await db.updateTable("budgets").set({ issued_cents: sql<bigint>`issued_cents + ${amountCents}` })
          .where("budget_id", "in", part).execute();
      }
    },

    async setStatus(budgetId: string, status: BudgetStatus): Promise<void> {
      await db.updateTable("budgets").set({ status }).where("budget_id", "=", budgetId).execute();
    },

    async setHolder(budgetIds: readonly string[], holder: string): Promise<void> {
      if (budgetIds.length === 0) return;
      await db.updateTable("budgets").set({ holder_address: holder.toLowerCase() }).where("budget_id", "in", budgetIds).execute();
    },

    async markFamilyActivated(familyId: string, at: Date): Promise<void> {
      await db.updateTable("families").set({ activated_at: sql<Date>`coalesce(activated_at, ${at})` }).where("id", "=", familyId).execute();
    },

    // ---------------------------------------------------------------- activation codes

    async insertCode(code: {
      familyId: string; selector: string; codeHash: string; kind: ActivationCodeKind; expiresAt: Date; letterSerial: number;
    }): Promise<ActivationCodeRecord> {
      const row = await db
        .insertInto("activation_codes")
        .values({
          family_id: code.familyId, selector: code.selector, code_hash: code.codeHash, kind: code.kind, expires_at: code.expiresAt,
          letter_serial: code.letterSerial,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toCode(row);
    },

    async selectorTaken(selector: string): Promise<boolean> {
      return (await db.selectFrom("activation_codes").select("id").where("selector", "=", selector).executeTakeFirst()) !== undefined;
    },

    /** Serialises the making of a family's codes (its letter numbers) until the transaction ends. */
    async lockFamily(familyId: string): Promise<void> {
      await db.selectFrom("families").select("id").where("id", "=", familyId).forUpdate().execute();
    },

    /** The family's highest letter number so far; 0 before its first. */
    async lastLetterSerial(familyId: string): Promise<number> {
      const row = await db.selectFrom("activation_codes").select((eb) => eb.fn.max("letter_serial").as("serial"))
        .where("family_id", "=", familyId).executeTakeFirst();
      return Number(row?.serial ?? 0);
    },

    /** The family's newest code that still works: not used, not replaced, not expired at `at`. */
    async openCodeOfFamily(familyId: string, at: Date): Promise<ActivationCodeRecord | null> {
      const row = await db.selectFrom("activation_codes").selectAll().where("family_id", "=", familyId)
        .where("used_at", "is", null).where("replaced_at", "is", null).where("expires_at", ">", at)
        .orderBy("created_at", "desc").limit(1).executeTakeFirst();
      return row ? toCode(row) : null;
    },

    /** Marks every code of the family that still works as replaced at `at`: a new letter replaces the old. */
    async replaceOpenCodes(familyId: string, at: Date): Promise<number> {
      const result = await db.updateTable("activation_codes").set({ replaced_at: at })
        .where("family_id", "=", familyId).where("used_at", "is", null).where("replaced_at", "is", null).where("expires_at", ">", at)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async codeBySelectorForUpdate(selector: string): Promise<ActivationCodeRecord | null> {
      const row = await db.selectFrom("activation_codes").selectAll().where("selector", "=", selector).forUpdate().executeTakeFirst();
      return row ? toCode(row) : null;
    },

    async recordFailedAttempt(id: string, attempts: number, lockedUntil: Date | null): Promise<void> {
      await db.updateTable("activation_codes").set({ attempts, locked_until: lockedUntil }).where("id", "=", id).execute();
    },

    async markCodeUsed(id: string, at: Date, usedBy: string): Promise<void> {
      await db.updateTable("activation_codes").set({ used_at: at, used_by: usedBy.toLowerCase(), attempts: 0, locked_until: null })
        .where("id", "=", id).execute();
    },

    /** Gives an interrupted activation's code back (the chain refused): the family may try again. */
    async releaseCode(id: string): Promise<void> {
      await db.updateTable("activation_codes").set({ used_at: null, used_by: null }).where("id", "=", id).execute();
    },

    // ---------------------------------------------------------------- search

    /** Families of a fund (not deleted) with `q` in the parent's name, a child's name or the reference; by name. */
    async searchFamilies(fundId: string, q: string | undefined, limit: number, offset: number): Promise<{ families: FamilyOverview[]; total: number }> {
      let query = db.selectFrom("families").where("fund_id", "=", fundId).where("deleted_at", "is", null);
      if (q) {
        // A bound parameter, its wildcards escaped: "%" and "_" typed by staff match themselves.
        const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        const contains = (column: string) => sql<boolean>`${sql.ref(column)} ilike ${like} escape '\\'`;
        query = query.where((eb) => eb.or([
          contains("display_name"),
          contains("external_ref"),
          eb("id", "in", eb.selectFrom("children").select("family_id").where(contains("children.first_name"))),
        ]));
      }
      const { total } = await query.select((eb) => eb.fn.countAll<string>().as("total")).executeTakeFirstOrThrow();
      const rows = await query
        .select(["id", "fund_id", "external_ref", "display_name", "approved_at", "activated_at", "created_at"])
        .orderBy("display_name").orderBy("id").limit(limit).offset(offset).execute();
      const ids = rows.map((r) => r.id);
      const children = ids.length
        ? await db.selectFrom("children")
          .leftJoin("budgets", "budgets.child_id", "children.id")
          .select(["children.id", "children.family_id", "children.first_name", "children.birth_year", "budgets.budget_id", "budgets.status", "budgets.issued_cents"])
          // What is left, from the indexed payments and refunds of the budget.
          .select(sql<string>`budgets.issued_cents
            - coalesce((select sum(p.amount_cents) from payments p where p.budget_id = budgets.budget_id), 0)
            + coalesce((select sum(r.amount_cents) from refunds r join payments p on p.payment_id = r.payment_id where p.budget_id = budgets.budget_id), 0)`.as("left_cents"))
          .where("children.family_id", "in", ids).orderBy("children.birth_year").execute()
        : [];
      return {
        total: Number(total),
        families: rows.map((r) => ({
          id: r.id, fundId: r.fund_id, externalRef: r.external_ref, displayName: r.display_name,
          approvedAt: r.approved_at, activatedAt: r.activated_at, createdAt: r.created_at,
          children: children.filter((c) => c.family_id === r.id).map((c) => ({
            id: c.id, firstName: c.first_name, birthYear: c.birth_year,
            budget: c.budget_id ? { budgetId: c.budget_id, status: c.status!, issuedCents: c.issued_cents!, leftCents: BigInt(c.left_cents ?? 0) } : null,
          })),
        })),
      };
    },

    // ---------------------------------------------------------------- history

    /** Payments and refunds of these budgets, newest first (the indexed copy of the chain). */
    async history(budgetIds: readonly string[], limit = 200): Promise<HistoryEntry[]> {
      if (budgetIds.length === 0) return [];
      // Chain addresses are stored checksummed or lower-case depending on the writer: compare lower-case.
      const shopName = sql<string | null>`(select m.name from merchants m where lower(m.chain_address) = lower(payments.merchant) limit 1)`;
      const payments = await db.selectFrom("payments")
        .select(["payment_id", "budget_id", "merchant", "amount_cents", "block_time", "tx_hash", shopName.as("merchant_name")])
        .where("budget_id", "in", budgetIds).orderBy("block_time", "desc").limit(limit).execute();
      const refunds = await db.selectFrom("refunds")
        .innerJoin("payments", "payments.payment_id", "refunds.payment_id")
        .select(["refunds.payment_id", "payments.budget_id", "payments.merchant", "refunds.amount_cents", "refunds.block_time", "refunds.tx_hash", shopName.as("merchant_name")])
        .where("payments.budget_id", "in", budgetIds).orderBy("refunds.block_time", "desc").limit(limit).execute();
      const entries: HistoryEntry[] = [
        ...payments.map((p) => ({ type: "payment" as const, budgetId: p.budget_id, paymentId: p.payment_id, merchant: p.merchant, merchantName: p.merchant_name, amountCents: p.amount_cents, at: p.block_time, txHash: p.tx_hash })),
        ...refunds.map((r) => ({ type: "refund" as const, budgetId: r.budget_id, paymentId: r.payment_id, merchant: r.merchant, merchantName: r.merchant_name, amountCents: r.amount_cents, at: r.block_time, txHash: r.tx_hash })),
      ];
      return entries.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit);
    },
  };
}

export type EligibilityRepository = ReturnType<typeof eligibilityRepository>;
