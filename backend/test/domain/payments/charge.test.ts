// The payments service at the till, on a real Hardhat node and both database engines: look up a QR,
// charge it exactly once per idempotency key (also under 100 concurrent retries and after a crash),
// refuse dead QRs before sending anything, refund, list.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHash, randomUUID } from "node:crypto";
import { Wallet } from "ethers";
import { paymentIdOf } from "../../../src/chain/fund-client.ts";
import { holdClaims } from "../../../src/db/claim-holder.ts";
import { idempotencyRepository } from "../../../src/db/idempotency.repository.ts";
import { auditLogRepository } from "../../../src/db/audit-log.repository.ts";
import { type Merchant, suspendMerchant } from "../../../src/domain/merchants/merchants.service.ts";
import { charge, listPayments, lookupQr, refund } from "../../../src/domain/payments/payments.service.ts";
import { ENGINES, useDatabase } from "../../support/engines.ts";
import { type TestChain, activeBudgets, chainTime, laneTxCount, signPermit, startTestChain } from "../../chain/harness.ts";
import { type ChainFunds, STAFF_ID, approvedMerchant, depsFor, qrText, refusal, seedChainFunds, CHAIN_ENGINE } from "./support.ts";

let t: TestChain;
beforeAll(async () => {
  t = await startTestChain(CHAIN_ENGINE);
});
afterAll(async () => {
  await t?.stop();
});

type Budget = Awaited<ReturnType<typeof activeBudgets>>[number];
const one = async (amount = 300_00n) => ((await activeBudgets(t, 1, amount)) as [Budget])[0];
const key = () => randomUUID();
/** The hash the service keys a charge request by (a crashed request left it in idempotency_keys). */
const hashOf = (qr: string, amountCents: number) =>
  createHash("sha256").update(JSON.stringify({ qr: qr.trim().toUpperCase(), amountCents })).digest("hex");
/** The claim of a fresh budget's first QR (nonce 0) that a charge of shop `scope` under key `k` makes. */
const permitClaim = (budgetId: string, scope: string, k: string) => ({
  scope: `permit:${t.fundAddress.toLowerCase()}`, key: `${budgetId.toLowerCase()}:0`, requestHash: createHash("sha256").update(`${scope}\0${k}`).digest("hex"),
});

describe.each(ENGINES)("payments service on $name", (engine) => {
  const ctx = useDatabase(engine);
  let funds: ChainFunds;
  let shop: Merchant;
  const deps = (extra = {}) => depsFor(ctx.db, t, extra);
  beforeEach(async () => {
    funds ??= await seedChainFunds(ctx.db, t);
    shop ??= await approvedMerchant(deps(), funds);
  });

  describe("lookupQr", () => {
    it("shows the fund and what may be charged now (balance capped by the QR), nothing personal", async () => {
      const { budgetId, family } = await one(300_00n);
      const capped = await lookupQr(deps(), { merchantId: shop.id }, await qrText(t, family, budgetId, { overrides: { maxAmount: 25_00n } }));
      expect(capped).toEqual({ fundId: funds.fundId, fundName: "Kindpakket 2027", spendableCents: 25_00, validUntil: expect.any(String) });
      const full = await lookupQr(deps(), { merchantId: shop.id }, await qrText(t, family, budgetId, { overrides: { maxAmount: 1_000_00n } }));
      expect(full.spendableCents).toBe(300_00);
      expect(JSON.stringify(full)).not.toContain(budgetId.slice(2));
    });

    it("refuses a text that is no Tegoed QR", async () => {
      expect((await refusal(lookupQr(deps(), { merchantId: shop.id }, "https://example.com"))).code).toBe("QR_NOT_TEGOED");
    });
  });

  describe("charge, happy path", () => {
    it("pays from the budget on chain, records the payment at once and returns the receipt", async () => {
      const { budgetId, family } = await one();
      const receipt = await charge(deps(), { merchantId: shop.id, qr: await qrText(t, family, budgetId), amountCents: 12_50, idempotencyKey: key() });

      expect(receipt).toMatchObject({ paymentId: paymentIdOf(budgetId, 0n), amountCents: 12_50, newBalanceCents: 287_50, fundId: funds.fundId });
      expect(receipt.txHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(await t.fund.budgetOf(budgetId)).toMatchObject({ balance: 287_50n, nonce: 1n });
      const listed = await listPayments(deps(), shop.id, new Date(0), new Date(Date.now() + 86_400_000));
      expect(listed.payments.find((p) => p.paymentId === receipt.paymentId)).toMatchObject({ amountCents: 12_50, confirmed: false });
      const [audit] = await auditLogRepository(ctx.db).list({ subjectId: receipt.paymentId });
      expect(audit).toMatchObject({ action: "payment.charge", actorType: "merchant" });
      // The QR's permit (budget and nonce) is done with this payment, so no other key can send it again.
      const permit = await ctx.db.selectFrom("idempotency_keys").select(["status", "response"])
        .where("scope", "=", `permit:${t.fundAddress.toLowerCase()}`).where("key", "=", `${budgetId.toLowerCase()}:0`).executeTakeFirst();
      expect(permit).toEqual({ status: "done", response: receipt.paymentId });
    });

    it("a refused charge leaves neither its key nor the QR's permit claimed: a retry with the same key acts again", async () => {
      const { budgetId, family } = await one();
      const qr = await qrText(t, family, budgetId, { overrides: { maxAmount: 1_000_00n } });
      const k = key();
      await expect(charge(deps(), { merchantId: shop.id, qr, amountCents: 400_00, idempotencyKey: k })).rejects.toMatchObject({ code: "BUDGET_INSUFFICIENT" });
      const claims = await ctx.db.selectFrom("idempotency_keys").select("scope")
        .where((w) => w.or([w("key", "=", k), w("key", "=", `${budgetId.toLowerCase()}:0`)])).execute();
      expect(claims).toEqual([]);
      await expect(charge(deps(), { merchantId: shop.id, qr, amountCents: 400_00, idempotencyKey: k })).rejects.toMatchObject({ code: "BUDGET_INSUFFICIENT" });
    });

    it("answers a retry with the same key with the first receipt and sends nothing; another request with that key is a CONFLICT", async () => {
      const { budgetId, family } = await one();
      const qr = await qrText(t, family, budgetId, { overrides: { maxAmount: 1_000_00n } });
      const k = key();
      const first = await charge(deps(), { merchantId: shop.id, qr, amountCents: 5_00, idempotencyKey: k });
      const sent = await laneTxCount(t);
      expect(await charge(deps(), { merchantId: shop.id, qr, amountCents: 5_00, idempotencyKey: k })).toEqual(first);
      expect((await refusal(charge(deps(), { merchantId: shop.id, qr, amountCents: 6_00, idempotencyKey: k }))).code).toBe("CONFLICT");
      expect(await laneTxCount(t)).toBe(sent);
    });

    it("refuses bad amounts and keys with INVALID_INPUT", async () => {
      for (const amountCents of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1]) {
        expect((await refusal(charge(deps(), { merchantId: shop.id, qr: "TGX", amountCents, idempotencyKey: key() }))).code).toBe("INVALID_INPUT");
      }
      expect((await refusal(charge(deps(), { merchantId: shop.id, qr: "TGX", amountCents: 1, idempotencyKey: "" }))).code).toBe("INVALID_INPUT");
    });
  });

  describe("under load", () => {
    it("100 concurrent charges with the same key pay exactly once, and all get the same receipt", async () => {
      const { budgetId, family } = await one();
      const qr = await qrText(t, family, budgetId, { overrides: { maxAmount: 1_000_00n } });
      const k = key();
      const before = await laneTxCount(t);
      const started = performance.now();
      const receipts = await Promise.all(
        Array.from({ length: 100 }, () => charge(deps(), { merchantId: shop.id, qr, amountCents: 10_00, idempotencyKey: k })),
      );
      const ms = performance.now() - started;
      console.log(`[${engine.name}] 100 concurrent charges, same key: ${ms.toFixed(0)} ms`);
      expect(new Set(receipts.map((r) => JSON.stringify(r))).size).toBe(1);
      expect(await laneTxCount(t)).toBe(before + 1);
      expect(await t.fund.budgetOf(budgetId)).toMatchObject({ balance: 290_00n, nonce: 1n });
      const rows = await ctx.db.selectFrom("payments").select("payment_id").where("budget_id", "=", budgetId.toLowerCase()).execute();
      expect(rows).toHaveLength(1);
    });

    it("a retry while the first charge still runs, whose look on the chain goes unanswered, waits for that charge's receipt", async () => {
      const { budgetId, family } = await one();
      const qr = await qrText(t, family, budgetId, { overrides: { maxAmount: 1_000_00n } });
      const k = key();
      const scope = `charge:${shop.id}`;
      // The first charge holds the key and is still sending.
      expect(await idempotencyRepository(ctx.db).claim(scope, k, hashOf(qr, 4_00))).toBe("claimed");
      const provider = t.relayer.provider;
      const getLogs = provider.getLogs;
      let unanswered = 0;
      // The node refuses the retry's question (all of a till's retries at once, a node restarting).
      provider.getLogs = async () => {
        unanswered++;
        throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: "ECONNREFUSED" });
      };
      try {
        const retry = charge(deps(), { merchantId: shop.id, qr, amountCents: 4_00, idempotencyKey: k });
        while (unanswered === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        // The first charge finishes: its receipt is the retry's answer.
        const receipt = { paymentId: paymentIdOf(budgetId, 0n), amountCents: 4_00, newBalanceCents: 296_00, txHash: `0x${"ab".repeat(32)}`, fundId: funds.fundId, paidAt: new Date().toISOString() };
        await idempotencyRepository(ctx.db).complete(scope, k, receipt);
        expect(await retry).toEqual(receipt);
      } finally {
        provider.getLogs = getLogs;
      }
    });

    it("20 charges of one QR at once (other keys, other shops): one pays, the others are PERMIT_USED, and only one transaction is sent", async () => {
      const other = await approvedMerchant(deps(), funds);
      const { budgetId, family } = await one();
      const qr = await qrText(t, family, budgetId);
      const before = await laneTxCount(t);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => charge(deps(), { merchantId: (i % 2 ? other : shop).id, qr, amountCents: 10_00, idempotencyKey: key() })),
      );
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
      const codes = outcomes.flatMap((o) => (o.status === "rejected" ? [(o.reason as { code: string }).code] : []));
      expect(codes).toEqual(Array(19).fill("PERMIT_USED"));
      expect(await laneTxCount(t)).toBe(before + 1);
      expect(await t.fund.budgetOf(budgetId)).toMatchObject({ balance: 290_00n, nonce: 1n });
    });

    it("20 full refunds of one payment at once: one refunds, the others are REFUND_EXCEEDED, and only one transaction is sent", async () => {
      const { budgetId, family } = await one();
      const paid = await charge(deps(), { merchantId: shop.id, qr: await qrText(t, family, budgetId), amountCents: 20_00, idempotencyKey: key() });
      const before = await laneTxCount(t);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, () => refund(deps(), { merchantId: shop.id, paymentId: paid.paymentId, amountCents: 20_00 })),
      );
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
      const codes = outcomes.flatMap((o) => (o.status === "rejected" ? [(o.reason as { code: string }).code] : []));
      expect(codes).toEqual(Array(19).fill("REFUND_EXCEEDED"));
      expect(await laneTxCount(t)).toBe(before + 1);
      expect((await t.fund.budgetOf(budgetId)).balance).toBe(300_00n);
    });

    it("100 concurrent charges of 100 budgets all succeed", async () => {
      const budgets = await activeBudgets(t, 100, 50_00n);
      const qrs = await Promise.all(budgets.map((b) => qrText(t, b.family, b.budgetId)));
      const started = performance.now();
      const receipts = await Promise.all(
        qrs.map((qr, i) => charge(deps(), { merchantId: shop.id, qr, amountCents: 1_00 + i, idempotencyKey: key() })),
      );
      const ms = performance.now() - started;
      console.log(`[${engine.name}] 100 concurrent charges, 100 budgets: ${ms.toFixed(0)} ms (${((100 / ms) * 1000).toFixed(1)}/s)`);
      expect(new Set(receipts.map((r) => r.paymentId)).size).toBe(100);
      const balances = await Promise.all(budgets.map((b) => t.fund.budgetOf(b.budgetId)));
      balances.forEach((b, i) => expect(b.balance).toBe(50_00n - BigInt(1_00 + i)));
      receipts.forEach((r, i) => expect(r.newBalanceCents).toBe(50_00 - (1_00 + i)));
    });
  });

  describe("dead QRs are refused with their code, and nothing is sent", () => {
    async function refusedWithoutTx(qr: string, code: string) {
      const sent = await laneTxCount(t);
      expect((await refusal(lookupQr(deps(), { merchantId: shop.id }, qr))).code).toBe(code);
      const k = key();
      expect((await refusal(charge(deps(), { merchantId: shop.id, qr, amountCents: 1_00, idempotencyKey: k }))).code).toBe(code);
      expect(await laneTxCount(t)).toBe(sent);
      // The key was given back: nothing happened under it.
      expect(await idempotencyRepository(ctx.db).claim(`charge:${shop.id}`, k, "other")).toBe("claimed");
    }

    it("a replayed QR: PERMIT_USED", async () => {
      const { budgetId, family } = await one();
      const qr = await qrText(t, family, budgetId);
      await charge(deps(), { merchantId: shop.id, qr, amountCents: 1_00, idempotencyKey: key() });
      await refusedWithoutTx(qr, "PERMIT_USED");
      // Used, not under way: the till asks for a new QR.
      expect((await refusal(charge(deps(), { merchantId: shop.id, qr, amountCents: 1_00, idempotencyKey: key() }))).details.state).toBeUndefined();
    });

    it("an expired QR: PERMIT_EXPIRED", async () => {
      const { budgetId, family } = await one();
      await refusedWithoutTx(await qrText(t, family, budgetId, { overrides: { deadline: (await chainTime(t.provider)) - 1n } }), "PERMIT_EXPIRED");
    });

    it("a frozen budget: BUDGET_FROZEN", async () => {
      const { budgetId, family } = await one();
      const qr = await qrText(t, family, budgetId);
      await t.fund.freeze(budgetId);
      await refusedWithoutTx(qr, "BUDGET_FROZEN");
    });

    it("another fund's QR, where the shop takes no part: PERMIT_WRONG_FUND", async () => {
      const { budgetId, family } = ((await activeBudgets(t, 1, 300_00n, t.otherFund)) as [Budget])[0];
      await refusedWithoutTx(await qrText(t, family, budgetId, { fund: t.otherFund, fundIndex: t.fundIndex + 1 }), "PERMIT_WRONG_FUND");
    });

    it("a QR of the old phone after a rekey: PERMIT_INVALID_SIGNATURE", async () => {
      const { budgetId, family } = await one();
      const qr = await qrText(t, family, budgetId);
      await t.fund.rekey(budgetId, Wallet.createRandom().address);
      await refusedWithoutTx(qr, "PERMIT_INVALID_SIGNATURE");
    });

    it("a QR of a fund the backend does not know: FUND_UNKNOWN", async () => {
      const { budgetId, family } = await one();
      await refusedWithoutTx(await qrText(t, family, budgetId, { fundIndex: 9_999 }), "FUND_UNKNOWN");
    });

    it("at a suspended shop: MERCHANT_NOT_APPROVED", async () => {
      const suspended = await approvedMerchant(deps(), funds);
      await suspendMerchant(deps(), { merchantId: suspended.id, reason: "Onderzoek", staffUserId: STAFF_ID });
      const { budgetId, family } = await one();
      const qr = await qrText(t, family, budgetId);
      const sent = await laneTxCount(t);
      // One after the other: a second promise made at once would reject before anyone awaits it.
      for (const attempt of [() => lookupQr(deps(), { merchantId: suspended.id }, qr), () => charge(deps(), { merchantId: suspended.id, qr, amountCents: 1_00, idempotencyKey: key() })]) {
        expect((await refusal(attempt())).code).toBe("MERCHANT_NOT_APPROVED");
      }
      expect(await laneTxCount(t)).toBe(sent);
    });

    it("more than the QR allows: PERMIT_AMOUNT_EXCEEDED", async () => {
      const { budgetId, family } = await one();
      const qr = await qrText(t, family, budgetId, { overrides: { maxAmount: 50n } });
      const sent = await laneTxCount(t);
      expect((await refusal(charge(deps(), { merchantId: shop.id, qr, amountCents: 51, idempotencyKey: key() }))).code).toBe("PERMIT_AMOUNT_EXCEEDED");
      expect(await laneTxCount(t)).toBe(sent);
    });
  });

  describe("a charge whose process crashed", () => {
    const stale = { staleClaimMs: 1_000, clock: () => new Date(Date.now() + 60_000) };

    it("after paying: the retry finds the payment on chain and answers with its receipt, paying nothing more", async () => {
      const { budgetId, family } = await one();
      const qr = await qrText(t, family, budgetId, { overrides: { maxAmount: 1_000_00n } });
      const k = key();
      // The crashed request: claimed key `k`, paid (here: under another key), died before recording.
      const first = await charge(deps(), { merchantId: shop.id, qr, amountCents: 7_00, idempotencyKey: key() });
      await ctx.db.insertInto("idempotency_keys").values({
        scope: `charge:${shop.id}`, key: k,
        request_hash: hashOf(qr, 7_00),
      }).execute();
      const sent = await laneTxCount(t);

      // Long before the claim is stale: the chain shows the payment, so nothing is left to wait for.
      const receipt = await charge(deps({ waitForClaimMs: 100 }), { merchantId: shop.id, qr, amountCents: 7_00, idempotencyKey: k });
      expect(receipt).toMatchObject({ paymentId: first.paymentId, txHash: first.txHash, amountCents: 7_00, newBalanceCents: 293_00 });
      expect(await laneTxCount(t)).toBe(sent);
      expect((await t.fund.budgetOf(budgetId)).balance).toBe(293_00n);
    });

    it("before paying: the retry pays once", async () => {
      const { budgetId, family } = await one();
      const qr = await qrText(t, family, budgetId, { overrides: { maxAmount: 1_000_00n } });
      const k = key();
      expect(await idempotencyRepository(ctx.db).claim(`charge:${shop.id}`, k, hashOf(qr, 3_00))).toBe("claimed");
      const receipt = await charge(deps(stale), { merchantId: shop.id, qr, amountCents: 3_00, idempotencyKey: k });
      expect(receipt.paymentId).toBe(paymentIdOf(budgetId, 0n));
      expect((await t.fund.budgetOf(budgetId)).balance).toBe(297_00n);
      expect(await charge(deps(), { merchantId: shop.id, qr, amountCents: 3_00, idempotencyKey: k })).toEqual(receipt);
    });

    it("left by its till after paying: another key's charge of the same QR is refused as PERMIT_USED (the till may be selling again), while the left key's retry answers its payment", async () => {
      const { budgetId, family } = await one();
      const qr = await qrText(t, family, budgetId, { overrides: { maxAmount: 1_000_00n } });
      const scope = `charge:${shop.id}`;
      const left = key();
      // The left charge paid and died before recording: its key and the permit's claim are still pending.
      const first = await charge(deps(), { merchantId: shop.id, qr, amountCents: 6_00, idempotencyKey: key() });
      const permit = permitClaim(budgetId, scope, left);
      await ctx.db.updateTable("idempotency_keys").set({ status: "pending", response: null, request_hash: permit.requestHash })
        .where("scope", "=", permit.scope).where("key", "=", permit.key).execute();
      await ctx.db.insertInto("idempotency_keys").values({ scope, key: left, request_hash: hashOf(qr, 6_00) }).execute();
      const sent = await laneTxCount(t);

      const again = key();
      const used = await refusal(charge(deps(stale), { merchantId: shop.id, qr, amountCents: 6_00, idempotencyKey: again }));
      expect(used.code).toBe("PERMIT_USED");
      expect(used.details.state).toBeUndefined();
      expect(await laneTxCount(t)).toBe(sent);
      const retry = await charge(deps({ waitForClaimMs: 100 }), { merchantId: shop.id, qr, amountCents: 6_00, idempotencyKey: left });
      expect(retry).toMatchObject({ paymentId: first.paymentId, txHash: first.txHash, amountCents: 6_00, newBalanceCents: 294_00 });
      expect(await laneTxCount(t)).toBe(sent);
      expect((await t.fund.budgetOf(budgetId)).balance).toBe(294_00n);
    });

    it("left by its till before paying: another key's charge of the same QR pays once that claim is stale, and the left key's retry answers that payment", async () => {
      const { budgetId, family } = await one();
      const qr = await qrText(t, family, budgetId, { overrides: { maxAmount: 1_000_00n } });
      const scope = `charge:${shop.id}`;
      const [left, again] = [key(), key()];
      // The left charge claimed its key and the QR's permit, as a charge does, and sent nothing.
      const permit = permitClaim(budgetId, scope, left);
      expect(await idempotencyRepository(ctx.db).claimWith(scope, left, hashOf(qr, 5_00), permit)).toEqual({ claim: "claimed", alsoClaimed: true });
      const cmd = { merchantId: shop.id, qr, amountCents: 5_00, idempotencyKey: again };
      const sent = await laneTxCount(t);
      // While the left charge may still run, the QR is taken: the till hears that a charge of it is under way.
      expect(await refusal(charge(deps(), cmd))).toMatchObject({ code: "PERMIT_USED", details: { state: "charging" } });
      expect(await laneTxCount(t)).toBe(sent);

      const receipt = await charge(deps(stale), cmd);
      expect(receipt).toMatchObject({ paymentId: paymentIdOf(budgetId, 0n), amountCents: 5_00, newBalanceCents: 295_00 });
      expect(await laneTxCount(t)).toBe(sent + 1);
      expect(await charge(deps(), cmd)).toEqual(receipt);
      // The left key's retry finds the QR's payment, to this shop for this amount, on chain: its answer.
      const retry = await charge(deps({ waitForClaimMs: 100 }), { ...cmd, idempotencyKey: left });
      expect(retry).toMatchObject({ paymentId: receipt.paymentId, txHash: receipt.txHash, amountCents: 5_00 });
      expect(await laneTxCount(t)).toBe(sent + 1);
      expect((await t.fund.budgetOf(budgetId)).balance).toBe(295_00n);
      const payments = await ctx.db.selectFrom("payments").select("payment_id").where("budget_id", "=", budgetId.toLowerCase()).execute();
      expect(payments).toHaveLength(1);
    });
  });

  describe("a charge whose replica was killed before it paid", () => {
    /** A process's mark on its claims, its lock held. */
    const holder = async () => {
      const h = holdClaims({ db: ctx.db, kind: "postgres", intervalMs: 50, onError: (error) => { throw error; } });
      for (let i = 0; i < 200 && h.id === null; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(h.id).not.toBeNull();
      return h;
    };
    const started: ReturnType<typeof holdClaims>[] = [];
    afterEach(async () => {
      await Promise.all(started.splice(0).map((h) => h.stop()));
    });

    /**
     * A fresh budget's QR whose charge of 4 euros under key `k` a replica (`killed`, still running)
     * claimed, with the QR's permit, as a charge does, and sent nothing; `live` is another replica.
     */
    async function claimedByReplica() {
      const { budgetId, family } = await one();
      const qr = await qrText(t, family, budgetId, { overrides: { maxAmount: 1_000_00n } });
      const k = key();
      const scope = `charge:${shop.id}`;
      const [killed, live] = [await holder(), await holder()];
      started.push(killed, live);
      const permit = permitClaim(budgetId, scope, k);
      expect(await idempotencyRepository(ctx.db, killed.id).claimWith(scope, k, hashOf(qr, 4_00), permit)).toEqual({ claim: "claimed", alsoClaimed: true });
      return { budgetId, qr, k, permit, killed, live, cmd: { merchantId: shop.id, qr, amountCents: 4_00, idempotencyKey: k } };
    }

    it.skipIf(engine.name === "pglite")("is waited for while its replica runs, and paid once at once by the retry on another when it is gone", async () => {
      const { budgetId, k, permit, killed, live, cmd } = await claimedByReplica();
      const retry = () => charge(deps({ waitForClaimMs: 200, claims: live }), cmd);
      // While it runs it may still pay: the retry waits (here 200 ms) and hears CONFLICT.
      expect((await refusal(retry())).code).toBe("CONFLICT");
      await killed.stop();
      const sent = await laneTxCount(t);
      // Long before the claim's age (5 minutes) would let it.
      const receipt = await retry();
      expect(receipt).toMatchObject({ paymentId: paymentIdOf(budgetId, 0n), amountCents: 4_00, newBalanceCents: 296_00 });
      expect(await laneTxCount(t)).toBe(sent + 1);
      expect((await t.fund.budgetOf(budgetId)).balance).toBe(296_00n);
      expect(await retry()).toEqual(receipt);
      const claims = await ctx.db.selectFrom("idempotency_keys").select(["key", "status"]).where((w) => w.or([w("key", "=", k), w("key", "=", permit.key)])).execute();
      expect(claims.map((c) => c.status)).toEqual(["done", "done"]);
    });

    it.skipIf(engine.name === "pglite")("a charge of its QR under another key (another amount) pays at once when it is gone, and its own key's retry then hears PERMIT_USED", async () => {
      const { budgetId, qr, killed, live, cmd } = await claimedByReplica();
      const other = { merchantId: shop.id, qr, amountCents: 3_00, idempotencyKey: key() };
      const sent = await laneTxCount(t);
      expect(await refusal(charge(deps({ claims: live }), other))).toMatchObject({ code: "PERMIT_USED", details: { state: "charging" } });
      await killed.stop();
      const receipt = await charge(deps({ claims: live }), other);
      expect(receipt).toMatchObject({ paymentId: paymentIdOf(budgetId, 0n), amountCents: 3_00, newBalanceCents: 297_00 });
      expect(await laneTxCount(t)).toBe(sent + 1);
      // The killed replica's charge (4 euros) cannot pay any more: the QR paid 3.
      expect((await refusal(charge(deps({ claims: live, waitForClaimMs: 100 }), cmd))).code).toBe("PERMIT_USED");
      expect(await laneTxCount(t)).toBe(sent + 1);
      expect((await t.fund.budgetOf(budgetId)).balance).toBe(297_00n);
    });

    it.skipIf(engine.name === "pglite")("answers the killed replica's own payment when it is mined after the retry looked, and pays nothing more", async () => {
      const { budgetId, killed, live, cmd } = await claimedByReplica();
      await killed.stop();
      // The killed replica's transaction, still waiting for its block, is mined just before the retry's.
      let late: { txHash: string } | undefined;
      const base = deps();
      const fund = (address: string) => {
        const client = base.fund(address);
        let asked: Parameters<typeof client.simulatePay> | undefined;
        const own = {
          simulatePay: (...args: Parameters<typeof client.simulatePay>) => ((asked = args), client.simulatePay(...args)),
          paySimulated: async (simulated: Parameters<typeof client.paySimulated>[0]) => {
            late ??= await client.pay(...asked!);
            return client.paySimulated(simulated);
          },
        };
        return new Proxy(client, {
          get: (target, name) => {
            if (name in own) return own[name as keyof typeof own];
            const value: unknown = Reflect.get(target, name, target);
            return typeof value === "function" ? value.bind(target) : value;
          },
        });
      };
      const receipt = await charge({ ...deps({ claims: live }), fund }, cmd);
      expect(late).toBeDefined();
      expect(receipt).toMatchObject({ paymentId: paymentIdOf(budgetId, 0n), txHash: late!.txHash.toLowerCase(), amountCents: 4_00, newBalanceCents: 296_00 });
      expect((await t.fund.budgetOf(budgetId)).balance).toBe(296_00n);
      expect(await charge(deps(), cmd)).toEqual(receipt);
    });
  });

  describe("refund and list", () => {
    it("refunds part of the shop's own payment to the budget; more than is left is REFUND_EXCEEDED", async () => {
      const { budgetId, family } = await one();
      const paid = await charge(deps(), { merchantId: shop.id, qr: await qrText(t, family, budgetId), amountCents: 20_00, idempotencyKey: key() });
      const refunded = await refund(deps(), { merchantId: shop.id, paymentId: paid.paymentId, amountCents: 5_00 });
      expect(refunded).toMatchObject({ paymentId: paid.paymentId, amountCents: 5_00, refundableCents: 15_00 });
      expect((await t.fund.budgetOf(budgetId)).balance).toBe(285_00n);
      expect((await refusal(refund(deps(), { merchantId: shop.id, paymentId: paid.paymentId, amountCents: 15_01 }))).code).toBe("REFUND_EXCEEDED");
      const rows = await ctx.db.selectFrom("refunds").selectAll().where("payment_id", "=", paid.paymentId).execute();
      expect(rows.map((r) => r.amount_cents)).toEqual([5_00n]);
    });

    it("refuses another shop's payment as PAYMENT_UNKNOWN and sends nothing", async () => {
      const other = await approvedMerchant(deps(), funds);
      const { budgetId, family } = await one();
      const paid = await charge(deps(), { merchantId: other.id, qr: await qrText(t, family, budgetId), amountCents: 20_00, idempotencyKey: key() });
      const sent = await laneTxCount(t);
      expect((await refusal(refund(deps(), { merchantId: shop.id, paymentId: paid.paymentId, amountCents: 1_00 }))).code).toBe("PAYMENT_UNKNOWN");
      expect((await refusal(refund(deps(), { merchantId: shop.id, paymentId: "0x" + "ab".repeat(32), amountCents: 1_00 }))).code).toBe("PAYMENT_UNKNOWN");
      expect(await laneTxCount(t)).toBe(sent);
    });

    it("lists a shop's payments in a range with their totals, refunds subtracted", async () => {
      const lonely = await approvedMerchant(deps(), funds);
      const budgets = await activeBudgets(t, 3);
      const start = new Date(Number(await chainTime(t.provider)) * 1000);
      const paid = [];
      for (const [i, b] of budgets.entries()) {
        paid.push(await charge(deps(), { merchantId: lonely.id, qr: await qrText(t, b.family, b.budgetId), amountCents: (i + 1) * 10_00, idempotencyKey: key() }));
      }
      await refund(deps(), { merchantId: lonely.id, paymentId: paid[0]!.paymentId, amountCents: 2_50 });
      const list = await listPayments(deps(), lonely.id, start, new Date(start.getTime() + 86_400_000));
      expect(list.totals).toEqual({ count: 3, amountCents: 60_00, refundedCents: 2_50, netCents: 57_50 });
      expect(list.payments.map((p) => p.paymentId)).toEqual(paid.map((p) => p.paymentId).reverse());
      expect(list.payments.at(-1)!.refundedCents).toBe(2_50);
      const none = await listPayments(deps(), lonely.id, new Date(0), new Date(1000));
      expect(none.totals.count).toBe(0);
    });
  });
});
