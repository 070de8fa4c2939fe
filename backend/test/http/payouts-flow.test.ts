// The settlement routes on a real local chain and both database engines, as staff and a shop use them:
// finance sees what is owed, sets the schedule, starts a run; four eyes above the threshold; the run's
// progress; the shop sees its payout with reference and status; what each shop was paid. With the SEPA
// adapter: download the pain.001 file (XSD-valid), mark it sent, see it settled on chain.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient, PayoutRunDetail } from "@tegoed/sdk";
import { FundClient } from "../../src/chain/fund-client.ts";
import { noLedger } from "../../src/http/ledger.ts";
import { simulatedBank } from "../../src/bank/simulated.ts";
import { sepaFileBank } from "../../src/bank/index.ts";
import { ENGINES } from "../support/engines.ts";
import { type TestChain, startTestChain } from "../chain/harness.ts";
import { CHAIN_ENGINE, type ChainFunds, seedChainFunds } from "../domain/payments/support.ts";
import { camt053, owedShop, xmllint } from "../domain/payouts/support.ts";
import { bankStatement } from "../bank/statements.ts";
import { PASSWORD, randomEmail, refusal, useApp } from "./harness.ts";

let t: TestChain;
beforeAll(async () => {
  t = await startTestChain(CHAIN_ENGINE);
});
afterAll(async () => {
  await t?.stop();
});

const ledger = () => {
  const clients = new Map<string, FundClient>();
  return {
    ...noLedger,
    fundClient: (address: string) => {
      const key = address.toLowerCase();
      if (!clients.has(key)) clients.set(key, new FundClient(t.relayer, address));
      return clients.get(key)!;
    },
  };
};

/** Reads the run until it is no longer being paid (the route pays in the background). */
async function settledRun(client: ApiClient, runId: string, busy: string[] = ["processing"]): Promise<PayoutRunDetail> {
  for (let i = 0; i < 600; i++) {
    const run = await client.payouts.run(runId);
    const stillSettling = run.status === "awaiting_sent" && run.sentAt !== null;
    if (!busy.includes(run.status) && !stillSettling) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} did not finish`);
}

describe.each(ENGINES)("payout routes with the simulated bank on $name", (engine) => {
  const app = useApp(engine, { ledger, payouts: (db) => ({ bank: simulatedBank(db), fourEyesCents: 100_00n, log: () => {} }) });
  let funds: ChainFunds;
  let financeA: ApiClient;
  let financeB: ApiClient;
  let auditor: ApiClient;
  beforeAll(async () => {
    if (engine.skipReason) return;
    funds = await seedChainFunds(app.db, t);
    financeA = (await app.loginAs(["finance"])).client;
    financeB = (await app.loginAs(["finance"])).client;
    auditor = (await app.loginAs(["auditor"])).client;
  });

  it("finance sees what is owed, starts a run, a second finance user approves it, the shop sees its payout", async () => {
    const shop = await owedShop(app.db, t, funds, 150_00n);
    const manager = (await app.loginAs(["merchant_manager"])).client;
    const user = { email: randomEmail("kassa"), password: PASSWORD };
    await manager.merchants.createUser(shop.id, user);
    const till = app.client();
    await till.merchant.login(user);

    const owed = await financeA.payouts.owed(funds.fundId);
    expect(owed.bank).toEqual({ name: "simulated", label: "simulated bank (no real money)" });
    expect(owed.shops.find((s) => s.merchantId === shop.id)).toMatchObject({ receivableCents: 150_00, openCents: 0, owedCents: 150_00 });
    expect((await till.merchant.payouts()).owed).toEqual([{ fundId: funds.fundId, fundName: "Kindpakket 2027", owedCents: 150_00, openCents: 0 }]);

    // Above €100: four eyes.
    const started = await financeA.payouts.start({ fundId: funds.fundId });
    expect(started).toMatchObject({ status: "awaiting_approval", trigger: "manual", bank: { name: "simulated" } });
    expect((await refusal(financeA.payouts.approve(started.id))).code).toBe("PAYOUT_FOUR_EYES");
    expect((await refusal(auditor.payouts.approve(started.id))).code).toBe("FORBIDDEN");
    expect(await financeB.payouts.approve(started.id)).toMatchObject({ approvedBy: expect.any(String) });

    const run = await settledRun(auditor, started.id);
    expect(run).toMatchObject({ status: "completed", progress: { settled: run.payoutCount, pending: 0 } });
    const payout = run.payouts.find((p) => p.merchantId === shop.id)!;
    expect(payout).toMatchObject({ amountCents: 150_00, status: "settled", shopName: "Sportwinkel De Bal" });
    expect(payout.description).toContain(payout.reference);

    const mine = await till.merchant.payouts();
    expect(mine.payouts).toEqual([expect.objectContaining({ reference: payout.reference, amountCents: 150_00, status: "settled", paidAt: expect.any(String) })]);
    expect(mine.owed[0]).toMatchObject({ owedCents: 0, openCents: 0 });
    expect(await t.fund.merchantOf(shop.chainAddress!)).toMatchObject({ receivable: 0n, paidOut: 150_00n });

    const paid = await auditor.payouts.paid({ fundId: funds.fundId, from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() });
    expect(paid.shops.find((s) => s.merchantId === shop.id)).toMatchObject({ payoutCount: 1, paidCents: 150_00 });
    expect((await auditor.payouts.runs({ fundId: funds.fundId })).runs.map((r) => r.id)).toContain(started.id);
  });

  it("a run under the threshold pays at once; nothing owed is a clear refusal", async () => {
    const shop = await owedShop(app.db, t, funds, 12_50n);
    const started = await financeA.payouts.start({ fundId: funds.fundId });
    expect(started.status).toBe("processing");
    const run = await settledRun(financeA, started.id);
    expect(run.payouts.find((p) => p.merchantId === shop.id)).toMatchObject({ status: "settled", amountCents: 12_50 });
    expect((await refusal(financeA.payouts.start({ fundId: funds.fundId }))).code).toBe("PAYOUT_NOTHING_OWED");
  });

  it("finance or admin set the schedule; an auditor reads it but may not change it or start runs", async () => {
    expect(await financeA.payouts.setSchedule(funds.fundId, { schedule: { kind: "daily", at: "09:30" }, minimumCents: 25_00 }))
      .toMatchObject({ schedule: { kind: "daily", at: "09:30" }, minimumCents: 25_00 });
    expect(await auditor.payouts.schedule(funds.fundId)).toMatchObject({ schedule: { kind: "daily", at: "09:30" }, minimumCents: 25_00 });
    expect((await refusal(auditor.payouts.setSchedule(funds.fundId, { schedule: { kind: "instant" } }))).code).toBe("FORBIDDEN");
    expect((await refusal(auditor.payouts.start({ fundId: funds.fundId }))).code).toBe("FORBIDDEN");
    expect((await refusal(financeA.payouts.setSchedule(funds.fundId, { schedule: { kind: "daily", at: "25:00" } }))).code).toBe("INVALID_INPUT");
    await financeA.payouts.setSchedule(funds.fundId, { schedule: { kind: "daily", at: "17:00" }, minimumCents: 0 });
    expect((await refusal(app.client().payouts.runs())).code).toBe("UNAUTHENTICATED");
    expect((await refusal(financeA.payouts.run("00000000-0000-4000-8000-000000000000"))).code).toBe("PAYOUT_RUN_NOT_FOUND");
  });

  it("documents the settlement routes in the OpenAPI document", async () => {
    const doc = (await (await app.fetch("/api/openapi.json")).json()) as { paths: Record<string, Record<string, { operationId: string }>> };
    expect(doc.paths["/api/payout-runs/{id}/approve"]?.post?.operationId).toBe("approvePayoutRun");
    expect(doc.paths["/api/merchant/payouts"]?.get?.operationId).toBe("listMerchantPayouts");
    expect(doc.paths["/api/funds/{id}/payout-schedule"]?.put?.operationId).toBe("setPayoutSchedule");
  });
});

describe.each(ENGINES)("payout routes with a SEPA file on $name", (engine) => {
  const debtor = { name: "Gemeente Westerkwartier", iban: "NL02ABNA0123456789", bic: "ABNANL2A" };
  const app = useApp(engine, { ledger, payouts: () => ({ bank: sepaFileBank(debtor), log: () => {} }) });
  let funds: ChainFunds;
  let finance: ApiClient;
  beforeAll(async () => {
    if (engine.skipReason) return;
    funds = await seedChainFunds(app.db, t);
    finance = (await app.loginAs(["finance"])).client;
  });

  it("finance downloads the run's pain.001 (XSD-valid), marks it sent, and the payouts are recorded on chain", async () => {
    const shop = await owedShop(app.db, t, funds, 77_70n);
    const started = await finance.payouts.start({ fundId: funds.fundId });
    const waiting = await settledRun(finance, started.id);
    expect(waiting).toMatchObject({ status: "awaiting_sent", hasFile: true, messageId: expect.stringMatching(/^TGD-RUN-/) });

    const file = await finance.payouts.sepaFile(started.id);
    expect(xmllint(file.xml).valid).toBe(true);
    const payout = waiting.payouts.find((p) => p.merchantId === shop.id)!;
    expect(file.xml).toContain(`<EndToEndId>${payout.reference}</EndToEndId>`);
    const raw = await app.fetch(`/api/payout-runs/${started.id}/sepa-file?download=1`, { headers: { cookie: `tegoed_session=${finance.sessionCookie}` } });
    expect(raw.headers.get("content-type")).toContain("application/xml");
    expect(raw.headers.get("content-disposition")).toBe(`attachment; filename="${file.fileName}"`);
    expect(await raw.text()).toBe(file.xml);
    expect((await t.fund.merchantOf(shop.chainAddress!)).receivable).toBe(77_70n);

    await finance.payouts.markSent(started.id);
    const done = await settledRun(finance, started.id);
    expect(done).toMatchObject({ status: "completed", sentAt: expect.any(String) });
    expect(done.payouts.find((p) => p.merchantId === shop.id)?.status).toBe("settled");
    expect(await t.fund.merchantOf(shop.chainAddress!)).toMatchObject({ receivable: 0n, paidOut: 77_70n });
    expect((await refusal(finance.payouts.markSent(started.id))).code).toBe("PAYOUT_RUN_STATE");
  });

  it("finance imports the bank's camt.053 statement: the booked payouts are confirmed and recorded on chain", async () => {
    const shop = await owedShop(app.db, t, funds, 8_80n);
    const started = await finance.payouts.start({ fundId: funds.fundId });
    const waiting = await settledRun(finance, started.id);
    const payout = waiting.payouts.find((p) => p.merchantId === shop.id)!;
    const result = await finance.payouts.importStatement({ camt053: camt053([{ transactions: [{ endToEndId: payout.reference, amount: "8.80" }] }]) });
    expect(result).toEqual({ confirmed: [payout.reference], mismatched: [], ignored: 0 });
    expect((await finance.payouts.run(started.id)).payouts.find((p) => p.merchantId === shop.id)?.status).toBe("settled");
    expect(await t.fund.merchantOf(shop.chainAddress!)).toMatchObject({ receivable: 0n, paidOut: 8_80n });
  });

  it("takes a month's statement of 5,000 entries in three files (megabytes, past the 100 kB body limit of other routes)", async () => {
    const shop = await owedShop(app.db, t, funds, 4_20n);
    const other = await owedShop(app.db, t, funds, 3_00n);
    const started = await finance.payouts.start({ fundId: funds.fundId });
    const waiting = await settledRun(finance, started.id);
    const payout = waiting.payouts.find((p) => p.merchantId === shop.id)!;
    const foreign = waiting.payouts.find((p) => p.merchantId === other.id)!;
    const files = [
      bankStatement("2026-11-24", 1_700, [], 1),
      bankStatement("2026-11-25", 1_700, [{ endToEndId: payout.reference, amount: "4.20" }, { endToEndId: foreign.reference, amount: "3.00", currency: "USD" }], 2),
      bankStatement("2026-11-26", 1_600, [], 3),
    ];
    expect(files.reduce((n, f) => n + f.length, 0)).toBeGreaterThan(2_000_000);
    const result = await finance.payouts.importStatement({ camt053: files });
    // Ours in euros is confirmed; ours in dollars is not what we sent: left for a person.
    expect(result.confirmed).toEqual([payout.reference]);
    expect(result.mismatched).toEqual([foreign.reference]);
    expect(await t.fund.merchantOf(shop.chainAddress!)).toMatchObject({ receivable: 0n, paidOut: 4_20n });
    // Every other route keeps its small limit.
    const big = await app.fetch("/api/staff/session", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "a@b.nl", password: "x".repeat(200_000) }) });
    expect(big.status).toBe(400);
    expect(await big.json()).toMatchObject({ error: { code: "INVALID_INPUT", message: "The request body is too large." } });
  });
});
