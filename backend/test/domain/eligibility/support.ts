// A real local chain (through the chain harness) and the deps the domain services take. The relayer's
// first lane gets the factory's FUND_CREATOR_ROLE, so funds are created as the backend creates them.
import { Contract, id } from "ethers";
import { fundFactoryAbi } from "@tegoed/sdk";
import { devWallet } from "../../../../scripts/lib/local-chain.ts";
import { FactoryClient } from "../../../src/chain/factory-client.ts";
import { FundClient } from "../../../src/chain/fund-client.ts";
import type { Db } from "../../../src/db/transaction.ts";
import type { EligibilityDeps } from "../../../src/domain/eligibility/deps.ts";
import type { FundsDeps } from "../../../src/domain/funds/funds.service.ts";
import { startTestChain, type TestChain } from "../../chain/harness.ts";

export const STAFF = "00000000-0000-4000-8000-000000000001";

export interface DomainChain {
  t: TestChain;
  factory: FactoryClient;
  fundClient: (address: string) => FundClient;
}

export async function startDomainChain(): Promise<DomainChain> {
  const t = await startTestChain("hardhat");
  const admin = devWallet(t.provider, 0);
  const factory = new Contract(t.factoryAddress, fundFactoryAbi, admin);
  await (await factory.getFunction("grantRole")(id("FUND_CREATOR_ROLE"), t.relayer.addresses[0])).wait();
  const clients = new Map<string, FundClient>();
  return {
    t,
    factory: new FactoryClient(t.relayer, t.factoryAddress),
    fundClient: (address) => {
      let client = clients.get(address.toLowerCase());
      if (!client) clients.set(address.toLowerCase(), (client = new FundClient(t.relayer, address)));
      return client;
    },
  };
}

/** A clock the test can move. */
export function testClock(start = new Date()) {
  let now = start.getTime();
  return {
    clock: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

export function depsFor(db: Db, chain: DomainChain, clock: () => Date = () => new Date()): FundsDeps & EligibilityDeps {
  return { db, factory: chain.factory, fundClient: chain.fundClient, clock };
}

/** CSV text from a header and rows. */
export function csvOf(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [header.join(","), ...rows.map((r) => r.join(","))].join("\n") + "\n";
}

export const HEADER = [
  "family_ref", "parent_name", "address_line1", "postal_code", "city", "language", "child_first_name", "child_birth_year",
] as const;

/** `families` families of `childrenEach` children, valid rows. */
export function validRows(families: number, childrenEach = 1, prefix = "F"): (string | number)[][] {
  const rows: (string | number)[][] = [];
  const year = new Date().getUTCFullYear();
  for (let f = 0; f < families; f++) {
    for (let c = 0; c < childrenEach; c++) {
      rows.push([`${prefix}${f}`, `Ouder ${f}`, `Dorpsstraat ${f + 1}`, "9801 AB", "Zuidhorn", f % 2 ? "en" : "nl", `Kind${c}`, year - 5 - c]);
    }
  }
  return rows;
}
