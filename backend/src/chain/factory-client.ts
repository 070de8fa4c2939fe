// The FundFactory, driven by the backend's relayer: creates a fund clone and hands the relayer's lanes
// the fund roles the backend acts in. The lane that creates a fund needs the factory's FUND_CREATOR_ROLE
// and becomes the new fund's admin.
import { Interface, encodeBytes32String, getAddress, isAddress } from "ethers";
import { DomainError, fundAbi, fundFactoryAbi } from "@tegoed/sdk";
import { FUND_ROLE_IDS, type FundRoleName } from "./fund-client.ts";
import type { Relayer } from "./relayer.ts";

const factoryInterface = new Interface(fundFactoryAbi);
const fundInterface = new Interface(fundAbi);

export interface NewFundOnChain {
  name: string;
  /** ISO 4217, e.g. "EUR". */
  currency: string;
  /** Unix seconds: budgets issued without their own expiry end then. */
  defaultBudgetExpiry: bigint;
}

export interface CreatedFund {
  address: string;
  /** The clone's short number in the factory. */
  index: number;
  txHash: string;
  blockNumber: number;
}

export class FactoryClient {
  readonly address: string;
  readonly relayer: Relayer;

  constructor(relayer: Relayer, address: string) {
    if (!isAddress(address)) throw new DomainError("INVALID_INPUT", undefined, { field: "factory", reason: "not an address" });
    this.relayer = relayer;
    this.address = getAddress(address);
  }

  /** The lane that creates funds and administers them: the relayer's first. */
  get admin(): string {
    return this.relayer.addresses[0]!;
  }

  /** Creates a fund clone administered by the relayer's first lane. */
  async createFund(settings: NewFundOnChain): Promise<CreatedFund> {
    if (!/^[A-Z]{3}$/.test(settings.currency)) {
      throw new DomainError("INVALID_INPUT", undefined, { field: "currency", reason: "not three capital letters" });
    }
    const data = factoryInterface.encodeFunctionData("createFund", [
      this.admin, settings.name, encodeBytes32String(settings.currency).slice(0, 8), settings.defaultBudgetExpiry,
    ]);
    const tx = await this.relayer.send({ to: this.address, data, label: "createFund", from: this.admin });
    const receipt = await this.relayer.provider.getTransactionReceipt(tx.txHash);
    for (const log of receipt?.logs ?? []) {
      if (log.address.toLowerCase() !== this.address.toLowerCase()) continue;
      const parsed = factoryInterface.parseLog({ topics: [...log.topics], data: log.data });
      if (parsed?.name === "FundCreated") {
        return { address: getAddress(parsed.args.fund as string), index: Number(parsed.args.index), txHash: tx.txHash, blockNumber: tx.blockNumber };
      }
    }
    throw new DomainError("INTERNAL", undefined, { reason: "no FundCreated event in the receipt" });
  }

  /** Grants `roles` on `fund` to every relayer lane, sent by the admin lane. */
  async grantRolesToLanes(fund: string, roles: readonly FundRoleName[]): Promise<void> {
    for (const role of roles) {
      for (const account of this.relayer.addresses) {
        const data = fundInterface.encodeFunctionData("grantRole", [FUND_ROLE_IDS[role], account]);
        await this.relayer.send({ to: fund, data, label: "grantRole", from: this.admin });
      }
    }
  }
}
