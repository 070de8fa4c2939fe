// `npm start` as a newcomer runs it: the chain, the contracts, the backend with the three apps and the
// Zuidhorn demo; health is green, the demo logins work, the apps are served; Ctrl-C (SIGTERM here)
// stops everything; a second start goes on with the same data instead of seeding again.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createApiClient } from "@tegoed/sdk";
import { ROOT } from "../../scripts/lib/artifacts.ts";
import { HDNodeWallet, JsonRpcProvider, Mnemonic, Wallet, parseEther } from "ethers";
import { freePort, startLocalChain } from "../../scripts/lib/local-chain.ts";

describe("npm start", () => {
  const children: ReturnType<typeof spawn>[] = [];
  const folder = mkdtempSync(join(tmpdir(), "tegoed-start-"));
  afterAll(() => {
    children.forEach((c) => c.exitCode === null && c.kill("SIGKILL"));
    rmSync(folder, { recursive: true, force: true });
  });

  async function start(chainPort: number, apiPort: number, extra: NodeJS.ProcessEnv = {}, args: string[] = []) {
    const env: NodeJS.ProcessEnv = { ...process.env, CHAIN_PORT: String(chainPort), PORT: String(apiPort), LOCAL_DATA_DIR: folder };
    for (const outside of ["CHAIN_RPC_URL", "DATABASE_URL", "RELAYER_PRIVATE_KEYS", "DATA_DIR", "DEPLOYMENT_FILE", "NODE_ENV"]) delete env[outside];
    Object.assign(env, extra);
    const child = spawn(`${ROOT}node_modules/.bin/node`, [`${ROOT}scripts/start.ts`, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    const run = { child, output: "" };
    child.stdout!.on("data", (d: Buffer) => (run.output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (run.output += d.toString()));
    for (let i = 0; i < 600 && !run.output.includes("Press Ctrl-C to stop"); i++) {
      if (child.exitCode !== null) throw new Error(`npm start exited early:\n${run.output}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    return run;
  }

  async function stop(child: ReturnType<typeof spawn>) {
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill("SIGTERM");
    return exited;
  }

  it("brings up everything with the demo, serves the apps, stops cleanly, and a second start keeps the data", async () => {
    const [chainPort, apiPort] = [await freePort(), await freePort()];
    const base = `http://127.0.0.1:${apiPort}`;
    const first = await start(chainPort, apiPort, {}, ["--demo"]);
    expect(first.output).toContain("starting a new local chain");

    const health = await fetch(`${base}/api/health`).then((r) => r.json());
    expect(health).toMatchObject({ status: "ok", chain: { ok: true, chainId: 31337 }, database: { kind: "pglite" } });
    for (const path of ["/wallet/", "/shop/", "/staff/", "/public/"]) {
      const page = await fetch(`${base}${path}`);
      expect(page.status, path).toBe(200);
      expect(page.headers.get("content-type"), path).toMatch(/^text\/html/);
    }

    // The demo, as printed: a validator login, 12 shops, unused activation codes.
    const validator = createApiClient({ baseUrl: base });
    await validator.staff.login({ email: "validator@tegoed.example", password: "tegoed-demo-2027" });
    const [fund] = (await validator.funds.list()).funds;
    expect(fund).toMatchObject({ name: "Kindpakket 2027", amountPerChildCents: 300_00 });
    expect((await validator.eligibility.listFamilies(fund!.id, { limit: 1 })).total).toBe(80);
    expect((await createApiClient({ baseUrl: base }).public.merchants({ fundId: fund!.id })).merchants).toHaveLength(12);
    // The public page shows the demo's spending by category, not all of it merged into "other".
    const figures = await createApiClient({ baseUrl: base }).public.fund(fund!.id);
    expect(figures.byCategory.filter((line) => line.category !== "other").length).toBeGreaterThanOrEqual(3);
    const code = /activation code \(family ZH-\d+\)\s*│\s*'([0-9A-Z-]+)'/.exec(first.output)?.[1];
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

    expect(await stop(first.child)).toBe(0);
    await expect(fetch(`${base}/api/health`)).rejects.toThrow();

    const second = await start(chainPort, apiPort);
    expect(second.output).toContain("resuming the local chain");
    expect(second.output).not.toContain("demo: 80 families");
    const again = createApiClient({ baseUrl: base });
    await again.staff.login({ email: "validator@tegoed.example", password: "tegoed-demo-2027" });
    expect((await again.funds.list()).funds.map((f) => f.id)).toEqual([fund!.id]);
    // The chain kept its state too: the wallet still activates with a code printed at the first start.
    const wallet = createApiClient({ baseUrl: base });
    await wallet.family.activate({ code: code!, holderAddress: Wallet.createRandom().address });
    expect((await wallet.family.children()).children[0]).toMatchObject({ balanceCents: 300_00, activated: true });
    expect(await stop(second.child)).toBe(0);

    // A chain an earlier version deployed (its ready file names no contracts, or others) is not resumed.
    writeFileSync(join(folder, "ready"), "2026-12-01T00:00:00.000Z\n");
    const third = await start(chainPort, apiPort);
    expect(third.output).toContain("the contracts changed since the last start");
    expect(third.output).toContain("starting a new local chain");
    expect(await stop(third.child)).toBe(0);
  }, 600_000);

  it("with CHAIN_RPC_URL set it deploys to that node and uses it, without demo data unless --demo", async () => {
    const external = await startLocalChain({ engine: "anvil", chainId: 4242 });
    // Not a well-known development key (those are refused off the local chain): a fresh one, funded by
    // anvil's first account as an operator would fund the municipality's key.
    const operatorWallet = Wallet.createRandom();
    const operator = operatorWallet.privateKey;
    const provider = new JsonRpcProvider(external.url);
    const funder = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase("test test test test test test test test test test test junk"), "m/44'/60'/0'/0/0").connect(provider);
    await (await funder.sendTransaction({ to: operatorWallet.address, value: parseEther("1000") })).wait();
    provider.destroy();
    // One key for everything: the fund's admin and every lane, which only a demo may do (ALLOW_BROAD_KEYS).
    const keys = {
      DEPLOYER_PRIVATE_KEY: operator, RELAYER_PRIVATE_KEYS: operator, FUND_ADMIN: operatorWallet.address,
      GRANT_ROLES_TO: operatorWallet.address, ALLOW_BROAD_KEYS: "1",
    };
    try {
      const apiPort = await freePort();
      const run = await start(await freePort(), apiPort, {
        CHAIN_RPC_URL: external.url, DATA_DIR: join(folder, "external-pglite"), DEPLOYMENT_FILE: join(folder, "external-deployment.json"),
        ...keys,
      });
      expect(run.output).not.toContain("local chain (anvil)");
      expect(run.output).not.toContain("demo:");
      const health = await fetch(`http://127.0.0.1:${apiPort}/api/health`).then((r) => r.json());
      expect(health).toMatchObject({ status: "ok", chain: { ok: true, chainId: 4242 } });
      expect((await createApiClient({ baseUrl: `http://127.0.0.1:${apiPort}` }).public.merchants()).merchants).toEqual([]);
      expect(await stop(run.child)).toBe(0);

      // --demo against the outside node: all 13 shop applications get through the per-client limit.
      const demoPort = await freePort();
      const seeded = await start(await freePort(), demoPort, {
        CHAIN_RPC_URL: external.url, DATA_DIR: join(folder, "external-demo-pglite"), DEPLOYMENT_FILE: join(folder, "external-demo-deployment.json"),
        ...keys,
        STAFF_ADMIN_EMAIL: "admin@tegoed.example", STAFF_ADMIN_PASSWORD: "outside-node-admin-2027",
      }, ["--demo"]);
      expect(seeded.output).toContain("demo: 80 families");
      const shops = await createApiClient({ baseUrl: `http://127.0.0.1:${demoPort}` }).public.merchants();
      expect(shops.merchants).toHaveLength(12);
      expect(await stop(seeded.child)).toBe(0);
    } finally {
      await external.stop();
    }
  }, 600_000);
});
