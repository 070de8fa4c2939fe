// Our bunq client against a local fake bunq (fake-bunq.ts) that checks every signature: the API context
// (installation → device-server → session-server), signed requests and verified answers, payments and
// payment batches, back-off on 429, a timeout after bunq booked the payment (asked by reference: no
// second transfer), and a whole payout run through the payouts service on a real chain and both engines.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DomainError } from "@tegoed/sdk";
import { BunqClient, bunqBank, bunqSign, bunqVerify, fileBunqStore, generateBunqKeyPair, loadOrCreateBunqKey, type BunqOptions } from "../../src/bank/bunq.ts";
import type { BankTransfer } from "../../src/bank/index.ts";
import { reconcilePayouts, startAndProcess } from "../../src/domain/payouts/index.ts";
import { ENGINES, useDatabase } from "../support/engines.ts";
import { type TestChain, startTestChain } from "../chain/harness.ts";
import { CHAIN_ENGINE, type ChainFunds, seedChainFunds } from "../domain/payments/support.ts";
import { owedShop, payoutDeps, payoutsOf } from "../domain/payouts/support.ts";
import { startFakeBunq, type FakeBunq } from "./fake-bunq.ts";

const API_KEY = "sandbox_0123456789abcdef0123456789abcdef0123456789abcdef01234567";
const KEY = generateBunqKeyPair();

function transfer(reference: string, cents = 12_50n): BankTransfer {
  return { reference, amountCents: cents, creditorName: "Sportwinkel De Bal", iban: "NL91ABNA0417164300", bic: null, description: `Tegoed ${reference} periode 2026-11-01 t/m 2026-11-23` };
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("bunq client against the fake bunq", () => {
  let fake: FakeBunq;
  const sleeps: number[] = [];
  const client = (extra: Partial<BunqOptions> = {}) =>
    new BunqClient({ apiUrl: fake.url, apiKey: API_KEY, privateKeyPem: KEY.privateKeyPem, timeoutMs: 2_000, sleep: async (ms) => void sleeps.push(ms), ...extra });
  beforeEach(async () => {
    fake = await startFakeBunq(API_KEY);
    sleeps.length = 0;
  });
  afterEach(async () => {
    await fake.close();
  });

  it("signs with RSA-SHA256 in base64 and verifies with the public key (round trip)", () => {
    const signature = bunqSign('{"a":1}', KEY.privateKeyPem);
    expect(bunqVerify('{"a":1}', signature, KEY.publicKeyPem)).toBe(true);
    expect(bunqVerify('{"a":2}', signature, KEY.publicKeyPem)).toBe(false);
  });

  it("opens the API context in bunq's order and pays: every request signature checked by the server, every answer's by us", async () => {
    const bunq = client();
    const id = await bunq.createPayment(transfer("TGD-20261123-AAAAAAAAAA"));
    expect(fake.log).toEqual([
      "POST /installation", "POST /device-server", "POST /session-server", "GET /user/4242/monetary-account-bank", "POST /user/4242/monetary-account/77/payment",
    ]);
    expect(fake.badSignatures).toBe(0);
    expect(fake.payments).toEqual([expect.objectContaining({
      id, amount: { value: "12.50", currency: "EUR" }, counterparty_alias: { type: "IBAN", value: "NL91ABNA0417164300", name: "Sportwinkel De Bal" },
      description: "Tegoed TGD-20261123-AAAAAAAAAA periode 2026-11-01 t/m 2026-11-23",
    })]);
  });

  it("keeps the installation across restarts (stored in the data folder) and makes the key once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tegoed-bunq-"));
    const key = loadOrCreateBunqKey(join(dir, "bunq-private-key.pem"));
    expect(loadOrCreateBunqKey(join(dir, "bunq-private-key.pem"))).toBe(key);
    await client({ privateKeyPem: key, store: fileBunqStore(dir) }).createPayment(transfer("TGD-1"));
    await client({ privateKeyPem: key, store: fileBunqStore(dir) }).createPayment(transfer("TGD-2"));
    expect(fake.log.filter((l) => l === "POST /installation")).toHaveLength(1);
    expect(fake.log.filter((l) => l === "POST /device-server")).toHaveLength(1);
    expect(fake.payments).toHaveLength(2);
  });

  it("a request signed with another key is refused by bunq (466), and nothing is paid", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tegoed-bunq-"));
    await client({ store: fileBunqStore(dir) }).openSession();
    const other = generateBunqKeyPair();
    const error = await refusal(client({ privateKeyPem: other.privateKeyPem, store: fileBunqStore(dir) }).createPayment(transfer("TGD-X")));
    expect(error).toMatchObject({ code: "BANK_REFUSED", details: expect.objectContaining({ status: "466" }) });
    expect(fake.badSignatures).toBe(1);
    expect(fake.payments).toHaveLength(0);
  });

  it("an answer whose signature is not bunq's is not believed", async () => {
    fake.fault("bad-signature", /\/payment$/);
    const error = await refusal(client().createPayment(transfer("TGD-BAD")));
    expect(error).toMatchObject({ code: "BANK_REFUSED", details: expect.objectContaining({ reason: "server signature" }) });
  });

  it("backs off on 429 (doubling) and then pays once", async () => {
    fake.fault("rate-limit", /\/payment$/, 2);
    await client().createPayment(transfer("TGD-429"));
    expect(sleeps).toEqual([1_000, 2_000]);
    expect(fake.log.filter((l) => l.endsWith("/payment"))).toHaveLength(3);
    expect(fake.payments).toHaveLength(1);
  });

  it("gives up after the last 429 retry with BANK_UNAVAILABLE, having paid nothing", async () => {
    fake.fault("rate-limit", /\/payment$/, 10);
    expect((await refusal(client({ maxRateLimitRetries: 2 }).createPayment(transfer("TGD-429X")))).code).toBe("BANK_UNAVAILABLE");
    expect(fake.payments).toHaveLength(0);
  });

  it("a timeout after bunq booked the payment: the adapter asks by reference and returns that payment, no second transfer", async () => {
    fake.fault("stall", /\/payment$/);
    const bank = bunqBank(client({ timeoutMs: 300 }));
    const record = await bank.transfer(transfer("TGD-20261123-TIMEOUT001"));
    expect(record).toEqual({ bankId: `BUNQ-${fake.payments[0]!.id}`, reference: "TGD-20261123-TIMEOUT001", amountCents: 12_50n });
    expect(fake.payments).toHaveLength(1);
    expect(await bank.findByReference("TGD-20261123-TIMEOUT001")).toEqual(record);
    expect(await bank.findByReference("TGD-20261123-NEVERPAID0")).toBeNull();
  });

  it("a 5xx with nothing booked: the transfer fails as BANK_UNAVAILABLE; the bank has nothing under the reference", async () => {
    fake.fault("fail", /\/payment$/);
    const bank = bunqBank(client());
    expect((await refusal(bank.transfer(transfer("TGD-503")))).code).toBe("BANK_UNAVAILABLE");
    expect(await bank.findByReference("TGD-503")).toBeNull();
    expect(fake.payments).toHaveLength(0);
  });

  it("pays several transfers in one payment batch", async () => {
    const id = await client().createPaymentBatch([transfer("TGD-B1", 1_00n), transfer("TGD-B2", 2_00n), transfer("TGD-B3", 3_00n)]);
    expect(fake.payments.map((p) => [p.amount.value, p.batchId])).toEqual([["1.00", id], ["2.00", id], ["3.00", id]]);
  });

  it("finds a payment by reference beyond the first page of the listing", async () => {
    const bunq = client();
    await bunq.createPayment(transfer("TGD-OLDEST"));
    for (let i = 0; i < 205; i++) await bunq.createPaymentBatch([transfer(`TGD-FILL-${i}`, 1n)]);
    expect(await bunqBank(bunq).findByReference("TGD-OLDEST")).toMatchObject({ amountCents: 12_50n });
  });

  it("lists the payouts it made with the reference each carries (what a payout rebuilt from the chain is matched to)", async () => {
    const bank = bunqBank(client());
    const first = await bank.transfer(transfer("TGD-20261207-ABCDEFGH23", 4_00n));
    const second = await bank.transfer(transfer("TGD-20261207-JKLMNPQR45", 6_00n));
    await client().createPayment({ ...transfer("x"), description: "not one of ours" });
    expect(await bank.recentTransfers()).toEqual(expect.arrayContaining([first, second]));
    expect((await bank.recentTransfers()).every((r) => /^TGD-\d{8}-[A-Z2-9]{10}$/.test(r.reference))).toBe(true);
  });

  it("opens a new session once when bunq has dropped the old one", async () => {
    const bunq = client();
    await bunq.createPayment(transfer("TGD-S1"));
    fake.expireSessions();
    await bunq.createPayment(transfer("TGD-S2"));
    expect(fake.log.filter((l) => l === "POST /session-server")).toHaveLength(2);
    expect(fake.payments).toHaveLength(2);
  });
});

describe.each(ENGINES)("a payout run through bunq on $name", (engine) => {
  const ctx = useDatabase(engine);
  let t: TestChain;
  let fake: FakeBunq;
  let funds: ChainFunds;
  beforeAll(async () => {
    if (engine.skipReason) return;
    t = await startTestChain(CHAIN_ENGINE);
    fake = await startFakeBunq(API_KEY);
  });
  afterAll(async () => {
    await fake?.close();
    await t?.stop();
  });
  beforeEach(async () => {
    funds ??= await seedChainFunds(ctx.db, t);
  });

  it("bunq times out after booking and cannot be asked at once: the payout stays pending; reconciliation asks by reference and settles, one transfer", async () => {
    const shop = await owedShop(ctx.db, t, funds, 18_40n);
    fake.fault("stall", /\/payment$/);
    fake.fault("fail", /\/payment\?/);
    const bank = bunqBank(new BunqClient({ apiUrl: fake.url, apiKey: API_KEY, privateKeyPem: KEY.privateKeyPem, timeoutMs: 300, sleep: async () => {} }));
    const deps = payoutDeps(ctx.db, t, { bank });
    const run = await startAndProcess(deps, { fundId: funds.fundId, trigger: "manual", staffUserId: null });
    expect(run.status).toBe("processing");
    const [pending] = await payoutsOf(ctx.db, shop.id);
    expect(pending).toMatchObject({ status: "pending", bank_attempts: 1 });

    await reconcilePayouts(deps);
    const [settled] = await payoutsOf(ctx.db, shop.id);
    expect(settled).toMatchObject({ status: "settled", bank_id: `BUNQ-${fake.payments[0]!.id}` });
    expect(fake.payments.filter((p) => p.description.includes(settled!.reference))).toHaveLength(1);
    expect(fake.payments[0]!.amount.value).toBe("18.40");
    expect(await t.fund.merchantOf(shop.chainAddress!)).toMatchObject({ receivable: 0n, paidOut: 18_40n });
  });
});
