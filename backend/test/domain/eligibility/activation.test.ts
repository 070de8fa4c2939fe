// Activation on a real local chain: the letter, the code (single use, rate-limited), setHolder and,
// for a lost phone, rekey; the family's own view; deleting a family's personal data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "ethers";
import { familyLoginMessage, isDomainError } from "@tegoed/sdk";
import { auditLogRepository } from "../../../src/db/audit-log.repository.ts";
import { chainIndexRepository } from "../../../src/db/chain-index.repository.ts";
import { GuessLimiter, normalizeCode } from "../../../src/domain/eligibility/activation-codes.ts";
import { familyLoginChallenge, loginWithDeviceKey } from "../../../src/domain/eligibility/device-login.ts";
import {
  activateFamily, issueActivationLetter, issueActivationLetters, newActivationCode, reissueAccess,
} from "../../../src/domain/eligibility/activation.service.ts";
import { issueBudgets } from "../../../src/domain/eligibility/budgets.service.ts";
import { addFamily, approveFamilies } from "../../../src/domain/eligibility/families.service.ts";
import { deleteFamilyData, listFamilyChildren } from "../../../src/domain/eligibility/family.service.ts";
import { DEVELOPMENT_LETTER_SETTINGS, qrSvg } from "../../../src/domain/eligibility/letter.ts";
import { createFund, recordDeposit } from "../../../src/domain/funds/funds.service.ts";
import { approvedShop, signPermit } from "../../chain/harness.ts";
import { ENGINES, useDatabase } from "../../support/engines.ts";
import { dumpAllRows, paymentEvent } from "../../support/fixtures.ts";
import { STAFF, depsFor, startDomainChain, testClock, type DomainChain } from "./support.ts";

const AMOUNT = 300_00n;
const YEAR = new Date().getUTCFullYear();

let chain: DomainChain;
beforeAll(async () => {
  chain = await startDomainChain();
});
afterAll(async () => {
  await chain?.t.stop();
});

const rejection = (promise: Promise<unknown>) => promise.then(() => { throw new Error("expected a refusal"); }, (e: unknown) => e);

describe.each(ENGINES)("activation on $name", (engine) => {
  const ctx = useDatabase(engine);
  const time = testClock();
  const deps = () => depsFor(ctx.db, chain, time.clock);
  const sponsor = () => chain.t.relayer.addresses[0]!;

  /** A fund with one approved family of two children (budgets issued unless told not to) and its letter. */
  async function activationReady({ language = "nl" as "nl" | "en", issue = true } = {}) {
    const tag = Math.random().toString(36).slice(2, 8).toUpperCase();
    const fund = await createFund(deps(), { actorId: STAFF, name: "Kindpakket Westerkwartier 2027", amountPerChildCents: AMOUNT, budgetExpiry: "2027-12-31" });
    await recordDeposit(deps(), { actorId: STAFF, fundId: fund.id, sponsor: sponsor(), amountCents: 2n * AMOUNT, bankReference: `DEP-${fund.id}` });
    const family = await addFamily(deps(), {
      actorId: STAFF, fundId: fund.id, displayName: `Jan & Joke ${tag}`, addressLines: [`Dorpsstraat ${tag}`, "9801 AB  Zuidhorn"],
      preferredLanguage: language, children: [{ firstName: `Anna${tag}`, birthYear: YEAR - 7 }, { firstName: `Bram${tag}`, birthYear: YEAR - 9 }],
    });
    await approveFamilies(deps(), { actorId: STAFF, fundId: fund.id, familyIds: [family.id] });
    if (issue) await issueBudgets(deps(), { actorId: STAFF, fundId: fund.id, sponsor: sponsor() });
    const letter = await issueActivationLetter(deps(), { actorId: STAFF, familyId: family.id });
    const client = chain.fundClient(fund.chainAddress);
    const budgetIds = (await ctx.db.selectFrom("budgets").select("budget_id").where("fund_id", "=", fund.id).execute()).map((r) => r.budget_id);
    return { fund, family, letter, client, budgetIds, tag };
  }

  /** The right selector with a wrong secret: counts against that code. */
  function wrongCodeFor(code: string): string {
    const c = normalizeCode(code)!;
    return c.slice(0, 4) + (c.slice(4) === "22222222" ? "33333333" : "22222222");
  }

  describe("the activation letter", () => {
    it("is one HTML page in the family's language with the code as text and as a QR that opens the wallet with it", async () => {
      const { letter, family, tag } = await activationReady();
      expect(letter.code).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
      expect(letter.made).toBe(true);
      expect(letter.html).toContain('<html lang="nl" dir="ltr">');
      expect(letter.html).toContain("Uw activatiecode");
      expect(letter.html).toContain(`<div class="code">${letter.code}</div>`);
      expect(letter.html).toContain(`<tr><td>Bram${tag}</td><td class="amount">€ 300,00</td></tr><tr><td>Anna${tag}</td>`);
      expect(letter.html).toContain("Uw kinderen krijgen een tegoed van Kindpakket Westerkwartier 2027");
      expect(letter.html).toContain(`Jan &#38; Joke ${tag}`);
      const url = `http://127.0.0.1:8080/wallet/#code=${letter.code.replaceAll("-", "")}`;
      expect(letter.html).toContain(await qrSvg(url));
      expect(letter.html).toContain("<strong>127.0.0.1:8080/wallet</strong>");
      // Only a hash of the code is stored.
      const dump = await dumpAllRows(ctx.db);
      expect(dump).not.toContain(letter.code.replaceAll("-", ""));
      const [audit] = await auditLogRepository(ctx.db).list({ subjectId: family.id, action: "family.activation_code" });
      expect(audit).toMatchObject({ actorId: STAFF });
    });

    it("shows the same code when opened again, alone or with all letters, and makes none in the audit log", async () => {
      const { fund, family, letter } = await activationReady();
      const again = await issueActivationLetter(deps(), { actorId: STAFF, familyId: family.id });
      expect(again).toMatchObject({ code: letter.code, made: false, expiresAt: letter.expiresAt });
      const all = await issueActivationLetters(deps(), { actorId: STAFF, fundId: fund.id });
      expect(all.letters.map((l) => [l.familyId, l.code, l.made])).toEqual([[family.id, letter.code, false]]);
      expect(await auditLogRepository(ctx.db).list({ subjectId: family.id, action: "family.activation_code" })).toHaveLength(1);
      // The posted letter still works.
      await activateFamily(deps(), { code: letter.code, holderAddress: Wallet.createRandom().address });
      expect((await issueActivationLetters(deps(), { actorId: STAFF, fundId: fund.id })).letters).toEqual([]);
    });

    it("makes codes in the batch only for families without one", async () => {
      const { fund, family } = await activationReady();
      const second = await addFamily(deps(), {
        actorId: STAFF, fundId: fund.id, displayName: "Piet", addressLines: ["Kerkstraat 1", "9801 AA  Zuidhorn"], children: [{ firstName: "Saar", birthYear: YEAR - 5 }],
      });
      await approveFamilies(deps(), { actorId: STAFF, fundId: fund.id, familyIds: [second.id] });
      const all = await issueActivationLetters(deps(), { actorId: STAFF, fundId: fund.id });
      expect(all.letters.map((l) => [l.familyId, l.made])).toEqual([[family.id, false], [second.id, true]]);
      expect(all.letters[1]!.content.intro[0]).toMatch(/^Uw kind krijgt een tegoed/);
    });

    it("gets a new code only by asking for one: the old letter is then refused as replaced, and the audit log says so", async () => {
      const { family, letter } = await activationReady();
      const fresh = await newActivationCode(deps(), { actorId: STAFF, familyId: family.id });
      expect(fresh.code).not.toBe(letter.code);
      expect(fresh.made).toBe(true);
      const old = await rejection(activateFamily(deps(), { code: letter.code, holderAddress: Wallet.createRandom().address }));
      expect(isDomainError(old, "ACTIVATION_CODE_REPLACED")).toBe(true);
      const [audit] = await auditLogRepository(ctx.db).list({ subjectId: family.id, action: "family.new_activation_code" });
      expect(audit).toMatchObject({ actorId: STAFF, details: { replaced: 1, letter: 2 } });
      expect((await issueActivationLetter(deps(), { actorId: STAFF, familyId: family.id })).code).toBe(fresh.code);
      await activateFamily(deps(), { code: fresh.code, holderAddress: Wallet.createRandom().address });
    });

    it("cannot show a code made under another secret again, and says so", async () => {
      const { family } = await activationReady();
      const other = { ...deps(), letters: { ...DEVELOPMENT_LETTER_SETTINGS, codeSecret: "another secret" } };
      const error = await rejection(issueActivationLetter(other, { actorId: STAFF, familyId: family.id }));
      expect(isDomainError(error, "LETTER_CODE_UNAVAILABLE")).toBe(true);
    });

    it("is valid to the end of the day it prints, in Amsterdam", async () => {
      const { letter } = await activationReady();
      expect(letter.expiresAt.toLocaleTimeString("en-GB", { timeZone: "Europe/Amsterdam" })).toBe("23:59:59");
      const day = letter.expiresAt.toLocaleDateString("nl-NL", { day: "numeric", month: "long", year: "numeric", timeZone: "Europe/Amsterdam" });
      expect(letter.html).toContain(`Deze code werkt één keer, tot en met ${day}.`);
    });

    it("is in English for a family that prefers English", async () => {
      const { letter } = await activationReady({ language: "en" });
      expect(letter.language).toBe("en");
      expect(letter.html).toContain('<html lang="en" dir="ltr">');
      expect(letter.html).toContain("Your activation code");
    });
  });

  describe("logging in again with the device key", () => {
    it("starts the family's session for the key that signed the challenge, once per challenge", async () => {
      const { family, letter } = await activationReady();
      const phone = Wallet.createRandom();
      await activateFamily(deps(), { code: letter.code, holderAddress: phone.address });

      const { challenge } = await familyLoginChallenge(deps(), phone.address);
      const signature = await phone.signMessage(familyLoginMessage(challenge));
      expect(await loginWithDeviceKey(deps(), { holderAddress: phone.address, challenge, signature })).toEqual({ familyId: family.id });
      const replay = await rejection(loginWithDeviceKey(deps(), { holderAddress: phone.address, challenge, signature }));
      expect(isDomainError(replay, "UNAUTHENTICATED")).toBe(true);
    });

    it("refuses another key's signature, an expired challenge, and a key that holds no budgets", async () => {
      const { letter } = await activationReady();
      const phone = Wallet.createRandom();
      await activateFamily(deps(), { code: letter.code, holderAddress: phone.address });

      const first = await familyLoginChallenge(deps(), phone.address);
      const forged = await Wallet.createRandom().signMessage(familyLoginMessage(first.challenge));
      expect(isDomainError(await rejection(loginWithDeviceKey(deps(), { holderAddress: phone.address, challenge: first.challenge, signature: forged })), "UNAUTHENTICATED")).toBe(true);

      const late = await familyLoginChallenge(deps(), phone.address);
      const signature = await phone.signMessage(familyLoginMessage(late.challenge));
      time.advance(3 * 60_000);
      expect(isDomainError(await rejection(loginWithDeviceKey(deps(), { holderAddress: phone.address, challenge: late.challenge, signature })), "UNAUTHENTICATED")).toBe(true);

      expect(isDomainError(await rejection(familyLoginChallenge(deps(), Wallet.createRandom().address)), "UNAUTHENTICATED")).toBe(true);
    });
  });

  describe("activateFamily", () => {
    it("binds the phone's key to every budget of the family on chain, and the code cannot be used again", async () => {
      const { family, letter, client, budgetIds } = await activationReady();
      const phone = Wallet.createRandom();
      const typed = letter.code.toLowerCase().replaceAll("-", " ");
      const result = await activateFamily(deps(), { code: typed, holderAddress: phone.address });
      expect(result.familyId).toBe(family.id);
      expect(result.budgetIds.sort()).toEqual([...budgetIds].sort());
      expect(result.txHashes).toHaveLength(2);
      for (const budgetId of budgetIds) expect((await client.budgetOf(budgetId)).holder).toBe(phone.address);
      const row = await ctx.db.selectFrom("families").select("activated_at").where("id", "=", family.id).executeTakeFirstOrThrow();
      expect(row.activated_at).toBeInstanceOf(Date);

      const other = await rejection(activateFamily(deps(), { code: letter.code, holderAddress: Wallet.createRandom().address }));
      expect(isDomainError(other, "ACTIVATION_CODE_USED")).toBe(true);
      // Not even with the phone's address (public: in events and in every QR's signature): a completed
      // activation's code never starts a session again.
      const again = await rejection(activateFamily(deps(), { code: letter.code, holderAddress: phone.address }));
      expect(isDomainError(again, "ACTIVATION_CODE_USED")).toBe(true);
    });

    it("locks a code for 15 minutes after 5 wrong tries with RATE_LIMITED, then lets the right code in", async () => {
      const { letter, client, budgetIds } = await activationReady();
      const phone = Wallet.createRandom();
      for (let left = 4; left >= 1; left--) {
        const error = await rejection(activateFamily(deps(), { code: wrongCodeFor(letter.code), holderAddress: phone.address }));
        expect(isDomainError(error, "ACTIVATION_CODE_INVALID")).toBe(true);
        expect((error as { details: object }).details).toEqual({ attemptsLeft: String(left) });
      }
      const locked = await rejection(activateFamily(deps(), { code: wrongCodeFor(letter.code), holderAddress: phone.address }));
      expect(isDomainError(locked, "RATE_LIMITED")).toBe(true);
      const retryAt = new Date(time.clock().getTime() + 15 * 60 * 1000).toISOString();
      expect((locked as { details: object }).details).toEqual({ scope: "code", retryAt, retryAfterSeconds: "900" });
      // Even the right code waits.
      const stillLocked = await rejection(activateFamily(deps(), { code: letter.code, holderAddress: phone.address }));
      expect(isDomainError(stillLocked, "RATE_LIMITED")).toBe(true);
      time.advance(15 * 60 * 1000);
      await activateFamily(deps(), { code: letter.code, holderAddress: phone.address });
      expect((await client.budgetOf(budgetIds[0]!)).holder).toBe(phone.address);
    });

    it("limits wrong guesses per client with the guess limiter", async () => {
      const limiter = new GuessLimiter({ maxFailures: 3, windowMs: 60_000, clock: time.clock });
      const guess = () => rejection(activateFamily({ ...deps(), limiter }, { code: "2222-2222-2222", holderAddress: Wallet.createRandom().address, clientKey: "198.51.100.7" }));
      for (let i = 0; i < 3; i++) expect(isDomainError(await guess(), "ACTIVATION_CODE_INVALID")).toBe(true);
      const limited = await guess();
      expect(isDomainError(limited, "RATE_LIMITED")).toBe(true);
      expect((limited as { details: Record<string, string> }).details.scope).toBe("client");
      time.advance(60_000);
      expect(isDomainError(await guess(), "ACTIVATION_CODE_INVALID")).toBe(true);
    });

    it("refuses an expired code", async () => {
      const { letter } = await activationReady();
      time.advance(91 * 24 * 60 * 60 * 1000);
      try {
        const error = await rejection(activateFamily(deps(), { code: letter.code, holderAddress: Wallet.createRandom().address }));
        expect(isDomainError(error, "ACTIVATION_CODE_EXPIRED")).toBe(true);
      } finally {
        time.advance(-91 * 24 * 60 * 60 * 1000);
      }
    });

    it("refuses while the budgets are not issued, and gives the code back", async () => {
      const { fund, letter, family } = await activationReady({ issue: false });
      const phone = Wallet.createRandom();
      const error = await rejection(activateFamily(deps(), { code: letter.code, holderAddress: phone.address }));
      expect(isDomainError(error, "BUDGETS_NOT_ISSUED")).toBe(true);
      await issueBudgets(deps(), { actorId: STAFF, fundId: fund.id, sponsor: sponsor() });
      const result = await activateFamily(deps(), { code: letter.code, holderAddress: phone.address });
      expect(result.familyId).toBe(family.id);
    });
  });

  describe("reissueAccess for a lost phone", () => {
    it("gives a new code that moves every budget to the new key; the old key's QR is refused on chain", async () => {
      const { family, letter, client, budgetIds } = await activationReady();
      const oldPhone = Wallet.createRandom();
      await activateFamily(deps(), { code: letter.code, holderAddress: oldPhone.address });
      const shop = await approvedShop(client);
      const oldQr = await signPermit(chain.t, oldPhone, client, budgetIds[0]!);

      const reissued = await reissueAccess(deps(), { actorId: STAFF, familyId: family.id });
      expect(reissued.kind).toBe("reissue");
      expect(reissued.html).toContain(reissued.code);
      const newPhone = Wallet.createRandom();
      const result = await activateFamily(deps(), { code: reissued.code, holderAddress: newPhone.address });
      expect(result.txHashes).toHaveLength(2);
      for (const budgetId of budgetIds) expect((await client.budgetOf(budgetId)).holder).toBe(newPhone.address);

      const refused = await rejection(client.pay(oldQr.permit, oldQr.signature, shop, 5_00n));
      expect(isDomainError(refused, "PERMIT_INVALID_SIGNATURE")).toBe(true);
      const newQr = await signPermit(chain.t, newPhone, client, budgetIds[0]!);
      await client.pay(newQr.permit, newQr.signature, shop, 5_00n);
      expect((await client.budgetOf(budgetIds[0]!)).balance).toBe(AMOUNT - 5_00n);
      const actions = (await auditLogRepository(ctx.db).list({ subjectId: family.id })).map((e) => e.action);
      expect(actions.slice(0, 2)).toEqual(["family.rekey", "family.reissue_access"]);
    });
  });

  describe("listFamilyChildren and deleteFamilyData", () => {
    it("shows balances, expiry and history; deleting leaves no name or address, but budgets and payments stay", async () => {
      const { fund, family, letter, client, budgetIds, tag } = await activationReady();
      const phone = Wallet.createRandom();
      await activateFamily(deps(), { code: letter.code, holderAddress: phone.address });
      const shop = await approvedShop(client);
      const qr = await signPermit(chain.t, phone, client, budgetIds[0]!);
      const paid = await client.pay(qr.permit, qr.signature, shop, 12_50n);
      await chainIndexRepository(ctx.db).applyChainEvents(`test-${fund.id}`, paid.blockNumber, [
        paymentEvent(fund.chainAddress, { paymentId: paid.paymentId, budgetId: budgetIds[0]!, merchant: shop.toLowerCase(), amountCents: 12_50n, txHash: paid.txHash, blockNumber: paid.blockNumber }),
      ]);

      const children = await listFamilyChildren(deps(), family.id);
      expect(children.map((c) => [c.firstName, c.balanceCents, c.activated, c.frozen])).toEqual([
        [`Bram${tag}`, budgetIds[0] === children[0]!.budgetId ? AMOUNT - 12_50n : AMOUNT, true, false],
        [`Anna${tag}`, budgetIds[0] === children[1]!.budgetId ? AMOUNT - 12_50n : AMOUNT, true, false],
      ]);
      expect(children[0]!.expiresAt).toEqual(new Date("2028-01-01T00:00:00Z"));
      const spent = children.find((c) => c.budgetId === budgetIds[0])!;
      expect(spent.history).toMatchObject([{ type: "payment", amountCents: 12_50n, paymentId: paid.paymentId }]);

      const deletion = await deleteFamilyData(deps(), { actorId: STAFF, familyId: family.id });
      expect(deletion).toMatchObject({ childrenDeleted: 2, budgetsAnonymised: 2 });
      const dump = await dumpAllRows(ctx.db);
      for (const personal of [`Joke ${tag}`, `Dorpsstraat ${tag}`, `Anna${tag}`, `Bram${tag}`]) expect(dump).not.toContain(personal);
      const budgets = await ctx.db.selectFrom("budgets").selectAll().where("fund_id", "=", fund.id).execute();
      expect(budgets.map((b) => [b.child_id, b.status])).toEqual([[null, "issued"], [null, "issued"]]);
      expect(await ctx.db.selectFrom("payments").select("payment_id").where("payment_id", "=", paid.paymentId).execute()).toHaveLength(1);
      expect((await client.budgetOf(budgetIds[0]!)).balance).toBe(AMOUNT - 12_50n);
      const [audit] = await auditLogRepository(ctx.db).list({ subjectId: family.id, action: "family.delete_personal_data" });
      expect(audit).toMatchObject({ actorId: STAFF, details: { children: 2, budgetsAnonymised: 2 } });
      expect(isDomainError(await rejection(listFamilyChildren(deps(), family.id)), "NOT_FOUND")).toBe(true);
    });
  });
});
