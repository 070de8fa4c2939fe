import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, Wallet, decodeBytes32String, toBeHex } from "ethers";
import { fundAbi, fundFactoryAbi } from "@tegoed/sdk";
import { ConfigError, deploy, parseDeployConfig } from "../../scripts/deploy.ts";
import { ROOT } from "../../scripts/lib/artifacts.ts";
import { readDeployment, writeDeployment } from "../../scripts/lib/deployment-file.ts";
import { DEV_PRIVATE_KEYS, freePort, startLocalChain, type LocalChain } from "../../scripts/lib/local-chain.ts";

const quiet = () => {};

describe("scripts/deploy.ts", function () {
  this.timeout(120_000);

  describe("on a local Hardhat node", () => {
    let chain: LocalChain;
    before(async () => (chain = await startLocalChain()));
    after(async () => chain.stop());

    it("deploys the factory and a fund, grants the roles and writes a valid deployment file", async () => {
      const config = parseDeployConfig({ CHAIN_RPC_URL: chain.url, FUND_NAME: "Kindpakket Test", FUND_BUDGET_EXPIRY: "2099-12-31" });
      const deployment = await deploy(config, quiet);
      const file = writeDeployment(deployment, join(mkdtempSync(join(tmpdir(), "tegoed-")), "deployment.json"));
      const onDisk = readDeployment(file);
      expect(onDisk).to.deep.equal(deployment);
      expect(onDisk.chainId).to.equal(31337);

      const factory = new Contract(onDisk.factory, fundFactoryAbi, chain.provider);
      const fundInfo = onDisk.funds[0]!;
      expect(await factory.getFunction("isFund")(fundInfo.address)).to.equal(true);
      expect(await factory.getFunction("fundAt")(fundInfo.index)).to.equal(fundInfo.address);

      const fund = new Contract(fundInfo.address, fundAbi, chain.provider);
      expect(await fund.getFunction("name")()).to.equal("Kindpakket Test");
      expect(decodeBytes32String((await fund.getFunction("currency")()).padEnd(66, "0"))).to.equal("EUR");
      expect(await fund.getFunction("defaultBudgetExpiry")()).to.equal(BigInt(Date.parse("2099-12-31T23:59:59Z") / 1000));
      const deployer = new Wallet(DEV_PRIVATE_KEYS[0]).address;
      for (const role of ["SPONSOR", "VALIDATOR", "MERCHANT_MANAGER", "SETTLER", "OPERATOR", "PAUSER"]) {
        const roleId = await fund.getFunction(`${role}_ROLE`)();
        expect(await fund.getFunction("hasRole")(roleId, deployer), role).to.equal(true);
      }
    });
  });

  describe("on a node that is not a local development chain (anvil, chain 4242)", () => {
    let chain: LocalChain;
    before(async () => (chain = await startLocalChain({ engine: "anvil", chainId: 4242 })));
    after(async () => chain.stop());

    it("refuses to run without DEPLOYER_PRIVATE_KEY", async () => {
      const config = parseDeployConfig({ CHAIN_RPC_URL: chain.url });
      await expectConfigError(deploy(config, quiet), /DEPLOYER_PRIVATE_KEY is required on chain 4242/);
    });

    it("refuses a well-known development key", async () => {
      const config = parseDeployConfig({ CHAIN_RPC_URL: chain.url, DEPLOYER_PRIVATE_KEY: DEV_PRIVATE_KEYS[0] });
      await expectConfigError(deploy(config, quiet), /well-known development key/);
    });

    it("deploys with the operator's own key and hands the fund to FUND_ADMIN", async () => {
      const key = Wallet.createRandom();
      await chain.provider.send("anvil_setBalance", [key.address, toBeHex(10n ** 20n)]);
      const admin = Wallet.createRandom().address;
      const validator = Wallet.createRandom().address;
      const deployment = await deploy(
        parseDeployConfig({
          CHAIN_RPC_URL: chain.url, DEPLOYER_PRIVATE_KEY: key.privateKey, FUND_ADMIN: admin, GRANT_ROLES_TO: validator,
        }),
        quiet,
      );
      expect(deployment.chainId).to.equal(4242);
      const fund = new Contract(deployment.funds[0]!.address, fundAbi, chain.provider);
      const adminRole = await fund.getFunction("DEFAULT_ADMIN_ROLE")();
      expect(await fund.getFunction("hasRole")(adminRole, admin)).to.equal(true);
      expect(await fund.getFunction("hasRole")(adminRole, key.address)).to.equal(false);
      const validatorRole = await fund.getFunction("VALIDATOR_ROLE")();
      expect(await fund.getFunction("hasRole")(validatorRole, validator)).to.equal(true);
    });
  });

  describe("configuration errors", () => {
    for (const [name, env, message] of [
      ["a URL that is not one", { CHAIN_RPC_URL: "localhost:8545" }, /^CHAIN_RPC_URL must be an http\(s\) URL/],
      ["a short private key", { DEPLOYER_PRIVATE_KEY: "0x1234" }, /^DEPLOYER_PRIVATE_KEY must be a 0x-prefixed 32-byte/],
      ["an admin that is no address", { FUND_ADMIN: "gemeente" }, /^FUND_ADMIN must be a 0x address/],
      ["a currency in lower case", { FUND_CURRENCY: "eur" }, /^FUND_CURRENCY must be an ISO 4217 code/],
      ["an expiry that is no date", { FUND_BUDGET_EXPIRY: "31-12-2027" }, /^FUND_BUDGET_EXPIRY must be a date like 2027-12-31/],
      ["a role list with a bad entry", { GRANT_ROLES_TO: "0x0000000000000000000000000000000000000001,nope" }, /^GRANT_ROLES_TO must be comma-separated/],
    ] as const) {
      it(`names the variable for ${name}`, () => {
        expect(() => parseDeployConfig(env)).to.throw(ConfigError, message);
      });
    }

    it("says so when nothing answers at CHAIN_RPC_URL", async () => {
      const url = `http://127.0.0.1:${await freePort()}`;
      await expectConfigError(deploy(parseDeployConfig({ CHAIN_RPC_URL: url }), quiet), /does not answer as an Ethereum JSON-RPC node/);
    });

    it("exits with one line and no stack trace from the command line", () => {
      const result = spawnSync(`${ROOT}node_modules/.bin/node`, [`${ROOT}scripts/deploy.ts`], {
        env: { ...process.env, FUND_CURRENCY: "euro" },
        encoding: "utf8",
      });
      expect(result.status).to.equal(1);
      expect(result.stderr.trim()).to.equal("deploy: FUND_CURRENCY must be an ISO 4217 code such as EUR");
    });
  });
});

async function expectConfigError(promise: Promise<unknown>, message: RegExp) {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.match(message);
    return;
  }
  expect.fail("expected a ConfigError");
}
