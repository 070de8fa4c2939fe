// The indexer's confirmation of payments the till recorded first: exactly the payments at the given
// chain positions are marked, once, whatever the case of the hashes and however many there are.
import { describe, expect, it } from "vitest";
import { chainIndexRepository } from "../../src/db/chain-index.repository.ts";
import { paymentsRepository } from "../../src/domain/payments/payments.repository.ts";
import { ENGINES, useDatabase } from "../support/engines.ts";
import { paymentEvent, randomAddress, seedFund } from "../support/fixtures.ts";

describe.each(ENGINES)("confirming payments on $name", (engine) => {
  const ctx = useDatabase(engine);

  it("marks the payments at the given positions, and no other", async () => {
    const fund = await seedFund(ctx.db);
    const merchant = randomAddress();
    // Two payments in one transaction (log 0 and 1), one in another, 1,200 in a third: more than one chunk of the old way.
    const [a, b, c] = [paymentEvent(fund.chain_address, { merchant }), paymentEvent(fund.chain_address, { merchant }), paymentEvent(fund.chain_address, { merchant })];
    b.txHash = a.txHash;
    b.logIndex = 1;
    const many = Array.from({ length: 1_200 }, (_, i) => paymentEvent(fund.chain_address, { merchant, txHash: `0x${"ab".repeat(32)}`, logIndex: i }));
    await chainIndexRepository(ctx.db).applyChainEvents("test", 10, [a, b, c, ...many]);
    await ctx.db.updateTable("payments").set({ confirmed_at: null }).execute();

    const at = new Date("2027-03-06T15:00:00Z");
    await paymentsRepository(ctx.db).confirmPayments([{ txHash: a.txHash.toUpperCase().replace("0X", "0x"), logIndex: 1 }, ...many.map((p) => ({ txHash: p.txHash, logIndex: p.logIndex }))], at);

    const rows = await ctx.db.selectFrom("payments").select(["payment_id", "confirmed_at"]).execute();
    const confirmed = new Set(rows.filter((r) => r.confirmed_at?.getTime() === at.getTime()).map((r) => r.payment_id));
    expect(confirmed.has(b.paymentId.toLowerCase())).toBe(true);
    expect(confirmed.has(a.paymentId.toLowerCase())).toBe(false);
    expect(confirmed.has(c.paymentId.toLowerCase())).toBe(false);
    expect(confirmed.size).toBe(1_201);
    // A second confirmation leaves the first time as it was.
    await paymentsRepository(ctx.db).confirmPayments([{ txHash: b.txHash, logIndex: 1 }], new Date("2027-03-07T00:00:00Z"));
    const again = await ctx.db.selectFrom("payments").select("confirmed_at").where("payment_id", "=", b.paymentId.toLowerCase()).executeTakeFirstOrThrow();
    expect(again.confirmed_at).toEqual(at);
  });
});
