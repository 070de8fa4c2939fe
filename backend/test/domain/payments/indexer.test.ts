// The chain indexer on a real Hardhat node and both database engines: every payment exactly once
// across a stop and a new instance, confirmations respected, lag reported, one leader on PostgreSQL.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { readFundEvents } from "../../../src/chain/events.ts";
import { chainIndexRepository } from "../../../src/db/chain-index.repository.ts";
import type { Merchant } from "../../../src/domain/merchants/merchants.service.ts";
import { createIndexer, type Indexer } from "../../../src/domain/indexer/indexer.ts";
import { charge, listPayments } from "../../../src/domain/payments/payments.service.ts";
import { ENGINES, useDatabase } from "../../support/engines.ts";
import { Contract } from "ethers";
import { fundFactoryAbi } from "@tegoed/sdk";
import { FundClient } from "../../../src/chain/fund-client.ts";
import { FUND_ROLES, createFund, grantFundRoles } from "../../../../scripts/lib/deploy.ts";
import { devWallet } from "../../../../scripts/lib/local-chain.ts";
import { DAY, type TestChain, activeBudgets, chainTime, signPermit, startTestChain } from "../../chain/harness.ts";
import { type ChainFunds, approvedMerchant, depsFor, qrText, seedChainFunds, CHAIN_ENGINE } from "./support.ts";

let t: TestChain;
beforeAll(async () => {
  t = await startTestChain(CHAIN_ENGINE);
});
afterAll(async () => {
  await t?.stop();
});

const until = async (what: string, condition: () => Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe.each(ENGINES)("indexer on $name", (engine) => {
  const ctx = useDatabase(engine);
  let funds: ChainFunds;
  let shop: Merchant;
  const running: Indexer[] = [];
  const indexer = (options: Partial<Parameters<typeof createIndexer>[0]> = {}) => {
    const made = createIndexer({ db: ctx.db, dbKind: ctx.kind, provider: t.provider, pollIntervalMs: 20, onError: () => {}, ...options });
    running.push(made);
    return made;
  };
  beforeEach(async () => {
    funds ??= await seedChainFunds(ctx.db, t);
    shop ??= await approvedMerchant(depsFor(ctx.db, t), funds);
  });
  afterAll(async () => {
    await Promise.all(running.map((i) => i.stop()));
  });

  /** Pays directly on chain (not through the service), so only the indexer can store it. */
  async function payDirect(count: number, amount = 4_00n) {
    const budgets = await activeBudgets(t, count);
    const ids: string[] = [];
    for (const b of budgets) {
      const { permit, signature } = await signPermit(t, b.family, t.fund, b.budgetId);
      ids.push((await t.fund.pay(permit, signature, shop.chainAddress!, amount)).paymentId);
    }
    return { ids, budgets };
  }

  async function chainPaymentIds(): Promise<string[]> {
    const head = await t.provider.getBlockNumber();
    const events = await readFundEvents({ provider: t.provider, funds: [t.fundAddress, t.otherFundAddress], fromBlock: 0, toBlock: head });
    return events.filter((e) => e.kind === "payment").map((e) => e.paymentId.toLowerCase());
  }

  it("stores every payment exactly once when stopped mid-stream and resumed by a new instance", async () => {
    const early = await payDirect(4);
    const a = indexer({ maxBlocksPerStep: 3, cursorName: "resume" });
    await a.step();
    await a.step();
    const mid = await chainIndexRepository(ctx.db).getCursor(`resume:${t.fundAddress.toLowerCase()}`);
    expect(mid).toBe(5);
    a.start();
    await a.stop();
    expect(a.running).toBe(false);
    const stoppedAt = (await chainIndexRepository(ctx.db).getCursor(`resume:${t.fundAddress.toLowerCase()}`))!;
    expect(stoppedAt).toBeLessThan(await t.provider.getBlockNumber());

    const late = await payDirect(3);
    const { family, budgetId } = (await activeBudgets(t, 1))[0]!;
    const charged = await charge(depsFor(ctx.db, t), {
      merchantId: shop.id, qr: await qrText(t, family, budgetId), amountCents: 9_00, idempotencyKey: randomUUID(),
    });
    await t.fund.refund(late.budgets[0]!.budgetId, 0n, 1_00n);

    const b = indexer({ maxBlocksPerStep: 7, cursorName: "resume" });
    b.start();
    await until("the new indexer to catch up", async () => (await b.lag()).blocks === 0);
    await b.stop();

    const stored = await ctx.db.selectFrom("payments").select("payment_id").execute();
    const onChain = await chainPaymentIds();
    expect(stored.map((r) => r.payment_id).sort()).toEqual([...onChain].sort());
    expect(new Set(onChain).size).toBe(onChain.length);
    for (const id of [...early.ids, ...late.ids, charged.paymentId]) expect(onChain).toContain(id.toLowerCase());
    const refunds = await chainIndexRepository(ctx.db).listRefunds(late.ids[0]!);
    expect(refunds.map((r) => r.amountCents)).toEqual([1_00n]);

    // The charge's own row is now confirmed by the indexer.
    const listed = await listPayments(depsFor(ctx.db, t), shop.id, new Date(0), new Date(Date.now() + 86_400_000));
    expect(listed.payments.find((p) => p.paymentId === charged.paymentId)?.confirmed).toBe(true);
    expect(listed.payments.every((p) => p.confirmed)).toBe(true);

    // Running it again over the same blocks changes nothing.
    await indexer({ cursorName: "again" }).catchUp();
    expect(await ctx.db.selectFrom("payments").select("payment_id").execute()).toHaveLength(stored.length);
  });

  it("stores a payment only once it has the configured number of confirmations, and reports its lag", async () => {
    const c = indexer({ confirmations: 3, cursorName: "confirmations" });
    await c.catchUp();
    const { ids: [paymentId] } = await payDirect(1);
    const paidAt = await t.provider.getBlockNumber();
    await c.catchUp();
    const cursor = () => chainIndexRepository(ctx.db).getCursor(`confirmations:${t.fundAddress.toLowerCase()}`);
    expect(await cursor()).toBe(paidAt - 2);
    const has = async () => (await ctx.db.selectFrom("payments").select("payment_id").where("payment_id", "=", paymentId!).execute()).length;
    expect(await has()).toBe(0);
    expect((await c.lag()).blocks).toBe(2);

    await t.provider.send("evm_mine", []);
    await c.catchUp();
    expect(await has()).toBe(0);
    await t.provider.send("evm_mine", []);
    await c.catchUp();
    expect(await has()).toBe(1);
    expect(await cursor()).toBe(paidAt);
    const lag = await c.lag();
    expect(lag).toMatchObject({ blocks: 2, cursorBlock: paidAt, headBlock: paidAt + 2 });
    expect(lag.ms).toBeGreaterThanOrEqual(0);
  });

  it("reads a fund registered after the indexer passed its blocks from the start (no gap)", async () => {
    const admin = devWallet(t.provider, 0);
    const factory = new Contract(t.factoryAddress, fundFactoryAbi, admin);
    const created = await createFund(factory, {
      admin: admin.address, name: `Late ${engine.name}`, currency: "EUR", defaultBudgetExpiry: (await chainTime(t.provider)) + 365n * DAY,
    });
    await grantFundRoles(created.fund, Object.fromEntries(FUND_ROLES.map((role) => [role, t.relayer.addresses])));
    const late = new FundClient(t.relayer, created.address);
    await late.approveMerchant(shop.chainAddress!, 1);
    const [budget] = await activeBudgets(t, 1, 300_00n, late);
    const { permit, signature } = await signPermit(t, budget!.family, late, budget!.budgetId);
    const { paymentId } = await late.pay(permit, signature, shop.chainAddress!, 2_00n);

    const d = indexer({ cursorName: "late" });
    await d.catchUp(); // the new fund is not registered yet: its payment is not read
    const has = async () => (await ctx.db.selectFrom("payments").select("payment_id").where("payment_id", "=", paymentId.toLowerCase()).execute()).length;
    expect(await has()).toBe(0);

    await ctx.db.insertInto("funds").values({
      chain_address: created.address.toLowerCase(), factory_index: created.index, name: "Late", amount_per_child_cents: 300_00n,
      budget_expiry: "2027-12-31", payout_schedule: JSON.stringify({ kind: "daily" }),
    }).execute();
    expect((await d.lag()).cursorBlock).toBeNull();
    await d.catchUp();
    expect(await has()).toBe(1);
    expect((await d.lag()).blocks).toBe(0);
  });

  it.skipIf(engine.name !== "postgres")("lets one of two instances index at a time (advisory lock), the other takes over", async () => {
    const first = indexer({ cursorName: "leader", lockKey: 4242 });
    const second = indexer({ cursorName: "leader", lockKey: 4242 });
    first.start();
    await until("a leader", async () => first.leader);
    second.start();
    await new Promise((r) => setTimeout(r, 200));
    expect(second.leader).toBe(false);
    await first.stop();
    await until("the second to take over", async () => second.leader);
    await second.stop();
  });
});
