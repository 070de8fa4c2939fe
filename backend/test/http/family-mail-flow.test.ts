// What a family applying online is told, through the real routes, a real local chain and both engines:
// the login code by email (through the outbox and a real SMTP server), its application received, a
// question, the decision, each in the language of its form; the family's language on its record from
// the form, the wallet, staff and the import file; the card's security notices.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "ethers";
import { sql } from "kysely";
import { applicationsApi, type ApiClient, type ApplicationDraftRequest, type Fund } from "@tegoed/sdk";
import { startMailbox, type Mailbox, type ReceivedMail } from "../../../scripts/lib/mailbox.ts";
import { outboxLoginCodeMailer, sendDue } from "../../src/domain/notifications/index.ts";
import { smtpMailer } from "../../src/mail/index.ts";
import { ENGINES } from "../support/engines.ts";
import { startDomainChain, type DomainChain } from "../domain/eligibility/support.ts";
import { refusal, useApp } from "./harness.ts";

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

describe.each(ENGINES)("a family's mail and language on $name", (engine) => {
  const app = useApp(engine, {
    ledger: () => ({ factory: chain.factory, fundClient: chain.fundClient, sponsor: chain.t.relayer.addresses[0]! }),
    applicants: () => ({ identityKey: "test-identity-key-0123456789abcdef0123456789abcdef", mailer: outboxLoginCodeMailer() }),
    cards: { pepper: Buffer.alloc(32, 7) },
  });
  let admin: ApiClient;
  let validator: ApiClient;

  beforeAll(async () => {
    if (engine.skipReason) return;
    admin = (await app.loginAs(["admin"])).client;
    validator = (await app.loginAs(["validator"])).client;
  });

  /** Sends what is queued; answers the mails that arrived for `to` since the last call. */
  const seen = new Set<number>();
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
    const fresh = mailbox.mails().filter((m) => m.to === to && !seen.has(m.seq));
    for (const m of fresh) seen.add(m.seq);
    return fresh;
  }

  async function newFund(): Promise<Fund> {
    const fund = await admin.funds.create({ name: `Kindpakket ${tag()}`, amountPerChildCents: 300_00, budgetExpiry: `${YEAR + 1}-12-31`, categories: ["sport"] });
    const finance = (await app.loginAs(["finance"])).client;
    await finance.funds.deposit(fund.id, { amountCents: 5_000_00, bankReference: `DEP-${tag()}` });
    await applicationsApi(validator).staff.saveSettings(fund.id, {
      open: true, fourEyes: false, retentionDays: 90, consentText: "Ik geef toestemming.",
      criteria: [{ id: "lives-here", kind: "yes-no", label: "Woont u in de gemeente?", expected: true }], documents: [],
    });
    return fund;
  }

  /** Logs in with the code the mail brought. */
  async function loggedIn(email: string, language: "nl" | "en" = "nl") {
    const client = app.client();
    const api = applicationsApi(client);
    await api.requestEmailCode({ email, language });
    const [mail, ...more] = await mailsTo(email);
    expect(more).toEqual([]);
    const code = /\b(\d{6})\b/.exec(mail!.text)![1]!;
    await api.emailLogin({ email, code });
    return { client, api, mail: mail! };
  }

  const draft = (fundId: string, email: string, language: "nl" | "en", firstName = "Noor"): ApplicationDraftRequest => ({
    fundId,
    household: { parentName: "Fatima el Amrani", addressLine1: "Dorpsstraat 12", postalCode: "9801 AB", city: "Zuidhorn", language, email },
    children: [{ firstName, birthDate: `${YEAR - 8}-05-14` }],
    answers: { "lives-here": true },
  });

  it("a login code by email goes through the outbox: it arrives, logs in, leaves no code in the outbox, and stays rate-limited", async () => {
    const email = `ouder-${tag()}@example.nl`;
    const { api, mail } = await loggedIn(email, "en");
    expect(mail.subject).toBe("Your login code for Gemeente Westerkwartier");
    expect(mail.subject).not.toMatch(/\d{6}/);
    expect(mail.text).toContain("valid for 15 minutes");
    expect((await api.session()).method).toBe("email");
    const rows = (await sql<{ status: string; data: Record<string, string> }>`select status, data from notification_outbox where recipient = ${email}`.execute(app.db)).rows;
    expect(rows).toEqual([{ status: "sent", data: { minutes: "15" } }]);
    await api.requestEmailCode({ email });
    await api.requestEmailCode({ email });
    expect(await refusal(api.requestEmailCode({ email }))).toMatchObject({ status: 429, code: "RATE_LIMITED" });
    expect(await mailsTo(email)).toHaveLength(2);
  });

  it("the family hears of its application, a question and the approval in the form's language; its record takes that language and address", async () => {
    const fund = await newFund();
    const email = `ouder-${tag()}@example.nl`;
    const family = await loggedIn(email);
    const created = await family.api.create(draft(fund.id, email, "en"));
    expect(await mailsTo(email)).toEqual([]);
    await family.api.submit(created.id, { consent: true });
    let [mail, ...more] = await mailsTo(email);
    expect(more).toEqual([]);
    expect(mail!.fromName).toBe(fund.name);
    expect(mail!.subject).toBe(`We received your application for ${fund.name}`);
    expect(mail!.text).toContain("Dear Fatima el Amrani,");

    const staff = applicationsApi(validator).staff;
    await staff.ask(created.id, { body: "Kunt u de loonstrook sturen?" });
    [mail, ...more] = await mailsTo(email);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe(`A question about your application for ${fund.name}`);
    // The question itself stays in the app.
    expect(mail!.text).not.toContain("loonstrook");
    await family.api.reply(created.id, { body: "Bijgevoegd." });

    const approved = await staff.approve(created.id);
    [mail, ...more] = await mailsTo(email);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe(`Your application for ${fund.name} was approved`);
    expect(mail!.text).toContain("There will be a budget for Noor.");
    expect(mail!.text).toContain("Activate it now in the app you applied in: open https://tegoed.westerkwartier.example/wallet/");
    // Approving again (a retry of the issuing) tells nobody twice.
    await staff.approve(created.id);
    expect(await mailsTo(email)).toEqual([]);
    const settings = await validator.notifications.ofFamily(approved.familyId!);
    expect(settings).toMatchObject({ email, language: "en" });

    // The wallet's language choice goes on the record (the family's own session, after activating).
    const session = await family.api.activate(created.id, { holderAddress: Wallet.createRandom().address });
    expect(session.familyId).toBe(approved.familyId);
    expect(await family.client.notifications.updateFamily({ language: "ar" })).toMatchObject({ language: "ar" });
    expect(await refusal(family.client.notifications.updateFamily({ language: "fy" as "ar" }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    // Staff set it on the family's page; both changes are in the audit log.
    expect(await validator.notifications.updateOfFamily(approved.familyId!, { language: "tr" })).toMatchObject({ language: "tr" });
    const audit = (await sql<{ actor_type: string; details: Record<string, string> }>`select actor_type, details from audit_log where action = 'family.notifications' and subject_id = ${approved.familyId} order by id`.execute(app.db)).rows;
    expect(audit.map((a) => [a.actor_type, a.details.language])).toEqual([["family", "en>ar"], ["staff", "ar>tr"]]);
  });

  it("a declined family is told why; without an address on the form nothing is queued", async () => {
    const fund = await newFund();
    const email = `ouder-${tag()}@example.nl`;
    const family = await loggedIn(email);
    const created = await family.api.create(draft(fund.id, email, "nl", "Sami"));
    await family.api.submit(created.id, { consent: true });
    await mailsTo(email);
    await applicationsApi(validator).staff.decline(created.id, { reason: "Het inkomen is hoger dan de grens <€ 2.200>" });
    const [mail, ...more] = await mailsTo(email);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe(`Besluit over uw aanvraag voor ${fund.name}`);
    expect(mail!.text).toContain("Het inkomen is hoger dan de grens <€ 2.200>");
    expect(mail!.html).toContain("&lt;€ 2.200&gt;");

    const silent = `stil-${tag()}@example.nl`;
    const quiet = await loggedIn(silent);
    const { email: _, ...household } = draft(fund.id, silent, "nl", "Bram").household;
    const other = await quiet.api.create({ ...draft(fund.id, silent, "nl", "Bram"), household });
    await quiet.api.submit(other.id, { consent: true });
    expect(await mailsTo(silent)).toEqual([]);
  });

  it("an import file may name each family's language by code or own name (language or taal column); an unknown one is a clear row error", async () => {
    const fund = await newFund();
    const header = "family_ref,parent_name,address_line1,postal_code,city,taal,child_first_name,child_birth_year";
    const csv = [
      header,
      `T1,Ayşe Yılmaz,Kerkstraat 1,9801 AB,Zuidhorn,Türkçe,Elif,${YEAR - 6}`,
      `T2,Олена Коваль,Kerkstraat 2,9801 AB,Zuidhorn,uk,Марія,${YEAR - 7}`,
      `T3,Jan Jansen,Kerkstraat 3,9801 AB,Zuidhorn,,Piet,${YEAR - 5}`,
      `T4,Hans Müller,Kerkstraat 4,9801 AB,Zuidhorn,Frysk,Lena,${YEAR - 4}`,
    ].join("\n");
    const report = await validator.eligibility.importFamilies(fund.id, { csv, mode: "valid-rows" });
    expect(report).toMatchObject({ committed: true, families: 3, rejected: [{ row: 5, field: "language", code: "language" }] });
    expect(report.rejected[0]!.reason).toContain("nl, en, ar, tr, pl, uk, de, fr");
    const languages = (await sql<{ external_ref: string; language: string }>`select external_ref, language from families where fund_id = ${fund.id} order by external_ref`.execute(app.db)).rows;
    expect(languages.map((f) => [f.external_ref, f.language])).toEqual([["T1", "tr"], ["T2", "uk"], ["T3", "nl"]]);
    // Without the column at all, Dutch.
    const plain = await validator.eligibility.importFamilies(fund.id, {
      csv: `family_ref,parent_name,address_line1,postal_code,city,child_first_name,child_birth_year\nT5,Kees Bos,Kerkstraat 5,9801 AB,Zuidhorn,Tim,${YEAR - 3}`,
    });
    expect(plain).toMatchObject({ committed: true, families: 1 });
  });

  it("a card issued, blocked and replaced: each a security notice to a family with an address, in its language; none without one", async () => {
    const fund = await newFund();
    const email = `kaart-${tag()}@example.nl`;
    const withMail = await validator.eligibility.addFamily(fund.id, {
      displayName: "Jan de Vries", addressLines: ["Dorpsstraat 1", "9801 AB  Zuidhorn"], preferredLanguage: "en", children: [{ firstName: "Anna", birthYear: YEAR - 7 }],
    });
    const without = await validator.eligibility.addFamily(fund.id, {
      displayName: "Piet Bos", addressLines: ["Dorpsstraat 2", "9801 AB  Zuidhorn"], children: [{ firstName: "Bram", birthYear: YEAR - 6 }],
    });
    await validator.notifications.updateOfFamily(withMail.id, { email });
    await validator.eligibility.approveFamilies(fund.id, { familyIds: [withMail.id, without.id] });
    await validator.eligibility.issueBudgets(fund.id);
    await mailsTo(email);
    const queuedBefore = Number((await sql<{ n: number }>`select count(*)::int as n from notification_outbox`.execute(app.db)).rows[0]!.n);

    const issued = await validator.cards.issue(withMail.id);
    let [mail, ...more] = await mailsTo(email);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe("Security notice: a Tegoed card was made for your family");
    expect(mail!.fromName).toBe(fund.name);
    expect(mail!.text).toContain("Dear Jan de Vries,");
    await validator.cards.block(issued.card.id, { reason: "lost" });
    [mail, ...more] = await mailsTo(email);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe("Security notice: your Tegoed card was blocked");
    // Blocking a blocked card changes nothing and tells nobody.
    await validator.cards.block(issued.card.id, { reason: "lost" });
    expect(await mailsTo(email)).toEqual([]);
    await validator.cards.replace(issued.card.id);
    [mail, ...more] = await mailsTo(email);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe("Security notice: your Tegoed card was replaced");

    await validator.cards.issue(without.id);
    const queuedAfter = Number((await sql<{ n: number }>`select count(*)::int as n from notification_outbox`.execute(app.db)).rows[0]!.n);
    expect(queuedAfter - queuedBefore).toBe(3);
  });
});
