// What people are told, through the real routes on a real local chain and both engines: each action
// queues its mail with its fact, and the worker delivers it once, in the receiver's language, to a real
// SMTP server started here (the local mailbox; what arrives is parsed with mailparser).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "ethers";
import { sql } from "kysely";
import type { ApiClient, Fund } from "@tegoed/sdk";
import { startMailbox, type Mailbox, type ReceivedMail } from "../../../scripts/lib/mailbox.ts";
import { sendDue } from "../../src/domain/notifications/index.ts";
import { GuessLimiter } from "../../src/domain/eligibility/index.ts";
import { smtpMailer } from "../../src/mail/index.ts";
import { ENGINES } from "../support/engines.ts";
import { startDomainChain, type DomainChain } from "../domain/eligibility/support.ts";
import { PASSWORD, randomEmail, refusal, useApp } from "./harness.ts";

const YEAR = new Date().getUTCFullYear();
let chain: DomainChain;
let mailbox: Mailbox;
beforeAll(async () => {
  [chain, mailbox] = await Promise.all([startDomainChain(), startMailbox()]);
});
afterAll(async () => {
  await chain?.t.stop();
  await mailbox?.close();
});

const tag = () => Math.random().toString(36).slice(2, 8);
const kvk = () => String(10_000_000 + Math.floor(Math.random() * 89_999_999));

describe.each(ENGINES)("notifications through the routes on $name", (engine) => {
  const app = useApp(engine, {
    ledger: () => ({ factory: chain.factory, fundClient: chain.fundClient, sponsor: chain.t.relayer.addresses[0]! }),
    guessLimiter: new GuessLimiter(),
  });
  let admin: ApiClient;
  let validator: ApiClient;
  let manager: ApiClient;
  let fund: Fund;

  beforeAll(async () => {
    if (engine.skipReason) return;
    admin = (await app.loginAs(["admin"])).client;
    validator = (await app.loginAs(["validator"])).client;
    manager = (await app.loginAs(["merchant_manager"])).client;
    const finance = (await app.loginAs(["finance"])).client;
    fund = await admin.funds.create({ name: `Kindpakket ${tag()}`, amountPerChildCents: 300_00, budgetExpiry: `${YEAR + 1}-12-31`, categories: ["sport"] });
    await finance.funds.deposit(fund.id, { amountCents: 10_000_00, bankReference: `DEP-${tag()}` });
  });

  /** Sends what is queued and answers the mails that arrived for `to` since the last call. */
  const seen = new Set<string>();
  async function mailsTo(to: string): Promise<ReceivedMail[]> {
    await sendDue({
      db: app.db,
      mail: {
        mailer: smtpMailer({ url: mailbox.url, from: "kindpakket@westerkwartier.example" }), fromAddress: "kindpakket@westerkwartier.example",
        defaultSenderName: "Gemeente Westerkwartier", publicUrl: "https://tegoed.westerkwartier.example", secret: "s".repeat(32),
        maxAttempts: 3, retryBaseMs: 0, claimMs: 60_000,
      },
      batchSize: 1000,
    });
    const fresh = mailbox.mails().filter((m) => m.to === to && !seen.has(`${m.seq}`));
    for (const m of fresh) seen.add(`${m.seq}`);
    return fresh;
  }

  it("a shop hears of its application (in its language), its approval with how to log in, a colleague, and its suspension with the reason", async () => {
    const contact = randomEmail("shop");
    const { id } = await app.client().merchants.apply({
      name: "Sportwinkel De Bal", kvkNumber: kvk(), iban: "NL91 ABNA 0417 1643 00", categories: ["sport"], address: "Hoofdstraat 1, Zuidhorn",
      contactEmail: contact, language: "en",
    });
    let [mail, ...more] = await mailsTo(contact);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe("Your application to Gemeente Westerkwartier was received");
    expect(mail!.text).toContain("Dear Sportwinkel De Bal,");

    await manager.merchants.approve(id, { fundId: fund.id });
    [mail, ...more] = await mailsTo(contact);
    expect(more).toEqual([]);
    expect(mail!.fromName).toBe(fund.name);
    expect(mail!.subject).toBe(`Your shop takes part in ${fund.name}`);
    expect(mail!.text).toContain("open https://tegoed.westerkwartier.example/shop/ on the phone or tablet at your till");
    expect(mail!.html).toContain('<a href="https://tegoed.westerkwartier.example/shop/">');

    // The first login is the shop's own (made by staff at approval): no news. The second is a colleague.
    await manager.merchants.createUser(id, { email: randomEmail("kassa"), password: PASSWORD });
    expect(await mailsTo(contact)).toEqual([]);
    const colleague = randomEmail("anna");
    await manager.merchants.createUser(id, { email: colleague, password: PASSWORD });
    [mail, ...more] = await mailsTo(contact);
    expect(more).toEqual([]);
    expect(mail!.text).toContain(`${colleague} can now also log in`);
    expect(mail!.headers["list-unsubscribe"]).toMatch(/^<https:\/\/tegoed\.westerkwartier\.example\/api\/notifications\/unsubscribe\?token=/);

    await manager.merchants.suspend(id, { reason: "Sold cigarettes with the budget" });
    [mail, ...more] = await mailsTo(contact);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe("Your shop was suspended by Gemeente Westerkwartier");
    expect(mail!.text).toContain("Sold cigarettes with the budget");
  });

  it("a declined shop is told why, in Dutch by default, with the reason escaped in the HTML part", async () => {
    const contact = randomEmail("shop");
    const { id } = await app.client().merchants.apply({
      name: "Bakker & Zn", kvkNumber: kvk(), iban: "NL91 ABNA 0417 1643 00", categories: ["sport"], address: "Kerkstraat 2, Zuidhorn", contactEmail: contact,
    });
    await mailsTo(contact);
    await manager.merchants.decline(id, { reason: "Geen winkel <in> de gemeente" });
    const [mail, ...more] = await mailsTo(contact);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe("Uw aanmelding bij Gemeente Westerkwartier");
    expect(mail!.text).toContain("Beste Bakker & Zn,");
    expect(mail!.text).toContain("Geen winkel <in> de gemeente");
    expect(mail!.html).toContain("Geen winkel &lt;in&gt; de gemeente");
  });

  it("a family with an address gets its letter by email, then a top-up and a new phone's security notice; one without gets nothing", async () => {
    const family = await validator.eligibility.addFamily(fund.id, {
      displayName: "Jan de Vries", addressLines: ["Dorpsstraat 1", "9801 AB  Zuidhorn"], preferredLanguage: "en",
      children: [{ firstName: "Anna", birthYear: YEAR - 7 }],
    });
    const silent = await validator.eligibility.addFamily(fund.id, {
      displayName: "Piet Jansen", addressLines: ["Dorpsstraat 2"], children: [{ firstName: "Bram", birthYear: YEAR - 8 }],
    });
    const email = randomEmail("gezin");
    expect(await validator.notifications.updateOfFamily(family.id, { email })).toMatchObject({ email });
    await validator.eligibility.approveFamilies(fund.id, { familyIds: [family.id, silent.id] });
    await validator.eligibility.issueBudgets(fund.id);

    const queuedBefore = (await sql<{ n: number }>`select count(*)::int as n from notification_outbox`.execute(app.db)).rows[0]!.n;
    await validator.eligibility.issueLetter(silent.id);
    expect((await sql<{ n: number }>`select count(*)::int as n from notification_outbox`.execute(app.db)).rows[0]!.n).toBe(queuedBefore);

    const letter = await validator.eligibility.issueLetter(family.id);
    let [mail, ...more] = await mailsTo(email);
    expect(more).toEqual([]);
    expect(mail!.fromName).toBe(fund.name);
    expect(mail!.subject).toBe(`Your budget from ${fund.name} is ready`);
    expect(mail!.subject).not.toContain(letter.code);
    expect(mail!.text).toContain("Dear Jan de Vries,");
    expect(mail!.text).toContain("A budget is ready for: Anna.");
    expect(mail!.text).toContain(`Enter this activation code: ${letter.code}`);
    // The paper letter's own link: the wallet opens with the code filled in (in the fragment).
    expect(mail!.text).toMatch(new RegExp(`Open https?://\\S+/wallet/#code=${letter.code.replaceAll("-", "")} on your phone\\.`));
    // Once handed to the server, the code no longer rests in the outbox.
    const stored = (await sql<{ data: Record<string, unknown> }>`select data from notification_outbox where recipient = ${email} and kind = 'activation_letter'`.execute(app.db)).rows[0]!;
    expect(stored.data).not.toHaveProperty("code");
    expect(JSON.stringify(stored.data)).not.toContain(letter.code.replaceAll("-", ""));

    const wallet = app.client();
    await wallet.family.activate({ code: letter.code, holderAddress: Wallet.createRandom().address });
    const [child] = family.children;
    await validator.eligibility.topUp(fund.id, { target: { childIds: [child!.id] }, amountCents: 25_00 });
    [mail, ...more] = await mailsTo(email);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe("Anna's budget was topped up");
    expect(mail!.text).toContain("€ 25.00 was added to Anna's budget");

    // Switched off in the wallet: the next top-up sends nothing; the security notice still goes.
    expect((await wallet.notifications.updateFamily({ optional: { budget_topped_up: false } })).optional).toContainEqual({ kind: "budget_topped_up", on: false });
    expect(await refusal(wallet.notifications.updateFamily({ optional: { phone_replaced: false } as never }))).toMatchObject({ code: "INVALID_INPUT" });
    await validator.eligibility.topUp(fund.id, { target: { childIds: [child!.id] }, amountCents: 5_00 });
    expect(await mailsTo(email)).toEqual([]);

    const reissue = await validator.eligibility.reissueAccess(family.id);
    expect(await mailsTo(email)).toEqual([]); // a new phone's code goes on paper only
    await app.client().family.activate({ code: reissue.code, holderAddress: Wallet.createRandom().address });
    [mail, ...more] = await mailsTo(email);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe("Security notice: your budget moved to a new phone");
    expect(mail!.headers).not.toHaveProperty("list-unsubscribe");
  });

  it("staff see the outbox; only finance and admins may send a mail waiting for a person again", async () => {
    const outbox = await admin.notifications.outbox();
    expect(outbox.counts.sent).toBeGreaterThan(0);
    expect(outbox.mails[0]).toMatchObject({ status: expect.any(String), recipient: expect.any(String), attempts: expect.any(Number) });
    expect(await refusal(validator.notifications.outbox())).toMatchObject({ status: 403 });
    const [sent] = (await admin.notifications.outbox({ status: "sent" })).mails;
    expect(await refusal(admin.notifications.retry(sent!.id))).toMatchObject({ status: 409, code: "CONFLICT" });
  });
});
