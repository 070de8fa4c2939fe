// Login codes for families applying without an identity broker: queued in the outbox with the code's
// hash (same transaction), sent by the worker. A security mail: nobody can switch it off. The code leaves
// the outbox row once the server accepted the mail (markSent drops it), and is dead after its 15 minutes anyway.
import type { LoginCodeMailer } from "../../mail/login-codes.ts";
import { queueNotice } from "./notify.ts";

export function outboxLoginCodeMailer(): LoginCodeMailer {
  return {
    async send(message, trx) {
      await queueNotice(trx, { kind: "login_code", to: message.to, language: message.language, data: { code: message.code, minutes: String(message.validMinutes) } });
    },
  };
}
