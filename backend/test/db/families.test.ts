import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { chainIndexRepository } from "../../src/db/chain-index.repository.ts";
import { familiesRepository, type NewFamily } from "../../src/db/families.repository.ts";
import { ENGINES, useDatabase } from "../support/engines.ts";
import {
  dumpAllRows,
  paymentEvent,
  randomUUID,
  refundEvent,
  seedActivationCode,
  seedBudget,
  seedFund,
  seedSession,
} from "../support/fixtures.ts";

/** A family with names no other test uses, so a search of the whole database is meaningful. */
function newFamily(fundId: string): NewFamily {
  const tag = randomUUID().slice(0, 8);
  return {
    fundId,
    displayName: `Fatima de Vries-${tag}`,
    addressLines: [`Hoofdstraat 12-${tag}`, "9801 AB Zuidhorn"],
    preferredLanguage: "en",
    children: [
      { firstName: `Noor-${tag}`, birthYear: 2015 },
      { firstName: `Sem-${tag}`, birthYear: 2018 },
    ],
  };
}

describe.each(ENGINES)("families on $name", (engine) => {
  const ctx = useDatabase(engine);

  describe("create and findById", () => {
    it("stores the family with its children and reads them back", async () => {
      const families = familiesRepository(ctx.db);
      const fund = await seedFund(ctx.db);
      const input = newFamily(fund.id);

      const created = await families.create(input);

      expect(created).toEqual({
        id: expect.any(String),
        fundId: fund.id,
        displayName: input.displayName,
        addressLines: input.addressLines,
        preferredLanguage: "en",
        approvedAt: null,
        activatedAt: null,
        deletedAt: null,
        createdAt: expect.any(Date),
        children: input.children.map((c) => ({ id: expect.any(String), ...c })),
      });
      expect(await families.findById(created.id)).toEqual(created);
      expect(await families.findById(randomUUID())).toBeNull();
    });
  });

  describe("deleteFamilyPersonalData", () => {
    it("leaves no personal data anywhere, but keeps the budgets and their payments", async () => {
      const families = familiesRepository(ctx.db);
      const index = chainIndexRepository(ctx.db);
      const fund = await seedFund(ctx.db);
      const input = newFamily(fund.id);
      const family = await families.create(input);
      const budgets = [
        await seedBudget(ctx.db, fund.id, family.children[0]!.id, 300_00n),
        await seedBudget(ctx.db, fund.id, family.children[1]!.id, 300_00n),
      ];
      await seedActivationCode(ctx.db, family.id);
      await seedSession(ctx.db, "family", family.id);
      const pay = paymentEvent(fund.chain_address, { budgetId: budgets[0]!.budget_id, amountCents: 45_00n });
      await index.applyChainEvents(`fund:${fund.id}`, 10, [pay, refundEvent(pay)]);
      const other = await families.create(newFamily(fund.id));
      await seedActivationCode(ctx.db, other.id);
      // Its email address, a mail to it and an opt-out of it.
      const email = `gezin-${randomUUID().slice(0, 8)}@example.org`;
      await sql`update families set email = ${email} where id = ${family.id}`.execute(ctx.db);
      await sql`insert into notification_outbox (kind, recipient, language, data) values ('budget_topped_up', ${email}, 'nl', '{}')`.execute(ctx.db);
      await sql`insert into notification_optouts (email, kind) values (${email}, 'budget_expiring')`.execute(ctx.db);

      const deletion = await families.deleteFamilyPersonalData(family.id);

      expect(deletion).toEqual({
        familyId: family.id,
        childrenDeleted: 2,
        budgetsAnonymised: 2,
        activationCodesDeleted: 1,
        sessionsDeleted: 1,
        applicationsDeleted: 0,
      });
      const everything = await dumpAllRows(ctx.db);
      for (const personal of [input.displayName, ...input.addressLines.slice(0, 1), ...input.children.map((c) => c.firstName), email]) {
        expect(everything).not.toContain(personal);
      }
      expect(await families.findById(family.id)).toMatchObject({
        displayName: null,
        addressLines: null,
        children: [],
        deletedAt: expect.any(Date),
      });
      const kept = await ctx.db
        .selectFrom("budgets")
        .select(["budget_id", "child_id", "issued_cents", "fund_id"])
        .where("id", "in", budgets.map((b) => b.id))
        .orderBy("budget_id")
        .execute();
      expect(kept).toEqual(
        budgets
          .map((b) => ({ budget_id: b.budget_id, child_id: null, issued_cents: 300_00n, fund_id: fund.id }))
          .sort((a, b) => a.budget_id.localeCompare(b.budget_id)),
      );
      expect(await index.listPayments({ budgetId: budgets[0]!.budget_id })).toMatchObject([{ amountCents: 45_00n }]);
      expect(await index.listRefunds(pay.paymentId)).toHaveLength(1);
      // Another family is untouched.
      expect(await families.findById(other.id)).toEqual(other);
      expect(everything).toContain(other.displayName);
    });

    it("removes nothing more the second time, and answers null for an unknown family", async () => {
      const families = familiesRepository(ctx.db);
      const fund = await seedFund(ctx.db);
      const family = await families.create(newFamily(fund.id));
      await families.deleteFamilyPersonalData(family.id);
      const deletedAt = (await families.findById(family.id))?.deletedAt;

      expect(await families.deleteFamilyPersonalData(family.id)).toEqual({
        familyId: family.id,
        childrenDeleted: 0,
        budgetsAnonymised: 0,
        activationCodesDeleted: 0,
        sessionsDeleted: 0,
        applicationsDeleted: 0,
      });
      expect((await families.findById(family.id))?.deletedAt).toEqual(deletedAt);
      expect(await families.deleteFamilyPersonalData(randomUUID())).toBeNull();
    });

    it("deletes nothing when the caller's transaction fails afterwards", async () => {
      const families = familiesRepository(ctx.db);
      const fund = await seedFund(ctx.db);
      const family = await families.create(newFamily(fund.id));

      await expect(
        ctx.db.transaction().execute(async (trx) => {
          await familiesRepository(trx).deleteFamilyPersonalData(family.id);
          throw new Error("could not write the audit entry");
        }),
      ).rejects.toThrow("could not write the audit entry");

      expect(await families.findById(family.id)).toEqual(family);
    });

    it("refuses, in the database itself, a deleted family that still holds a name", async () => {
      const families = familiesRepository(ctx.db);
      const fund = await seedFund(ctx.db);
      const family = await families.create(newFamily(fund.id));

      await expect(
        ctx.db.updateTable("families").set({ deleted_at: new Date() }).where("id", "=", family.id).execute(),
      ).rejects.toMatchObject({ code: "23514", constraint: "families_personal_data_check" });
    });
  });
});
