// The backend's keys by purpose. Each purpose relays through its own lanes, and each lane's account
// holds exactly the fund roles of that work: a leaked payments key can move no money of its own
// accord (a payment needs the family's signature), a leaked settle key can only record payouts, and
// none of them can grant roles (the fund admin is the municipality's own key).
import type { FundRoleName } from "./fund-client.ts";
import type { Relayer } from "./relayer.ts";

export const PURPOSES = ["payments", "refunds", "settle", "staff"] as const;
export type Purpose = (typeof PURPOSES)[number];

/** The fund roles each purpose's keys need: no more, no less. */
export const PURPOSE_ROLES: Readonly<Record<Purpose, readonly FundRoleName[]>> = {
  payments: [],
  refunds: ["OPERATOR"],
  settle: ["SETTLER"],
  // Deposits, budgets, shops and pausing: what staff screens send. Also the factory's FUND_CREATOR_ROLE.
  staff: ["SPONSOR", "VALIDATOR", "MERCHANT_MANAGER", "PAUSER"],
};

/** The environment variable that lists a purpose's keys (`…_FILE` for keystore files). */
export const PURPOSE_VARIABLE: Readonly<Record<Purpose, string>> = {
  payments: "RELAYER_KEYS_PAYMENTS",
  refunds: "RELAYER_KEYS_REFUNDS",
  settle: "RELAYER_KEYS_SETTLE",
  staff: "RELAYER_KEYS_STAFF",
};

/**
 * One relayer per purpose. With one shared relayer (the local demo, or the single key list
 * RELAYER_PRIVATE_KEYS) every purpose sends through the same lanes.
 */
export class RelayerSet {
  readonly #byPurpose: Readonly<Record<Purpose, Relayer>>;

  constructor(byPurpose: Record<Purpose, Relayer>) {
    this.#byPurpose = { ...byPurpose };
  }

  static shared(relayer: Relayer): RelayerSet {
    return new RelayerSet({ payments: relayer, refunds: relayer, settle: relayer, staff: relayer });
  }

  for(purpose: Purpose): Relayer {
    return this.#byPurpose[purpose];
  }

  /** Whether every purpose sends through the same lanes (then each key holds every purpose's roles). */
  get isShared(): boolean {
    return new Set(Object.values(this.#byPurpose)).size === 1;
  }

  /** Each distinct relayer once, with the purposes it serves. */
  relayers(): { relayer: Relayer; purposes: Purpose[] }[] {
    const seen = new Map<Relayer, Purpose[]>();
    for (const purpose of PURPOSES) {
      const relayer = this.#byPurpose[purpose];
      seen.set(relayer, [...(seen.get(relayer) ?? []), purpose]);
    }
    return [...seen].map(([relayer, purposes]) => ({ relayer, purposes }));
  }

  /** The roles a lane serving these purposes needs on every fund. */
  static rolesFor(purposes: readonly Purpose[]): FundRoleName[] {
    return [...new Set(purposes.flatMap((purpose) => PURPOSE_ROLES[purpose]))];
  }
}
