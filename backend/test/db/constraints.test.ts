// The database itself refuses values no code path should ever write.
import { describe, expect, it } from "vitest";
import { ENGINES, useDatabase } from "../support/engines.ts";
import { randomAddress, randomHex, seedBudget, seedFund } from "../support/fixtures.ts";

const merchant = (status: string) => ({
  name: "Sportwinkel Zuidhorn",
  kvk_number: "12345678",
  iban: "NL91ABNA0417164300",
  address: "Hoofdstraat 1, 9801 AB Zuidhorn",
  contact_email: "info@sportwinkel.example",
  status: status as "pending",
});

describe.each(ENGINES)("check constraints on $name", (engine) => {
  const ctx = useDatabase(engine);

  it("accepts every merchant status of the design and refuses any other", async () => {
    for (const status of ["pending", "approved", "declined", "suspended"]) {
      await ctx.db.insertInto("merchants").values(merchant(status)).execute();
    }
    await expect(ctx.db.insertInto("merchants").values(merchant("active")).execute()).rejects.toMatchObject({
      code: "23514",
      constraint: "merchants_status_check",
    });
  });

  it("refuses a staff user with an unknown role, even next to a known one", async () => {
    const staff = (roles: string[]) => ({
      email: `${randomHex(6)}@westerkwartier.example`,
      password_hash: "scrypt$…",
      roles: roles as "admin"[],
    });

    await ctx.db.insertInto("staff_users").values(staff(["admin", "validator", "merchant_manager", "finance", "auditor"])).execute();
    await expect(ctx.db.insertInto("staff_users").values(staff(["admin", "superuser"])).execute()).rejects.toMatchObject({
      code: "23514",
      constraint: "staff_users_roles_check",
    });
  });

  it("refuses a budget status outside pending, issued, frozen", async () => {
    const fund = await seedFund(ctx.db);
    const budget = await seedBudget(ctx.db, fund.id, null);

    await expect(
      ctx.db.updateTable("budgets").set({ status: "spent" as "issued" }).where("id", "=", budget.id).execute(),
    ).rejects.toMatchObject({ code: "23514", constraint: "budgets_status_check" });
  });

  it.each([
    ["a budget id that is not 0x + 64 lower-case hex", { budget_id: `0x${"G".repeat(64)}` }, "budgets_budget_id_check"],
    ["a negative issued amount", { issued_cents: -1n }, "budgets_issued_cents_check"],
    ["a holder that is not an address", { holder_address: "0x1234" }, "budgets_holder_address_check"],
  ])("refuses %s", async (_what, change, constraint) => {
    const fund = await seedFund(ctx.db);
    await expect(
      ctx.db
        .insertInto("budgets")
        .values({ budget_id: randomHex(32), fund_id: fund.id, holder_address: randomAddress(), ...change })
        .execute(),
    ).rejects.toMatchObject({ code: "23514", constraint });
  });

  it("refuses a language no family is served in", async () => {
    const fund = await seedFund(ctx.db);
    await expect(
      ctx.db
        .insertInto("families")
        .values({ fund_id: fund.id, display_name: "J. Jansen", address_lines: ["Dorpsweg 1"], language: "xx" as "nl" })
        .execute(),
    ).rejects.toMatchObject({ code: "23514", constraint: "families_language_check" });
  });
});
