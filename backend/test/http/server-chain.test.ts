// startServer with a chain: the deployment file and RELAYER_PRIVATE_KEYS give the fund routes their
// factory, fund clients and sponsor (the relayer's first lane, which holds FUND_CREATOR_ROLE).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HealthSchema, createApiClient } from "@tegoed/sdk";
import { loadConfig } from "../../src/config.ts";
import { startServer } from "../../src/server.ts";
import { LANE_KEYS } from "../chain/harness.ts";
import { startDomainChain, type DomainChain } from "../domain/eligibility/support.ts";
import { PASSWORD, SECRET, randomEmail } from "./harness.ts";

let chain: DomainChain;
beforeAll(async () => {
  chain = await startDomainChain();
});
afterAll(async () => {
  await chain?.t.stop();
});

describe("startServer with a deployment file and RELAYER_PRIVATE_KEYS", () => {
  it("creates a fund through the factory and records a deposit for the relayer's first lane", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tegoed-server-"));
    const deploymentFile = join(dir, "deployment.json");
    writeFileSync(deploymentFile, JSON.stringify({
      chainId: Number(chain.t.chainId), rpcUrl: chain.t.chain.url, factory: chain.t.factoryAddress, fundImplementation: chain.t.factoryAddress,
      deployedAtBlock: 0, deployedAt: new Date().toISOString(), funds: [],
    }));
    const email = randomEmail("boot");
    const config = loadConfig({
      DATA_DIR: "memory://", PORT: "0", SESSION_SECRET: SECRET, DEPLOYMENT_FILE: deploymentFile,
      RELAYER_PRIVATE_KEYS: LANE_KEYS.join(","), STAFF_ADMIN_EMAIL: email, STAFF_ADMIN_PASSWORD: PASSWORD,
    });
    const running = await startServer(config, { error: () => {}, info: () => {} });
    try {
      const client = createApiClient({ baseUrl: `http://127.0.0.1:${running.port}` });
      const { user } = await client.staff.login({ email, password: PASSWORD });
      await client.staff.updateUser(user.id, { roles: ["admin", "finance"] });
      const fund = await client.funds.create({ name: "Kindpakket 2028", amountPerChildCents: 300_00, budgetExpiry: `${new Date().getUTCFullYear() + 1}-06-30` });
      expect(await chain.t.provider.getCode(fund.chainAddress)).not.toBe("0x");
      expect(await client.funds.deposit(fund.id, { amountCents: 600_00, bankReference: "NL91-2026-001" })).toMatchObject({ amountCents: 600_00, reserveCents: 600_00 });
      expect(await chain.fundClient(fund.chainAddress).reserveOf(chain.t.relayer.addresses[0]!)).toBe(600_00n);
    } finally {
      await running.close();
    }
  });
});

describe("startServer with a deployment file and no RELAYER_PRIVATE_KEYS", () => {
  function deploymentFile(chainId: number): string {
    const dir = mkdtempSync(join(tmpdir(), "tegoed-server-"));
    const file = join(dir, "deployment.json");
    writeFileSync(file, JSON.stringify({
      chainId, rpcUrl: chain.t.chain.url, factory: chain.t.factoryAddress, fundImplementation: chain.t.factoryAddress,
      deployedAtBlock: 0, deployedAt: new Date().toISOString(), funds: [],
    }));
    return file;
  }

  async function start(chainId: number) {
    const email = randomEmail("boot");
    const config = loadConfig({
      DATA_DIR: "memory://", PORT: "0", SESSION_SECRET: SECRET, DEPLOYMENT_FILE: deploymentFile(chainId),
      STAFF_ADMIN_EMAIL: email, STAFF_ADMIN_PASSWORD: PASSWORD,
    });
    const running = await startServer(config, { error: () => {}, info: () => {} });
    const client = createApiClient({ baseUrl: `http://127.0.0.1:${running.port}` });
    const { user } = await client.staff.login({ email, password: PASSWORD });
    return { running, client, user };
  }

  it("on a local chain (31337): relays with the first development key, and runs the indexer (its lag in /api/health)", async () => {
    const { running, client } = await start(Number(chain.t.chainId));
    try {
      const fund = await client.funds.create({ name: "Kindpakket dev", amountPerChildCents: 300_00, budgetExpiry: `${new Date().getUTCFullYear() + 1}-06-30` });
      expect(await chain.t.provider.getCode(fund.chainAddress)).not.toBe("0x");
      const health = HealthSchema.parse(await client.request("GET", "/api/health"));
      const headAfter = await chain.t.provider.getBlockNumber();
      expect(health.indexer).toMatchObject({ ok: true, lagBlocks: expect.any(Number) });
      // The real chain probe: the node's own id and head, the contracts of the deployment file.
      expect(health.chain).toEqual({
        ok: true, chainId: Number(chain.t.chainId), blockNumber: expect.any(Number),
        contracts: { factory: chain.t.factoryAddress, fundImplementation: chain.t.factoryAddress, funds: [] },
      });
      const { blockNumber } = health.chain as { blockNumber: number };
      // A head the node really had (the server's provider may answer one it read a moment ago).
      expect(blockNumber).toBeGreaterThan(0);
      expect(blockNumber).toBeLessThanOrEqual(headAfter);
    } finally {
      await running.close();
    }
  });

  it("on any other chain: no key is assumed; chain routes answer 503 CHAIN_UNAVAILABLE", async () => {
    const { running, client } = await start(100);
    try {
      const error = await client.funds
        .create({ name: "Kindpakket", amountPerChildCents: 300_00, budgetExpiry: `${new Date().getUTCFullYear() + 1}-06-30` })
        .then(() => null, (e: { code: string; status: number }) => e);
      expect(error).toMatchObject({ code: "CHAIN_UNAVAILABLE", status: 503 });
    } finally {
      await running.close();
    }
  });
});
