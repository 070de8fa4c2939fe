// The one way Tegoed's contracts are deployed: by scripts/deploy.ts, the benchmarks and the tests.
import { Contract, ContractFactory, type ContractRunner, type Signer, encodeBytes32String } from "ethers";
import { fundAbi, fundFactoryAbi } from "@tegoed/sdk";
import type { InterfaceAbi } from "ethers";
import { readArtifact } from "./artifacts.ts";

export const FUND_ROLES = ["SPONSOR", "VALIDATOR", "MERCHANT_MANAGER", "SETTLER", "OPERATOR", "PAUSER"] as const;
export type FundRole = (typeof FUND_ROLES)[number];

export interface FundSettings {
  admin: string;
  name: string;
  currency: string;
  /** Unix seconds: budgets issued without their own expiry end then. */
  defaultBudgetExpiry: bigint;
}

/** Deploys the factory (which deploys the Fund implementation); `admin` may create funds. */
export async function deployFactory(deployer: Signer, admin: string) {
  const artifact = readArtifact("FundFactory");
  const contract = await new ContractFactory(artifact.abi as InterfaceAbi, artifact.bytecode, deployer).deploy(admin);
  const receipt = await contract.deploymentTransaction()!.wait();
  const factory = new Contract(await contract.getAddress(), fundFactoryAbi, deployer);
  return { factory, implementation: (await factory.getFunction("implementation")()) as string, block: receipt!.blockNumber };
}

/** Creates a fund clone through the factory and returns it with its short index. */
export async function createFund(factory: Contract, settings: FundSettings) {
  const tx = await factory.getFunction("createFund")(
    settings.admin,
    settings.name,
    currencyCode(settings.currency),
    settings.defaultBudgetExpiry,
  );
  const receipt = await tx.wait();
  const created = receipt.logs
    .map((log: { topics: string[]; data: string }) => factory.interface.parseLog(log))
    .find((parsed: { name: string } | null) => parsed?.name === "FundCreated");
  const address = created.args.fund as string;
  return {
    fund: new Contract(address, fundAbi, factory.runner),
    address,
    index: Number(created.args.index),
    block: receipt.blockNumber as number,
  };
}

/** Grants each listed fund role to its account; the runner must hold the fund's admin role. */
export async function grantFundRoles(fund: Contract, grants: Partial<Record<FundRole, string[]>>) {
  for (const role of FUND_ROLES) {
    for (const account of grants[role] ?? []) {
      const roleId = await fund.getFunction(`${role}_ROLE`)();
      await (await fund.getFunction("grantRole")(roleId, account)).wait();
    }
  }
}

/** An ISO 4217 code as the contract's bytes3. */
export function currencyCode(code: string): string {
  if (!/^[A-Z]{3}$/.test(code)) throw new Error(`currency must be three capital letters, got "${code}"`);
  return encodeBytes32String(code).slice(0, 8);
}

/** Binds a contract to a different runner (another account). */
export function as(contract: Contract, runner: ContractRunner): Contract {
  return contract.connect(runner) as Contract;
}
