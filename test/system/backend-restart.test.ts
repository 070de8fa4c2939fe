// The backend as its own process, killed (SIGKILL) in the middle of a stream of charges and started
// again on the same data folder: afterwards every payment on chain is in the shop's list exactly once,
// and each has turned confirmed (seen by the indexer), whether its charge answered or died with the process.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, JsonRpcProvider, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiClient, encodePaymentQr, fundAbi, qrFromPermit, signPaymentPermit, type ApiClient } from "@tegoed/sdk";
import { deploy, parseDeployConfig } from "../../scripts/deploy.ts";
import { ROOT } from "../../scripts/lib/artifacts.ts";
import { writeDeployment } from "../../scripts/lib/deployment-file.ts";
import { freePort, startLocalChain, type LocalChain } from "../../scripts/lib/local-chain.ts";

const ADMIN = { email: "admin@tegoed.example", password: "tegoed-demo-admin" };
const PASSWORD = "correct horse battery staple";
const YEAR = new Date().getUTCFullYear();

let chain: LocalChain;
let folder: string;
let env: NodeJS.ProcessEnv;
let backend: ChildProcess | undefined;
let baseUrl: string;

async function startBackend(): Promise<ChildProcess> {
  const child = spawn(`${ROOT}node_modules/.bin/node`, [`${ROOT}backend/src/main.ts`], { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
  let errors = "";
  child.stderr!.on("data", (d: Buffer) => (errors += d.toString()));
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`the backend exited: ${errors}`);
    const health = await fetch(`${baseUrl}/api/health`).then((r) => r.json() as Promise<{ status: string }>, () => undefined);
    if (health?.status === "ok") return child;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the backend did not come up: ${errors}`);
}

async function indexerCaughtUp(): Promise<void> {
  for (let i = 0; i < 240; i++) {
    const health = (await fetch(`${baseUrl}/api/health`).then((r) => r.json())) as { indexer: { ok: boolean; lagBlocks?: number } };
    if (health.indexer.ok && health.indexer.lagBlocks === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the indexer did not catch up");
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "tegoed-restart-"));
  chain = await startLocalChain();
  const deployment = await deploy(parseDeployConfig({ CHAIN_RPC_URL: chain.url }), () => {});
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  env = {
    ...process.env, PORT: String(port), CHAIN_RPC_URL: chain.url, DEPLOYMENT_FILE: writeDeployment(deployment, join(folder, "deployment.json")),
    DATA_DIR: join(folder, "pglite"), STAFF_ADMIN_EMAIL: ADMIN.email, STAFF_ADMIN_PASSWORD: ADMIN.password,
  };
  delete env.DATABASE_URL;
  delete env.RELAYER_PRIVATE_KEYS;
  backend = await startBackend();
});

afterAll(async () => {
  if (backend?.exitCode === null) backend.kill("SIGKILL");
  await chain?.stop();
  rmSync(folder, { recursive: true, force: true });
});

describe("the backend killed mid-stream and started again", () => {
  it("loses no payment and lists none twice; all end up confirmed", async () => {
    const client = (): ApiClient => createApiClient({ baseUrl });
    const admin = client();
    await admin.staff.login(ADMIN);
    await admin.staff.createUser({ email: "alles@gemeente.test", password: PASSWORD, roles: ["admin", "finance", "validator", "merchant_manager"] });
    const staff = client();
    await staff.staff.login({ email: "alles@gemeente.test", password: PASSWORD });
    const fund = await staff.funds.create({ name: "Kindpakket herstart", amountPerChildCents: 100_00, budgetExpiry: `${YEAR + 1}-12-31`, categories: ["sport"] });
    await staff.funds.deposit(fund.id, { amountCents: 2_000_00, bankReference: "DEP-HERSTART" });
    const children = Array.from({ length: 12 }, (_, i) => ({ firstName: `Kind ${i + 1}`, birthYear: YEAR - 8 }));
    const family = await staff.eligibility.addFamily(fund.id, { displayName: "Familie Herstart", addressLines: ["Stationsweg 1"], children });
    await staff.eligibility.approveFamilies(fund.id, { familyIds: [family.id] });
    await staff.eligibility.issueBudgets(fund.id);
    const { code } = await staff.eligibility.issueLetter(family.id);
    const phone = Wallet.createRandom();
    const wallet = client();
    await wallet.family.activate({ code, holderAddress: phone.address });
    const budgets = (await wallet.family.children()).children;

    const shop = await client().merchants.apply({
      name: "Sport Herstart", kvkNumber: "55443322", iban: "NL91ABNA0417164300", categories: ["sport"], address: "Hoofdstraat 1", contactEmail: "s@h.example",
    });
    await staff.merchants.approve(shop.id, { fundId: fund.id });
    await staff.merchants.createUser(shop.id, { email: "kassa@herstart.example", password: PASSWORD });
    const till = client();
    await till.merchant.login({ email: "kassa@herstart.example", password: PASSWORD });

    const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
    const qrs = await Promise.all(budgets.map(async (b) => {
      const permit = { fund: b.fund.chainAddress, budgetId: b.budgetId, maxAmount: 100_00n, nonce: BigInt(b.nonce!), deadline };
      return encodePaymentQr(qrFromPermit(permit, b.fund.index, await signPaymentPermit(phone, BigInt(b.fund.chainId), permit)));
    }));

    // The stream: 12 charges a few milliseconds apart; the process dies after the 4th answer.
    let answered = 0;
    const stream = qrs.map(async (qr, i) => {
      await new Promise((r) => setTimeout(r, i * 15));
      const receipt = await till.merchant.charge({ qr, amountCents: 10_00 + i }, randomUUID());
      if (++answered === 4) backend!.kill("SIGKILL");
      return receipt;
    });
    const outcomes = await Promise.allSettled(stream);
    await new Promise<void>((r) => (backend!.exitCode !== null || backend!.signalCode !== null ? r() : backend!.once("exit", () => r())));
    const died = outcomes.filter((o) => o.status === "rejected").length;
    expect(died).toBeGreaterThan(0);

    backend = await startBackend();
    await indexerCaughtUp();

    // The chain's truth: every PaymentMade of the fund.
    const provider = new JsonRpcProvider(chain.url);
    const contract = new Contract(fund.chainAddress, fundAbi, provider);
    const events = await contract.queryFilter(contract.filters.PaymentMade!());
    provider.destroy();
    const onChain = new Set(events.map((e) => ((e as unknown as { args: { paymentId: string } }).args.paymentId).toLowerCase()));
    expect(onChain.size).toBeGreaterThanOrEqual(4);

    const again = client();
    await again.merchant.login({ email: "kassa@herstart.example", password: PASSWORD });
    const listed = (await again.merchant.payments()).payments;
    expect(listed.map((p) => p.paymentId).sort()).toEqual([...onChain].sort());
    expect(listed.every((p) => p.confirmed)).toBe(true);
    for (const o of outcomes) if (o.status === "fulfilled") expect(onChain.has(o.value.paymentId)).toBe(true);
  }, 240_000);
});
