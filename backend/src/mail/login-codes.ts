// How a login code reaches an applicant's mailbox. In the running system the code is queued in the
// notifications outbox (domain/notifications/login-code.ts) in the transaction that stores its hash, and
// the worker sends it. `devLoginCodeMailer` keeps messages in memory for tests that read the code without
// a mail server; it logs only that a code went out, never the address or the code.
import type { FamilyLanguage } from "@tegoed/sdk";
import type { Db } from "../db/transaction.ts";

export interface LoginCodeMessage {
  to: string;
  code: string;
  language: FamilyLanguage;
  expiresAt: Date;
  /** How long the code is valid, as the mail says it. */
  validMinutes: number;
}

export interface LoginCodeMailer {
  /** Called inside the transaction that stores the code's hash: a queued mail commits with it. */
  send(message: LoginCodeMessage, trx: Db): Promise<void>;
}

export interface DevLoginCodeMailer extends LoginCodeMailer {
  /** The messages sent to this address, oldest first. */
  sentTo(address: string): LoginCodeMessage[];
}

export function devLoginCodeMailer(log: (message: string) => void = () => {}): DevLoginCodeMailer {
  const sent: LoginCodeMessage[] = [];
  return {
    async send(message) {
      sent.push(message);
      if (sent.length > 1000) sent.shift();
      log("login code sent (development mailer: kept in memory, not delivered)");
    },
    sentTo: (address) => sent.filter((m) => m.to.toLowerCase() === address.trim().toLowerCase()),
  };
}
