// Deploys the FundFactory and one Fund to any Ethereum JSON-RPC node and writes the deployment file
// the backend reads. Configuration comes from the environment (see README.md, "Configuration").
import { JsonRpcProvider, Wallet, getAddress, isAddress } from "ethers";
import { z } from "zod";
import { type Deployment, fundAbi } from "@tegoed/sdk";
import { Contract, ZeroHash, id } from "ethers";
import { PURPOSES, PURPOSE_ROLES, type Purpose } from "../backend/src/chain/lanes.ts";
import { createFund, currencyCode, deployFactory, FUND_ROLES, grantFundRoles } from "./lib/deploy.ts";
import { deploymentPath, writeDeployment } from "./lib/deployment-file.ts";
import { DEV_PRIVATE_KEYS, LOCAL_CHAIN_IDS } from "./lib/local-chain.ts";

const addressList = z
  .string()
  .transform((text) => text.split(",").map((part) => part.trim()).filter(Boolean))
  .refine((list) => list.every((entry) => isAddress(entry)), "must be comma-separated 0x addresses");

export const DeployConfigSchema = z.object({
  CHAIN_RPC_URL: z.string().regex(/^https?:\/\/[^\s/]+/, "must be an http(s) URL of a JSON-RPC node").default("http://127.0.0.1:8545"),
  DEPLOYER_PRIVATE_KEY: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte hex private key")
    .optional(),
  FUND_ADMIN: z.string().refine(isAddress, "must be a 0x address").optional(),
  FUND_NAME: z.string().min(1, "must not be empty").max(100, "must be at most 100 characters").default("Kindpakket 2027"),
  FUND_CURRENCY: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR").default("EUR"),
  FUND_BUDGET_EXPIRY: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date like 2027-12-31")
    .default("2027-12-31"),
  GRANT_ROLES_TO: addressList.optional(),
  // The backend's lane addresses per purpose: each gets exactly its purpose's roles on the first fund.
  RELAYER_ADDRESSES_PAYMENTS: addressList.optional(),
  RELAYER_ADDRESSES_REFUNDS: addressList.optional(),
  RELAYER_ADDRESSES_SETTLE: addressList.optional(),
  RELAYER_ADDRESSES_STAFF: addressList.optional(),
}).superRefine((env, ctx) => {
  const given = PURPOSES.filter((p) => env[laneVariable(p)] !== undefined);
  if (given.length > 0 && given.length < PURPOSES.length) {
    const missing = PURPOSES.find((p) => env[laneVariable(p)] === undefined)!;
    ctx.addIssue({ code: "custom", path: [laneVariable(missing)], message: "is required when lane addresses are given per purpose" });
  }
  if (given.length > 0 && env.GRANT_ROLES_TO !== undefined) {
    ctx.addIssue({ code: "custom", path: ["GRANT_ROLES_TO"], message: "may not be set together with RELAYER_ADDRESSES_… (roles per purpose)" });
  }
  if (given.length > 0 && env.FUND_ADMIN === undefined) {
    ctx.addIssue({ code: "custom", path: ["FUND_ADMIN"], message: "is required with RELAYER_ADDRESSES_… (the municipality's own key administers the factory and the funds)" });
  }
});

function laneVariable(purpose: Purpose) {
  return `RELAYER_ADDRESSES_${purpose.toUpperCase()}` as "RELAYER_ADDRESSES_PAYMENTS";
}
export type DeployConfig = z.infer<typeof DeployConfigSchema>;

/** Parses the environment; throws one line naming the variable and what is wrong with it. */
export function parseDeployConfig(env: Record<string, string | undefined>): DeployConfig {
  const relevant = Object.fromEntries(
    Object.keys(DeployConfigSchema.innerType().shape).flatMap((key) => (env[key] ? [[key, env[key]]] : [])),
  );
  const result = DeployConfigSchema.safeParse(relevant);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(`${issue.path.join(".")} ${issue.message}`);
  }
  return result.data;
}

export class ConfigError extends Error {}

/** End of the given day in UTC, as unix seconds: budgets are valid through that whole day. */
function endOfDay(date: string): bigint {
  const ms = Date.parse(`${date}T23:59:59Z`);
  if (Number.isNaN(ms)) throw new ConfigError(`FUND_BUDGET_EXPIRY ${date} is not a calendar date`);
  return BigInt(ms / 1000);
}

export async function deploy(config: DeployConfig, log: (line: string) => void = console.log): Promise<Deployment> {
  const provider = new JsonRpcProvider(config.CHAIN_RPC_URL, undefined, { staticNetwork: true, cacheTimeout: -1 });
  let chainId: bigint;
  try {
    chainId = (await provider.getNetwork()).chainId;
  } catch {
    provider.destroy();
    throw new ConfigError(`CHAIN_RPC_URL ${config.CHAIN_RPC_URL} does not answer as an Ethereum JSON-RPC node`);
  }
  try {
    const isLocal = LOCAL_CHAIN_IDS.has(chainId);
    if (!config.DEPLOYER_PRIVATE_KEY && !isLocal) {
      throw new ConfigError(
        `DEPLOYER_PRIVATE_KEY is required on chain ${chainId}: development keys are only used on a local chain (31337)`,
      );
    }
    if (config.DEPLOYER_PRIVATE_KEY && !isLocal && DEV_PRIVATE_KEYS.some((k) => k === config.DEPLOYER_PRIVATE_KEY)) {
      throw new ConfigError(`DEPLOYER_PRIVATE_KEY is a well-known development key; refusing to use it on chain ${chainId}`);
    }
    const deployer = new Wallet(config.DEPLOYER_PRIVATE_KEY ?? DEV_PRIVATE_KEYS[0], provider);
    const admin = getAddress(config.FUND_ADMIN ?? deployer.address);
    const expiry = endOfDay(config.FUND_BUDGET_EXPIRY);
    const latest = await provider.getBlock("latest");
    if (expiry <= BigInt(latest!.timestamp)) {
      throw new ConfigError(`FUND_BUDGET_EXPIRY ${config.FUND_BUDGET_EXPIRY} is in the past on this chain`);
    }

    log(`deploying to chain ${chainId} at ${config.CHAIN_RPC_URL} from ${deployer.address}`);
    const { factory, implementation, block } = await deployFactory(deployer, deployer.address);
    log(`  FundFactory ${await factory.getAddress()} (Fund implementation ${implementation})`);
    const lanes = PURPOSES.every((p) => config[laneVariable(p)] !== undefined)
      ? (Object.fromEntries(PURPOSES.map((p) => [p, config[laneVariable(p)]!.map((a) => getAddress(a))])) as Record<Purpose, string[]>)
      : undefined;
    let created: { address: string; index: number; fund: Contract };
    if (lanes) {
      created = await createFundForLanes(factory, admin, { name: config.FUND_NAME, currency: config.FUND_CURRENCY, expiry }, lanes);
      log(`  Fund "${config.FUND_NAME}" ${created.address} (index ${created.index}), administered by ${admin}`);
      for (const purpose of PURPOSES) log(`  ${purpose}: ${lanes[purpose].join(", ")} hold ${PURPOSE_ROLES[purpose].join(", ") || "no role"}`);
      // The first staff lane creates further funds; the municipality's key takes the factory over.
      const creator = id("FUND_CREATOR_ROLE");
      await (await factory.getFunction("grantRole")(creator, lanes.staff[0])).wait();
      await (await factory.getFunction("grantRole")(ZeroHash, admin)).wait();
      await (await factory.getFunction("renounceRole")(creator, deployer.address)).wait();
      await (await factory.getFunction("renounceRole")(ZeroHash, deployer.address)).wait();
      log(`  FundFactory: FUND_CREATOR_ROLE to ${lanes.staff[0]}, admin handed to ${admin}; the deployer keeps no role`);
    } else {
      created = await createFund(factory, {
        admin: deployer.address,
        name: config.FUND_NAME,
        currency: config.FUND_CURRENCY,
        defaultBudgetExpiry: expiry,
      });
      log(`  Fund "${config.FUND_NAME}" ${created.address} (index ${created.index})`);

      const grantees = config.GRANT_ROLES_TO ?? (isLocal ? [deployer.address] : []);
      if (grantees.length > 0) {
        await grantFundRoles(
          created.fund,
          Object.fromEntries(FUND_ROLES.map((role) => [role, grantees])),
        );
        log(`  roles ${FUND_ROLES.join(", ")} granted to ${grantees.join(", ")}`);
      }
      if (admin !== deployer.address) {
        const adminRole = await created.fund.getFunction("DEFAULT_ADMIN_ROLE")();
        await (await created.fund.getFunction("grantRole")(adminRole, admin)).wait();
        await (await created.fund.getFunction("renounceRole")(adminRole, deployer.address)).wait();
        log(`  fund admin handed to ${admin}`);
      }
    }

    return {
      chainId: Number(chainId),
      rpcUrl: config.CHAIN_RPC_URL,
      factory: await factory.getAddress(),
      fundImplementation: implementation,
      deployedAtBlock: block,
      deployedAt: new Date().toISOString(),
      funds: [
        {
          address: created.address,
          index: created.index,
          name: config.FUND_NAME,
          currency: config.FUND_CURRENCY,
          defaultBudgetExpiry: Number(expiry),
        },
      ],
    };
  } finally {
    provider.destroy();
  }
}

/** The first fund, born with each purpose's lanes holding exactly their roles and `admin` as its admin. */
async function createFundForLanes(
  factory: Contract, admin: string, fund: { name: string; currency: string; expiry: bigint }, lanes: Record<Purpose, string[]>,
) {
  const roles: string[] = [];
  const accounts: string[] = [];
  for (const purpose of PURPOSES) {
    for (const role of PURPOSE_ROLES[purpose]) {
      for (const account of lanes[purpose]) {
        roles.push(id(`${role}_ROLE`));
        accounts.push(account);
      }
    }
  }
  const receipt = await (await factory.getFunction("createFundWithRoles")(admin, fund.name, currencyCode(fund.currency), fund.expiry, roles, accounts)).wait();
  const event = receipt.logs.map((log: { topics: string[]; data: string }) => factory.interface.parseLog(log)).find((p: { name: string } | null) => p?.name === "FundCreated");
  const address = event.args.fund as string;
  return { address, index: Number(event.args.index), fund: new Contract(address, fundAbi, factory.runner) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const deployment = await deploy(parseDeployConfig(process.env));
    const file = writeDeployment(deployment, deploymentPath());
    console.log(`wrote ${file}`);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`deploy: ${error.message}`);
    } else {
      console.error(`deploy failed: ${(error as Error).message}`);
    }
    process.exit(1);
  }
}
