// The FundFactory, driven by the backend's staff lanes: creates a fund (its own contract, running a copy
// of the Fund code) with each purpose's lanes given the roles of their work, and the admin role handed to
// the municipality's own key (FUND_ADMIN) in the same transaction. The creating lane needs the factory's
// FUND_CREATOR_ROLE; without a fund admin configured (the local demo) it administers the fund itself.
import { Interface, encodeBytes32String, getAddress, isAddress } from "ethers";
import { DomainError, fundFactoryAbi } from "@tegoed/sdk";
import { FUND_ROLE_IDS } from "./fund-client.ts";
import { RelayerSet } from "./lanes.ts";
import { Relayer } from "./relayer.ts";

const factoryInterface = new Interface(fundFactoryAbi);

export interface NewFundOnChain {
  name: string;
  /** ISO 4217, e.g. "EUR". */
  currency: string;
  /** Unix seconds: budgets issued without their own expiry end then. */
  defaultBudgetExpiry: bigint;
}

export interface CreatedFund {
  address: string;
  /** The fund's short number in the factory. */
  index: number;
  txHash: string;
  blockNumber: number;
}

export class FactoryClient {
  readonly address: string;
  /** The staff lanes' relayer: its first lane creates funds. */
  readonly relayer: Relayer;
  readonly lanes: RelayerSet;
  /** Who administers the funds this backend creates. */
  readonly fundAdmin: string;

  /** `fundAdmin` absent: the creating lane (local demo only; the start-up checks refuse it elsewhere). */
  constructor(relayer: Relayer | RelayerSet, address: string, fundAdmin?: string) {
    if (!isAddress(address)) throw new DomainError("INVALID_INPUT", undefined, { field: "factory", reason: "not an address" });
    this.lanes = relayer instanceof Relayer ? RelayerSet.shared(relayer) : relayer;
    this.relayer = this.lanes.for("staff");
    this.address = getAddress(address);
    this.fundAdmin = getAddress(fundAdmin ?? this.creator);
  }

  /** The lane that creates funds: the staff relayer's first. */
  get creator(): string {
    return this.relayer.addresses[0]!;
  }

  /** Every role each purpose's lanes get on a new fund, as the factory takes them (parallel lists). */
  grants(): { roles: string[]; accounts: string[] } {
    const roles: string[] = [];
    const accounts: string[] = [];
    for (const { relayer, purposes } of this.lanes.relayers()) {
      for (const role of RelayerSet.rolesFor(purposes)) {
        for (const account of relayer.addresses) {
          roles.push(FUND_ROLE_IDS[role]);
          accounts.push(account);
        }
      }
    }
    return { roles, accounts };
  }

  /** Creates a fund with the lanes' roles granted and `fundAdmin` as its admin, in one transaction. */
  async createFund(settings: NewFundOnChain): Promise<CreatedFund> {
    if (!/^[A-Z]{3}$/.test(settings.currency)) {
      throw new DomainError("INVALID_INPUT", undefined, { field: "currency", reason: "not three capital letters" });
    }
    const { roles, accounts } = this.grants();
    const data = factoryInterface.encodeFunctionData("createFundWithRoles", [
      this.fundAdmin, settings.name, encodeBytes32String(settings.currency).slice(0, 8), settings.defaultBudgetExpiry, roles, accounts,
    ]);
    const tx = await this.relayer.send({ to: this.address, data, label: "createFund", from: this.creator });
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
}
