// `npm run keys -- new <purpose> --out <file.json>`: a new relayer lane key for one purpose (payments,
// refunds, settle, staff), written as an encrypted Ethereum keystore under the passphrase of
// KEYSTORE_PASSPHRASE_FILE; prints its address and exactly what the fund admin must grant (the role
// and, per fund, the call data for a multisig such as a Safe).
// `npm run keys -- revoke <purpose> <address>`: the calls that take a rotated-out key's roles away.
// Funds are those of DEPLOYMENT_FILE, and every fund the factory lists when CHAIN_RPC_URL answers.
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { Contract, Interface, JsonRpcProvider, Wallet, getAddress, id, isAddress } from "ethers";
import { fundAbi, fundFactoryAbi } from "@tegoed/sdk";
import { PURPOSES, PURPOSE_ROLES, PURPOSE_VARIABLE, type Purpose } from "../backend/src/chain/lanes.ts";
import { deploymentPath, readDeployment } from "./lib/deployment-file.ts";

const fundInterface = new Interface(fundAbi);

function fail(message: string): never {
  console.error(`keys: ${message}`);
  process.exit(1);
}

async function fundsToGrant(): Promise<string[]> {
  const deployment = readDeployment(process.env.DEPLOYMENT_FILE ?? deploymentPath());
  const funds = new Set(deployment.funds.map((f) => getAddress(f.address)));
  const rpc = process.env.CHAIN_RPC_URL;
  if (rpc) {
    const provider = new JsonRpcProvider(rpc, undefined, { staticNetwork: true });
    try {
      const factory = new Contract(deployment.factory, fundFactoryAbi, provider);
      const count = Number(await factory.getFunction("fundCount")());
      for (let i = 0; i < count; i++) funds.add(getAddress((await factory.getFunction("fundAt")(i)) as string));
    } finally {
      provider.destroy();
    }
  }
  return [...funds];
}

function printCalls(verb: "grantRole" | "revokeRole", purpose: Purpose, address: string, funds: string[]) {
  const roles = PURPOSE_ROLES[purpose];
  if (roles.length === 0) {
    console.log(`  ${purpose} keys need no fund role: nothing to ${verb === "grantRole" ? "grant" : "revoke"}.`);
    return;
  }
  for (const fund of funds) {
    for (const role of roles) {
      const data = fundInterface.encodeFunctionData(verb, [id(`${role}_ROLE`), address]);
      console.log(`  fund ${fund}: ${verb}(${role}_ROLE, ${address})\n    to ${fund} data ${data}`);
    }
  }
}

async function main() {
  const [command, purpose, ...rest] = process.argv.slice(2).filter((a) => a !== "--");
  if (!PURPOSES.includes(purpose as Purpose)) fail(`usage: npm run keys -- new <${PURPOSES.join("|")}> --out <file.json> | revoke <purpose> <address>`);
  const lane = purpose as Purpose;
  if (command === "new") {
    const out = rest[rest.indexOf("--out") + 1];
    if (!rest.includes("--out") || !out) fail("new needs --out <file.json> (the lane's folder of RELAYER_KEYS_…_FILE)");
    const passphraseFile = process.env.KEYSTORE_PASSPHRASE_FILE ?? fail("KEYSTORE_PASSPHRASE_FILE is required (the passphrase the backend opens its keystores with)");
    const passphrase = readFileSync(passphraseFile, "utf8").replace(/\r?\n$/, "");
    const wallet = Wallet.createRandom();
    writeFileSync(out, await wallet.encrypt(passphrase), { flag: "wx" });
    chmodSync(out, 0o600);
    console.log(`new ${lane} key ${wallet.address} written to ${out}`);
    console.log(`The fund admin (FUND_ADMIN, the municipality's key or Safe) must grant, on every fund:`);
    printCalls("grantRole", lane, wallet.address, await fundsToGrant());
    console.log(`Then, on each replica using it: put the file in the folder of ${PURPOSE_VARIABLE[lane]}_FILE, remove the old key's file, and send SIGHUP`);
    console.log(`(the backend checks the new key's roles, takes it into use and drains the old one). Afterwards revoke the old key:`);
    console.log(`  npm run keys -- revoke ${lane} <old address>`);
  } else if (command === "revoke") {
    const address = rest[0];
    if (!address || !isAddress(address)) fail("revoke needs the old key's address");
    console.log(`The fund admin revokes the rotated-out ${lane} key ${getAddress(address)}:`);
    printCalls("revokeRole", lane, getAddress(address), await fundsToGrant());
  } else {
    fail(`unknown command ${command ?? "(none)"}: new or revoke`);
  }
}

await main();
