// What the fund and eligibility routes need of the chain: the factory, a FundClient per fund contract
// (both sending through the relayer), and the sponsor account (a relayer lane holding SPONSOR_ROLE).
// Without a chain configured, the routes still validate and find unknown ids, and any chain call is
// refused with 503 CHAIN_UNAVAILABLE.
import { DomainError } from "@tegoed/sdk";
import type { FactoryClient } from "../chain/factory-client.ts";
import type { FundClient } from "../chain/fund-client.ts";

export interface Ledger {
  factory: FactoryClient;
  fundClient: (address: string) => FundClient;
  /** The relayer lane whose reserve pays budgets: it must hold SPONSOR_ROLE on every fund. */
  sponsor: string;
}

const unavailable = (): never => {
  throw new DomainError("CHAIN_UNAVAILABLE", "No chain is configured for this backend.");
};

/** Any method of it refuses with CHAIN_UNAVAILABLE. */
function refusingClient<T extends object>(): T {
  return new Proxy({} as T, { get: () => unavailable });
}

export const noLedger: Ledger = {
  factory: refusingClient<FactoryClient>(),
  fundClient: () => refusingClient<FundClient>(),
  sponsor: "0x0000000000000000000000000000000000000000",
};
