// What the eligibility services need: the database, a FundClient per fund contract, a clock, and the letters' settings.
import type { FundClient } from "../../chain/fund-client.ts";
import type { Db } from "../../db/transaction.ts";
import type { LetterSettings } from "./letter.ts";

export interface EligibilityDeps {
  db: Db;
  /** The FundClient of a fund contract, sent through the backend's relayer. */
  fundClient: (address: string) => FundClient;
  clock: () => Date;
  /** Who sends the letters, where the wallet is, the secret their codes derive from. Default: development settings. */
  letters?: LetterSettings;
}
