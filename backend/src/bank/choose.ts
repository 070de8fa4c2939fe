// The bank adapter the configuration names (BANK_ADAPTER). Plain values in, so the bank layer needs no config module.
import type { Db } from "../db/transaction.ts";
import { BunqClient, bunqBank, fileBunqStore, loadOrCreateBunqKey } from "./bunq.ts";
import { sepaFileBank, type BankAdapter, type DebtorAccount } from "./index.ts";
import { simulatedBank } from "./simulated.ts";
import { dirname } from "node:path";

export interface BankSettings {
  bank: "simulated" | "bunq" | "sepa";
  debtor: DebtorAccount;
  bunq?: { apiUrl: string; apiKey: string; privateKeyFile: string; monetaryAccountId?: number };
}

export function chooseBank(settings: BankSettings, db: Db): BankAdapter {
  if (settings.bank === "sepa") return sepaFileBank(settings.debtor);
  if (settings.bank === "bunq") {
    const bunq = settings.bunq;
    if (!bunq) throw new Error("BANK_ADAPTER=bunq needs the bunq settings");
    // Our key is made once and kept next to the installation it was registered with.
    const privateKeyPem = loadOrCreateBunqKey(bunq.privateKeyFile);
    return bunqBank(new BunqClient({
      apiUrl: bunq.apiUrl, apiKey: bunq.apiKey, privateKeyPem, store: fileBunqStore(dirname(bunq.privateKeyFile)),
      ...(bunq.monetaryAccountId !== undefined && { monetaryAccountId: bunq.monetaryAccountId }),
    }));
  }
  return simulatedBank(db);
}
