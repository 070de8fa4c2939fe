// Bank adapters: how a payout reaches a shop's account. Chosen by configuration (BANK_ADAPTER):
// - `simulated`: a local ledger in Postgres, no real money, named so in every log and answer;
// - `bunq`: our own client of bunq's public API (bunq.ts);
// - `sepa`: a pain.001.001.03 file per run that staff upload to the municipality's bank (sepa/pain001.ts).
// A transfer bank pays one payout per call and can be asked by our reference whether it did; a file
// bank pays nothing itself: staff download the run's file and mark it sent.
export interface BankTransfer {
  /** Ours and unique: the bank is asked by it before any retry. */
  reference: string;
  amountCents: bigint;
  creditorName: string;
  iban: string;
  bic: string | null;
  /** What the shop sees on its statement: the reference and the period. At most 140 characters. */
  description: string;
}

/** A transfer as the bank knows it. */
export interface BankRecord {
  /** The bank's own id of the transfer. */
  bankId: string;
  reference: string;
  amountCents: bigint;
}

export interface TransferBank {
  readonly kind: "transfer";
  readonly name: "simulated" | "bunq";
  /** For logs and answers, e.g. "simulated bank (no real money)". */
  readonly label: string;
  /** Pays one payout. A thrown error may hide a transfer that did happen: ask `findByReference` before any retry. */
  transfer(transfer: BankTransfer): Promise<BankRecord>;
  /** The transfer carrying `reference` in its description, if the bank made one. */
  findByReference(reference: string): Promise<BankRecord | null>;
  /** The payouts the bank made lately, newest first, with the reference each carries (our statement of them). */
  recentTransfers(): Promise<BankRecord[]>;
}

/** Our payout references (payouts.service newPayoutReference) as they stand in a transfer's description. */
export const PAYOUT_REFERENCE_IN_TEXT = /TGD-\d{8}-[A-Z2-9]{10}/;

/** The municipality's account the payouts are paid from (SEPA's debtor). */
export interface DebtorAccount {
  name: string;
  iban: string;
  bic: string;
}

export interface FileBank {
  readonly kind: "file";
  readonly name: "sepa";
  readonly label: string;
  readonly debtor: DebtorAccount;
}

export type BankAdapter = TransferBank | FileBank;
export type BankAdapterName = BankAdapter["name"];

export function sepaFileBank(debtor: DebtorAccount): FileBank {
  return { kind: "file", name: "sepa", label: "SEPA file (pain.001.001.03) for the municipality's bank", debtor };
}
