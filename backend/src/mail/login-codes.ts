// How a login code reaches an applicant's mailbox. The outbox and SMTP sender are another part of the
// system; until they are wired in, `devLoginCodeMailer` keeps the messages in memory (a test, or the demo's
// console, reads them) and logs only that a code went out, never the address or the code.
export interface LoginCodeMessage {
  to: string;
  code: string;
  language: "nl" | "en";
  expiresAt: Date;
}

export interface LoginCodeMailer {
  send(message: LoginCodeMessage): Promise<void>;
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
