// A charge's outcome, recorded when its payment is mined. Charges answered together (one batch of
// payments, one receipt) share one statement: each still completes only its own pending key and
// permit, inserts its own payment and audit line, and hears whether it did, on both engines.
import type { KyselyPlugin } from "kysely";
import { describe, expect, it } from "vitest";
import { chainIndexRepository } from "../../src/db/chain-index.repository.ts";
import { idempotencyRepository } from "../../src/db/idempotency.repository.ts";
import type { Db } from "../../src/db/transaction.ts";
import { paymentsRepository } from "../../src/domain/payments/payments.repository.ts";
import { ENGINES, useDatabase } from "../support/engines.ts";
import { paymentEvent, randomAddress, randomUUID, seedFund } from "../support/fixtures.ts";

/** The same database, counting the statements sent through it. */
function counting(db: Db): { db: Db; statements: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      n++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: db.withPlugin(plugin), statements: () => n };
}

describe.each(ENGINES)("recording charges on $name", (engine) => {
  const ctx = useDatabase(engine);

  /** A charge claimed as the charge path claims it: its key, and the QR's permit with it. */
  async function claimed(fund: { id: string; chain_address: string }, merchant: string, scope: string, i: number) {
    const event = paymentEvent(fund.chain_address, { merchant, amountCents: BigInt(100 + i), nonce: BigInt(i), logIndex: i });
    const permit = { scope: "permit", key: `${event.budgetId}:${i}`, requestHash: `${scope}:key-${i}` };
    const { claim, alsoClaimed } = await idempotencyRepository(ctx.db).claimWith(scope, `key-${i}`, `hash-${i}`, permit);
    expect([claim, alsoClaimed]).toEqual(["claimed", true]);
    return { event, permit };
  }

  function record(db: Db, fundId: string, scope: string, i: number, c: Awaited<ReturnType<typeof claimed>>) {
    const { event } = c;
    return paymentsRepository(db).recordCharge(
      { ...event, fundId },
      { scope, key: `key-${i}`, response: { paymentId: event.paymentId, amountCents: Number(event.amountCents) } },
      { actorId: randomUUID(), details: { charge: i } },
      { scope: c.permit.scope, key: c.permit.key },
    );
  }

  it("records 30 charges answered together in one statement, each with its own key, permit, payment and audit line", async () => {
    const fund = await seedFund(ctx.db);
    const merchant = randomAddress();
    const scope = `merchant:${randomUUID()}`;
    const charges = await Promise.all(Array.from({ length: 30 }, (_, i) => claimed(fund, merchant, scope, i)));
    // A 31st whose key another attempt completed already: it records nothing and says so.
    const late = await claimed(fund, merchant, scope, 30);
    await idempotencyRepository(ctx.db).complete(scope, "key-30", { paymentId: "answered before" });

    const { db, statements } = counting(ctx.db);
    const answers = await Promise.all([...charges, late].map((c, i) => record(db, fund.id, scope, i, c)));
    expect(answers).toEqual([...Array<boolean>(30).fill(true), false]);
    expect(statements()).toBe(1);

    const payments = await ctx.db.selectFrom("payments").select(["payment_id", "amount_cents", "nonce", "merchant", "fund_id"]).where("merchant", "=", merchant).orderBy("nonce").execute();
    expect(payments).toEqual(charges.map(({ event }, i) => ({
      payment_id: event.paymentId.toLowerCase(), amount_cents: BigInt(100 + i), nonce: BigInt(i), merchant: merchant.toLowerCase(), fund_id: fund.id,
    })));
    const keys = await ctx.db.selectFrom("idempotency_keys").select(["key", "status", "response"]).where("scope", "=", scope).orderBy("created_at").orderBy("key").execute();
    expect(keys.find((k) => k.key === "key-7")).toEqual({ key: "key-7", status: "done", response: { paymentId: charges[7]!.event.paymentId, amountCents: 107 } });
    expect(keys.find((k) => k.key === "key-30")!.response).toEqual({ paymentId: "answered before" });
    expect(keys.every((k) => k.status === "done")).toBe(true);
    const permits = await ctx.db.selectFrom("idempotency_keys").select(["key", "status", "response"]).where("scope", "=", "permit").where("key", "in", [...charges, late].map((c) => c.permit.key)).execute();
    const permitOf = new Map(permits.map((p) => [p.key, p]));
    for (const { event, permit } of charges) expect(permitOf.get(permit.key)).toMatchObject({ status: "done", response: event.paymentId.toLowerCase() });
    expect(permitOf.get(late.permit.key)).toMatchObject({ status: "pending", response: null });
    const audit = await ctx.db.selectFrom("audit_log").select(["subject_id", "details"]).where("action", "=", "payment.charge")
      .where("subject_id", "in", [...charges, late].map((c) => c.event.paymentId.toLowerCase())).execute();
    expect(audit.map((a) => (a.details as { charge: number }).charge).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it("completes the key when the indexer stored the payment first, and keeps one row of it", async () => {
    const fund = await seedFund(ctx.db);
    const merchant = randomAddress();
    const scope = `merchant:${randomUUID()}`;
    const [a, b] = [await claimed(fund, merchant, scope, 0), await claimed(fund, merchant, scope, 1)];
    await chainIndexRepository(ctx.db).applyChainEvents("test", 10, [a.event]);
    expect(await Promise.all([record(ctx.db, fund.id, scope, 0, a), record(ctx.db, fund.id, scope, 1, b)])).toEqual([true, true]);
    const rows = await ctx.db.selectFrom("payments").select("payment_id").where("merchant", "=", merchant).execute();
    expect(rows.map((r) => r.payment_id).sort()).toEqual([a.event.paymentId, b.event.paymentId].map((id) => id.toLowerCase()).sort());
  });

  it("records the same key given twice at once only once: the first says true, the second false", async () => {
    const fund = await seedFund(ctx.db);
    const merchant = randomAddress();
    const scope = `merchant:${randomUUID()}`;
    const c = await claimed(fund, merchant, scope, 0);
    expect(await Promise.all([record(ctx.db, fund.id, scope, 0, c), record(ctx.db, fund.id, scope, 0, c)])).toEqual([true, false]);
    const audit = await ctx.db.selectFrom("audit_log").select("id").where("subject_id", "=", c.event.paymentId.toLowerCase()).execute();
    expect(audit).toHaveLength(1);
  });

  it("fails only the charge the database refuses; the others answered with it are recorded", async () => {
    const fund = await seedFund(ctx.db);
    const merchant = randomAddress();
    const scope = `merchant:${randomUUID()}`;
    const charges = await Promise.all([0, 1, 2].map((i) => claimed(fund, merchant, scope, i)));
    // The middle one names a fund that does not exist: its payment row breaks the foreign key.
    const answers = await Promise.allSettled(charges.map((c, i) => record(ctx.db, i === 1 ? randomUUID() : fund.id, scope, i, c)));
    expect(answers.map((a) => a.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const keys = await ctx.db.selectFrom("idempotency_keys").select(["key", "status"]).where("scope", "=", scope).orderBy("key").execute();
    expect(keys).toEqual([{ key: "key-0", status: "done" }, { key: "key-1", status: "pending" }, { key: "key-2", status: "done" }]);
    const rows = await ctx.db.selectFrom("payments").select("nonce").where("merchant", "=", merchant).orderBy("nonce").execute();
    expect(rows).toEqual([{ nonce: 0n }, { nonce: 2n }]);
  });
});
