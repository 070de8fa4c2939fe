// A local SMTP server that keeps what it receives: the demo's mailbox (`npm start`) and the tests' mail
// server. Only for this machine: it listens on loopback and accepts any sender and receiver without login.
// `policy` lets a test refuse a message (a 451 answer) or drop the connection instead of accepting it.
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  /** The order it arrived in, from 1. */
  seq: number;
  receivedAt: Date;
  /** The Message-ID header, with brackets. */
  messageId: string;
  /** The queue id this server answered with. */
  queueId: string;
  from: string;
  fromName: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export type Verdict = "accept" | "refuse" | "drop";

export interface Mailbox {
  port: number;
  url: string;
  mails(): ReceivedMail[];
  /** Resolves once at least `count` mails arrived in all. */
  waitFor(count: number): Promise<ReceivedMail[]>;
  clear(): void;
  close(): Promise<void>;
}

export interface MailboxOptions {
  port?: number;
  /** Decides per message after its data arrived (default: accept). */
  policy?: (attempt: number) => Verdict;
  /** Keep at most this many mails (oldest dropped; default 500). */
  keep?: number;
}

function toMail(parsed: ParsedMail, seq: number, queueId: string): ReceivedMail {
  const from = parsed.from?.value[0];
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) headers[key] = line.slice(line.indexOf(":") + 1).replace(/\r?\n\s+/g, " ").trim();
  return {
    seq, receivedAt: new Date(), messageId: parsed.messageId ?? "", queueId,
    from: from?.address ?? "", fromName: from?.name ?? "",
    to: (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).flatMap((a) => a.value.map((v) => v.address ?? "")).join(", "),
    subject: parsed.subject ?? "", text: parsed.text ?? "", html: typeof parsed.html === "string" ? parsed.html : "", headers,
  };
}

export async function startMailbox(options: MailboxOptions = {}): Promise<Mailbox> {
  const received: ReceivedMail[] = [];
  const waiters: { count: number; resolve: (mails: ReceivedMail[]) => void }[] = [];
  let attempts = 0;
  let seq = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    banner: "Tegoed local mailbox",
    onData(stream, session, callback) {
      const attempt = ++attempts;
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const verdict = options.policy?.(attempt) ?? "accept";
        if (verdict === "drop") {
          // As a server that dies mid-answer: the client sees the connection close, no reply.
          const connections = (server as unknown as { connections: Set<{ session?: { id: string }; _socket: { destroy(): void } }> }).connections;
          for (const connection of connections) if (connection.session?.id === session.id) connection._socket.destroy();
          return;
        }
        if (verdict === "refuse") {
          callback(Object.assign(new Error("Try again later"), { responseCode: 451 }));
          return;
        }
        const queueId = `local-${Date.now().toString(36)}-${attempt}`;
        simpleParser(Buffer.concat(chunks)).then((parsed) => {
          received.push(toMail(parsed, ++seq, queueId));
          if (received.length > (options.keep ?? 500)) received.shift();
          for (const waiter of [...waiters]) {
            if (seq >= waiter.count) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve([...received]);
            }
          }
          callback(null, `Queued as ${queueId}`);
        }, (error: unknown) => callback(error as Error));
      });
    },
  });
  server.on("error", () => undefined); // a dropped connection is reported here; nothing to do
  server.listen(options.port ?? 0, "127.0.0.1");
  await once(server.server, "listening");
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    mails: () => [...received],
    waitFor: (count) => (seq >= count ? Promise.resolve([...received]) : new Promise((resolve) => waiters.push({ count, resolve }))),
    clear: () => void received.splice(0),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
