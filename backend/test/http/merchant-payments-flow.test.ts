// The merchant and till routes on a real local chain (one Hardhat node for the file) and both database
// engines: a shop applies, is approved (on chain), gets a login; its user scans a QR, charges it exactly
// once per Idempotency-Key, refunds, lists. Role matrix and bad input without a chain:
// merchants-payments-routes.test.ts.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient, ChargeReceipt } from "@tegoed/sdk";
import { FundClient } from "../../src/chain/fund-client.ts";
import { noLedger } from "../../src/http/ledger.ts";
import { ENGINES } from "../support/engines.ts";
import { type TestChain, activeBudgets, laneTxCount, startTestChain } from "../chain/harness.ts";
import { CHAIN_ENGINE, type ChainFunds, qrText, seedChainFunds } from "../domain/payments/support.ts";
import { PASSWORD, randomEmail, refusal, useApp } from "./harness.ts";

let t: TestChain;
beforeAll(async () => {
  t = await startTestChain(CHAIN_ENGINE);
});
afterAll(async () => {
  await t?.stop();
});

const APPLICATION = {
  name: "Sportwinkel De Bal",
  iban: "NL91 ABNA 0417 1643 00",
  categories: ["sport"],
  address: "Hoofdstraat 1, 9801 AA Zuidhorn",
  contactEmail: "info@debal.example",
};
const kvk = () => String(10_000_000 + Math.floor(Math.random() * 89_999_999));

describe.each(ENGINES)("merchants and payments on a real chain on $name", (engine) => {
  const clients = new Map<string, FundClient>();
  const app = useApp(engine, {
    ledger: () => ({
      ...noLedger,
      fundClient: (address: string) => {
        const key = address.toLowerCase();
        if (!clients.has(key)) clients.set(key, new FundClient(t.relayer, address));
        return clients.get(key)!;
      },
    }),
  });
  let funds: ChainFunds;
  let manager: ApiClient;

  beforeAll(async () => {
    if (engine.skipReason) return;
    funds = await seedChainFunds(app.db, t);
    manager = (await app.loginAs(["merchant_manager"])).client;
  });

  /** apply → approve for the main fund → a login → a logged-in till. */
  async function approvedShop() {
    const { id } = await app.client().merchants.apply({ ...APPLICATION, kvkNumber: kvk() });
    const approved = await manager.merchants.approve(id, { fundId: funds.fundId });
    const user = { email: randomEmail("kassa"), password: PASSWORD };
    await manager.merchants.createUser(id, user);
    const till = app.client();
    await till.merchant.login(user);
    return { id, approved, till };
  }

  it("the whole flow: apply → approve → login → scan → charge €42.50 once per key → replay refused → refund €2.50 → list", async () => {
    const { id, approved, till } = await approvedShop();
    expect(approved).toMatchObject({ id, status: "approved", chainAddress: expect.stringMatching(/^0x[0-9a-f]{40}$/), funds: [{ fundId: funds.fundId, categoriesMask: 1 }] });
    expect(await t.fund.merchantOf(approved.chainAddress!)).toMatchObject({ approved: true });

    const [{ budgetId, family }] = (await activeBudgets(t, 1, 300_00n)) as [{ budgetId: string; family: Parameters<typeof qrText>[1] }];
    const qr = await qrText(t, family, budgetId, { overrides: { maxAmount: 1_000_00n } });

    // The scan: the scheme and what is left, nothing personal (no budget id, no holder).
    const lookup = await till.merchant.lookupQr({ qr });
    expect(lookup).toEqual({ fundId: funds.fundId, fundName: "Kindpakket 2027", spendableCents: 300_00, validUntil: expect.any(String) });
    expect(JSON.stringify(lookup).toLowerCase()).not.toContain(budgetId.slice(2).toLowerCase());
    expect(JSON.stringify(lookup).toLowerCase()).not.toContain(family.address.slice(2).toLowerCase());

    const key = randomUUID();
    // Charge latency is a benchmark figure (issue "Benchmarks"), not asserted here.
    const receipt = await till.merchant.charge({ qr, amountCents: 42_50 }, key);
    expect(receipt).toMatchObject({ status: "PAID", amountCents: 42_50, newBalanceCents: 257_50, fundId: funds.fundId, txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    expect(await t.fund.budgetOf(budgetId)).toMatchObject({ balance: 257_50n, nonce: 1n });

    // A retry with the same key: the same receipt, nothing sent.
    const sent = await laneTxCount(t);
    const again: ChargeReceipt = await till.merchant.charge({ qr, amountCents: 42_50 }, key);
    expect(again).toEqual(receipt);
    expect(await laneTxCount(t)).toBe(sent);
    expect((await t.fund.budgetOf(budgetId)).balance).toBe(257_50n);

    // The same QR with a new key: refused before anything is sent.
    expect(await refusal(till.merchant.charge({ qr, amountCents: 42_50 }, randomUUID()))).toMatchObject({ status: 422, code: "PERMIT_USED" });
    expect(await laneTxCount(t)).toBe(sent);

    const refunded = await till.merchant.refund(receipt.paymentId, { amountCents: 2_50 });
    expect(refunded).toMatchObject({ paymentId: receipt.paymentId, amountCents: 2_50, refundableCents: 40_00, txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    expect((await t.fund.budgetOf(budgetId)).balance).toBe(260_00n);
    expect(await refusal(till.merchant.refund(receipt.paymentId, { amountCents: 40_01 }))).toMatchObject({ status: 422, code: "REFUND_EXCEEDED" });

    const list = await till.merchant.payments();
    expect(list.payments).toEqual([
      expect.objectContaining({ paymentId: receipt.paymentId, fundId: funds.fundId, amountCents: 42_50, refundedCents: 2_50, txHash: receipt.txHash }),
    ]);
    expect(list.totals).toEqual({ count: 1, amountCents: 42_50, refundedCents: 2_50, netCents: 40_00 });
    const empty = await till.merchant.payments({ from: "2020-01-01T00:00:00Z", to: "2020-02-01T00:00:00Z" });
    expect(empty.totals.count).toBe(0);
  });

  it("another shop cannot refund this shop's payment (404 PAYMENT_UNKNOWN); the same key with another amount is 409", async () => {
    const a = await approvedShop();
    const b = await approvedShop();
    const [{ budgetId, family }] = (await activeBudgets(t, 1, 300_00n)) as [{ budgetId: string; family: Parameters<typeof qrText>[1] }];
    const qr = await qrText(t, family, budgetId);
    const key = randomUUID();
    const receipt = await a.till.merchant.charge({ qr, amountCents: 10_00 }, key);
    expect(await refusal(a.till.merchant.charge({ qr, amountCents: 11_00 }, key))).toMatchObject({ status: 409, code: "CONFLICT" });
    expect(await refusal(b.till.merchant.refund(receipt.paymentId, { amountCents: 1_00 }))).toMatchObject({ status: 404, code: "PAYMENT_UNKNOWN" });
    expect((await b.till.merchant.payments()).totals.count).toBe(0);
  });

  it("a QR over the budget → 422 BUDGET_INSUFFICIENT; a QR of a fund the shop is not approved for → 422 PERMIT_WRONG_FUND", async () => {
    const { till } = await approvedShop();
    const [{ budgetId, family }] = (await activeBudgets(t, 1, 20_00n)) as [{ budgetId: string; family: Parameters<typeof qrText>[1] }];
    expect(await refusal(till.merchant.charge({ qr: await qrText(t, family, budgetId), amountCents: 25_00 }, randomUUID()))).toMatchObject({
      status: 422, code: "BUDGET_INSUFFICIENT",
    });
    const [other] = (await activeBudgets(t, 1, 20_00n, t.otherFund)) as [{ budgetId: string; family: Parameters<typeof qrText>[1] }];
    const otherQr = await qrText(t, other.family, other.budgetId, { fund: t.otherFund, fundIndex: t.fundIndex + 1 });
    expect(await refusal(till.merchant.lookupQr({ qr: otherQr }))).toMatchObject({ status: 422, code: "PERMIT_WRONG_FUND" });
  });

  it("suspending a shop (on chain) stops its till: 422 MERCHANT_NOT_APPROVED", async () => {
    const { id, approved, till } = await approvedShop();
    const suspended = await manager.merchants.suspend(id, { reason: "complaints" });
    expect(suspended).toMatchObject({ id, status: "suspended", suspendReason: "complaints", funds: [{ fundId: funds.fundId, suspendedAt: expect.any(String) }] });
    expect(await t.fund.merchantOf(approved.chainAddress!)).toMatchObject({ approved: false });
    const [{ budgetId, family }] = (await activeBudgets(t, 1, 20_00n)) as [{ budgetId: string; family: Parameters<typeof qrText>[1] }];
    expect(await refusal(till.merchant.lookupQr({ qr: await qrText(t, family, budgetId) }))).toMatchObject({ status: 422, code: "MERCHANT_NOT_APPROVED" });
    expect((await manager.merchants.list({ status: "suspended" })).merchants.map((m) => m.id)).toContain(id);
  });

  it("100 concurrent HTTP charges with one Idempotency-Key pay once: every answer is that receipt (or 409 while it runs)", async () => {
    const { till } = await approvedShop();
    const [{ budgetId, family }] = (await activeBudgets(t, 1, 300_00n)) as [{ budgetId: string; family: Parameters<typeof qrText>[1] }];
    const qr = await qrText(t, family, budgetId);
    const key = randomUUID();
    const sent = await laneTxCount(t);
    const outcomes = await Promise.allSettled(Array.from({ length: 100 }, () => till.merchant.charge({ qr, amountCents: 12_34 }, key)));
    const receipts = outcomes.filter((o): o is PromiseFulfilledResult<ChargeReceipt> => o.status === "fulfilled").map((o) => o.value);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected").map((o) => o.reason as { status: number; code: string });
    expect(receipts.length).toBeGreaterThan(0);
    expect(new Set(receipts.map((r) => r.paymentId)).size).toBe(1);
    for (const r of refused) expect(r).toMatchObject({ status: 409, code: "CONFLICT" });
    expect(await laneTxCount(t)).toBe(sent + 1);
    expect(await t.fund.budgetOf(budgetId)).toMatchObject({ balance: 300_00n - 12_34n, nonce: 1n });
    // Every retry after the storm gets the receipt.
    expect(await till.merchant.charge({ qr, amountCents: 12_34 }, key)).toEqual(receipts[0]);
  });

  it("100 concurrent HTTP charges of 100 budgets at 10 shops all succeed: 100 payments, every nonce used once", async () => {
    const shops = await Promise.all(Array.from({ length: 10 }, () => approvedShop()));
    const budgets = (await activeBudgets(t, 100, 50_00n)) as { budgetId: string; family: Parameters<typeof qrText>[1] }[];
    const qrs = await Promise.all(budgets.map(({ budgetId, family }) => qrText(t, family, budgetId)));
    const receipts = await Promise.all(qrs.map((qr, i) => shops[i % 10]!.till.merchant.charge({ qr, amountCents: 7_50 }, randomUUID())));
    expect(receipts.every((r) => r.status === "PAID" && r.newBalanceCents === 42_50)).toBe(true);
    expect(new Set(receipts.map((r) => r.paymentId)).size).toBe(100);
    const states = await Promise.all(budgets.map(({ budgetId }) => t.fund.budgetOf(budgetId)));
    expect(states.every((b) => b.nonce === 1n && b.balance === 42_50n)).toBe(true);
    const listed = await Promise.all(shops.map(({ till }) => till.merchant.payments()));
    expect(listed.map((l) => l.totals.count)).toEqual(Array(10).fill(10));
  });
});
