// A node that answers slowly, behind a JSON-RPC proxy that holds back the answer to a payment's send:
// the charge is refused CHAIN_TIMEOUT (the till: "try again, it is never charged twice") instead of
// waiting on, and the till's retry with the same idempotency key finds the payment on chain (the node
// took it) or finishes it (the node never got it). Either way the budget pays once. On a real node and
// both database engines.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { Network } from "ethers";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FundClient, paymentIdOf } from "../../../src/chain/fund-client.ts";
import { HttpJsonRpcProvider } from "../../../src/chain/http-provider.ts";
import { findPaymentEvent } from "../../../src/chain/payment-logs.ts";
import { Relayer } from "../../../src/chain/relayer.ts";
import type { Merchant } from "../../../src/domain/merchants/merchants.service.ts";
import { charge } from "../../../src/domain/payments/payments.service.ts";
import { ENGINES, useDatabase } from "../../support/engines.ts";
import { type TestChain, activeBudgets, devKey, startTestChain } from "../../chain/harness.ts";
import { type ChainFunds, approvedMerchant, depsFor, qrText, refusal, seedChainFunds, CHAIN_ENGINE } from "./support.ts";

/** How the proxy treats a request that sends a transaction. */
type SendMode = "pass" | "late" | "lost";

/** Waits longer than the backend's provider does: the answer comes too late, or never. */
const HOLD_MS = 2_500;
const PROVIDER_TIMEOUT_MS = 1_000;

let t: TestChain;
let proxy: Server;
let mode: SendMode = "pass";
let relayer: Relayer;
const held = new Set<ServerResponse>();

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function relay(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const text = await body(req);
  const payload = JSON.parse(text) as { method: string } | { method: string }[];
  const sends = (Array.isArray(payload) ? payload : [payload]).some((p) => p.method === "eth_sendRawTransaction");
  const forward = async () => (await fetch(t.chain.url, { method: "POST", headers: { "content-type": "application/json" }, body: text })).text();
  if (!sends || mode === "pass") {
    res.setHeader("content-type", "application/json").end(await forward());
    return;
  }
  held.add(res);
  // "late": the node takes the transaction at once and answers after the backend stopped waiting.
  const answer = mode === "late" ? await forward() : null;
  await new Promise((r) => setTimeout(r, HOLD_MS));
  held.delete(res);
  if (answer === null) res.destroy();
  else if (!res.destroyed) res.setHeader("content-type", "application/json").end(answer);
}

beforeAll(async () => {
  t = await startTestChain(CHAIN_ENGINE);
  proxy = createServer((req, res) => void relay(req, res).catch(() => res.destroy()));
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  // Payments need no role: a lane of its own, talking to the node through the proxy.
  const provider = new HttpJsonRpcProvider(url, Network.from(t.chainId), {
    staticNetwork: true, cacheTimeout: -1, batchStallTime: 0, timeoutMs: PROVIDER_TIMEOUT_MS,
  });
  relayer = new Relayer({ provider, keys: [devKey(7)], pollIntervalMs: 20 });
}, 120_000);
afterAll(async () => {
  for (const res of held) res.destroy();
  relayer?.provider.destroy();
  await new Promise((r) => proxy?.close(r));
  await t?.stop();
});

describe.each(ENGINES)("a slow node on $name", (engine) => {
  const ctx = useDatabase(engine);
  let funds: ChainFunds;
  let shop: Merchant;
  const clients = new Map<string, FundClient>();
  const deps = () => ({
    ...depsFor(ctx.db, t),
    fund: (address: string) => {
      if (!clients.has(address)) clients.set(address, new FundClient(relayer, address));
      return clients.get(address)!;
    },
    // The retry of a charge whose transaction the node never got may act after this long.
    staleClaimMs: HOLD_MS,
  });
  beforeEach(async () => {
    mode = "pass";
    funds ??= await seedChainFunds(ctx.db, t);
    shop ??= await approvedMerchant(depsFor(ctx.db, t), funds);
  });

  async function payments(budgetId: string) {
    const found = [];
    for (let nonce = 0n; nonce < 3n; nonce++) {
      const event = await findPaymentEvent(t.fund, paymentIdOf(budgetId, nonce));
      if (event) found.push(event);
    }
    return found;
  }

  it("answers CHAIN_TIMEOUT when the node takes the payment but answers too late; the retry with the same key finds it", async () => {
    const [{ budgetId, family }] = (await activeBudgets(t, 1, 100_00n)) as [Awaited<ReturnType<typeof activeBudgets>>[number]];
    const command = { merchantId: shop.id, qr: await qrText(t, family, budgetId), amountCents: 7_50, idempotencyKey: randomUUID() };

    mode = "late";
    const timedOut = await refusal(charge(deps(), command));
    expect(timedOut.code).toBe("CHAIN_TIMEOUT");
    expect(timedOut.status).toBe(504);

    mode = "pass";
    const receipt = await charge(deps(), command);
    expect(receipt).toMatchObject({ paymentId: paymentIdOf(budgetId, 0n), amountCents: 7_50, newBalanceCents: 92_50, fundId: funds.fundId });
    expect(await charge(deps(), command)).toEqual(receipt);
    expect(await payments(budgetId)).toHaveLength(1);
    expect((await t.fund.budgetOf(budgetId)).balance).toBe(92_50n);
  }, 60_000);

  it("answers CHAIN_TIMEOUT when the node never gets the payment; the retry with the same key finishes it, once", async () => {
    const [{ budgetId, family }] = (await activeBudgets(t, 1, 100_00n)) as [Awaited<ReturnType<typeof activeBudgets>>[number]];
    const command = { merchantId: shop.id, qr: await qrText(t, family, budgetId), amountCents: 12_00, idempotencyKey: randomUUID() };

    mode = "lost";
    expect((await refusal(charge(deps(), command))).code).toBe("CHAIN_TIMEOUT");
    expect(await payments(budgetId)).toHaveLength(0);

    mode = "pass";
    const receipt = await charge(deps(), command);
    expect(receipt).toMatchObject({ paymentId: paymentIdOf(budgetId, 0n), amountCents: 12_00, newBalanceCents: 88_00 });
    expect(await charge(deps(), command)).toEqual(receipt);
    expect(await payments(budgetId)).toHaveLength(1);
    expect((await t.fund.budgetOf(budgetId)).balance).toBe(88_00n);
  }, 60_000);
});
