// What the eligibility services need: the database, a FundClient per fund contract, and a clock.
import type { FundClient } from "../../chain/fund-client.ts";
import type { Db } from "../../db/transaction.ts";

export interface EligibilityDeps {
  db: Db;
  /** The FundClient of a fund contract, sent through the backend's relayer. */
  fundClient: (address: string) => FundClient;
  clock: () => Date;
}
