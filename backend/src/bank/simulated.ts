// The simulated bank: a ledger table in our own database, no real money. Each transfer commits on its
// own, as a real bank's would, so a crash after it leaves a transfer the payout row does not know of;
// the payouts service finds it by reference. Not idempotent by itself, on purpose.
import type { Db } from "../db/transaction.ts";
import type { BankRecord, BankTransfer, TransferBank } from "./index.ts";

export const SIMULATED_BANK_LABEL = "simulated bank (no real money)";

export interface SimulatedBankOptions {
  /** Called before each transfer is booked: tests make the bank fail or stall here. */
  beforeTransfer?: (transfer: BankTransfer) => void | Promise<void>;
}

export function simulatedBank(db: Db, options: SimulatedBankOptions = {}): TransferBank {
  const ledger = () => db;
  const toRecord = (row: { id: bigint; reference: string; amount_cents: bigint }): BankRecord => ({
    bankId: `SIM-${row.id}`, reference: row.reference, amountCents: row.amount_cents,
  });
  return {
    kind: "transfer",
    name: "simulated",
    label: SIMULATED_BANK_LABEL,
    async transfer(transfer) {
      await options.beforeTransfer?.(transfer);
      const row = await ledger()
        .insertInto("simulated_bank_transfers")
        .values({
          reference: transfer.reference, amount_cents: transfer.amountCents, iban: transfer.iban,
          creditor_name: transfer.creditorName, description: transfer.description,
        })
        .returning(["id", "reference", "amount_cents"])
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },
    async recentTransfers() {
      const rows = await ledger().selectFrom("simulated_bank_transfers").select(["id", "reference", "amount_cents"]).orderBy("id", "desc").limit(1000).execute();
      return rows.map(toRecord);
    },
    async findByReference(reference) {
      const row = await ledger()
        .selectFrom("simulated_bank_transfers")
        .select(["id", "reference", "amount_cents"])
        .where("reference", "=", reference)
        .orderBy("id")
        .executeTakeFirst();
      return row ? toRecord(row) : null;
    },
  };
}
