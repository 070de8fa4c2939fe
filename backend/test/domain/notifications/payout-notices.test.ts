// What shops and finance hear of payouts, on a real chain and both engines, delivered to a real SMTP
// server: each payout sent (amount, reference, the IBAN's last 4) once; a run waiting for a second
// approval; a payout's first failure; a statement line whose amount differs.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { startMailbox, type Mailbox, type ReceivedMail } from "../../../../scripts/lib/mailbox.ts";
import { sepaFileBank } from "../../../src/bank/index.ts";
import { importStatement, markRunSent, merchantPayouts, reconcilePayouts, startAndProcess, startRun } from "../../../src/domain/payouts/index.ts";
import { sendDue } from "../../../src/domain/notifications/index.ts";
import { smtpMailer } from "../../../src/mail/index.ts";
import { ENGINES, useDatabase } from "../../support/engines.ts";
import { createIndexer } from "../../../src/domain/indexer/index.ts";
import { type TestChain, activeBudgets, signPermit, startTestChain } from "../../chain/harness.ts";
import { CHAIN_ENGINE, approvedMerchant, depsFor, type ChainFunds, seedChainFunds } from "../payments/support.ts";
import { camt053, owedShop, payoutDeps } from "../payouts/support.ts";

let t: TestChain;
let mailbox: Mailbox;
beforeAll(async () => {
  [t, mailbox] = await Promise.all([startTestChain(CHAIN_ENGINE), startMailbox()]);
});
afterAll(async () => {
  await t?.stop();
  await mailbox?.close();
});

describe.each(ENGINES)("payout notices on $name", (engine) => {
  const ctx = useDatabase(engine);
  let funds: ChainFunds;
  let finance: string;
  beforeEach(async () => {
    if (funds) return;
    funds = await seedChainFunds(ctx.db, t);
    finance = `finance-${randomUUID().slice(0, 8)}@westerkwartier.test`;
    await ctx.db.insertInto("staff_users").values({ email: finance, password_hash: "x", roles: ["finance"] }).execute();
    await ctx.db.insertInto("staff_users").values({ email: `validator-${randomUUID().slice(0, 8)}@westerkwartier.test`, password_hash: "x", roles: ["validator"] }).execute();
  });

  const seen = new Set<number>();
  async function delivered(): Promise<ReceivedMail[]> {
    await sendDue({
      db: ctx.db, batchSize: 1000,
      mail: {
        mailer: smtpMailer({ url: mailbox.url, from: "kindpakket@westerkwartier.example" }), fromAddress: "kindpakket@westerkwartier.example",
        defaultSenderName: "Gemeente Westerkwartier", publicUrl: "https://tegoed.example", secret: "s".repeat(32), maxAttempts: 3, retryBaseMs: 0, claimMs: 60_000,
      },
    });
    const fresh = mailbox.mails().filter((m) => !seen.has(m.seq));
    for (const m of fresh) seen.add(m.seq);
    return fresh;
  }
  const contactOf = async (merchantId: string) =>
    (await ctx.db.selectFrom("merchants").select("contact_email").where("id", "=", merchantId).executeTakeFirstOrThrow()).contact_email;

  it("tells the shop once that its payout was sent, with the amount, the reference and the IBAN's last 4", async () => {
    await delivered();
    const shop = await owedShop(ctx.db, t, funds, 42_50n);
    const contact = `shop-${randomUUID().slice(0, 8)}@example.org`;
    await sql`update merchants set contact_email = ${contact} where id = ${shop.id}`.execute(ctx.db);
    await startAndProcess(payoutDeps(ctx.db, t), { fundId: funds.fundId, trigger: "manual", staffUserId: randomUUID() });
    await reconcilePayouts(payoutDeps(ctx.db, t));
    const [payout] = await merchantPayouts({ db: ctx.db }, shop.id);
    const mails = (await delivered()).filter((m) => m.to === contact);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe("Uitbetaling van € 42,50 is onderweg");
    expect(mails[0]!.text).toContain("rekening eindigend op 4300");
    expect(mails[0]!.text).toContain(`Kenmerk: ${payout!.reference}`);
  });

  it("tells finance of a run waiting for a second approval (staff of other roles hear nothing)", async () => {
    await delivered();
    await owedShop(ctx.db, t, funds, 60_00n);
    await delivered(); // the shop's own application and approval
    const run = await startRun(payoutDeps(ctx.db, t, { fourEyesCents: 10_00n }), { fundId: funds.fundId, trigger: "manual", staffUserId: randomUUID() });
    expect(run.status).toBe("awaiting_approval");
    const mails = await delivered();
    expect(mails.map((m) => m.to)).toEqual([finance]);
    expect(mails[0]!.subject).toBe("Uitbetaling wacht op een tweede goedkeuring");
    expect(mails[0]!.text).toContain("https://tegoed.example/staff/");
    await sql`update payout_runs set status = 'rejected' where id = ${run.id}`.execute(ctx.db);
    await sql`update payouts set status = 'failed' where run_id = ${run.id}`.execute(ctx.db);
  });

  it("tells finance once when a payout fails, however often it is retried", async () => {
    await delivered();
    await owedShop(ctx.db, t, funds, 7_00n);
    await delivered();
    const failing = payoutDeps(ctx.db, t, { bankOptions: { beforeTransfer: () => { throw new Error("connect ECONNREFUSED"); } } });
    const run = await startAndProcess(failing, { fundId: funds.fundId, trigger: "manual", staffUserId: null });
    const open = run.payoutCount; // this shop's, and any other shop's still owed
    const mails = await delivered();
    expect(mails).toHaveLength(open);
    expect(mails.every((m) => m.to === finance && m.subject === "Een uitbetaling is mislukt en heeft aandacht nodig")).toBe(true);
    expect(mails.some((m) => m.text.includes("€ 7,00"))).toBe(true);
    // Retried and failing again: no second mail.
    await reconcilePayouts(failing);
    expect(await delivered()).toEqual([]);
    await reconcilePayouts(payoutDeps(ctx.db, t));
    await delivered();
  });

  it("tells finance of a statement line whose amount differs, once per line; a SEPA run's shops hear when it is marked sent", async () => {
    await delivered();
    const debtor = { name: "Gemeente Westerkwartier", iban: "NL02ABNA0123456789", bic: "ABNANL2A" };
    const deps = payoutDeps(ctx.db, t, { bank: sepaFileBank(debtor) });
    const shop = await owedShop(ctx.db, t, funds, 3_45n);
    await delivered();
    const run = await startAndProcess(deps, { fundId: funds.fundId, trigger: "manual", staffUserId: null });
    const [payout] = await merchantPayouts({ db: ctx.db }, shop.id);
    const statement = camt053([{ transactions: [{ endToEndId: payout!.reference, amount: "3.46" }] }]);
    await importStatement(deps, statement, randomUUID());
    await importStatement(deps, statement, randomUUID());
    let mails = await delivered();
    expect(mails.map((m) => [m.to, m.subject])).toEqual([[finance, "Een regel van het bankafschrift past niet bij een uitbetaling"]]);
    expect(mails[0]!.text).toContain(`kenmerk ${payout!.reference} (€ 3,46)`);
    await markRunSent(deps, run.id, randomUUID());
    mails = await delivered();
    expect(mails.map((m) => m.to)).toEqual([await contactOf(shop.id)]);
    expect(mails[0]!.text).toContain("€ 3,45");
  });

  it("sends a receipt per payment, from the indexer, once, to a family that asked for receipts only", async () => {
    await delivered();
    const shop = await approvedMerchant(depsFor(ctx.db, t), funds);
    await delivered();
    const family = async (email: string, receipts: boolean) => {
      const [chainBudget] = await activeBudgets(t, 1, 50_00n);
      const row = await ctx.db.insertInto("families")
        .values({ fund_id: funds.fundId, display_name: "Jan de Vries", address_lines: ["Dorpsstraat 1"], language: "en" }).returning("id").executeTakeFirstOrThrow();
      await sql`update families set email = ${email}, payment_receipts = ${receipts} where id = ${row.id}`.execute(ctx.db);
      const child = await ctx.db.insertInto("children").values({ family_id: row.id, first_name: "Anna", birth_year: 2018 }).returning("id").executeTakeFirstOrThrow();
      await ctx.db.insertInto("budgets").values({ budget_id: chainBudget!.budgetId, fund_id: funds.fundId, child_id: child.id, issued_cents: 50_00n, status: "issued" }).execute();
      const { permit, signature } = await signPermit(t, chainBudget!.family, t.fund, chainBudget!.budgetId, { maxAmount: 12_50n });
      await t.fund.pay(permit, signature, shop.chainAddress!, 12_50n);
    };
    const wants = `receipts-${randomUUID().slice(0, 8)}@example.org`;
    const doesNot = `quiet-${randomUUID().slice(0, 8)}@example.org`;
    await family(wants, true);
    await family(doesNot, false);
    const indexer = createIndexer({ db: ctx.db, dbKind: ctx.kind, provider: t.provider, onError: () => {} });
    await indexer.catchUp();
    await indexer.catchUp();
    const mails = (await delivered()).filter((m) => m.to === wants || m.to === doesNot);
    expect(mails.map((m) => [m.to, m.subject])).toEqual([[wants, `Receipt: € 12.50 at ${shop.name}`]]);
    expect(mails[0]!.text).toContain("You paid € 12.50 at");
    expect(mails[0]!.text).toContain("€ 37.50 is left.");
  });
});
