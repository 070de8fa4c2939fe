// The backend's keys at start, on anvil with a chain id that is not local (4242): keys per purpose
// from encrypted keystore files, each holding exactly its purpose's roles on every fund, the fund admin
// the municipality's own key. Too few roles, too many, a wrong passphrase, a development key, one
// shared key list or a missing FUND_ADMIN: refused with one line saying what to do.
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, type HDNodeWallet, Wallet, ZeroHash, encryptKeystoreJson, id, parseEther } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiClient, fundAbi } from "@tegoed/sdk";
import { deploy, parseDeployConfig } from "../../../scripts/deploy.ts";
import { writeDeployment } from "../../../scripts/lib/deployment-file.ts";
import { ROOT } from "../../../scripts/lib/artifacts.ts";
import { DEV_PRIVATE_KEYS, type LocalChain, devWallet, freePort, startLocalChain } from "../../../scripts/lib/local-chain.ts";
import { PURPOSES, type Purpose } from "../../src/chain/lanes.ts";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { startServer } from "../../src/server.ts";

const CHAIN_ID = 4242;
const PASSPHRASE = "correct horse battery staple of the keystores";
const ADMIN = { email: "beheer@westerkwartier.test", password: "a long enough password" };
const quiet = { error: () => {}, info: () => {} };

let chain: LocalChain;
let dir: string;
let municipality: HDNodeWallet;
const lanes = {} as Record<Purpose, HDNodeWallet>;
let fundAddress: string;
let env: Record<string, string>;

async function refusal(extra: Record<string, string | undefined>): Promise<string> {
  const running = await startServer(loadConfig({ ...env, ...extra }), quiet).catch((error: unknown) => error);
  if (!(running instanceof ConfigError)) {
    if (running && typeof running === "object" && "close" in running) await (running as { close(): Promise<void> }).close();
    throw new Error(`expected a ConfigError, got ${String(running)}`);
  }
  expect(running.message).not.toContain("\n");
  return running.message;
}

/** The fund as the municipality's admin key drives it. */
function asMunicipality(address = fundAddress) {
  const fund = new Contract(address, fundAbi, municipality.connect(chain.provider));
  return {
    hasRole: (role: string, account: string) => fund.getFunction("hasRole")(role, account) as Promise<boolean>,
    grantRole: (role: string, account: string) => fund.getFunction("grantRole")(role, account),
    revokeRole: (role: string, account: string) => fund.getFunction("revokeRole")(role, account),
  };
}

beforeAll(async () => {
  chain = await startLocalChain({ engine: "anvil", chainId: CHAIN_ID });
  dir = mkdtempSync(join(tmpdir(), "tegoed-keys-"));
  const bank = devWallet(chain.provider, 0);
  const deployer = Wallet.createRandom();
  municipality = Wallet.createRandom();
  for (const purpose of PURPOSES) lanes[purpose] = Wallet.createRandom();
  let nonce = await chain.provider.getTransactionCount(bank.address);
  await Promise.all([deployer, municipality, ...Object.values(lanes)].map(async (w) => (await bank.sendTransaction({ to: w.address, value: parseEther("10"), nonce: nonce++ })).wait()));
  const deployment = await deploy(parseDeployConfig({
    CHAIN_RPC_URL: chain.url, DEPLOYER_PRIVATE_KEY: deployer.privateKey, FUND_ADMIN: municipality.address,
    RELAYER_ADDRESSES_PAYMENTS: lanes.payments.address, RELAYER_ADDRESSES_REFUNDS: lanes.refunds.address,
    RELAYER_ADDRESSES_SETTLE: lanes.settle.address, RELAYER_ADDRESSES_STAFF: lanes.staff.address,
  }), () => {});
  fundAddress = deployment.funds[0]!.address;
  env = {
    CHAIN_RPC_URL: chain.url, DEPLOYMENT_FILE: writeDeployment(deployment, join(dir, "deployment.json")), PORT: "0",
    // One folder for every start: migrated once, reopened quickly.
    DATA_DIR: join(dir, "pglite"),
    FUND_ADMIN: municipality.address, KEYSTORE_PASSPHRASE_FILE: join(dir, "passphrase"),
    STAFF_ADMIN_EMAIL: ADMIN.email, STAFF_ADMIN_PASSWORD: ADMIN.password,
  };
  writeFileSync(env.KEYSTORE_PASSPHRASE_FILE!, `${PASSPHRASE}\n`);
  for (const purpose of PURPOSES) {
    // A light scrypt keeps the test quick; `npm run keys` writes ethers' default strength.
    const json = await encryptKeystoreJson({ address: lanes[purpose].address, privateKey: lanes[purpose].privateKey }, PASSPHRASE, { scrypt: { N: 1 << 10 } });
    const file = join(dir, `${purpose}.json`);
    writeFileSync(file, json);
    env[`RELAYER_KEYS_${purpose.toUpperCase()}_FILE`] = file;
  }
}, 120_000);

afterAll(async () => {
  await chain?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("startServer with keys per purpose from keystore files", () => {
  it("starts when each key holds exactly its roles, and creates funds administered by FUND_ADMIN alone", async () => {
    const running = await startServer(loadConfig(env), quiet);
    try {
      const staff = createApiClient({ baseUrl: `http://127.0.0.1:${running.port}` });
      await staff.staff.login(ADMIN);
      const fund = await staff.funds.create({ name: "Kindpakket 2028", amountPerChildCents: 300_00, budgetExpiry: "2099-12-31" });
      const onChain = asMunicipality(fund.chainAddress);
      expect(await onChain.hasRole(ZeroHash, municipality.address)).toBe(true);
      for (const purpose of PURPOSES) expect(await onChain.hasRole(ZeroHash, lanes[purpose].address)).toBe(false);
      expect(await onChain.hasRole(id("OPERATOR_ROLE"), lanes.refunds.address)).toBe(true);
      expect(await onChain.hasRole(id("SETTLER_ROLE"), lanes.settle.address)).toBe(true);
      expect(await onChain.hasRole(id("VALIDATOR_ROLE"), lanes.staff.address)).toBe(true);
      expect(await onChain.hasRole(id("OPERATOR_ROLE"), lanes.payments.address)).toBe(false);
      expect(await onChain.hasRole(id("SETTLER_ROLE"), lanes.refunds.address)).toBe(false);
    } finally {
      await running.close();
    }
  });

  describe("when a key holds too few roles", () => {
    it("refuses to start, naming the key, the fund and the role the admin must grant", async () => {
      await (await asMunicipality().revokeRole(id("OPERATOR_ROLE"), lanes.refunds.address)).wait();
      try {
        const message = await refusal({});
        expect(message).toContain(`RELAYER_KEYS_REFUNDS_FILE key ${lanes.refunds.address} lacks OPERATOR on fund "Kindpakket 2027"`);
        expect(message).toContain("the fund admin must grant OPERATOR_ROLE");
      } finally {
        await (await asMunicipality().grantRole(id("OPERATOR_ROLE"), lanes.refunds.address)).wait();
      }
    });
  });

  describe("when a key holds too many roles", () => {
    it("refuses to start unless ALLOW_BROAD_KEYS=1", async () => {
      await (await asMunicipality().grantRole(id("SETTLER_ROLE"), lanes.payments.address)).wait();
      try {
        const message = await refusal({});
        expect(message).toContain(`RELAYER_KEYS_PAYMENTS_FILE key ${lanes.payments.address} also holds SETTLER on fund "Kindpakket 2027"`);
        expect(message).toContain("ALLOW_BROAD_KEYS=1");
        const running = await startServer(loadConfig({ ...env, ALLOW_BROAD_KEYS: "1" }), quiet);
        await running.close();
      } finally {
        await (await asMunicipality().revokeRole(id("SETTLER_ROLE"), lanes.payments.address)).wait();
      }
    });

    it("refuses a key that administers the fund", async () => {
      await (await asMunicipality().grantRole(ZeroHash, lanes.staff.address)).wait();
      try {
        expect(await refusal({})).toContain(`RELAYER_KEYS_STAFF_FILE key ${lanes.staff.address} also holds DEFAULT_ADMIN on fund`);
      } finally {
        await (await asMunicipality().revokeRole(ZeroHash, lanes.staff.address)).wait();
      }
    });
  });

  describe("when the keystore does not open", () => {
    it("refuses a wrong passphrase without repeating it", async () => {
      const wrong = join(dir, "wrong-passphrase");
      writeFileSync(wrong, "not the passphrase\n");
      const message = await refusal({ KEYSTORE_PASSPHRASE_FILE: wrong });
      expect(message).toContain("is not a keystore the passphrase of KEYSTORE_PASSPHRASE_FILE opens");
      expect(message).not.toContain("not the passphrase");
    });

    it("refuses a keystore file that is not there", async () => {
      expect(await refusal({ RELAYER_KEYS_SETTLE_FILE: join(dir, "missing.json") })).toContain("RELAYER_KEYS_SETTLE_FILE");
    });
  });

  describe("on a chain that is not local (4242)", () => {
    it("refuses a well-known development key", async () => {
      const message = await refusal({ RELAYER_KEYS_PAYMENTS_FILE: undefined, RELAYER_KEYS_PAYMENTS: DEV_PRIVATE_KEYS[1] });
      expect(message).toContain(`RELAYER_KEYS_PAYMENTS holds the well-known development key of ${new Wallet(DEV_PRIVATE_KEYS[1]).address}; refusing it on chain ${CHAIN_ID}`);
    });

    it("refuses one key list shared by every purpose unless ALLOW_BROAD_KEYS=1", async () => {
      const shared = Object.fromEntries(PURPOSES.map((p) => [`RELAYER_KEYS_${p.toUpperCase()}_FILE`, undefined]));
      expect(await refusal({ ...shared, RELAYER_PRIVATE_KEYS: lanes.staff.privateKey })).toContain("RELAYER_PRIVATE_KEYS gives every key every role on chain 4242");
    });

    it("refuses to run without FUND_ADMIN, and with a backend key as FUND_ADMIN", async () => {
      expect(await refusal({ FUND_ADMIN: undefined })).toContain("FUND_ADMIN is required on chain 4242");
      expect(await refusal({ FUND_ADMIN: lanes.staff.address })).toContain(`FUND_ADMIN ${lanes.staff.address} is one of the backend's own keys`);
    });
  });
});

describe("the backend process (main.ts) with NODE_ENV=production", () => {
  /** Runs `node backend/src/main.ts`; resolves with its output once it listens or has exited. */
  async function run(extra: Record<string, string>) {
    const port = await freePort();
    const secrets = { SESSION_SECRET_FILE: join(dir, "session-secret"), METRICS_TOKEN_FILE: join(dir, "metrics-token"), CARD_PEPPER_FILE: join(dir, "card-pepper"), BSN_KEY_FILE: join(dir, "bsn-key") };
    writeFileSync(secrets.SESSION_SECRET_FILE, "9f3c1e7a5b2d4f6081a3c5e7092b4d6f8e1a3c5b7d9f0213546a8b9cadef1234\n");
    writeFileSync(secrets.CARD_PEPPER_FILE, "4b1d9e2c7a3f5e6081b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718\n");
    writeFileSync(secrets.BSN_KEY_FILE, "c83e0f6a2d914b7e5a1c3f8d6b2e4a9071d5c3b8e6f2a4d1097b3e5c8a6f2d41\n");
    writeFileSync(secrets.METRICS_TOKEN_FILE, "metrics-token-of-the-production-start\n");
    const child = spawn(`${ROOT}node_modules/.bin/node`, [`${ROOT}backend/src/main.ts`], {
      cwd: ROOT, stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH, NODE_ENV: "production", PUBLIC_BASE_URL: "https://tegoed.gemeente.nl", ...env, ...secrets, PORT: String(port), ...extra },
    });
    let output = "";
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const listening = new Promise<void>((resolve) => {
      const look = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('"msg":"listening"')) resolve();
      };
      child.stdout!.on("data", look);
      child.stderr!.on("data", look);
    });
    const outcome = await Promise.race([listening.then(() => "listening" as const), exited.then(() => "exited" as const)]);
    return { child, port, outcome, exited, output: () => output };
  }

  it("starts from keystore and secret files, logs JSON lines, answers, and stops on SIGTERM", async () => {
    const started = await run({});
    try {
      expect(started.outcome, started.output()).toBe("listening");
      const base = `http://127.0.0.1:${started.port}`;
      const health = await fetch(`${base}/api/health`);
      expect(health.status).toBe(200);
      const metrics = await fetch(`${base}/api/metrics`, { headers: { Authorization: "Bearer metrics-token-of-the-production-start" } });
      expect(metrics.status).toBe(200);
      for (const line of started.output().trim().split("\n")) expect(() => JSON.parse(line), line).not.toThrow();
      expect(started.output()).toContain('"msg":"request"');
      expect(started.output()).not.toContain(PASSPHRASE);
    } finally {
      started.child.kill("SIGTERM");
    }
    expect(await started.exited).toBe(0);
  });

  it.each([
    [{ COOKIE_SECURE: "false" }, "Configuration error: COOKIE_SECURE may not be false when NODE_ENV=production"],
    [{ STAFF_ADMIN_PASSWORD: "tegoed-demo-admin" }, "Configuration error: STAFF_ADMIN_PASSWORD is a demo password"],
    [{ RELAYER_KEYS_PAYMENTS_FILE: "", RELAYER_KEYS_PAYMENTS: DEV_PRIVATE_KEYS[2] }, "Configuration error: RELAYER_KEYS_PAYMENTS may not hold keys when NODE_ENV=production"],
  ])("refuses %o with one line and exit code 1", async (extra, expected) => {
    const started = await run(extra);
    expect(started.outcome).toBe("exited");
    expect(await started.exited).toBe(1);
    expect(started.output().trim()).toBe(started.output().trim().split("\n")[0]);
    expect(started.output()).toContain(expected);
  });
});

describe("key rotation: a new keystore in the lane's folder, the old one removed, reloadKeys (SIGHUP)", () => {
  /** `npm run keys -- new <purpose> --out <file>`; returns the new key's address and the printed text. */
  async function newKey(purpose: Purpose, out: string) {
    const child = spawn(`${ROOT}node_modules/.bin/node`, [`${ROOT}scripts/keys.ts`, "new", purpose, "--out", out], {
      cwd: ROOT, stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH, KEYSTORE_PASSPHRASE_FILE: env.KEYSTORE_PASSPHRASE_FILE, DEPLOYMENT_FILE: env.DEPLOYMENT_FILE, CHAIN_RPC_URL: chain.url },
    });
    let output = "";
    child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    expect(await new Promise((resolve) => child.once("exit", resolve)), output).toBe(0);
    return { address: /new \w+ key (0x[0-9a-fA-F]{40})/.exec(output)![1]!, output };
  }

  it("takes the new keys into use once their roles are granted, and retires the removed ones", async () => {
    const folders = { payments: join(dir, "payments-lanes"), settle: join(dir, "settle-lanes") };
    mkdirSync(folders.payments);
    mkdirSync(folders.settle);
    copyFileSync(join(dir, "payments.json"), join(folders.payments, "1.json"));
    copyFileSync(join(dir, "settle.json"), join(folders.settle, "1.json"));
    const running = await startServer(loadConfig({ ...env, RELAYER_KEYS_PAYMENTS_FILE: folders.payments, RELAYER_KEYS_SETTLE_FILE: folders.settle }), quiet);
    try {
      const payments = await newKey("payments", join(folders.payments, "2.json"));
      expect(payments.output).toContain("payments keys need no fund role");
      rmSync(join(folders.payments, "1.json"));
      const settle = await newKey("settle", join(folders.settle, "2.json"));
      expect(settle.output).toContain(`fund ${fundAddress}: grantRole(SETTLER_ROLE, ${settle.address})`);

      // Not granted yet: the new set is refused and nothing changes.
      await expect(running.reloadKeys()).rejects.toThrow(`RELAYER_KEYS_SETTLE_FILE key ${settle.address} lacks SETTLER`);
      // The admin makes every grant the command printed (one per fund the factory lists).
      const funds = [...settle.output.matchAll(/fund (0x[0-9a-fA-F]{40}): grantRole\(SETTLER_ROLE/g)].map((m) => m[1]!);
      expect(funds).toContain(fundAddress);
      for (const fund of funds) await (await asMunicipality(fund).grantRole(id("SETTLER_ROLE"), settle.address)).wait();
      const reloaded = await running.reloadKeys();
      expect(reloaded.added.sort()).toEqual([payments.address, settle.address].sort());
      expect(reloaded.retired).toEqual([lanes.payments.address]);
      await reloaded.drained;

      // The old settle key is kept (still listed) next to the new one; the old payments key is gone.
      const again = await running.reloadKeys();
      expect(again).toMatchObject({ added: [], retired: [] });
    } finally {
      await running.close();
    }
  }, 180_000);
});
