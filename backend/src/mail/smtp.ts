// The mail adapter: hands one rendered mail to an SMTP server with nodemailer. It knows nothing of the
// outbox; the notifications worker decides when to call it and what a failure means.
import nodemailer from "nodemailer";

export interface SmtpOptions {
  /** smtp://user:pass@host:port (STARTTLS when offered) or smtps://… (TLS from the first byte). */
  url: string;
  /** The address mail is sent from; the display name is the fund's or municipality's, per mail. */
  from: string;
  /** Refuse a server whose certificate does not verify (default true). */
  tlsRejectUnauthorized?: boolean;
  /** Refuse to send unless the server upgrades to TLS (STARTTLS). */
  requireTls?: boolean;
  /** Connection, greeting and socket time-outs (default 30 s). */
  timeoutMs?: number;
}

export interface OutgoingMail {
  /** Our own Message-ID (without brackets): the same on every attempt, so a receiver can drop a copy. */
  messageId: string;
  fromName: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** e.g. List-Unsubscribe */
  headers?: Record<string, string>;
}

export interface Mailer {
  /** Resolves with the server's answer to the message (its queue id) once the server accepted it. */
  send(mail: OutgoingMail): Promise<{ response: string }>;
  close(): void;
}

/** The domain of the sender address, for Message-IDs. */
export function senderDomain(from: string): string {
  return /@([^\s>]+)>?\s*$/.exec(from)?.[1] ?? "tegoed.invalid";
}

export function smtpMailer(options: SmtpOptions): Mailer {
  const timeout = options.timeoutMs ?? 30_000;
  const transport = nodemailer.createTransport({
    url: options.url,
    requireTLS: options.requireTls ?? false,
    tls: { rejectUnauthorized: options.tlsRejectUnauthorized ?? true },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(mail) {
      const info = await transport.sendMail({
        from: { name: mail.fromName, address: options.from },
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${mail.messageId}>`,
        headers: mail.headers ?? {},
      });
      return { response: String(info.response ?? "") };
    },
    close: () => transport.close(),
  };
}
