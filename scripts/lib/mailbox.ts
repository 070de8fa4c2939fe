// A local SMTP server that keeps what it receives: the demo's mailbox (`npm start`) and the tests' mail
// server. Only for this machine: it listens on loopback and accepts any sender and receiver without login.
// `policy` lets a test refuse a message (a 451 answer) or drop the connection instead of accepting it.
import { once } from "node:events";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
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
  /** A JSON file the mails are kept in across restarts (the demo's). */
  file?: string;
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
  const received: ReceivedMail[] = options.file && existsSync(options.file)
    ? (JSON.parse(readFileSync(options.file, "utf8")) as ReceivedMail[]).map((m) => ({ ...m, receivedAt: new Date(m.receivedAt) }))
    : [];
  const waiters: { count: number; resolve: (mails: ReceivedMail[]) => void }[] = [];
  let attempts = 0;
  let seq = received.at(-1)?.seq ?? 0;
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
          if (options.file) writeFileSync(options.file, JSON.stringify(received));
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

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/**
 * The demo mailbox as a web page on loopback: newest first, each mail's sender, receiver, subject, and its
 * HTML part in a sandboxed frame (no scripts, no requests) with the plain part below.
 */
export async function serveMailbox(mailbox: Mailbox, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const mails = mailbox.mails().reverse();
    const open = /^\/mail\/(\d+)$/.exec(req.url ?? "");
    const style = "body{font-family:sans-serif;margin:0 auto;max-width:60em;padding:1em;line-height:1.4}li{margin:.4em 0}iframe{width:100%;height:28em;border:1px solid #999}pre{white-space:pre-wrap;background:#f4f4f4;padding:1em}";
    let body: string;
    if (open) {
      const mail = mails.find((m) => m.seq === Number(open[1]));
      if (!mail) {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("No such mail");
        return;
      }
      body = `<p><a href="/">← Demo mailbox</a></p><h1>${escape(mail.subject)}</h1>
<dl><dt>From</dt><dd>${escape(`${mail.fromName} <${mail.from}>`)}</dd><dt>To</dt><dd>${escape(mail.to)}</dd><dt>Received</dt><dd>${escape(new Date(mail.receivedAt).toISOString())}</dd><dt>Message-ID</dt><dd>${escape(mail.messageId)}</dd></dl>
<iframe title="HTML part" sandbox srcdoc="${escape(mail.html)}"></iframe><h2>Plain text</h2><pre>${escape(mail.text)}</pre>`;
    } else {
      body = `<h1>Demo mailbox</h1><p>Every mail the demo sent, newest first (${mails.length}). This local SMTP server delivers nothing further.</p>
<ol reversed>${mails.map((m) => `<li><a href="/mail/${m.seq}">${escape(m.subject)}</a> — to ${escape(m.to)}, from ${escape(m.fromName)}</li>`).join("\n")}</ol>`;
    }
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8", "cache-control": "no-store",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; img-src data:",
    }).end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Demo mailbox</title><style>${style}</style></head><body><main>${body}</main></body></html>`);
  });
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  const actual = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${actual}/`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
