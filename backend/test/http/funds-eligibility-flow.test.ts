// The fund, eligibility and family routes on a real local chain (one hardhat node for the file) and
// both database engines: the happy path of every route, the chain's refusals as codes, and the whole
// flow from a new fund to a family seeing its frozen budget. Role matrix and bad input without a chain:
// funds-eligibility-routes.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "ethers";
import {
  familyLoginMessage,
  type ActivationLetter,
  type ApiClient,
  type Budget,
  type Family,
  type FamilyChildren,
  type Fund,
} from "@tegoed/sdk";
import { auditLogRepository } from "../../src/db/audit-log.repository.ts";
import { GuessLimiter } from "../../src/domain/eligibility/index.ts";
import { ENGINES } from "../support/engines.ts";
import { HEADER, csvOf, startDomainChain, type DomainChain } from "../domain/eligibility/support.ts";
import { refusal, useApp } from "./harness.ts";

const YEAR = new Date().getUTCFullYear();

let chain: DomainChain;
beforeAll(async () => {
  chain = await startDomainChain();
});
afterAll(async () => {
  await chain?.t.stop();
});

describe.each(ENGINES)("funds and eligibility on a real chain on $name", (engine) => {
  const app = useApp(engine, {
    ledger: () => ({ factory: chain.factory, fundClient: chain.fundClient, sponsor: chain.t.relayer.addresses[0]! }),
    guessLimiter: new GuessLimiter(),
  });
  let admin: ApiClient;
  let finance: ApiClient;
  let validator: ApiClient;

  beforeAll(async () => {
    admin = (await app.loginAs(["admin"])).client;
    finance = (await app.loginAs(["finance"])).client;
    validator = (await app.loginAs(["validator"])).client;
  });

  const post = <T>(client: ApiClient, path: string, body?: unknown) => client.request<T>("POST", path, { body });
  const tag = () => Math.random().toString(36).slice(2, 8);

  async function newFund(amountPerChildCents = 300_00): Promise<Fund> {
    return admin.funds.create({ name: `Kindpakket ${tag()}`, amountPerChildCents, budgetExpiry: `${YEAR + 1}-12-31`, categories: ["sport"] });
  }

  /** A fund with a deposit and one approved family of two children, budgets issued. */
  async function issuedFamily() {
    const fund = await newFund();
    await finance.funds.deposit(fund.id, { amountCents: 1_000_00, bankReference: `DEP-${tag()}` });
    const family = await validator.eligibility.addFamily(fund.id, {
      displayName: "Jan de Vries", addressLines: ["Dorpsstraat 1", "9801 AB  Zuidhorn"],
      children: [{ firstName: "Anna", birthYear: YEAR - 7 }, { firstName: "Bram", birthYear: YEAR - 9 }],
    });
    await validator.eligibility.approveFamilies(fund.id, { familyIds: [family.id] });
    await validator.eligibility.issueBudgets(fund.id);
    return { fund, family };
  }

  async function activate(code: string, device = Wallet.createRandom()) {
    const client = app.client();
    const session = await client.family.activate({ code, holderAddress: device.address });
    return { client, session, device };
  }

  describe("funds", () => {
    it("POST /api/funds deploys a fund (201); GET /api/funds and /api/funds/:id show it; the audit log has it", async () => {
      const fund = await newFund(250_00);
      expect(fund).toMatchObject({
        id: expect.any(String), chainAddress: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/), currency: "EUR", amountPerChildCents: 250_00,
        budgetExpiry: `${YEAR + 1}-12-31`, categories: ["sport"], payoutSchedule: { kind: "daily", at: "17:00" }, timeZone: "Europe/Amsterdam",
        paused: false, pausedReason: null,
      });
      expect(await chain.t.provider.getCode(fund.chainAddress)).not.toBe("0x");
      const auditor = (await app.loginAs(["auditor"])).client;
      expect((await auditor.funds.list()).funds).toContainEqual(fund);
      expect(await auditor.funds.get(fund.id)).toEqual(fund);
      expect(await auditLogRepository(app.db).list({ subjectId: fund.id, action: "fund.create" })).toHaveLength(1);
    });

    it("POST /api/funds keeps a fund's own time zone, and refuses one that is no place: 400 INVALID_INPUT", async () => {
      const bonaire = await admin.funds.create({ name: `Kindpakket ${tag()}`, amountPerChildCents: 300_00, budgetExpiry: `${YEAR + 1}-12-31`, timeZone: "America/Kralendijk" });
      expect(await admin.funds.get(bonaire.id)).toMatchObject({ timeZone: "America/Kralendijk" });
      for (const timeZone of ["Europe/Atlantis", "CET"]) {
        expect(await refusal(post(admin, "/api/funds", { name: "Elders", amountPerChildCents: 100, budgetExpiry: `${YEAR + 1}-12-31`, timeZone }))).toMatchObject({
          status: 400, code: "INVALID_INPUT", details: { field: "timeZone" },
        });
      }
    });

    it("POST /api/funds refuses an expiry in the past: 422 EXPIRY_IN_PAST", async () => {
      expect(await refusal(post(admin, "/api/funds", { name: "Oud", amountPerChildCents: 100, budgetExpiry: "2020-01-01" }))).toMatchObject({
        status: 422, code: "EXPIRY_IN_PAST",
      });
    });

    it("POST /api/funds/:id/deposits adds to the sponsor's reserve (201); the same bank reference again is 409 BANK_REF_USED", async () => {
      const fund = await newFund();
      const ref = `NL-BANK-${tag()}`;
      const receipt = await post(finance, `/api/funds/${fund.id}/deposits`, { amountCents: 12_345_67, bankReference: ref });
      expect(receipt).toMatchObject({ fundId: fund.id, amountCents: 12_345_67, reserveCents: 12_345_67, txHash: expect.stringMatching(/^0x/) });
      expect(await chain.fundClient(fund.chainAddress).reserveOf(chain.t.relayer.addresses[0]!)).toBe(12_345_67n);
      expect(await refusal(post(finance, `/api/funds/${fund.id}/deposits`, { amountCents: 100, bankReference: ref }))).toMatchObject({
        status: 409, code: "BANK_REF_USED",
      });
    });

    it("POST /api/funds/:id/pause and /unpause pause the contract with the reason, and let it run again", async () => {
      const fund = await newFund();
      expect(await post(admin, `/api/funds/${fund.id}/pause`, { reason: "Fraude onderzocht" })).toMatchObject({ paused: true, pausedReason: "Fraude onderzocht" });
      expect(await chain.fundClient(fund.chainAddress).paused()).toBe(true);
      expect(await post(admin, `/api/funds/${fund.id}/unpause`, { reason: "Onderzoek klaar" })).toMatchObject({ paused: false, pausedReason: null });
      expect(await chain.fundClient(fund.chainAddress).paused()).toBe(false);
    });
  });

  describe("families and budgets", () => {
    it("POST /api/funds/:id/families adds a family (201); the same reference again is 409 CONFLICT", async () => {
      const fund = await newFund();
      const body = { externalRef: "BSN-less-1", displayName: "Fam. Bakker", addressLines: ["Kerkstraat 2"], preferredLanguage: "en", children: [{ firstName: "Cas", birthYear: YEAR - 4 }] };
      const family = await post<Family>(validator, `/api/funds/${fund.id}/families`, body);
      expect(family).toMatchObject({ fundId: fund.id, displayName: "Fam. Bakker", preferredLanguage: "en", approvedAt: null, children: [{ firstName: "Cas", birthYear: YEAR - 4 }] });
      expect(await refusal(post(validator, `/api/funds/${fund.id}/families`, body))).toMatchObject({ status: 409, code: "CONFLICT" });
    });

    it("POST /api/funds/:id/families/import refuses a file without the columns: 400 CSV_UNREADABLE", async () => {
      const fund = await newFund();
      expect(await refusal(post(validator, `/api/funds/${fund.id}/families/import`, { csv: "naam,adres\nJan,Hier\n" }))).toMatchObject({
        status: 400, code: "CSV_UNREADABLE",
      });
    });

    it("POST /api/funds/:id/families/import takes a file over the 100 kB of other bodies (2000 families)", async () => {
      const fund = await newFund();
      const rows = Array.from({ length: 2000 }, (_, i) => [`REF-${i}`, `Ouder nummer ${i}`, `Lange Dorpsstraat ${i + 1}`, "9801 AB", "Zuidhorn", "nl", `Kind${i}`, YEAR - 5]);
      const csv = csvOf(HEADER, rows);
      expect(csv.length).toBeGreaterThan(150_000);
      expect(await post(validator, `/api/funds/${fund.id}/families/import`, { csv })).toEqual({ committed: true, accepted: 2000, families: 2000, rejected: [] });
    });

    it("POST /api/funds/:id/budgets/issue without reserve: 422 RESERVE_INSUFFICIENT, nothing issued", async () => {
      const fund = await newFund();
      await post(validator, `/api/funds/${fund.id}/families`, { displayName: "A", addressLines: ["B 1"], children: [{ firstName: "C", birthYear: YEAR - 2 }] });
      await post(validator, `/api/funds/${fund.id}/families/approve`, {});
      expect(await refusal(post(validator, `/api/funds/${fund.id}/budgets/issue`))).toMatchObject({ status: 422, code: "RESERVE_INSUFFICIENT" });
      const rows = await app.db.selectFrom("budgets").select("status").where("fund_id", "=", fund.id).execute();
      expect(rows.every((r) => r.status === "pending")).toBe(true);
    });

    it("POST /api/funds/:id/top-ups tops up one child by id; an unknown child is 404 BUDGET_UNKNOWN", async () => {
      const { fund, family } = await issuedFamily();
      const anna = family.children[0]!.id;
      expect(await post(validator, `/api/funds/${fund.id}/top-ups/preview`, { target: { childIds: [anna] }, amountCents: 25_00 })).toEqual({ budgets: 1, amountCents: 25_00, totalCents: 25_00 });
      expect(await post(validator, `/api/funds/${fund.id}/top-ups`, { target: { childIds: [anna] }, amountCents: 25_00 })).toMatchObject({ budgets: 1, totalCents: 25_00 });
      const budget = await app.db.selectFrom("budgets").select("budget_id").where("child_id", "=", anna).executeTakeFirstOrThrow();
      expect((await chain.fundClient(fund.chainAddress).budgetOf(budget.budget_id)).balance).toBe(325_00n);
      expect(await refusal(post(validator, `/api/funds/${fund.id}/top-ups`, { target: { childIds: [crypto.randomUUID()] }, amountCents: 1 }))).toMatchObject({
        status: 404, code: "BUDGET_UNKNOWN",
      });
    });

    it("POST /api/budgets/:budgetId/unfreeze of a budget that is not frozen: 409 BUDGET_NOT_FROZEN; freeze then unfreeze works", async () => {
      const { fund } = await issuedFamily();
      const { budget_id: budgetId } = await app.db.selectFrom("budgets").select("budget_id").where("fund_id", "=", fund.id).executeTakeFirstOrThrow();
      expect(await refusal(post(validator, `/api/budgets/${budgetId}/unfreeze`, { reason: "nee" }))).toMatchObject({ status: 409, code: "BUDGET_NOT_FROZEN" });
      expect(await post<Budget>(validator, `/api/budgets/${budgetId}/freeze`, { reason: "verloren" })).toMatchObject({ budgetId, status: "frozen" });
      expect(await post<Budget>(validator, `/api/budgets/${budgetId}/unfreeze`, { reason: "gevonden" })).toMatchObject({ budgetId, status: "issued", issuedCents: 300_00 });
      expect((await chain.fundClient(fund.chainAddress).budgetOf(budgetId)).frozen).toBe(false);
    });
  });

  describe("letters, activation and the family's view", () => {
    it("POST /api/families/:id/letters of a family not yet approved: 409 CONFLICT", async () => {
      const fund = await newFund();
      const family = await post<Family>(validator, `/api/funds/${fund.id}/families`, { displayName: "A", addressLines: ["B 1"], children: [{ firstName: "C", birthYear: YEAR - 2 }] });
      expect(await refusal(post(validator, `/api/families/${family.id}/letters`))).toMatchObject({ status: 409, code: "CONFLICT" });
    });

    it("activating before the budgets are issued: 409 BUDGETS_NOT_ISSUED, and the code still works afterwards", async () => {
      const fund = await newFund();
      await post(finance, `/api/funds/${fund.id}/deposits`, { amountCents: 300_00, bankReference: `DEP-${tag()}` });
      const family = await post<Family>(validator, `/api/funds/${fund.id}/families`, { displayName: "A", addressLines: ["B 1"], children: [{ firstName: "C", birthYear: YEAR - 2 }] });
      await post(validator, `/api/funds/${fund.id}/families/approve`, { familyIds: [family.id] });
      const letter = await post<ActivationLetter>(validator, `/api/families/${family.id}/letters`);
      expect(await refusal(activate(letter.code))).toMatchObject({ status: 409, code: "BUDGETS_NOT_ISSUED" });
      await post(validator, `/api/funds/${fund.id}/budgets/issue`);
      await expect(activate(letter.code)).resolves.toMatchObject({ session: { familyId: family.id } });
    });

    it("a sum of cents a JSON number cannot hold is refused: 422 AMOUNT_TOO_LARGE", async () => {
      const { fund } = await issuedFamily();
      expect(await refusal(post(validator, `/api/funds/${fund.id}/top-ups/preview`, { target: { all: true }, amountCents: Number.MAX_SAFE_INTEGER }))).toMatchObject({
        status: 422, code: "AMOUNT_TOO_LARGE",
      });
    });

    it("5 wrong tries of one code lock it: 429 RATE_LIMITED (scope code) with Retry-After, even for the right code", async () => {
      const { family } = await issuedFamily();
      const letter = await validator.eligibility.issueLetter(family.id);
      const code = letter.code.replace(/-/g, "");
      const wrong = code.slice(0, 4) + (code.slice(4) === "22222222" ? "33333333" : "22222222");
      const left: (string | undefined)[] = [];
      for (let i = 0; i < 4; i++) left.push((await refusal(activate(wrong))).details.attemptsLeft);
      expect(left).toEqual(["4", "3", "2", "1"]);
      expect(await refusal(activate(wrong))).toMatchObject({ status: 429, code: "RATE_LIMITED", details: { scope: "code" } });
      const response = await app.fetch("/api/family/activation", {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code, holderAddress: Wallet.createRandom().address }),
      });
      expect(response.status).toBe(429);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(800);
    });

    it("POST /api/families/:id/letters with Accept: text/html answers the printable page itself, and its code works", async () => {
      const { family } = await issuedFamily();
      const response = await app.fetch(`/api/families/${family.id}/letters`, {
        method: "POST",
        headers: { accept: "text/html", cookie: `tegoed_session=${validator.sessionCookie}`, "X-CSRF-Token": validator.csrfToken! },
      });
      expect(response.status).toBe(201);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(response.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
      const html = await response.text();
      expect(html).toMatch(/<html/i);
      expect(html).toContain("Jan de Vries");
      const code = html.match(/[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}/)![0];
      await expect(activate(code)).resolves.toMatchObject({ session: { familyId: family.id } });
    });

    it("a used code cannot be used again, from another phone: 409 ACTIVATION_CODE_USED", async () => {
      const { family } = await issuedFamily();
      const letter = await post<ActivationLetter>(validator, `/api/families/${family.id}/letters`);
      await activate(letter.code);
      expect(await refusal(activate(letter.code))).toMatchObject({ status: 409, code: "ACTIVATION_CODE_USED" });
    });

    it("a used code and the phone's public address start no session; the phone's key logs in with a signed challenge", async () => {
      const { family } = await issuedFamily();
      const letter = await post<ActivationLetter>(validator, `/api/families/${family.id}/letters`);
      const { device, session } = await activate(letter.code);
      // The address is public (events, every QR's signature): with the letter it must not be enough.
      expect(await refusal(activate(letter.code, device))).toMatchObject({ status: 409, code: "ACTIVATION_CODE_USED" });

      const phone = app.client();
      const { challenge } = await phone.family.challenge({ holderAddress: device.address });
      const stranger = await Wallet.createRandom().signMessage(familyLoginMessage(challenge));
      expect(await refusal(phone.family.loginWithKey({ holderAddress: device.address, challenge, signature: stranger })))
        .toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
      const fresh = (await phone.family.challenge({ holderAddress: device.address })).challenge;
      const again = await phone.family.loginWithKey({ holderAddress: device.address, challenge: fresh, signature: await device.signMessage(familyLoginMessage(fresh)) });
      expect(again).toMatchObject({ familyId: family.id, budgetIds: session.budgetIds });
      expect((await phone.family.children()).children).toHaveLength(2);
    });

    it("POST /api/families/:id/reissue: the new code moves the budgets to the new phone (rekey)", async () => {
      const { fund, family } = await issuedFamily();
      const first = await activate((await post<ActivationLetter>(validator, `/api/families/${family.id}/letters`)).code);
      const reissued = await validator.eligibility.reissueAccess(family.id);
      expect(reissued).toMatchObject({ familyId: family.id, kind: "reissue" });
      const second = await activate(reissued.code);
      for (const budgetId of second.session.budgetIds) {
        expect((await chain.fundClient(fund.chainAddress).budgetOf(budgetId)).holder).toBe(second.device.address);
      }
      expect(first.device.address).not.toBe(second.device.address);
    });

    it("DELETE /api/families/:id deletes the personal data; the family's session ends (401)", async () => {
      const { family } = await issuedFamily();
      const { client } = await activate((await post<ActivationLetter>(validator, `/api/families/${family.id}/letters`)).code);
      expect((await client.request<FamilyChildren>("GET", "/api/family/children")).children).toHaveLength(2);
      const deletion = await admin.eligibility.deleteFamily(family.id, { reason: "verzoek van de ouder" });
      expect(deletion).toMatchObject({ familyId: family.id, childrenDeleted: 2, budgetsAnonymised: 2 });
      expect(await refusal(client.request("GET", "/api/family/children"))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
      expect(await refusal(post(validator, `/api/families/${family.id}/letters`))).toMatchObject({ status: 404, code: "NOT_FOUND" });
    });
  });

  it("the whole flow: fund → deposit → CSV with a bad row → approve → issue → letter → activation → EUR 300 → top up all → freeze → the family sees it frozen", async () => {
    const fund = await newFund(300_00);
    await finance.funds.deposit(fund.id, { amountCents: 700_00, bankReference: `GEM-${tag()}` });

    const csv = csvOf(HEADER, [
      ["F1", "Jan de Vries", "Dorpsstraat 1", "9801 AB", "Zuidhorn", "nl", "Anna", YEAR - 7],
      ["F1", "Jan de Vries", "Dorpsstraat 1", "9801 AB", "Zuidhorn", "nl", "Bram", YEAR - 9],
      ["F2", "Els Bos", "Kerkweg 3", "98O1 AB", "Zuidhorn", "nl", "Cas", YEAR - 4],
    ]);
    const strict = await validator.eligibility.importFamilies(fund.id, { csv });
    expect(strict).toEqual({ committed: false, accepted: 0, families: 0, rejected: [{ row: 4, field: "postal_code", code: "postalCode", reason: "is not a Dutch postal code (1234 AB)" }] });
    expect(await app.db.selectFrom("families").select("id").where("fund_id", "=", fund.id).execute()).toEqual([]);
    const report = await validator.eligibility.importFamilies(fund.id, { csv, mode: "valid-rows" });
    expect(report).toEqual({ committed: true, accepted: 2, families: 1, rejected: [{ row: 4, field: "postal_code", code: "postalCode", reason: "is not a Dutch postal code (1234 AB)" }] });

    const { approved } = await validator.eligibility.approveFamilies(fund.id);
    expect(approved).toHaveLength(1);
    const familyId = approved[0]!;
    expect(await validator.eligibility.issueBudgets(fund.id)).toMatchObject({ issued: 2, reconciled: 0, amountPerChildCents: 300_00, totalCents: 600_00 });

    const letter = await validator.eligibility.issueLetter(familyId);
    expect(letter).toMatchObject({ familyId, kind: "activation", language: "nl", code: expect.stringMatching(/^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/) });
    expect(letter.html).toContain(letter.code);
    expect(letter.html).toContain("Anna");

    const device = Wallet.createRandom();
    const { client: family, session } = await activate(letter.code.toLowerCase().replace(/-/g, " "), device);
    expect(session).toMatchObject({ familyId, holderAddress: device.address, budgetIds: expect.any(Array) });
    expect(session.budgetIds).toHaveLength(2);

    const before = await family.family.children();
    expect(before.children.map((c) => [c.firstName, c.balanceCents, c.frozen, c.activated]).sort()).toEqual([
      ["Anna", 300_00, false, true], ["Bram", 300_00, false, true],
    ]);
    expect(before.children[0]!.expiresAt).toBe(`${YEAR + 2}-01-01T00:00:00.000Z`);

    expect(await validator.eligibility.previewTopUp(fund.id, { target: { all: true }, amountCents: 50_00 })).toEqual({ budgets: 2, amountCents: 50_00, totalCents: 100_00 });
    expect(await validator.eligibility.topUp(fund.id, { target: { all: true }, amountCents: 50_00 })).toMatchObject({ budgets: 2, totalCents: 100_00, txHashes: expect.any(Array) });

    const anna = before.children.find((c) => c.firstName === "Anna")!;
    expect(await validator.eligibility.freezeBudget(anna.budgetId, { reason: "telefoon gestolen" })).toMatchObject({ status: "frozen" });
    expect(await refusal(post(validator, `/api/budgets/${anna.budgetId}/freeze`, { reason: "nog eens" }))).toMatchObject({ code: "BUDGET_FROZEN" });

    const after = await family.family.children();
    expect(after.children.map((c) => [c.firstName, c.balanceCents, c.status, c.frozen]).sort()).toEqual([
      ["Anna", 350_00, "frozen", true], ["Bram", 350_00, "issued", false],
    ]);
  });
});
