// The notifications worker: sends the outbox over SMTP. Policy:
// - A mail is claimed before it is sent (status 'sending', attempts + 1, a claim that lapses after
//   `claimMs`), with FOR UPDATE SKIP LOCKED: any number of workers, on any number of replicas, never take
//   the same mail; no leader is needed.
// - Accepted by the server → 'sent' with the server's answer (its queue id). Refused, dropped, timed out →
//   tried again after retryBaseMs · 2^(attempt − 1) (at most an hour), and after `maxAttempts` tries it waits
//   for a person ('needs_person', listed for staff). A template that cannot render goes to a person at once.
// - The process dying after the server accepted a mail and before it was marked sent: the claim lapses and
//   the mail is sent once more (at most one extra copy per such crash). Every copy carries the same
//   Message-ID, derived from the outbox id, so a receiving system that de-duplicates by Message-ID shows one.
// - Once a day (checked each hour) the expiry notices and the validators' digest are queued; both are
//   idempotent (per budget and notice, per fund and day). Sent mails older than 90 days are deleted then.
//   This round runs whether or not a mail server is configured: without one, mails wait in the outbox.
import type { Db } from "../../db/transaction.ts";
import { renderMail, senderDomain, TemplateError, type Mailer, type OutgoingMail } from "../../mail/index.ts";
import { queueDailyDigests } from "./digest.ts";
import { queueExpiryNotices } from "./expiry.ts";
import { KINDS, isKind } from "./kinds.ts";
import { unsubscribeToken } from "./notify.ts";
import { outboxRepository, type OutboxRow } from "./outbox.repository.ts";

export interface MailSettings {
  mailer: Mailer;
  /** The sender address (MAIL_FROM's address): its domain names our Message-IDs. */
  fromAddress: string;
  /** The sender's display name when a mail has no fund of its own (the municipality). */
  defaultSenderName: string;
  /** Where the apps are, for links in mails: https://host (no trailing slash). */
  publicUrl: string;
  /** Signs unsubscribe links. */
  secret: string;
  maxAttempts: number;
  retryBaseMs: number;
  claimMs: number;
}

export interface WorkerDeps {
  db: Db;
  mail: MailSettings;
  clock?: () => Date;
  batchSize?: number;
  /** Tests: runs after the server accepted a mail and before it is marked sent (throw = the process dies there). */
  afterAccepted?: (row: OutboxRow) => Promise<void>;
}

export interface SendReport {
  sent: number;
  retrying: number;
  needsPerson: number;
}

const HOUR = 3_600_000;
/** Sent mails are kept this long (what was sent when, for questions), then deleted. */
const KEEP_SENT_MS = 90 * 24 * HOUR;

export function mailLinks(publicUrl: string): Record<string, string> {
  return {
    walletUrl: `${publicUrl}/wallet/`, shopUrl: `${publicUrl}/shop/`, staffUrl: `${publicUrl}/staff/`, shopsUrl: `${publicUrl}/wallet/#shops`,
  };
}

/** Sends what is due now, one batch; returns what happened. */
export async function sendDue(deps: WorkerDeps): Promise<SendReport> {
  const now = (deps.clock ?? (() => new Date()))();
  const { mail } = deps;
  const repo = outboxRepository(deps.db);
  const report: SendReport = { sent: 0, retrying: 0, needsPerson: 0 };
  const claimed = await repo.claimDue(now, new Date(now.getTime() + mail.claimMs), deps.batchSize ?? 20);
  for (const row of claimed) {
    let rendered;
    try {
      rendered = render(row, mail);
    } catch (error) {
      await repo.markFailed(row.id, row.attempts, `cannot render: ${(error as Error).message}`, null);
      report.needsPerson++;
      continue;
    }
    let response: string;
    try {
      ({ response } = await mail.mailer.send(rendered));
    } catch (error) {
      const reason = `${(error as { code?: string }).code ?? "error"}: ${(error as Error)?.message ?? String(error)}`;
      const retryAt = row.attempts >= mail.maxAttempts ? null : new Date(now.getTime() + Math.min(HOUR, mail.retryBaseMs * 2 ** (row.attempts - 1)));
      await repo.markFailed(row.id, row.attempts, reason, retryAt);
      if (retryAt) report.retrying++;
      else report.needsPerson++;
      continue;
    }
    await deps.afterAccepted?.(row);
    await repo.markSent(row.id, row.attempts, response, (deps.clock ?? (() => new Date()))());
    report.sent++;
  }
  return report;
}

function render(row: OutboxRow, mail: MailSettings): OutgoingMail {
  if (!isKind(row.kind)) throw new TemplateError(`unknown kind ${row.kind}`);
  const optional = KINDS[row.kind].optional;
  const unsubscribeUrl = `${mail.publicUrl}/api/notifications/unsubscribe?token=${unsubscribeToken(mail.secret, row.recipient, row.kind)}`;
  const data = {
    senderName: mail.defaultSenderName, ...mailLinks(mail.publicUrl), ...(optional && { unsubscribeUrl }),
    ...(row.data as Record<string, string>),
  };
  const rendered = renderMail(row.kind, row.language, data, optional ? "unsubscribe_footer" : undefined);
  return {
    messageId: `${row.id}@${senderDomain(mail.fromAddress)}`,
    fromName: String(data.senderName),
    to: row.recipient,
    ...rendered,
    headers: optional ? { "List-Unsubscribe": `<${unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } : ({} as Record<string, string>),
  };
}

export interface NotificationWorker {
  /** One round now: due expiry notices (once a day), then a batch of mails. */
  tick(): Promise<SendReport>;
  start(): void;
  stop(): Promise<void>;
}

/** The daily round: notices due today and yesterday's digest (idempotent), and old sent mails deleted. */
export async function queueDailyNotices(deps: { db: Db }, now: Date): Promise<{ expiry: number; digests: number }> {
  const expiry = await queueExpiryNotices(deps, now);
  const digests = await queueDailyDigests(deps, now);
  await outboxRepository(deps.db).purgeSent(new Date(now.getTime() - KEEP_SENT_MS));
  return { expiry, digests };
}

/** Without `mail` (no SMTP_URL) the worker only queues the daily notices; a worker with a mail server sends them. */
export function createNotificationWorker(
  deps: Omit<WorkerDeps, "mail"> & { mail?: MailSettings; intervalMs?: number; onError?: (error: unknown) => void },
): NotificationWorker {
  const clock = deps.clock ?? (() => new Date());
  const intervalMs = deps.intervalMs ?? 2_000;
  const onError = deps.onError ?? ((error: unknown) => console.error("notifications:", error));
  let lastExpiryCheck = 0;
  let running: Promise<unknown> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = true;

  const tick = () => {
    const next = running.then(async () => {
      const now = clock();
      if (now.getTime() - lastExpiryCheck >= HOUR) {
        await queueDailyNotices({ db: deps.db }, now);
        lastExpiryCheck = now.getTime();
      }
      let total: SendReport = { sent: 0, retrying: 0, needsPerson: 0 };
      const mail = deps.mail;
      if (!mail) return total;
      // A full batch means more may be due: go on until a batch is short.
      for (;;) {
        const report = await sendDue({ ...deps, mail });
        total = { sent: total.sent + report.sent, retrying: total.retrying + report.retrying, needsPerson: total.needsPerson + report.needsPerson };
        if (report.sent + report.retrying + report.needsPerson < (deps.batchSize ?? 20) || stopped) return total;
      }
    });
    running = next.catch(() => undefined);
    return next;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      tick().catch(onError).finally(schedule);
    }, intervalMs);
  };

  return {
    tick,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
