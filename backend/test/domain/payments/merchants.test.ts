// The merchants service on a real Hardhat node and both database engines: apply, approve on chain,
// decline, suspend on chain, shop users and their login, and the audit log of each.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLogRepository } from "../../../src/db/audit-log.repository.ts";
import {
  applyMerchant, approveMerchant, categoriesMask, createMerchantUser, declineMerchant, getMerchant,
  listMerchants, listMerchantUsers, suspendMerchant, verifyMerchantLogin,
} from "../../../src/domain/merchants/merchants.service.ts";
import { ENGINES, useDatabase } from "../../support/engines.ts";
import { type TestChain, startTestChain } from "../../chain/harness.ts";
import { APPLICATION, type ChainFunds, STAFF_ID, approvedMerchant, depsFor, kvk, refusal, seedChainFunds, CHAIN_ENGINE } from "./support.ts";

let t: TestChain;
beforeAll(async () => {
  t = await startTestChain(CHAIN_ENGINE);
});
afterAll(async () => {
  await t?.stop();
});

describe("categoriesMask", () => {
  it("sets bit i for the fund's i-th category that the shop has", () => {
    expect(categoriesMask(["sport", "school", "culture"], ["Culture", "sport", "food"])).toBe(0b101);
    expect(categoriesMask(["sport"], ["food"])).toBe(0);
  });
});

describe.each(ENGINES)("merchants service on $name", (engine) => {
  const ctx = useDatabase(engine);
  let funds: ChainFunds;
  const deps = () => depsFor(ctx.db, t);
  beforeEach(async () => {
    funds ??= await seedChainFunds(ctx.db, t);
  });

  describe("apply", () => {
    it("stores a valid application as pending, IBAN in electronic form, and logs it", async () => {
      const merchant = await applyMerchant(deps(), { ...APPLICATION, kvkNumber: kvk(), contactEmail: "Info@DeBal.example" });
      expect(merchant).toMatchObject({
        status: "pending", iban: "NL91ABNA0417164300", contactEmail: "info@debal.example", chainAddress: null, funds: [],
      });
      const log = await auditLogRepository(ctx.db).list({ subjectId: merchant.id });
      expect(log.map((e) => e.action)).toEqual(["merchant.apply"]);
    });

    it.each([
      ["iban", { iban: "NL92ABNA0417164300" }],
      ["kvkNumber", { kvkNumber: "1234567" }],
      ["contactEmail", { contactEmail: "not an email" }],
      ["categories", { categories: [] }],
      ["name", { name: "  " }],
    ])("refuses a bad %s with INVALID_INPUT", async (field, change) => {
      const error = await refusal(applyMerchant(deps(), { ...APPLICATION, kvkNumber: kvk(), ...change }));
      expect(error.code).toBe("INVALID_INPUT");
      expect(error.details.field).toBe(field);
    });
  });

  describe("approve", () => {
    it("gives the shop a chain address, approves it on the fund contract with its categories, and logs it", async () => {
      const merchant = await approvedMerchant(deps(), funds);
      expect(merchant.status).toBe("approved");
      expect(merchant.chainAddress).toMatch(/^0x[0-9a-f]{40}$/);
      expect(merchant.funds).toEqual([expect.objectContaining({ fundId: funds.fundId, categoriesMask: 0b1, suspendedAt: null })]);
      expect(await t.fund.merchantOf(merchant.chainAddress!)).toMatchObject({ approved: true, suspended: false, categories: 0b1 });
      expect(await t.otherFund.merchantOf(merchant.chainAddress!)).toMatchObject({ approved: false });
      const [entry] = await auditLogRepository(ctx.db).list({ subjectId: merchant.id, action: "merchant.approve" });
      expect(entry).toMatchObject({ actorType: "staff", actorId: STAFF_ID, details: { fundId: funds.fundId } });
    });

    it("keeps the same chain address when approved for a second fund, and gives each fund's clock with its link", async () => {
      await ctx.db.updateTable("funds").set({ time_zone: "America/Kralendijk" }).where("id", "=", funds.otherFundId).execute();
      const first = await approvedMerchant(deps(), funds);
      const second = await approveMerchant(deps(), { merchantId: first.id, fundId: funds.otherFundId, staffUserId: STAFF_ID });
      expect(second.chainAddress).toBe(first.chainAddress);
      expect(second.funds.map((f) => f.fundId).sort()).toEqual([funds.fundId, funds.otherFundId].sort());
      expect(Object.fromEntries(second.funds.map((f) => [f.fundId, f.timeZone]))).toEqual({ [funds.fundId]: "Europe/Amsterdam", [funds.otherFundId]: "America/Kralendijk" });
      const listed = (await listMerchants(deps(), { status: "approved" })).find((m) => m.id === first.id)!;
      expect(listed.funds.map((f) => f.timeZone).sort()).toEqual(["America/Kralendijk", "Europe/Amsterdam"]);
      await ctx.db.updateTable("funds").set({ time_zone: "Europe/Amsterdam" }).where("id", "=", funds.otherFundId).execute();
      expect((await t.otherFund.merchantOf(first.chainAddress!)).approved).toBe(true);
    });

    it("refuses an unknown fund and a declined shop, sending nothing", async () => {
      const applied = await applyMerchant(deps(), { ...APPLICATION, kvkNumber: kvk() });
      expect((await refusal(approveMerchant(deps(), { merchantId: applied.id, fundId: STAFF_ID, staffUserId: STAFF_ID }))).code)
        .toBe("FUND_UNKNOWN");
      await declineMerchant(deps(), { merchantId: applied.id, reason: "Geen winkel in de gemeente", staffUserId: STAFF_ID });
      expect((await refusal(approveMerchant(deps(), { merchantId: applied.id, fundId: funds.fundId, staffUserId: STAFF_ID }))).code)
        .toBe("CONFLICT");
      expect((await getMerchant(deps(), applied.id)).chainAddress).toBeNull();
    });
  });

  describe("decline", () => {
    it("declines a pending application with its reason; a second decline is a CONFLICT", async () => {
      const applied = await applyMerchant(deps(), { ...APPLICATION, kvkNumber: kvk() });
      const declined = await declineMerchant(deps(), { merchantId: applied.id, reason: "KvK-inschrijving ontbreekt", staffUserId: STAFF_ID });
      expect(declined).toMatchObject({ status: "declined", declineReason: "KvK-inschrijving ontbreekt" });
      expect((await refusal(declineMerchant(deps(), { merchantId: applied.id, reason: "x", staffUserId: STAFF_ID }))).code).toBe("CONFLICT");
    });
  });

  describe("suspend", () => {
    it("suspends the shop on every fund it is approved for, on chain, and keeps the reason", async () => {
      const merchant = await approvedMerchant(deps(), funds);
      await approveMerchant(deps(), { merchantId: merchant.id, fundId: funds.otherFundId, staffUserId: STAFF_ID });
      const suspended = await suspendMerchant(deps(), { merchantId: merchant.id, reason: "Klachten", staffUserId: STAFF_ID });
      expect(suspended).toMatchObject({ status: "suspended", suspendReason: "Klachten" });
      expect(suspended.funds.every((f) => f.suspendedAt instanceof Date)).toBe(true);
      for (const fund of [t.fund, t.otherFund]) {
        expect(await fund.merchantOf(merchant.chainAddress!)).toMatchObject({ approved: false, suspended: true });
      }
      const log = await auditLogRepository(ctx.db).list({ subjectId: merchant.id });
      expect(log.map((e) => e.action)).toEqual(["merchant.suspend", "merchant.approve", "merchant.approve", "merchant.apply"]);
    });

    it("re-approving a suspended shop approves it on chain again", async () => {
      const merchant = await approvedMerchant(deps(), funds);
      await suspendMerchant(deps(), { merchantId: merchant.id, reason: "Onderzoek", staffUserId: STAFF_ID });
      const back = await approveMerchant(deps(), { merchantId: merchant.id, fundId: funds.fundId, staffUserId: STAFF_ID });
      expect(back).toMatchObject({ status: "approved", suspendReason: null });
      expect((await t.fund.merchantOf(merchant.chainAddress!)).approved).toBe(true);
    });
  });

  describe("shop users", () => {
    it("lets several users of one shop log in with their own password; a wrong one is UNAUTHENTICATED", async () => {
      const merchant = await approvedMerchant(deps(), funds);
      const suffix = merchant.id.slice(0, 8);
      const anna = await createMerchantUser(deps(), {
        merchantId: merchant.id, email: `Anna.${suffix}@debal.example`, password: "correct horse battery", actor: { type: "staff", id: STAFF_ID },
      });
      await createMerchantUser(deps(), {
        merchantId: merchant.id, email: `bob.${suffix}@debal.example`, password: "another long secret", actor: { type: "merchant", id: anna.id },
      });
      expect(anna.email).toBe(`anna.${suffix}@debal.example`);

      const login = await verifyMerchantLogin(deps(), { email: `ANNA.${suffix}@debal.example`, password: "correct horse battery" });
      expect(login).toMatchObject({ id: anna.id, merchantId: merchant.id });
      const users = await listMerchantUsers(deps(), merchant.id);
      expect(users).toHaveLength(2);
      expect(users.find((u) => u.id === anna.id)).toEqual(login);
      expect((await verifyMerchantLogin(deps(), { email: `bob.${suffix}@debal.example`, password: "another long secret" })).merchantId)
        .toBe(merchant.id);

      expect((await refusal(verifyMerchantLogin(deps(), { email: anna.email, password: "correct horse battery!" }))).code)
        .toBe("UNAUTHENTICATED");
      expect((await refusal(verifyMerchantLogin(deps(), { email: `nobody.${suffix}@debal.example`, password: "x" }))).code)
        .toBe("UNAUTHENTICATED");
      const stored = await ctx.db.selectFrom("merchant_users").select("password_hash").where("id", "=", anna.id).executeTakeFirstOrThrow();
      expect(stored.password_hash).toMatch(/^scrypt\$/);
      expect(stored.password_hash).not.toContain("correct horse");
    });

    it("refuses a taken email with CONFLICT and a short password with INVALID_INPUT", async () => {
      const merchant = await approvedMerchant(deps(), funds);
      const email = `kassa.${merchant.id.slice(0, 8)}@debal.example`;
      const actor = { type: "staff" as const, id: STAFF_ID };
      await createMerchantUser(deps(), { merchantId: merchant.id, email, password: "long enough password", actor });
      expect((await refusal(createMerchantUser(deps(), { merchantId: merchant.id, email, password: "long enough password", actor }))).code)
        .toBe("CONFLICT");
      expect((await refusal(createMerchantUser(deps(), { merchantId: merchant.id, email: `x${email}`, password: "short", actor }))).code)
        .toBe("INVALID_INPUT");
    });
  });
});
