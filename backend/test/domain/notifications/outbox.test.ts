// The outbox and its worker against a real SMTP server (the local mailbox), on both engines.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { sql } from "kysely";
import { startMailbox, type Mailbox, type Verdict } from "../../../../scripts/lib/mailbox.ts";
import { inTransaction, type Db } from "../../../src/db/transaction.ts";
import { smtpMailer } from "../../../src/mail/index.ts";
import {
  createNotificationWorker, queueApplicationsDigest, queueDailyNotices, queueExpiryNotices, queueFamilyNotice, queueNotice, queueNotices, retryMail, sendDue, unsubscribe,
  unsubscribeToken, updateFamilySettings, type MailSettings, type WorkerDeps,
} from "../../../src/domain/notifications/index.ts";
import { withApplicationTables } from "../../../src/db/applications-schema.ts";
import { ENGINES, useDatabase } from "../../support/engines.ts";
import { randomUUID, seedBudget, seedFund } from "../../support/fixtures.ts";

const SECRET = "a-test-secret-of-at-least-32-characters!";

function settings(mailbox: Mailbox, overrides: Partial<MailSettings> = {}): MailSettings {
  return {
    mailer: smtpMailer({ url: mailbox.url, from: "noreply@tegoed.example", timeoutMs: 5_000 }),
    fromAddress: "noreply@tegoed.example", defaultSenderName: "Gemeente Westerkwartier", publicUrl: "https://tegoed.example",
    secret: SECRET, maxAttempts: 3, retryBaseMs: 0, claimMs: 60_000, ...overrides,
  };
}

const address = () => `shop-${randomUUID().slice(0, 8)}@example.org`;

async function seedFamily(db: Db, fundId: string, options: { email?: string | null; language?: "nl" | "en" | "ar" | "uk"; budgetCents?: bigint } = {}) {
  const family = await db.insertInto("families")
    .values({ fund_id: fundId, display_name: "J. de Vries", address_lines: ["Dorpsstraat 1"], language: options.language ?? "nl" })
    .returning("id").executeTakeFirstOrThrow();
  if (options.email) await sql`update families set email = ${options.email} where id = ${family.id}`.execute(db);
  const child = await db.insertInto("children").values({ family_id: family.id, first_name: "Sam", birth_year: 2018 }).returning("id").executeTakeFirstOrThrow();
  const budget = await seedBudget(db, fundId, child.id, options.budgetCents ?? 300_00n);
  return { familyId: family.id, budgetId: budget.budget_id };
}

describe.each(ENGINES)("notifications outbox on $name", (engine) => {
  const ctx = useDatabase(engine);
  let mailbox: Mailbox;
  let verdicts: Verdict[] = [];
  beforeAll(async () => {
    mailbox = await startMailbox({ policy: () => verdicts.shift() ?? "accept" });
  });
  afterAll(async () => mailbox?.close());
  beforeEach(async () => {
    verdicts = [];
    mailbox.clear();
    // Each test sees only its own mails: earlier tests' leftovers are set aside.
    if (!engine.skipReason) await sql`update notification_outbox set status = 'sent' where status <> 'sent'`.execute(ctx.db);
  });

  const worker = (overrides: Partial<WorkerDeps> = {}, mail: Partial<MailSettings> = {}): WorkerDeps => ({ db: ctx.db, mail: settings(mailbox, mail), ...overrides });
  const statusOf = async (to: string) =>
    (await sql<{ status: string; attempts: number; smtp_response: string | null }>`select status, attempts, smtp_response from notification_outbox where recipient = ${to}`.execute(ctx.db)).rows;

  it("sends a mail queued in a committed transaction once, in the receiver's language, with both parts and the server's id", async () => {
    const to = address();
    await inTransaction(ctx.db, (trx) => queueNotice(trx, { kind: "merchant_declined", to, language: "en", data: { shopName: "Bakker & <Zn>", reason: "No shop <here>" } }));
    expect(await sendDue(worker())).toEqual({ sent: 1, retrying: 0, needsPerson: 0 });
    const [mail, ...more] = mailbox.mails();
    expect(more).toEqual([]);
    expect(mail!.to).toBe(to);
    expect(mail!.fromName).toBe("Gemeente Westerkwartier");
    expect(mail!.subject).toBe("Your application to Gemeente Westerkwartier");
    expect(mail!.text).toContain("Dear Bakker & <Zn>,");
    expect(mail!.text).toContain("No shop <here>");
    expect(mail!.html).toContain("No shop &lt;here&gt;");
    expect(mail!.html).not.toContain("<here>");
    const [row] = await statusOf(to);
    expect(row).toMatchObject({ status: "sent", attempts: 1 });
    expect(row!.smtp_response).toContain(mail!.queueId);
    expect(await sendDue(worker())).toEqual({ sent: 0, retrying: 0, needsPerson: 0 });
  });

  it("queues nothing when the transaction of the fact rolls back, or when there is no address", async () => {
    const to = address();
    await expect(inTransaction(ctx.db, async (trx) => {
      await queueNotice(trx, { kind: "merchant_application_received", to, language: "nl", data: { shopName: "X" } });
      throw new Error("the fact failed");
    })).rejects.toThrow("the fact failed");
    expect(await queueNotice(ctx.db, { kind: "merchant_application_received", to: null, language: "nl", data: { shopName: "X" } })).toBe(false);
    const fund = await seedFund(ctx.db);
    const { familyId } = await seedFamily(ctx.db, fund.id, { email: null });
    expect(await queueFamilyNotice(ctx.db, familyId, { kind: "budget_topped_up", data: { childName: "Sam", amountCents: "500" } })).toBe(false);
    expect(await statusOf(to)).toEqual([]);
    expect(await sendDue(worker())).toEqual({ sent: 0, retrying: 0, needsPerson: 0 });
    expect(mailbox.mails()).toEqual([]);
  });

  it("queues many notices at once as one by one would: not without an address, not to who switched the kind off, each dedupe key once", async () => {
    const [a, b, off] = [address(), address(), address()];
    await inTransaction(ctx.db, (trx) => queueNotice(trx, { kind: "merchant_declined", to: a, language: "nl", data: { shopName: "A", reason: "x" } }));
    await unsubscribe(ctx.db, SECRET, unsubscribeToken(SECRET, off, "payout_sent"));
    const sent = (to: string | null, key: string, language: "nl" | "en" = "nl") =>
      ({ kind: "payout_sent" as const, to, language, dedupeKey: key, data: { shopName: to ?? "", amountCents: "1234", reference: key, ibanLast4: "4300" } });
    const keys = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const notices = [sent(a, keys[0]!), sent(` ${b.toUpperCase()} `, keys[1]!, "en"), sent(off, keys[2]!), sent(null, keys[3]!)];
    expect(await inTransaction(ctx.db, (trx) => queueNotices(trx, notices))).toBe(2);
    expect(await inTransaction(ctx.db, (trx) => queueNotices(trx, notices))).toBe(0);
    expect(await sendDue(worker())).toEqual({ sent: 3, retrying: 0, needsPerson: 0 });
    const mails = mailbox.mails().filter((m) => m.subject.includes("12"));
    expect(mails.map((m) => [m.to, m.subject]).sort()).toEqual([[a, "Uitbetaling van € 12,34 is onderweg"], [b, expect.stringContaining("12.34")]].sort());
    expect(await statusOf(off)).toEqual([]);
  });

  it("tries again when the server refuses or drops the connection, then delivers once", async () => {
    const to = address();
    await queueNotice(ctx.db, { kind: "merchant_application_received", to, language: "nl", data: { shopName: "Bakker" } });
    verdicts = ["refuse", "drop"];
    expect(await sendDue(worker())).toMatchObject({ retrying: 1 });
    expect(await sendDue(worker())).toMatchObject({ retrying: 1 });
    expect(await sendDue(worker())).toMatchObject({ sent: 1 });
    expect(mailbox.mails().map((m) => m.to)).toEqual([to]);
    expect(mailbox.mails()[0]!.subject).toBe("Uw aanmelding bij Gemeente Westerkwartier is ontvangen");
    expect(await statusOf(to)).toMatchObject([{ status: "sent", attempts: 3 }]);
  });

  it("waits before a retry, longer each time (back-off)", async () => {
    const to = address();
    await queueNotice(ctx.db, { kind: "merchant_application_received", to, language: "nl", data: { shopName: "Bakker" } });
    let now = new Date(Date.now() + 1000);
    verdicts = ["refuse", "refuse"];
    const w = worker({ clock: () => now }, { retryBaseMs: 60_000, maxAttempts: 5 });
    expect(await sendDue(w)).toMatchObject({ retrying: 1 });
    now = new Date(now.getTime() + 59_000);
    expect(await sendDue(w)).toMatchObject({ sent: 0, retrying: 0 });
    now = new Date(now.getTime() + 2_000);
    expect(await sendDue(w)).toMatchObject({ retrying: 1 });
    now = new Date(now.getTime() + 119_000);
    expect(await sendDue(w)).toMatchObject({ sent: 0, retrying: 0 });
    now = new Date(now.getTime() + 2_000);
    expect(await sendDue(w)).toMatchObject({ sent: 1 });
    expect(mailbox.mails()).toHaveLength(1);
  });

  it("gives a mail to a person after N refusals, and a person's retry delivers it once", async () => {
    const to = address();
    await queueNotice(ctx.db, { kind: "merchant_application_received", to, language: "nl", data: { shopName: "Bakker" } });
    verdicts = ["refuse", "refuse", "refuse"];
    await sendDue(worker());
    await sendDue(worker());
    expect(await sendDue(worker())).toMatchObject({ needsPerson: 1 });
    expect(await sendDue(worker())).toMatchObject({ sent: 0 });
    const [row] = (await sql<{ id: string; status: string; last_error: string }>`select id, status, last_error from notification_outbox where recipient = ${to}`.execute(ctx.db)).rows;
    expect(row).toMatchObject({ status: "needs_person" });
    expect(row!.last_error).toContain("451");
    await retryMail(ctx.db, { id: row!.id, staffUserId: randomUUID(), now: new Date() });
    expect(await sendDue(worker())).toMatchObject({ sent: 1 });
    expect(mailbox.mails()).toHaveLength(1);
  });

  it("killed after the server accepted and before marking sent: sent once more with the same Message-ID, then never again", async () => {
    const to = address();
    await queueNotice(ctx.db, { kind: "merchant_application_received", to, language: "nl", data: { shopName: "Bakker" } });
    const died = new Error("the process dies here");
    await expect(sendDue(worker({ afterAccepted: async () => { throw died; } }))).rejects.toBe(died);
    expect(await statusOf(to)).toMatchObject([{ status: "sending" }]);
    // Within the claim nobody sends it again; after the claim lapsed, the next worker does.
    expect(await sendDue(worker())).toMatchObject({ sent: 0 });
    const later = new Date(Date.now() + 61_000);
    expect(await sendDue(worker({ clock: () => later }))).toMatchObject({ sent: 1 });
    expect(await sendDue(worker({ clock: () => new Date(later.getTime() + 120_000) }))).toMatchObject({ sent: 0 });
    const mails = mailbox.mails();
    expect(mails).toHaveLength(2);
    expect(mails[0]!.messageId).toMatch(/^<[0-9a-f-]{36}@tegoed\.example>$/);
    expect(mails[1]!.messageId).toBe(mails[0]!.messageId);
  });

  it("two workers at once send each mail once", async () => {
    const receivers = Array.from({ length: 30 }, address);
    await inTransaction(ctx.db, async (trx) => {
      for (const to of receivers) await queueNotice(trx, { kind: "merchant_application_received", to, language: "en", data: { shopName: "Shop" } });
    });
    const a = worker({ batchSize: 7 });
    const b = worker({ batchSize: 7 });
    const drain = async (w: WorkerDeps) => { let sent = 0; for (;;) { const r = await sendDue(w); sent += r.sent; if (r.sent === 0) return sent; } };
    const [sentA, sentB] = await Promise.all([drain(a), drain(b)]);
    expect(sentA + sentB).toBe(30);
    expect(mailbox.mails().map((m) => m.to).sort()).toEqual([...receivers].sort());
  });

  it("queues the expiry notice once per budget and stage, however often the job runs, and only with something left", async () => {
    const fund = await seedFund(ctx.db);
    const to = address();
    const { familyId, budgetId } = await seedFamily(ctx.db, fund.id, { email: to, language: "en", budgetCents: 42_50n });
    const noEmail = await seedFamily(ctx.db, fund.id, { email: null });
    const nothingLeft = await seedFamily(ctx.db, fund.id, { email: address(), budgetCents: 0n });
    // Six weeks before 2027-12-31: 2027-11-19.
    const sixWeeks = new Date("2027-11-19T09:00:00Z");
    await queueExpiryNotices({ db: ctx.db }, new Date("2027-11-01T09:00:00Z"));
    expect(await statusOf(to)).toEqual([]);
    await queueExpiryNotices({ db: ctx.db }, sixWeeks);
    await queueExpiryNotices({ db: ctx.db }, new Date("2027-11-19T18:00:00Z"));
    await queueExpiryNotices({ db: ctx.db }, new Date("2027-11-20T09:00:00Z"));
    await sendDue(worker());
    let mails = mailbox.mails();
    expect(mails.map((m) => m.to)).toEqual([to]);
    expect(mails[0]!.subject).toBe("Sam's budget expires in 6 weeks");
    expect(mails[0]!.text).toContain("€ 42.50 is left");
    expect(mails[0]!.text).toContain("31 December 2027");
    expect(mails[0]!.text).toContain("https://tegoed.example/wallet/#shops");
    // One week before: the second notice, once.
    await queueExpiryNotices({ db: ctx.db }, new Date("2027-12-24T09:00:00Z"));
    await queueExpiryNotices({ db: ctx.db }, new Date("2027-12-25T09:00:00Z"));
    await sendDue(worker());
    mails = mailbox.mails();
    expect(mails.map((m) => m.subject)).toEqual(["Sam's budget expires in 6 weeks", "Sam's budget expires in 1 week"]);
    const rows = (await sql<{ recipient: string }>`select recipient from notification_outbox where data->>'childName' = 'Sam' and kind = 'budget_expiring' and (dedupe_key like ${`%${budgetId}`} or dedupe_key like ${`%${noEmail.budgetId}`} or dedupe_key like ${`%${nothingLeft.budgetId}`})`.execute(ctx.db)).rows;
    expect(rows.map((r) => r.recipient)).toEqual([to, to]);
    expect(familyId).toBeTruthy();
  });

  it("queues the daily notices without a mail server (no SMTP_URL): they wait in the outbox, and a worker with a server sends them once", async () => {
    const fund = await seedFund(ctx.db);
    const to = address();
    await seedFamily(ctx.db, fund.id, { email: to, language: "nl", budgetCents: 10_00n });
    const sixWeeks = new Date("2027-11-19T09:00:00Z");
    const queuing = createNotificationWorker({ db: ctx.db, clock: () => sixWeeks });
    expect(await queuing.tick()).toEqual({ sent: 0, retrying: 0, needsPerson: 0 });
    expect(await statusOf(to)).toEqual([{ status: "pending", attempts: 0, smtp_response: null }]);
    expect(mailbox.mails()).toEqual([]);
    const sending = createNotificationWorker({ db: ctx.db, mail: settings(mailbox), clock: () => new Date("2027-11-19T10:00:00Z"), batchSize: 1000 });
    expect((await sending.tick()).sent).toBeGreaterThanOrEqual(1);
    expect(mailbox.mails().filter((m) => m.to === to).map((m) => m.subject)).toEqual(["Het tegoed van Sam verloopt over 6 weken"]);
    expect(await statusOf(to)).toMatchObject([{ status: "sent", attempts: 1 }]);
  });

  it("writes a family's mail in its language, and in Dutch where a kind has no template in it yet", async () => {
    const fund = await seedFund(ctx.db);
    const to = address();
    const { familyId } = await seedFamily(ctx.db, fund.id, { email: to, language: "uk" });
    expect(await queueFamilyNotice(ctx.db, familyId, { kind: "card_blocked", data: {} })).toBe(true);
    await sendDue(worker());
    const [mail] = mailbox.mails();
    const ukrainian = existsSync(new URL("../../../src/mail/templates/uk/card_blocked.txt", import.meta.url));
    expect(mail!.html).toContain(ukrainian ? '<html lang="uk" dir="ltr">' : '<html lang="nl" dir="ltr">');
    expect(mail!.fromName).toBe("Kindpakket Westerkwartier 2027");
  });

  it("counts the six weeks on each fund's own day: a fund on Bonaire is told a few hours after one in Amsterdam", async () => {
    const [amsterdam, bonaire] = [await seedFund(ctx.db), await seedFund(ctx.db)];
    await ctx.db.updateTable("funds").set({ time_zone: "America/Kralendijk" }).where("id", "=", bonaire.id).execute();
    const [here, there] = [address(), address()];
    await seedFamily(ctx.db, amsterdam.id, { email: here, language: "en", budgetCents: 10_00n });
    await seedFamily(ctx.db, bonaire.id, { email: there, language: "en", budgetCents: 10_00n });
    // 02:00 UTC on 19 November: already that day in Amsterdam (03:00), still the 18th on Bonaire (22:00).
    await queueExpiryNotices({ db: ctx.db }, new Date("2027-11-19T02:00:00Z"));
    expect(await statusOf(here)).toHaveLength(1);
    expect(await statusOf(there)).toEqual([]);
    await queueExpiryNotices({ db: ctx.db }, new Date("2027-11-19T04:30:00Z"));
    expect(await statusOf(there)).toHaveLength(1);
    expect(await statusOf(here)).toHaveLength(1);
  });

  it("honours an unsubscribe link for that kind only, refuses a changed link, and cannot switch off a security notice", async () => {
    const fund = await seedFund(ctx.db);
    const to = address();
    const { familyId } = await seedFamily(ctx.db, fund.id, { email: to, language: "nl" });
    await queueFamilyNotice(ctx.db, familyId, { kind: "budget_topped_up", data: { childName: "Sam", amountCents: "2500" } });
    await sendDue(worker());
    const [topUp] = mailbox.mails();
    expect(topUp!.subject).toBe("Het tegoed van Sam is aangevuld");
    const link = /https:\/\/tegoed\.example\/api\/notifications\/unsubscribe\?token=(\S+)/.exec(topUp!.text);
    expect(link).not.toBeNull();
    expect(topUp!.headers["list-unsubscribe"]).toContain(link![1]);
    await expect(unsubscribe(ctx.db, SECRET, `${link![1]!.slice(0, -2)}xx`)).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect(() => unsubscribeToken(SECRET, to, "phone_replaced")).not.toThrow();
    await expect(unsubscribe(ctx.db, SECRET, unsubscribeToken(SECRET, to, "phone_replaced"))).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect(await unsubscribe(ctx.db, SECRET, link![1]!)).toEqual({ kind: "budget_topped_up" });
    expect(await queueFamilyNotice(ctx.db, familyId, { kind: "budget_topped_up", data: { childName: "Sam", amountCents: "2500" } })).toBe(false);
    expect(await queueFamilyNotice(ctx.db, familyId, { kind: "phone_replaced", data: {} })).toBe(true);
    await sendDue(worker());
    expect(mailbox.mails().map((m) => m.subject)).toEqual(["Het tegoed van Sam is aangevuld", "Beveiligingsbericht: uw tegoed is overgezet naar een nieuwe telefoon"]);
    // The setting in the app switches it on again.
    const settings = await updateFamilySettings(ctx.db, { familyId, actor: { type: "family", id: familyId }, optional: { budget_topped_up: true } });
    expect(settings.optional.find((o) => o.kind === "budget_topped_up")).toEqual({ kind: "budget_topped_up", on: true });
    expect(await queueFamilyNotice(ctx.db, familyId, { kind: "budget_topped_up", data: { childName: "Sam", amountCents: "100" } })).toBe(true);
  });
});

describe.each(ENGINES)("the applications digest hook on $name", (engine) => {
  const ctx = useDatabase(engine);
  it("queues one digest per validator, fund and day, however often it is called", async () => {
    const validators = [address(), address()];
    for (const email of validators) await ctx.db.insertInto("staff_users").values({ email, password_hash: "x", roles: ["validator"] }).execute();
    await ctx.db.insertInto("staff_users").values({ email: address(), password_hash: "x", roles: ["finance"] }).execute();
    const fundId = randomUUID();
    const digest = { fundId, fundName: "Kindpakket 2027", day: "2027-03-01", count: 4 };
    expect(await inTransaction(ctx.db, (trx) => queueApplicationsDigest(trx, digest))).toBe(2);
    expect(await inTransaction(ctx.db, (trx) => queueApplicationsDigest(trx, digest))).toBe(0);
    expect(await inTransaction(ctx.db, (trx) => queueApplicationsDigest(trx, { ...digest, day: "2027-03-02", count: 0 }))).toBe(0);
    const rows = (await sql<{ recipient: string; data: Record<string, string> }>`select recipient, data from notification_outbox where kind = 'applications_digest' and dedupe_key like ${`%${fundId}%`}`.execute(ctx.db)).rows;
    expect(rows.map((r) => r.recipient).sort()).toEqual([...validators].sort());
    expect(rows[0]!.data).toMatchObject({ count: "4", day: "2027-03-01" });
  });

  it("is scheduled in the daily round: yesterday's applications per fund, once per validator and day, in each validator's language", async () => {
    const fund = await seedFund(ctx.db);
    const [dutch, english] = [address(), address()];
    await ctx.db.insertInto("staff_users").values({ email: dutch, password_hash: "x", roles: ["validator"] }).execute();
    await ctx.db.insertInto("staff_users").values({ email: english, password_hash: "x", roles: ["validator"], language: "en" }).execute();
    const apps = withApplicationTables(ctx.db);
    const applicant = await apps.insertInto("applicant_identities").values({ method: "email", subject_hash: randomUUID().replace(/-/g, "").padEnd(64, "0") })
      .returning("id").executeTakeFirstOrThrow();
    const submitted = async (at: string | null) => apps.insertInto("applications")
      .values({ fund_id: fund.id, applicant_id: applicant.id, status: at ? "submitted" : "draft", household: JSON.stringify({ parentName: "X" }), submitted_at: at })
      .execute();
    // 2027-03-01 in Amsterdam runs from 2027-02-28T23:00Z to 2027-03-01T23:00Z.
    await submitted("2027-02-28T23:30:00Z");
    await submitted("2027-03-01T22:59:00Z");
    await submitted("2027-02-28T22:59:00Z");
    await submitted("2027-03-01T23:00:00Z");
    await submitted(null);
    const morning = new Date("2027-03-02T06:00:00Z");
    const first = await queueDailyNotices({ db: ctx.db }, morning);
    expect(first.digests).toBeGreaterThanOrEqual(2);
    expect((await queueDailyNotices({ db: ctx.db }, new Date("2027-03-02T20:00:00Z"))).digests).toBe(0);
    const rows = (await sql<{ recipient: string; language: string; data: Record<string, string> }>`select recipient, language, data from notification_outbox where kind = 'applications_digest' and dedupe_key like ${`%${fund.id}%`} order by recipient`.execute(ctx.db)).rows;
    expect(rows.filter((r) => r.recipient === dutch || r.recipient === english).map((r) => [r.recipient, r.language, r.data.count, r.data.day]).sort())
      .toEqual([[dutch, "nl", "2", "2027-03-01"], [english, "en", "2", "2027-03-01"]].sort());
  });
});
