// The backend's chain keys at start: read (plain in development, encrypted keystore files with a
// passphrase file in production), refused when they are well-known development keys on a chain that
// is not local, and checked against the roles they hold on every fund they serve. A refusal is one
// ConfigError line that says which key, which fund, which role and what to do.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Contract, HDNodeWallet, Interface, Mnemonic, Wallet, ZeroHash, decryptKeystoreJson, getAddress, id, type Provider } from "ethers";
import { fundAbi, fundFactoryAbi } from "@tegoed/sdk";
import { FUND_ROLE_IDS, type FundRoleName } from "./chain/fund-client.ts";
import { PURPOSES, PURPOSE_VARIABLE, type Purpose, RelayerSet } from "./chain/lanes.ts";
import { ConfigError, type Config } from "./config.ts";

const DEV_MNEMONIC = "test test test test test test test test test test test junk";

let devAddresses: Set<string> | undefined;
/** Keystores opened before (scrypt takes seconds): a reload decrypts only the new files. */
const opened = new Map<string, string>();

/** The accounts Hardhat and anvil give every developer (the first 20 of the well-known mnemonic). */
export function developmentAddresses(): Set<string> {
  devAddresses ??= new Set(
    Array.from({ length: 20 }, (_, i) => HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), `m/44'/60'/0'/0/${i}`).address),
  );
  return devAddresses;
}

/** Reads each purpose's keys: plain lists as given, keystore files decrypted with the passphrase file. */
export async function readLaneKeys(config: Pick<Config, "laneKeys" | "keystorePassphraseFile">): Promise<Record<Purpose, string[]> | undefined> {
  if (!config.laneKeys) return undefined;
  let passphrase: string | undefined;
  const out = {} as Record<Purpose, string[]>;
  for (const purpose of PURPOSES) {
    const source = config.laneKeys[purpose];
    if ("keys" in source) {
      out[purpose] = source.keys;
      continue;
    }
    passphrase ??= readSecretFile(config.keystorePassphraseFile!, "KEYSTORE_PASSPHRASE_FILE");
    out[purpose] = [];
    for (const file of source.files.flatMap(keystoreFiles)) {
      const json = readSecretFile(file, source.variable);
      const digest = createHash("sha256").update(json).update("\0").update(passphrase).digest("hex");
      try {
        const key = opened.get(digest) ?? (await decryptKeystoreJson(json, passphrase)).privateKey;
        opened.set(digest, key);
        out[purpose].push(key);
      } catch {
        throw new ConfigError(`${source.variable} ${file} is not a keystore the passphrase of KEYSTORE_PASSPHRASE_FILE opens`);
      }
    }
  }
  const seen = new Map<string, Purpose>();
  for (const purpose of PURPOSES) {
    for (const key of out[purpose]) {
      const address = new Wallet(key).address;
      const other = seen.get(address);
      if (other !== undefined) {
        throw new ConfigError(`${PURPOSE_VARIABLE[purpose]} repeats ${address} of ${PURPOSE_VARIABLE[other]}: each purpose needs keys of its own`);
      }
      seen.set(address, purpose);
    }
  }
  return out;
}

/** A keystore file as listed, or every *.json file of a listed folder (rotation adds one there). */
function keystoreFiles(path: string): string[] {
  try {
    if (statSync(path).isDirectory()) return readdirSync(path).filter((name) => name.endsWith(".json")).sort().map((name) => join(path, name));
  } catch {
    // not there: reading it says so
  }
  return [path];
}

/** A file's text without its final newline (as secrets are mounted); one line when it cannot be read. */
function readSecretFile(path: string, variable: string): string {
  try {
    return readFileSync(path, "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    throw new ConfigError(`${variable} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
}

/** Refuses a well-known development key anywhere but on a local chain. */
export function refuseDevelopmentKeys(keys: readonly string[], variable: string, chainId: bigint, local: boolean): void {
  if (local) return;
  const dev = developmentAddresses();
  for (const key of keys) {
    const address = new Wallet(key).address;
    if (dev.has(address)) {
      throw new ConfigError(`${variable} holds the well-known development key of ${address}; refusing it on chain ${chainId} (only a local chain may use it)`);
    }
  }
}

const FUND_ROLES_CHECKED = Object.keys(FUND_ROLE_IDS) as FundRoleName[];
const FUND_CREATOR_ROLE = id("FUND_CREATOR_ROLE");

export interface RoleCheck {
  provider: Provider;
  lanes: RelayerSet;
  /** The variable each purpose's keys came from, for the refusal's text. */
  variables: Record<Purpose, string>;
  funds: readonly { address: string; name: string }[];
  factory: string;
  allowBroad: boolean;
}

/**
 * Every lane's roles on every fund against what its purposes need. Too few: it cannot work. Too many
 * (any other role, the admin role above all): a risk, unless `allowBroad`. The first staff lane also
 * needs the factory's FUND_CREATOR_ROLE; no lane may administer the factory. Returns the problems, one
 * sentence each; none means the keys are right.
 */
export async function checkLaneRoles(check: RoleCheck): Promise<string[]> {
  const problems: string[] = [];
  const fundInterface = new Interface(fundAbi);
  const factory = new Contract(check.factory, fundFactoryAbi, check.provider);
  const work: Promise<void>[] = [];
  for (const { relayer, purposes } of check.lanes.relayers()) {
    const needed = new Set(RelayerSet.rolesFor(purposes));
    const variable = purposes.map((p) => check.variables[p]).filter((v, i, all) => all.indexOf(v) === i).join(", ");
    for (const account of relayer.addresses) {
      for (const fund of check.funds) {
        const contract = new Contract(fund.address, fundInterface, check.provider);
        work.push(
          Promise.all(FUND_ROLES_CHECKED.map(async (role) => [role, (await contract.getFunction("hasRole")(FUND_ROLE_IDS[role], account)) as boolean] as const))
            .then((held) => {
              const missing = held.filter(([role, has]) => needed.has(role) && !has).map(([role]) => role);
              const extra = held.filter(([role, has]) => !needed.has(role) && has).map(([role]) => role);
              const where = `on fund "${fund.name}" (${getAddress(fund.address)})`;
              if (missing.length > 0) {
                problems.push(`${variable} key ${account} lacks ${missing.join(", ")} ${where}: it cannot do its work; the fund admin must grant ${missing.map((r) => `${r}_ROLE`).join(", ")} to it`);
              }
              if (extra.length > 0 && !check.allowBroad) {
                problems.push(`${variable} key ${account} also holds ${extra.join(", ")} ${where}: more than its work needs is a risk; the fund admin should revoke ${extra.map((r) => (r === "DEFAULT_ADMIN" ? "DEFAULT_ADMIN_ROLE" : `${r}_ROLE`)).join(", ")} (or set ALLOW_BROAD_KEYS=1 on a local demo)`);
              }
            }),
        );
      }
      work.push(
        (async () => {
          const isAdmin = (await factory.getFunction("hasRole")(ZeroHash, account)) as boolean;
          if (isAdmin && !check.allowBroad) {
            problems.push(`${variable} key ${account} administers the FundFactory (${getAddress(check.factory)}): only the municipality's own key may; revoke DEFAULT_ADMIN_ROLE (or set ALLOW_BROAD_KEYS=1 on a local demo)`);
          }
        })(),
      );
    }
  }
  const creator = check.lanes.for("staff").addresses[0]!;
  work.push(
    (async () => {
      if (!((await factory.getFunction("hasRole")(FUND_CREATOR_ROLE, creator)) as boolean)) {
        problems.push(`${check.variables.staff} key ${creator} lacks FUND_CREATOR_ROLE on the FundFactory (${getAddress(check.factory)}): it cannot create funds; the factory's admin must grant it`);
      }
    })(),
  );
  await Promise.all(work);
  return problems.sort();
}
