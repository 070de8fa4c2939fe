// The routes the three apps stand on, on a real local chain and both database engines: a family's phone
// signs a permit from nothing but GET /api/family/children (fund, chain id, index, nonce) and a shop
// charges it; the session survives a reload; a shop follows its application with its token, sees
// itself and adds a colleague; anyone lists the participating shops; staff find a family.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "ethers";
import { encodePaymentQr, qrFromPermit, signPaymentPermit, type ApiClient, type Fund } from "@tegoed/sdk";
import { GuessLimiter } from "../../src/domain/eligibility/index.ts";
import { ENGINES } from "../support/engines.ts";
import { startDomainChain, type DomainChain } from "../domain/eligibility/support.ts";
import { PASSWORD, randomEmail, refusal, useApp } from "./harness.ts";

const YEAR = new Date().getUTCFullYear();
const tag = () => Math.random().toString(36).slice(2, 8);
const kvk = () => String(10_000_000 + Math.floor(Math.random() * 89_999_999));

let chain: DomainChain;
beforeAll(async () => {
  chain = await startDomainChain();
});
afterAll(async () => {
  await chain?.t.stop();
});

describe.each(ENGINES)("what the apps need, on a real chain on $name", (engine) => {
  const app = useApp(engine, {
    ledger: () => ({ factory: chain.factory, fundClient: chain.fundClient, sponsor: chain.t.relayer.addresses[0]! }),
    guessLimiter: new GuessLimiter(),
  });
  let staff: ApiClient;
  let auditor: ApiClient;
  let fund: Fund;

  beforeAll(async () => {
    if (engine.skipReason) return;
    staff = (await app.loginAs(["admin", "finance", "validator", "merchant_manager"])).client;
    auditor = (await app.loginAs(["auditor"])).client;
    fund = await staff.funds.create({
      name: `Kindpakket ${tag()}`, amountPerChildCents: 300_00, budgetExpiry: `${YEAR + 1}-12-31`, categories: ["sport", "books"],
    });
    await staff.funds.deposit(fund.id, { amountCents: 3_000_00, bankReference: `DEP-${tag()}` });
  });

  async function issuedFamily(displayName: string, children: { firstName: string; birthYear: number }[]) {
    const family = await staff.eligibility.addFamily(fund.id, { displayName, addressLines: ["Dorpsstraat 1", "9801 AB  Zuidhorn"], children });
    await staff.eligibility.approveFamilies(fund.id, { familyIds: [family.id] });
    await staff.eligibility.issueBudgets(fund.id);
    const { code } = await staff.eligibility.issueLetter(family.id);
    return { family, code };
  }

  async function approvedShop(name: string) {
    const receipt = await app.client().merchants.apply({
      name, kvkNumber: kvk(), iban: "NL91 ABNA 0417 1643 00", categories: ["sport"], address: "Hoofdstraat 12, Zuidhorn",
      contactEmail: `info-${tag()}@shop.example`,
    });
    await staff.merchants.approve(receipt.id, { fundId: fund.id });
    const user = { email: randomEmail("kassa"), password: PASSWORD };
    await staff.merchants.createUser(receipt.id, user);
    const till = app.client();
    await till.merchant.login(user);
    return { receipt, till, user };
  }

  it("a phone signs a permit from GET /api/family/children alone; the shop charges it; the history names the shop", async () => {
    const { code, family } = await issuedFamily("Fatima El Amrani", [{ firstName: "Noor", birthYear: YEAR - 8 }]);
    const phone = Wallet.createRandom();
    const wallet = app.client();
    await wallet.family.activate({ code, holderAddress: phone.address });
    const [child] = (await wallet.family.children()).children;
    expect(child).toMatchObject({
      firstName: "Noor", balanceCents: 300_00, nonce: 0,
      fund: { id: fund.id, name: fund.name, chainAddress: fund.chainAddress, chainId: Number(chain.t.chainId), index: expect.any(Number), timeZone: "Europe/Amsterdam" },
    });

    const now = Math.floor(Date.now() / 1000);
    const permit = { fund: child!.fund.chainAddress, budgetId: child!.budgetId, maxAmount: 300_00n, nonce: BigInt(child!.nonce!), deadline: BigInt(now + 600) };
    const signature = await signPaymentPermit(phone, BigInt(child!.fund.chainId), permit);
    const qr = encodePaymentQr(qrFromPermit(permit, child!.fund.index, signature));
    const { till } = await approvedShop("Sportwinkel De Bal");
    const receipt = await till.merchant.charge({ qr, amountCents: 42_50 }, randomUUID());
    expect(receipt).toMatchObject({ status: "PAID", newBalanceCents: 257_50 });

    const after = (await wallet.family.children()).children[0]!;
    expect(after).toMatchObject({ balanceCents: 257_50, spentCents: 42_50, nonce: 1 });
    expect(after.history).toEqual([expect.objectContaining({ type: "payment", amountCents: 42_50, merchantName: "Sportwinkel De Bal" })]);

    // The staff side finds the family by a child's name and sees the budget.
    const found = await staff.eligibility.listFamilies(fund.id, { q: "noo" });
    expect(found.families.map((f) => f.id)).toEqual([family.id]);
    expect(found.families[0]!.children[0]!.budget).toMatchObject({ budgetId: child!.budgetId, status: "issued", issuedCents: 300_00, leftCents: 257_50 });
  });

  it("a till types the short code under the wallet's QR (any case, spaces, dashes) and charges the QR it stands for", async () => {
    const { code } = await issuedFamily("Sanne Visser", [{ firstName: "Lot", birthYear: YEAR - 6 }]);
    const phone = Wallet.createRandom();
    const wallet = app.client();
    await wallet.family.activate({ code, holderAddress: phone.address });
    const child = (await wallet.family.children()).children[0]!;
    const sign = async (deadline: number, budgetId = child.budgetId) => {
      const permit = { fund: child.fund.chainAddress, budgetId, maxAmount: 50_00n, nonce: 0n, deadline: BigInt(deadline) };
      return encodePaymentQr(qrFromPermit(permit, child.fund.index, await signPaymentPermit(phone, BigInt(child.fund.chainId), permit)));
    };
    const now = Math.floor(Date.now() / 1000);
    const qr = await sign(now + 60);
    const registered = await wallet.family.registerPayCode({ qr });
    expect(registered.code).toMatch(/^[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}$/);
    expect(registered.expiresAt).toBe(new Date((now + 60) * 1000).toISOString());
    // The same QR again (a retry) keeps its code.
    expect(await wallet.family.registerPayCode({ qr })).toEqual(registered);

    const { till } = await approvedShop("Zwembad De Golf");
    const typed = ` ${registered.code.toLowerCase().replaceAll("-", " ")} `;
    const found = await till.merchant.lookupPayCode({ code: typed });
    expect(found).toEqual({ qr });
    const receipt = await till.merchant.charge({ qr: found.qr, amountCents: 12_50 }, randomUUID());
    expect(receipt).toMatchObject({ status: "PAID", newBalanceCents: 287_50 });

    expect(await refusal(till.merchant.lookupPayCode({ code: "222-222-222" }))).toMatchObject({ status: 404, code: "PAY_CODE_UNKNOWN" });
    // Only the family's own budgets, only a live QR of at most 10 minutes, only behind the family's session.
    const other = `0x${"ab".repeat(32)}`;
    expect(await refusal(wallet.family.registerPayCode({ qr: await sign(now + 60, other) }))).toMatchObject({ status: 404, code: "BUDGET_UNKNOWN" });
    expect(await refusal(wallet.family.registerPayCode({ qr: await sign(now - 5) }))).toMatchObject({ code: "PERMIT_EXPIRED" });
    expect(await refusal(wallet.family.registerPayCode({ qr: await sign(now + 3600) }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    expect(await refusal(app.client().family.registerPayCode({ qr }))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
  });

  it("a family's letter is the same code each time, as JSON, as a page and as a PDF; a new code is its own request", async () => {
    const { family, code } = await issuedFamily("Kees Smit", [{ firstName: "Ties", birthYear: YEAR - 9 }]);
    const again = await staff.eligibility.issueLetter(family.id);
    expect(again).toMatchObject({ code, made: false });
    const pdf = await staff.eligibility.letterPdf(family.id);
    expect(new TextDecoder().decode(pdf.subarray(0, 5))).toBe("%PDF-");
    const batch = await staff.eligibility.fundLetters(fund.id);
    expect(batch.letters.find((l) => l.familyId === family.id)).toMatchObject({ code, made: false });
    expect(batch.html).toContain(code);
    expect(new TextDecoder().decode((await staff.eligibility.fundLettersPdf(fund.id)).subarray(0, 5))).toBe("%PDF-");

    const fresh = await staff.eligibility.newActivationCode(family.id);
    expect(fresh).toMatchObject({ made: true });
    expect(fresh.code).not.toBe(code);
    const refused = await refusal(app.client().family.activate({ code, holderAddress: Wallet.createRandom().address }));
    expect(refused).toMatchObject({ status: 410, code: "ACTIVATION_CODE_REPLACED" });
    const log = await auditor.reports.auditLog({ action: "family.new_activation_code" });
    expect(log.entries.map((e) => e.subjectId)).toContain(family.id);
  });

  it("a top-up and a refund sent twice with one Idempotency-Key happen once; another key tops up again", async () => {
    const { code } = await issuedFamily("Ilse Bakker", [{ firstName: "Mees", birthYear: YEAR - 10 }]);
    const phone = Wallet.createRandom();
    const wallet = app.client();
    await wallet.family.activate({ code, holderAddress: phone.address });
    const child = (await wallet.family.children()).children[0]!;
    const balance = async () => (await chain.fundClient(fund.chainAddress).budgetOf(child.budgetId)).balance;

    const key = randomUUID();
    const target = { childIds: [child.childId] };
    const first = await staff.eligibility.topUp(fund.id, { target, amountCents: 25_00 }, key);
    expect(await staff.eligibility.topUp(fund.id, { target, amountCents: 25_00 }, key)).toEqual(first);
    expect(await balance()).toBe(325_00n);
    expect(await refusal(staff.eligibility.topUp(fund.id, { target, amountCents: 30_00 }, key))).toMatchObject({ status: 409, code: "CONFLICT" });
    await staff.eligibility.topUp(fund.id, { target, amountCents: 25_00 }, randomUUID());
    expect(await balance()).toBe(350_00n);

    const now = Math.floor(Date.now() / 1000);
    const permit = { fund: child.fund.chainAddress, budgetId: child.budgetId, maxAmount: 100_00n, nonce: 0n, deadline: BigInt(now + 600) };
    const qr = encodePaymentQr(qrFromPermit(permit, child.fund.index, await signPaymentPermit(phone, BigInt(child.fund.chainId), permit)));
    const { till } = await approvedShop("Kledingzaak Mode");
    const paid = await till.merchant.charge({ qr, amountCents: 60_00 }, randomUUID());
    const refundKey = randomUUID();
    const refunded = await till.merchant.refund(paid.paymentId, { amountCents: 10_00 }, refundKey);
    expect(await till.merchant.refund(paid.paymentId, { amountCents: 10_00 }, refundKey)).toEqual(refunded);
    expect(await balance()).toBe(300_00n);
    expect(await chain.fundClient(fund.chainAddress).refundedOf(paid.paymentId)).toBe(10_00n);
  });

  it("a reload keeps the family's session (GET /api/family/session restores the CSRF token); logout ends it", async () => {
    const { code, family } = await issuedFamily("Jan de Vries", [{ firstName: "Anna", birthYear: YEAR - 7 }, { firstName: "Bram", birthYear: YEAR - 9 }]);
    const phone = Wallet.createRandom();
    const first = app.client();
    const started = await first.family.activate({ code, holderAddress: phone.address });

    // A reloaded page: the same cookie, no CSRF token in memory.
    const reloaded = app.client();
    reloaded.sessionCookie = first.sessionCookie;
    const session = await reloaded.family.session();
    expect(session).toEqual({ ...started, holderAddress: phone.address.toLowerCase(), expiresAt: expect.any(String) });
    expect(session.familyId).toBe(family.id);
    expect(session.budgetIds).toHaveLength(2);

    await reloaded.family.logout();
    expect(await refusal(first.family.children())).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    expect(await refusal(app.client().family.session())).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
  });

  it("a shop follows its application with its token only; once approved it sees itself, adds a colleague, and is listed publicly", async () => {
    const anyone = app.client();
    const receipt = await anyone.merchants.apply({
      name: "Fietsenmaker Wiel", kvkNumber: kvk(), iban: "NL91ABNA0417164300", categories: ["sport"], address: "Molenweg 3, Zuidhorn",
      contactEmail: `wiel-${tag()}@shop.example`,
    });
    expect(receipt.statusToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await anyone.merchants.applicationStatus(receipt.id, receipt.statusToken)).toEqual({
      id: receipt.id, name: "Fietsenmaker Wiel", status: "pending", declineReason: null, createdAt: receipt.createdAt,
    });
    expect(await refusal(anyone.merchants.applicationStatus(receipt.id, "not-the-token"))).toMatchObject({ status: 404, code: "NOT_FOUND" });
    expect((await anyone.public.merchants({ fundId: fund.id })).merchants.map((m) => m.id)).not.toContain(receipt.id);

    await staff.merchants.approve(receipt.id, { fundId: fund.id });
    expect(await anyone.merchants.applicationStatus(receipt.id, receipt.statusToken)).toMatchObject({ status: "approved" });
    expect(await auditor.merchants.get(receipt.id)).toMatchObject({ id: receipt.id, status: "approved", funds: [{ fundId: fund.id }] });
    const listed = (await anyone.public.merchants({ fundId: fund.id })).merchants.find((m) => m.id === receipt.id);
    expect(listed).toEqual({ id: receipt.id, name: "Fietsenmaker Wiel", categories: ["sport"], address: "Molenweg 3, Zuidhorn" });
    // Nothing about money or contacts in the public list.
    expect(JSON.stringify(listed)).not.toMatch(/NL91|@/);

    const owner = { email: randomEmail("eigenaar"), password: PASSWORD };
    await staff.merchants.createUser(receipt.id, owner);
    const till = app.client();
    await till.merchant.login(owner);
    const reloaded = app.client();
    reloaded.sessionCookie = till.sessionCookie;
    const me = await reloaded.merchant.me();
    expect(me).toMatchObject({ user: { email: owner.email, merchantId: receipt.id }, merchant: { id: receipt.id, name: "Fietsenmaker Wiel", status: "approved" } });
    const colleague = await reloaded.merchant.createUser({ email: randomEmail("collega"), password: PASSWORD });
    expect((await till.merchant.users()).users.map((u) => u.email).sort()).toEqual([owner.email, colleague.email].sort());
    const second = app.client();
    await expect(second.merchant.login({ email: colleague.email, password: PASSWORD })).resolves.toMatchObject({ user: { merchantId: receipt.id } });

    await staff.merchants.suspend(receipt.id, { reason: "closed" });
    expect((await anyone.public.merchants({ fundId: fund.id })).merchants.map((m) => m.id)).not.toContain(receipt.id);
  });

  it("family search: by parent's name (case-insensitive), paged, wildcards taken literally; auditors may read, shops may not", async () => {
    const { family } = await issuedFamily(`Familie Zoek${tag()}`, [{ firstName: "Sem", birthYear: YEAR - 6 }]);
    const name = (await staff.eligibility.listFamilies(fund.id, { q: family.displayName!.toUpperCase() })).families;
    expect(name.map((f) => f.id)).toEqual([family.id]);
    expect((await staff.eligibility.listFamilies(fund.id, { q: "%" })).families).toEqual([]);
    const page = await auditor.eligibility.listFamilies(fund.id, { limit: 1 });
    expect(page.families).toHaveLength(1);
    expect(page.total).toBeGreaterThanOrEqual(2);
    const { till } = await approvedShop("Boekhandel Blad");
    expect(await refusal(till.eligibility.listFamilies(fund.id))).toMatchObject({ status: 401 });
  });
});
