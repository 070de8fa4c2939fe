// The Tegoed card on a real local chain and both database engines, through the HTTP API: staff issue a
// card (the budgets move to its key on chain), the till unlocks it with the PIN read from the printed
// letter and pays with the code read from the printed card; wrong PINs block it; staff unblock and
// replace it (the old card refused, the budget intact); the family switches back to a phone (the card
// marked replaced, refused at the till by its own code); two tills at once; the daily limit; the public
// balance check and the balance letter staff print; and an attacker with the whole database and the server's configuration, but no card,
// who cannot make a permit.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "ethers";
import { PDFDocument } from "pdf-lib";
import {
  CARD_QR_PREFIX, decodeCardQr, decodeScannedQr, encodeCardQr, encodePaymentQr, qrFromPermit,
  type ApiClient, type Fund, type IssuedCard,
} from "@tegoed/sdk";
import { withCardTables } from "../../src/db/cards-schema.ts";
import { auditLogRepository } from "../../src/db/audit-log.repository.ts";
import { opensCard, signWithCard } from "../../src/domain/cards/card-key.ts";
import { GuessLimiter } from "../../src/domain/eligibility/index.ts";
import { ENGINES } from "../support/engines.ts";
import { pdfTextLines } from "../../../scripts/lib/pdf-text.ts";
import { startDomainChain, type DomainChain } from "../domain/eligibility/support.ts";
import { PASSWORD, randomEmail, refusal, useApp } from "./harness.ts";

const YEAR = new Date().getUTCFullYear();
const PEPPER = Buffer.alloc(32, 7);

let chain: DomainChain;
beforeAll(async () => {
  chain = await startDomainChain();
});
afterAll(async () => {
  await chain?.t.stop();
});

/** What a parent holds: the card (its QR's text, read from the printed card) and the PIN (read from the letter). */
function readPrintables(issued: IssuedCard): { code: string; pin: string } {
  const cardText = pdfTextLines(Buffer.from(issued.cardPdf, "base64")).flat();
  const letterText = pdfTextLines(Buffer.from(issued.pinLetterPdf, "base64")).flat();
  // The card: its code printed under the QR in groups, the number in groups; never the PIN.
  const code = cardText.slice(cardText.findIndex((line) => line.startsWith("Code")) + 1).join(" ");
  const pin = letterText.find((line) => /^\d{5}$/.test(line));
  if (!pin || !code.startsWith(CARD_QR_PREFIX)) throw new Error(`printables unreadable: ${cardText.join("|")} / ${letterText.join("|")}`);
  expect(cardText.join(" ")).not.toContain(pin);
  return { code, pin };
}

describe.each(ENGINES)("the Tegoed card on a real chain on $name", (engine) => {
  const app = useApp(engine, {
    ledger: () => ({ factory: chain.factory, fundClient: chain.fundClient, sponsor: chain.t.relayer.addresses[0]! }),
    cards: { pepper: PEPPER, clientLimiter: new GuessLimiter({ maxFailures: 1_000 }), tillLimiter: new GuessLimiter({ maxFailures: 1_000 }) },
  });
  let admin: ApiClient;
  let finance: ApiClient;
  let validator: ApiClient;
  let manager: ApiClient;
  let fund: Fund;

  const tag = () => Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    if (engine.skipReason) return;
    admin = (await app.loginAs(["admin"])).client;
    finance = (await app.loginAs(["finance"])).client;
    validator = (await app.loginAs(["validator"])).client;
    manager = (await app.loginAs(["merchant_manager"])).client;
    fund = await admin.funds.create({ name: `Kindpakket ${tag()}`, amountPerChildCents: 300_00, budgetExpiry: `${YEAR + 1}-12-31`, categories: ["sport"] });
    await finance.funds.deposit(fund.id, { amountCents: 100_000_00, bankReference: `DEP-${tag()}` });
  });

  /** An approved family of two children with issued budgets. */
  async function family() {
    const f = await validator.eligibility.addFamily(fund.id, {
      displayName: "Jan de Vries", addressLines: ["Dorpsstraat 1", "9801 AB  Zuidhorn"],
      children: [{ firstName: "Anna", birthYear: YEAR - 7 }, { firstName: "Bram", birthYear: YEAR - 9 }],
    });
    await validator.eligibility.approveFamilies(fund.id, { familyIds: [f.id] });
    await validator.eligibility.issueBudgets(fund.id);
    return f;
  }

  async function till(): Promise<ApiClient> {
    const { id } = await app.client().merchants.apply({
      name: `Sport ${tag()}`, kvkNumber: String(10_000_000 + Math.floor(Math.random() * 89_999_999)), iban: "NL91 ABNA 0417 1643 00",
      categories: ["sport"], address: "Hoofdstraat 1, 9801 AA Zuidhorn", contactEmail: "info@debal.example",
    });
    await manager.merchants.approve(id, { fundId: fund.id });
    const user = { email: randomEmail("kassa"), password: PASSWORD };
    await manager.merchants.createUser(id, user);
    const client = app.client();
    await client.merchant.login(user);
    return client;
  }

  async function budgetsOf(familyId: string) {
    const budgets = await app.db.selectFrom("budgets").innerJoin("children", "children.id", "budgets.child_id")
      .select(["budgets.budget_id", "children.first_name", "children.id as child_id"]).where("children.family_id", "=", familyId).orderBy("children.first_name").execute();
    return budgets.map((b) => ({ budgetId: b.budget_id, firstName: b.first_name, childId: b.child_id }));
  }

  it("issue → the budgets are held by the card's key on chain; the till unlocks with the PIN and pays; the remaining budget is told", async () => {
    const f = await family();
    const issued = await validator.cards.issue(f.id);
    expect(issued.card).toMatchObject({ familyId: f.id, fundId: fund.id, state: "printed", pinTriesLeft: 5, lastUsedAt: null, cardNumber: expect.stringMatching(/^\d{12}$/) });
    const { code, pin } = readPrintables(issued);
    expect(decodeScannedQr(code)).toEqual({ kind: "card", card: { cardNumber: issued.card.cardNumber, secret: expect.stringMatching(/^[0-9a-f]{32}$/) } });

    const [anna, bram] = await budgetsOf(f.id);
    const holder = (await app.db.selectFrom("budgets").select("holder_address").where("budget_id", "=", anna!.budgetId).executeTakeFirstOrThrow()).holder_address!;
    for (const b of [anna!, bram!]) expect((await chain.fundClient(fund.chainAddress).budgetOf(b.budgetId)).holder.toLowerCase()).toBe(holder);

    const shop = await till();
    const unlocked = await shop.cards.unlock({ card: code, pin });
    expect(unlocked).toEqual({
      fundId: fund.id, fundName: fund.name, cardNumber: issued.card.cardNumber,
      children: expect.arrayContaining([{ childId: anna!.childId, firstName: "Anna" }, { childId: bram!.childId, firstName: "Bram" }]),
    });

    const key = randomUUID();
    const receipt = await shop.cards.charge({ card: code, pin, amountCents: 12_50, childId: bram!.childId }, key);
    expect(receipt).toMatchObject({ status: "PAID", amountCents: 12_50, newBalanceCents: 287_50, fundId: fund.id });
    expect(await chain.fundClient(fund.chainAddress).budgetOf(bram!.budgetId)).toMatchObject({ balance: 287_50n, nonce: 1n });
    // A retry with the same key: the same receipt, nothing paid again.
    expect(await shop.cards.charge({ card: code, pin, amountCents: 12_50, childId: bram!.childId }, key)).toEqual(receipt);
    expect((await chain.fundClient(fund.chainAddress).budgetOf(bram!.budgetId)).balance).toBe(287_50n);
    // The till types the code printed under the QR instead, in lower case with other spacing: the same card.
    await shop.cards.charge({ card: code.toLowerCase().replace(/ /g, "-"), pin, amountCents: 2_50, childId: anna!.childId }, randomUUID());

    const [card] = (await validator.cards.ofFamily(f.id)).cards;
    expect(card).toMatchObject({ id: issued.card.id, state: "active", lastUsedAt: expect.any(String) });
    expect(await auditLogRepository(app.db).list({ subjectId: f.id, action: "card.issue" })).toHaveLength(1);
    expect(await auditLogRepository(app.db).list({ subjectId: f.id, action: "card.payment" })).toHaveLength(2);
    // A second card for the same family is refused: replace the first.
    expect(await refusal(validator.cards.issue(f.id))).toMatchObject({ status: 409, code: "CARD_EXISTS" });
  });

  it("5 wrong PINs block the card (the till never hears how many tries are left; staff do); staff unblock it and it pays again", async () => {
    const f = await family();
    const issued = await validator.cards.issue(f.id);
    const { code, pin } = readPrintables(issued);
    const wrong = pin === "00000" ? "11111" : "00000";
    const [anna] = await budgetsOf(f.id);
    const shop = await till();
    for (let i = 1; i <= 4; i++) {
      const r = await refusal(shop.cards.charge({ card: code, pin: wrong, amountCents: 1_00, childId: anna!.childId }, randomUUID()));
      expect(r).toMatchObject({ status: 422, code: "CARD_PIN_WRONG" });
      expect(JSON.stringify(r)).not.toMatch(/tries|attempts/i);
      expect((await validator.cards.ofFamily(f.id)).cards[0]).toMatchObject({ state: "printed", pinTriesLeft: 5 - i });
    }
    expect(await refusal(shop.cards.unlock({ card: code, pin: wrong }))).toMatchObject({ status: 423, code: "CARD_BLOCKED" });
    expect((await validator.cards.ofFamily(f.id)).cards[0]).toMatchObject({ state: "blocked", blockedReason: "pin", pinTriesLeft: 0 });
    // Blocked: even the right PIN is refused, before anything is derived or sent.
    const sent = await chain.t.provider.getTransactionCount(chain.t.relayer.addresses[0]!);
    expect(await refusal(shop.cards.charge({ card: code, pin, amountCents: 1_00, childId: anna!.childId }, randomUUID()))).toMatchObject({ status: 423, code: "CARD_BLOCKED" });
    expect(await chain.t.provider.getTransactionCount(chain.t.relayer.addresses[0]!)).toBe(sent);
    expect((await chain.fundClient(fund.chainAddress).budgetOf(anna!.budgetId)).balance).toBe(300_00n);

    expect(await validator.cards.unblock(issued.card.id)).toMatchObject({ state: "printed", blockedReason: null, pinTriesLeft: 5 });
    expect(await shop.cards.charge({ card: code, pin, amountCents: 1_00, childId: anna!.childId }, randomUUID())).toMatchObject({ newBalanceCents: 299_00 });
    expect(await refusal(validator.cards.unblock(issued.card.id))).toMatchObject({ status: 409, code: "CARD_NOT_BLOCKED" });
  });

  it("lost: block at once, then replace → the old card is refused (CARD_REPLACED, and dead on chain), the budget is intact, the new card pays", async () => {
    const f = await family();
    const old = await validator.cards.issue(f.id);
    const oldCard = readPrintables(old);
    const [anna] = await budgetsOf(f.id);
    const shop = await till();
    await shop.cards.charge({ card: oldCard.code, pin: oldCard.pin, amountCents: 50_00, childId: anna!.childId }, randomUUID());

    expect(await validator.cards.block(old.card.id, { reason: "verloren" })).toMatchObject({ state: "blocked", blockedReason: "staff" });
    expect(await refusal(shop.cards.unlock({ card: oldCard.code, pin: oldCard.pin }))).toMatchObject({ status: 423, code: "CARD_BLOCKED" });

    const replacement = await validator.cards.replace(old.card.id);
    const newCard = readPrintables(replacement);
    expect(replacement.card.cardNumber).not.toBe(old.card.cardNumber);
    expect(await refusal(shop.cards.charge({ card: oldCard.code, pin: oldCard.pin, amountCents: 1_00, childId: anna!.childId }, randomUUID()))).toMatchObject({ status: 410, code: "CARD_REPLACED" });
    expect((await validator.cards.ofFamily(f.id)).cards.map((c) => [c.id, c.state, c.replacedBy])).toEqual([
      [replacement.card.id, "printed", null], [old.card.id, "replaced", replacement.card.id],
    ]);
    // Dead on chain too: even with its code and PIN, a permit signed by the old card's key is refused by the contract.
    const oldRow = await withCardTables(app.db).selectFrom("cards").selectAll().where("id", "=", old.card.id).executeTakeFirstOrThrow();
    const client = chain.fundClient(fund.chainAddress);
    const state = await client.budgetOf(anna!.budgetId);
    const permit = { fund: fund.chainAddress, budgetId: anna!.budgetId, maxAmount: 1_00n, nonce: state.nonce, deadline: BigInt((await chain.t.provider.getBlock("latest"))!.timestamp + 600) };
    const secret = decodeCardQr(oldCard.code).secret;
    const oldSig = signWithCard({ cardNumber: oldRow.card_number, salt: oldRow.salt, wrappedKey: oldRow.wrapped_key, holderAddress: oldRow.holder_address }, secret, oldCard.pin, PEPPER, await client.relayer.chainId(), permit)!;
    const { factory_index: fundIndex } = await app.db.selectFrom("funds").select("factory_index").where("id", "=", fund.id).executeTakeFirstOrThrow();
    expect(await refusal(shop.merchant.charge({ qr: encodePaymentQr(qrFromPermit(permit, fundIndex, oldSig)), amountCents: 1_00 }, randomUUID()))).toMatchObject({
      code: "PERMIT_INVALID_SIGNATURE",
    });

    expect(state.balance).toBe(250_00n);
    expect(await shop.cards.charge({ card: newCard.code, pin: newCard.pin, amountCents: 250_00, childId: anna!.childId }, randomUUID())).toMatchObject({ newBalanceCents: 0 });
    expect(await auditLogRepository(app.db).list({ subjectId: f.id, action: "card.replace" })).toHaveLength(1);
    expect(await auditLogRepository(app.db).list({ subjectId: f.id, action: "card.block" })).toHaveLength(1);
  });

  it("the family switches back to a phone: the card is marked replaced and the till refuses it by its own code, before any PIN try", async () => {
    const f = await family();
    const issued = await validator.cards.issue(f.id);
    const { code, pin } = readPrintables(issued);
    const [anna] = await budgetsOf(f.id);
    const shop = await till();
    await shop.cards.charge({ card: code, pin, amountCents: 10_00, childId: anna!.childId }, randomUUID());

    // Staff give the family a new activation letter; the parent activates a phone with it (a rekey).
    const letter = await validator.eligibility.reissueAccess(f.id);
    const phone = Wallet.createRandom();
    await app.client().family.activate({ code: letter.code, holderAddress: phone.address });
    expect((await chain.fundClient(fund.chainAddress).budgetOf(anna!.budgetId)).holder).toBe(phone.address);

    expect((await validator.cards.ofFamily(f.id)).cards.map((c) => [c.id, c.state, c.replacedBy])).toEqual([[issued.card.id, "replaced", null]]);
    expect(await auditLogRepository(app.db).list({ subjectId: f.id, action: "card.replace" })).toMatchObject([{ actorType: "family", details: { cardId: issued.card.id, by: "phone" } }]);
    // Refused as replaced whatever the PIN: the state decides, no try is counted and nothing is asked of the chain.
    expect(await refusal(shop.cards.unlock({ card: code, pin }))).toMatchObject({ status: 410, code: "CARD_REPLACED" });
    expect(await refusal(shop.cards.charge({ card: code, pin: "00000", amountCents: 1_00, childId: anna!.childId }, randomUUID()))).toMatchObject({ status: 410, code: "CARD_REPLACED" });
    const row = await withCardTables(app.db).selectFrom("cards").select("failed_pin_attempts").where("id", "=", issued.card.id).executeTakeFirstOrThrow();
    expect(row.failed_pin_attempts).toBe(0);
    // Staff may issue a card again later (the family switches back): the replaced one is no card in use.
    expect((await validator.cards.issue(f.id)).card.state).toBe("printed");
  });

  it("staff print the balance for a family that asks: each child's budget left now and until when, the card's number; audited; validators and admins only", async () => {
    const f = await family();
    const issued = await validator.cards.issue(f.id);
    const { code, pin } = readPrintables(issued);
    const [, bram] = await budgetsOf(f.id);
    await (await till()).cards.charge({ card: code, pin, amountCents: 12_50, childId: bram!.childId }, randomUUID());

    const printed = await validator.cards.balanceLetter(f.id);
    expect(printed).toMatchObject({ familyId: f.id, cardNumber: issued.card.cardNumber, asOf: expect.any(String) });
    expect(printed.children).toEqual(expect.arrayContaining([
      { firstName: "Anna", balanceCents: 300_00, expiresAt: expect.any(String) },
      { firstName: "Bram", balanceCents: 287_50, expiresAt: expect.any(String) },
    ]));
    const pdf = Buffer.from(printed.pdf, "base64");
    expect((await PDFDocument.load(pdf)).getPageCount()).toBe(1);
    // Set in the letters' embedded typefaces: read back by poppler's pdftotext, no-break spaces as spaces.
    const text = execFileSync("pdftotext", ["-", "-"], { input: pdf, encoding: "utf8" }).replace(/[\u00a0\u202f]/g, " ");
    // Dutch, the family's language: addressed to the parent, the figures per child and in total.
    for (const expected of ["Jan de Vries", "Saldo van uw tegoed", fund.name, issued.card.cardNumber.match(/.{4}/g)!.join(" "), "Anna", "€ 300,00", "Bram", "€ 287,50", "€ 587,50", `31 december ${YEAR + 1}`]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toContain(pin);
    expect(await auditLogRepository(app.db).list({ subjectId: f.id, action: "card.balance_print" })).toHaveLength(1);
    expect(await admin.cards.balanceLetter(f.id)).toMatchObject({ familyId: f.id });
    expect(await refusal(finance.cards.balanceLetter(f.id))).toMatchObject({ status: 403 });
    expect(await refusal(app.client().cards.balanceLetter(f.id))).toMatchObject({ status: 401 });
  });

  it("with the whole database and the server's pepper but without the card, no permit can be made", async () => {
    const f = await family();
    const issued = await validator.cards.issue(f.id);
    const { code, pin } = readPrintables(issued);
    // The attacker's loot: every column of every card row, every other table, the pepper (configuration).
    const row = await withCardTables(app.db).selectFrom("cards").selectAll().where("id", "=", issued.card.id).executeTakeFirstOrThrow();
    const dump = JSON.stringify(await Promise.all(["cards", "card_payments", "audit_log", "idempotency_keys", "budgets"].map((t) => app.db.selectFrom(t as "budgets").selectAll().execute())), (_, v) => (typeof v === "bigint" ? v.toString() : v));
    const secret = decodeCardQr(code).secret;
    // Neither S nor the PIN is stored anywhere.
    expect(dump).not.toContain(secret);
    expect(dump.toLowerCase()).not.toContain(code.replace(/ /g, "").toLowerCase());
    const stored = { cardNumber: row.card_number, salt: row.salt, wrappedKey: row.wrapped_key, holderAddress: row.holder_address };
    // Every PIN with every secret the database could suggest (none: it is not there), and the plausible guesses.
    const guesses = [row.salt, "0".repeat(32), row.card_number.padStart(32, "0"), row.wrapped_key.slice(0, 32)];
    for (const guess of guesses) {
      for (let p = 0; p < 100_000; p += 997) expect(opensCard(stored, guess, String(p).padStart(5, "0"), PEPPER)).toBe(false);
      expect(opensCard(stored, guess, pin, PEPPER)).toBe(false);
    }
    // The till's own route without the card's secret: a code with another secret is a wrong PIN at best.
    const forged = encodeCardQr({ cardNumber: row.card_number, secret: "ab".repeat(16) });
    const shop = await till();
    expect(await refusal(shop.cards.unlock({ card: forged, pin }))).toMatchObject({ code: "CARD_PIN_WRONG" });
    // With the card (S) and the PIN it opens: the check above is not vacuous.
    expect(opensCard(stored, secret, pin, PEPPER)).toBe(true);
    expect(opensCard(stored, secret, pin, Buffer.alloc(32, 8))).toBe(false); // and not without the pepper
  });

  it("two tills charge one card at once: each payment once, never over the balance", async () => {
    const f = await family();
    const { code, pin } = readPrintables(await validator.cards.issue(f.id));
    const [anna, bram] = await budgetsOf(f.id);
    const [a, b] = await Promise.all([till(), till()]);
    const both = await Promise.allSettled([
      a.cards.charge({ card: code, pin, amountCents: 100_00, childId: anna!.childId }, randomUUID()),
      b.cards.charge({ card: code, pin, amountCents: 120_00, childId: anna!.childId }, randomUUID()),
    ]);
    expect(both.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
    expect((await chain.fundClient(fund.chainAddress).budgetOf(anna!.budgetId)).balance).toBe(80_00n);

    // Two at once that together exceed the budget: one is paid, the other refused, the balance never below zero.
    const over = await Promise.allSettled([
      a.cards.charge({ card: code, pin, amountCents: 200_00, childId: bram!.childId }, randomUUID()),
      b.cards.charge({ card: code, pin, amountCents: 200_00, childId: bram!.childId }, randomUUID()),
    ]);
    expect(over.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = over.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: "BUDGET_INSUFFICIENT" });
    expect((await chain.fundClient(fund.chainAddress).budgetOf(bram!.budgetId)).balance).toBe(100_00n);
    const payments = await app.db.selectFrom("payments").select(["amount_cents"]).where("budget_id", "in", [anna!.budgetId, bram!.budgetId]).execute();
    expect(payments.map((p) => p.amount_cents).sort()).toEqual([100_00n, 120_00n, 200_00n].sort());
  });

  it("the fund's daily limit per card is checked before signing (the right PIN is still needed to hear it)", async () => {
    const other = await admin.funds.create({ name: `Kindpakket ${tag()}`, amountPerChildCents: 300_00, budgetExpiry: `${YEAR + 1}-12-31`, categories: ["sport"] });
    expect(await validator.cards.settings(other.id)).toEqual({ dailyLimitCents: null });
    expect(await admin.cards.setSettings(fund.id, { dailyLimitCents: 50_00 })).toEqual({ dailyLimitCents: 50_00 });
    try {
      const f = await family();
      const { code, pin } = readPrintables(await validator.cards.issue(f.id));
      const [anna] = await budgetsOf(f.id);
      const shop = await till();
      await shop.cards.charge({ card: code, pin, amountCents: 30_00, childId: anna!.childId }, randomUUID());
      const sent = await chain.t.provider.getTransactionCount(chain.t.relayer.addresses[0]!);
      expect(await refusal(shop.cards.charge({ card: code, pin, amountCents: 20_01, childId: anna!.childId }, randomUUID()))).toMatchObject({ status: 422, code: "CARD_DAILY_LIMIT" });
      expect(await chain.t.provider.getTransactionCount(chain.t.relayer.addresses[0]!)).toBe(sent);
      const wrong = pin === "00000" ? "11111" : "00000";
      expect(await refusal(shop.cards.charge({ card: code, pin: wrong, amountCents: 20_01, childId: anna!.childId }, randomUUID()))).toMatchObject({ code: "CARD_PIN_WRONG" });
      expect(await shop.cards.charge({ card: code, pin, amountCents: 20_00, childId: anna!.childId }, randomUUID())).toMatchObject({ newBalanceCents: 250_00 });
    } finally {
      await admin.cards.setSettings(fund.id, { dailyLimitCents: null });
    }
  });

  it("the public balance check: card code and PIN, no login; wrong PINs count as at the till", async () => {
    const f = await family();
    const issued = await validator.cards.issue(f.id);
    const { code, pin } = readPrintables(issued);
    const [anna] = await budgetsOf(f.id);
    await (await till()).cards.charge({ card: code, pin, amountCents: 40_00, childId: anna!.childId }, randomUUID());
    const balance = await app.client().cards.balance({ card: code, pin });
    expect(balance).toEqual({
      fundName: fund.name,
      children: expect.arrayContaining([{ firstName: "Anna", balanceCents: 260_00, expiresAt: expect.any(String) }, { firstName: "Bram", balanceCents: 300_00, expiresAt: expect.any(String) }]),
    });
    const wrong = pin === "00000" ? "11111" : "00000";
    expect(await refusal(app.client().cards.balance({ card: code, pin: wrong }))).toMatchObject({ status: 422, code: "CARD_PIN_WRONG" });
    expect((await validator.cards.ofFamily(f.id)).cards[0]!.pinTriesLeft).toBe(4);
    // A phone's payment QR is not a card.
    const phoneQr = encodePaymentQr({ fundIndex: 1, budgetId: anna!.budgetId, maxAmount: 1n, nonce: 0n, deadline: 1n, signature: Wallet.createRandom().signingKey.sign("0x" + "11".repeat(32)).serialized });
    expect(await refusal(app.client().cards.balance({ card: phoneQr, pin }))).toMatchObject({ status: 400, code: "QR_NOT_TEGOED" });
  });

  it("cards for many families at once: one PDF of card sheets and one of PIN letters, never a PIN on a sheet", async () => {
    const [a, b] = [await family(), await family()];
    const many = await validator.cards.issueMany(fund.id, { familyIds: [a.id, b.id, a.id] });
    expect(many.cards.map((c) => c.familyId)).toEqual([a.id, b.id]);
    expect(many.skipped).toEqual([{ familyId: a.id, code: "CARD_EXISTS" }]);
    const sheets = Buffer.from(many.cardSheetsPdf, "base64");
    const letters = Buffer.from(many.pinLettersPdf, "base64");
    const pages = async (pdf: Buffer) => (await PDFDocument.load(pdf)).getPageCount();
    expect(await pages(sheets)).toBe(2); // fronts and backs of one sheet of (up to) 10
    expect(await pages(letters)).toBe(2); // a letter per card
    const pins = pdfTextLines(letters).flat().filter((line) => /^\d{5}$/.test(line));
    expect(pins).toHaveLength(2);
    const sheetText = pdfTextLines(sheets).flat().join(" ");
    for (const pin of pins) expect(sheetText).not.toContain(pin);
    for (const card of many.cards) expect(sheetText).toContain(card.cardNumber.match(/.{4}/g)!.join(" "));
  });

  it("the client limit: too many wrong tries from one address are refused (429) whatever the card", async () => {
    const f = await family();
    const { code } = readPrintables(await validator.cards.issue(f.id));
    const limited = new GuessLimiter({ maxFailures: 2 });
    const unknown = encodeCardQr({ cardNumber: "100000000008", secret: "cd".repeat(16) });
    const guesser = { limits: [{ limiter: limited, key: "203.0.113.9" }] };
    const { unlockCard } = await import("../../src/domain/cards/index.ts");
    const deps = { db: app.db, fundClient: chain.fundClient, clock: () => new Date(), pepper: PEPPER, helpPhone: "14 0594" };
    await expect(unlockCard(deps, { card: unknown, pin: "12345", guesser })).rejects.toMatchObject({ code: "CARD_UNKNOWN" });
    await expect(unlockCard(deps, { card: code, pin: "99999", guesser })).rejects.toMatchObject({ code: expect.stringMatching(/CARD_PIN_WRONG/) });
    await expect(unlockCard(deps, { card: code, pin: "99998", guesser })).rejects.toMatchObject({ code: "RATE_LIMITED" });
  });
});
