// The staff app in Chromium against the real system (local chain, backend on PGlite, built app): create
// a fund and deposit, import a CSV with good and bad rows, approve, issue, open a letter, top up the fund,
// approve a shop, freeze a budget and see a payment refused, check the dashboard against the contract's
// views and the public page without login; axe-core on every screen; the role matrix in the UI.
// Steps build on each other (one scene), so the tests run in order.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { Contract } from "ethers";
import { ApiError, fundAbi, type ApiClient, type Fund } from "@tegoed/sdk";
import { axeViolations, describeViolations, launchBrowser } from "../../test/support/browser.ts";
import { activateFamily, permitQr, type ActiveFamily } from "../../test/support/merchant-shop.ts";
import { STAFF_PASSWORD, startSystem, type System } from "../../test/support/system.ts";
import { formatCents } from "../src/lib/money.ts";
import { staffText, goodAndBadCsv } from "../../test/support/staff-scene.ts";

const t = staffText("nl");
const euros = (cents: number) => formatCents(cents, "nl");

let system: System;
let browser: Browser;
let page: Page;
let staff: { email: string; password: string; client: ApiClient };
let fund: Fund;
let letterCode: string;
let family: ActiveFamily;
let shopApi: ApiClient;
const FUND_NAME = "Kindpakket Westerkwartier e2e";

async function expectAxeClean(where: string): Promise<void> {
  expect(describeViolations(await axeViolations(page)), where).toBe("");
}

async function logIn(target: Page, email: string, password: string): Promise<void> {
  await target.goto(`${system.baseUrl}/staff/`);
  await target.getByLabel(t("login.email")).fill(email);
  await target.getByLabel(t("login.password")).fill(password);
  await target.getByRole("button", { name: t("login.submit") }).click();
  await target.getByRole("navigation", { name: t("nav.label") }).waitFor();
}

async function go(label: string): Promise<void> {
  const link = page.getByRole("navigation", { name: t("nav.label") }).getByRole("link", { name: label, exact: true });
  await link.click();
  // The link marks the screen shown once the new screen has rendered (one render), not the old one's heading.
  await page.locator('nav a[aria-current="page"]', { hasText: label }).waitFor();
  await page.getByRole("heading", { level: 1 }).waitFor();
}

beforeAll(async () => {
  // Runs above EUR 10 need a second finance user's approval (four eyes), so the test's EUR 12.50 does.
  system = await startSystem({ apps: ["staff-app"], env: { PAYOUT_FOUR_EYES_CENTS: "1000" } });
  browser = await launchBrowser();
  staff = await system.staff(["admin", "validator", "finance", "merchant_manager"]);
  const context = await browser.newContext({ locale: "nl-NL", viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

describe("the staff app, step by step", () => {
  test("the login page is axe-clean; a wrong password is refused in our own words; the right one opens the app", async () => {
    await page.goto(`${system.baseUrl}/staff/`);
    await page.getByRole("heading", { name: t("login.title") }).waitFor();
    await expectAxeClean("login");
    await page.getByLabel(t("login.email")).fill(staff.email);
    await page.getByLabel(t("login.password")).fill("wrong password entirely");
    await page.getByRole("button", { name: t("login.submit") }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toBe(t("errors.UNAUTHENTICATED"));
    await logIn(page, staff.email, staff.password);
    await expectAxeClean("first screen without a fund");
  });

  test("an admin creates a fund (its contract address shows) and finance records a deposit", async () => {
    await go(t("nav.funds"));
    await page.getByLabel(t("funds.name")).fill(FUND_NAME);
    await page.getByLabel(t("funds.amountPerChild")).fill("300,00");
    await page.getByRole("button", { name: t("funds.createSubmit") }).click();
    const created = page.getByRole("status").filter({ hasText: FUND_NAME });
    await created.waitFor({ timeout: 60_000 });
    fund = (await staff.client.funds.list()).funds.find((f) => f.name === FUND_NAME)!;
    // The background scheduler must not pay the shop before the payout test does, whatever the time of day.
    await staff.client.payouts.setSchedule(fund.id, { schedule: { kind: "daily", at: "17:00" }, minimumCents: 1_000_000_00 });
    expect(await created.textContent()).toContain(fund.chainAddress);
    await expectAxeClean("funds");

    await page.getByLabel(t("funds.depositAmount")).fill("10.000,00");
    await page.getByLabel(t("funds.bankReference")).fill("NL-DEP-0001");
    await page.getByRole("button", { name: t("funds.depositSubmit") }).click();
    await page.getByRole("status").filter({ hasText: euros(10_000_00) }).first().waitFor({ timeout: 60_000 });
    const totals = await new Contract(fund.chainAddress, fundAbi, system.chain.provider).getFunction("totals")();
    expect(totals.deposited).toBe(10_000_00n);
  });

  test("a CSV with good and bad rows: the preview reports each rejected row and why; the valid families are imported, approved and issued", async () => {
    await go(t("nav.families"));
    await expectAxeClean("families, empty");
    const csv = goodAndBadCsv(new Date().getUTCFullYear());
    await page.getByLabel(t("eligibility.chooseFile"), { exact: true }).setInputFiles({ name: "gezinnen.csv", mimeType: "text/csv", buffer: Buffer.from(csv.text) });
    const rejected = page.getByRole("table", { name: t("eligibility.rejectedCaption") });
    await rejected.waitFor();
    const text = await rejected.textContent();
    expect(text).toContain(t("eligibility.reasons.postalCode"));
    expect(text).toContain(t("eligibility.reasons.yearAfter", { year: new Date().getUTCFullYear() }));
    expect(await rejected.locator("tbody tr").count()).toBe(csv.badRows);
    await expectAxeClean("import preview");

    await page.getByRole("button", { name: t("eligibility.importValid", { count: csv.goodFamilies }) }).click();
    await page.getByRole("status").filter({ hasText: t("eligibility.imported", { families: csv.goodFamilies, children: csv.goodChildren, rejected: csv.badRows }) }).waitFor();

    await page.getByRole("button", { name: t("eligibility.approveAll") }).click();
    await page.getByRole("status").filter({ hasText: t("eligibility.approved", { count: csv.goodFamilies }) }).waitFor();
    await page.getByRole("button", { name: t("eligibility.issueBudgets") }).click();
    await page.getByRole("status").filter({ hasText: t("eligibility.issued", { count: csv.goodChildren, total: euros(csv.goodChildren * 300_00), batches: 1 }).split(",")[0]! }).waitFor({ timeout: 90_000 });
    await expectAxeClean("after issuing");
  });

  test("an activation letter shows its code and opens as a printable page with that code", async () => {
    const row = page.getByRole("row").filter({ hasText: "Jansen" });
    await row.getByRole("button", { name: t("eligibility.letterCol") }).click();
    const code = page.getByTestId("activation-code");
    await code.waitFor();
    letterCode = (await code.textContent())!.trim();
    expect(letterCode).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4})+$/);
    const expires = (await page.getByTestId("activation-code-expires").textContent())!;
    const [letter] = await Promise.all([page.waitForEvent("popup"), page.getByRole("button", { name: t("eligibility.openLetter") }).click()]);
    await letter.waitForLoadState();
    expect(await letter.content()).toContain(letterCode);
    // The same last day in the panel and on the letter.
    const day = /tot en met (\d{1,2} \w+ \d{4})/.exec(expires)![1]!;
    expect(await letter.locator("body").textContent()).toContain(`Deze code werkt één keer, tot en met ${day}.`);
    await letter.close();
    await expectAxeClean("letter shown");

    // Opening it again shows the same code: the letter in the post keeps working.
    await page.getByRole("button", { name: t("common.close") }).click();
    await row.getByRole("button", { name: t("eligibility.letterCol") }).click();
    await page.getByText(t("eligibility.letterSame")).waitFor();
    expect((await page.getByTestId("activation-code").textContent())!.trim()).toBe(letterCode);

    // A new code only after saying yes to "the previous letter then stops working".
    await page.getByRole("button", { name: t("eligibility.newCode") }).click();
    await page.getByText(t("eligibility.newCodeQuestion")).waitFor();
    await expectAxeClean("new code question");
    await page.getByRole("button", { name: t("common.cancel") }).click();
    expect((await page.getByTestId("activation-code").textContent())!.trim()).toBe(letterCode);
  });

  test("the whole fund is topped up after a confirmation that states the total", async () => {
    await go(t("nav.topUp"));
    await page.getByLabel(t("topUp.search")).fill("Familie");
    await page.getByRole("button", { name: t("common.search") }).click();
    await page.getByRole("table", { name: t("topUp.childrenCaption") }).waitFor();
    await expectAxeClean("top-up, children to choose");
    await page.getByLabel(t("topUp.wholeFund")).check();
    await page.getByLabel(t("topUp.amount")).fill("10,00");
    await page.getByRole("button", { name: t("topUp.prepare") }).click();
    const dialog = page.getByRole("alertdialog");
    await dialog.waitFor();
    const children = goodAndBadCsv(new Date().getUTCFullYear()).goodChildren;
    expect(await dialog.textContent()).toContain(euros(children * 10_00));
    await expectAxeClean("top-up confirmation");
    await dialog.getByRole("button", { name: t("topUp.confirmButton", { total: euros(children * 10_00) }) }).click();
    await page.getByRole("status").filter({ hasText: t("topUp.done", { count: children, total: euros(children * 10_00) }) }).waitFor({ timeout: 90_000 });
    const { families } = await staff.client.eligibility.listFamilies(fund.id, { q: "Jansen" });
    const budgetId = families[0]!.children[0]!.budget!.budgetId;
    const budget = await new Contract(fund.chainAddress, fundAbi, system.chain.provider).getFunction("budgetOf")(budgetId);
    expect(budget.balance).toBe(310_00n);
  });

  test("a shop's application is approved for the fund", async () => {
    const applied = await system.client().merchants.apply({
      name: "Sportwinkel De Bal", kvkNumber: "12345678", iban: "NL91 ABNA 0417 1643 00", categories: ["sport"],
      address: "Hoofdstraat 12, 9801 AA Zuidhorn", contactEmail: "info@debal.example",
    });
    await go(t("nav.shops"));
    const card = page.getByRole("region", { name: "Sportwinkel De Bal" });
    await card.waitFor();
    expect(await card.textContent()).toContain("12345678");
    await expectAxeClean("shop applications");
    await card.getByRole("button", { name: t("shops.approveFor", { fund: FUND_NAME }) }).click();
    await card.getByRole("alertdialog").getByRole("button", { name: t("shops.approveConfirm") }).click();
    await page.getByRole("status").filter({ hasText: t("shops.approved", { name: "Sportwinkel De Bal", fund: FUND_NAME }) }).waitFor({ timeout: 60_000 });
    expect((await staff.client.merchants.get(applied.id)).status).toBe("approved");
    await staff.client.merchants.createUser(applied.id, { email: "kassa@debal.example", password: STAFF_PASSWORD });
    shopApi = system.client();
    await shopApi.merchant.login({ email: "kassa@debal.example", password: STAFF_PASSWORD });
  });

  test("a frozen budget refuses a payment through the API (BUDGET_FROZEN); before, one went through", async () => {
    family = await activateFamily(system, letterCode, fund.chainAddress);
    const budgetId = family.children[0]!.budgetId;
    await shopApi.merchant.charge({ qr: await permitQr(system, family, budgetId), amountCents: 12_50 }, crypto.randomUUID());

    await go(t("nav.intervene"));
    await page.getByLabel(t("intervene.search")).fill("Jansen");
    await page.getByRole("button", { name: t("common.search") }).click();
    const card = page.getByRole("region", { name: /Jansen/ });
    const firstChild = family.children[0]!.firstName;
    await card.getByRole("button", { name: t("intervene.freezeChild", { name: firstChild }) }).click();
    await expectAxeClean("freeze confirmation");
    const dialog = card.getByRole("alertdialog");
    await dialog.getByLabel(t("common.reason")).fill("Telefoon gestolen gemeld");
    await dialog.getByRole("button", { name: t("intervene.freezeConfirm") }).click();
    await page.getByRole("status").filter({ hasText: t("intervene.frozen", { name: firstChild }) }).waitFor({ timeout: 60_000 });

    const refused = await shopApi.merchant.charge({ qr: await permitQr(system, family, budgetId), amountCents: 5_00 }, crypto.randomUUID()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).code).toBe("BUDGET_FROZEN");
    // The GDPR deletion asks for a reason and an explicit tick before it can go.
    await card.getByRole("button", { name: t("intervene.delete") }).click();
    const deletion = card.getByRole("alertdialog");
    expect(await deletion.getByRole("button", { name: /Jansen/ }).isDisabled()).toBe(true);
    await expectAxeClean("GDPR confirmation");
    await deletion.getByRole("button", { name: t("common.cancel") }).click();
  });

  test("lost phone: a new activation code is made for the family", async () => {
    const card = page.getByRole("region", { name: /Jansen/ });
    await card.getByRole("button", { name: t("intervene.reissue") }).click();
    await card.getByRole("alertdialog").getByRole("button", { name: t("intervene.reissueConfirm") }).click();
    const notice = card.getByRole("status").filter({ hasText: t("intervene.reissued") });
    await notice.waitFor({ timeout: 60_000 });
    const code = (await notice.locator("strong").textContent())!.trim();
    expect(code).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4})+$/);
    expect(code).not.toBe(letterCode);
    await expectAxeClean("re-issued access");
  });

  test("an admin pauses the fund with a reason (a payment is refused: FUND_PAUSED) and resumes it", async () => {
    await go(t("nav.funds"));
    await page.getByRole("form", { name: t("funds.pause") }).getByLabel(t("common.reason")).fill("Storing bij de bank");
    await page.getByRole("button", { name: t("funds.pauseSubmit") }).click();
    await page.getByRole("cell", { name: t("funds.paused", { reason: "Storing bij de bank" }) }).waitFor({ timeout: 60_000 });
    const other = family.children[1]!.budgetId;
    const refused = await shopApi.merchant.charge({ qr: await permitQr(system, family, other), amountCents: 1_00 }, crypto.randomUUID()).catch((e: unknown) => e);
    expect((refused as ApiError).code).toBe("FUND_PAUSED");
    await expectAxeClean("fund paused");
    await page.getByRole("form", { name: t("funds.unpause") }).getByLabel(t("common.reason")).fill("Storing verholpen");
    await page.getByRole("button", { name: t("funds.unpauseSubmit") }).click();
    await page.getByRole("cell", { name: t("funds.active"), exact: true }).first().waitFor({ timeout: 60_000 });
    expect((await staff.client.funds.get(fund.id)).paused).toBe(false);
  });

  test("finance starts a payout run; above the four-eyes limit a second finance user approves it; it completes and paidOut is on chain", async () => {
    await go(t("nav.payouts"));
    const owed = page.getByRole("table", { name: t("payouts.owedCaption", { total: "" }).split(":")[0]! });
    await owed.waitFor();
    expect(await owed.textContent()).toContain(euros(12_50));
    await page.getByText(t("payouts.scheduleNow", { schedule: t("funds.daily", { at: "17:00" }), minimum: euros(1_000_000_00) })).waitFor();
    await expectAxeClean("payouts");
    await page.getByRole("button", { name: t("payouts.start") }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: t("payouts.startConfirm", { total: euros(12_50) }) }).click();
    await page.getByRole("status").filter({ hasText: t("payouts.awaitingApproval") }).waitFor({ timeout: 60_000 });
    const runs = page.getByRole("table", { name: t("payouts.runsCaption") });
    // Whoever started the run cannot approve it.
    expect(await runs.getByRole("button", { name: t("payouts.approve") }).count()).toBe(0);
    expect(await runs.textContent()).toContain(t("payouts.otherMustApprove"));

    const colleague = await system.staff(["finance"]);
    const context = await browser.newContext({ locale: "nl-NL" });
    const second = await context.newPage();
    await logIn(second, colleague.email, colleague.password);
    await second.getByLabel(t("common.fund")).selectOption({ label: FUND_NAME });
    await second.getByRole("navigation", { name: t("nav.label") }).getByRole("link", { name: t("nav.payouts") }).click();
    await second.getByRole("table", { name: t("payouts.runsCaption") }).getByRole("button", { name: t("payouts.approve") }).click();
    const run = second.getByRole("region", { name: /Ronde van/ });
    await run.getByText(t("payouts.status.completed")).waitFor({ timeout: 90_000 });
    expect(describeViolations(await axeViolations(second)), "payout run completed").toBe("");
    await context.close();
    const totals = await new Contract(fund.chainAddress, fundAbi, system.chain.provider).getFunction("totals")();
    expect(totals.paidOut).toBe(12_50n);
  });

  test("the dashboard's figures equal the contract's views", async () => {
    await go(t("nav.dashboard"));
    await page.locator('[data-figure="issued"] dd').waitFor();
    const contract = new Contract(fund.chainAddress, fundAbi, system.chain.provider);
    const totals = await contract.getFunction("totals")();
    const { families } = await staff.client.eligibility.listFamilies(fund.id, { limit: 500 });
    let left = 0n;
    for (const f of families) for (const c of f.children) if (c.budget) left += ((await contract.getFunction("budgetOf")(c.budget.budgetId)) as { balance: bigint }).balance;
    const figure = (name: string) => page.locator(`[data-figure="${name}"] dd`).textContent();
    // What budgets hold plus what shops are owed plus what was paid out is everything issued.
    expect(await figure("issued")).toBe(euros(Number(totals.outstanding + totals.paidOut)));
    expect(await figure("left")).toBe(euros(Number(left)));
    expect(await figure("spent")).toBe(euros(12_50));
    expect(await figure("paidOut")).toBe(euros(Number(totals.paidOut)));
    expect(totals.paidOut).toBe(12_50n);
    expect(await figure("frozen")).toBe("1");
    await page.getByRole("table", { name: t("dashboard.byCategoryTable") }).waitFor();
    await expectAxeClean("dashboard");
    // The CSV export is made in the browser from the same figures.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: t("dashboard.exportFigures") }).click()]);
    const csv = readFileSync((await download.path())!, "utf8");
    const issued = (Number(totals.outstanding + totals.paidOut) / 100).toFixed(2); // test-side only: the app never divides cents
    expect(csv).toContain(`issued_eur,${issued}`);
    expect(csv).toContain("spent_eur,12.50");
  });

  test("the public page shows the same totals without login, and no names", async () => {
    const visitor = await browser.newPage({ locale: "nl-NL" });
    await visitor.goto(`${system.baseUrl}/public/${fund.id}`);
    const section = visitor.getByRole("region", { name: FUND_NAME });
    await section.waitFor();
    const dashboard = await staff.client.reports.dashboard(fund.id);
    const figure = (name: string) => section.locator(`[data-figure="${name}"] dd`).textContent();
    expect(await figure("total")).toBe(euros(dashboard.issuedCents));
    expect(await figure("spent")).toBe(euros(dashboard.spentCents - dashboard.refundedCents));
    expect(await figure("paid")).toBe(euros(12_50));
    expect(await figure("children")).toBe(String(dashboard.budgets));
    const text = (await section.textContent())!;
    expect(text).toContain(fund.chainAddress);
    expect(text).toContain(system.deployment.factory);
    // The block the figures were read at: at least the block of the payout's settlement, at most the head.
    const block = Number((await section.locator("dd").filter({ hasText: /^[\d.]+$/ }).last().textContent())!.replace(/\./g, ""));
    expect(block).toBeGreaterThan(0);
    expect(block).toBeLessThanOrEqual(await system.chain.provider.getBlockNumber());
    expect(await visitor.content()).not.toContain("Jansen");
    expect(describeViolations(await axeViolations(visitor)), "public page").toBe("");
    // The page of all funds lists this one too; left open for 20 s it asks the backend at most once more.
    const asked: string[] = [];
    visitor.on("request", (request) => {
      if (new URL(request.url()).pathname.startsWith("/api/public/funds")) asked.push(request.url());
    });
    const answer = visitor.waitForResponse((r) => new URL(r.url()).pathname === "/api/public/funds");
    await visitor.goto(`${system.baseUrl}/public/`);
    expect((await answer).headers()["cache-control"]).toBe("public, max-age=5");
    await visitor.getByRole("region", { name: FUND_NAME }).waitFor();
    await visitor.waitForTimeout(20_000);
    expect(asked.length).toBeLessThanOrEqual(2);
    await visitor.close();
  });

  test("the audit log lists what was done, read-only, and is axe-clean", async () => {
    await go(t("nav.audit"));
    const table = page.getByRole("table");
    await table.waitFor();
    expect(await table.textContent()).toContain("budget.freeze");
    await page.getByLabel(t("audit.action")).fill("merchant.");
    await page.getByRole("button", { name: t("audit.apply") }).click();
    await expect.poll(async () => (await page.getByRole("table").textContent())?.includes("budget.freeze")).toBe(false);
    await expectAxeClean("audit log");
  });

  test("the app switches to English and stays axe-clean", async () => {
    const en = staffText("en");
    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("navigation", { name: en("nav.label") }).getByRole("link", { name: en("nav.dashboard") }).click();
    await page.getByRole("heading", { level: 1, name: en("dashboard.title", { fund: FUND_NAME }) }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    await expectAxeClean("dashboard in English");
    await page.getByRole("button", { name: "Nederlands" }).click();
    await page.getByRole("heading", { level: 1, name: t("dashboard.title", { fund: FUND_NAME }) }).waitFor();
  });
});

describe("the role matrix in the UI", () => {
  test("an auditor sees dashboards, the audit log and families, and no control that changes anything", async () => {
    const auditor = await system.staff(["auditor"]);
    const context = await browser.newContext({ locale: "nl-NL" });
    const p = await context.newPage();
    await logIn(p, auditor.email, auditor.password);
    const nav = p.getByRole("navigation", { name: t("nav.label") });
    const links = await nav.getByRole("link").allTextContents();
    expect(links).toEqual([t("nav.dashboard"), t("nav.funds"), t("nav.applications"), t("nav.intervene"), t("nav.payouts"), t("nav.audit"), t("nav.mail")]);
    await nav.getByRole("link", { name: t("nav.funds") }).click();
    await p.getByRole("heading", { name: t("funds.title"), level: 1 }).waitFor();
    expect(await p.getByRole("button", { name: t("funds.createSubmit") }).count()).toBe(0);
    expect(await p.getByRole("button", { name: t("funds.depositSubmit") }).count()).toBe(0);
    await p.getByLabel(t("common.fund")).selectOption({ label: FUND_NAME });
    await nav.getByRole("link", { name: t("nav.intervene") }).click();
    await p.getByLabel(t("intervene.search")).fill("Jansen");
    await p.getByRole("button", { name: t("common.search") }).click();
    await p.getByRole("region", { name: /Jansen/ }).waitFor();
    expect(await p.getByRole("button", { name: /bevriezen|ontdooien|toegang|wissen/i }).count()).toBe(0);
    await context.close();
  });

  test("a validator has no audit log, shops or fund creation, and a shop manager sees only shops and the dashboard", async () => {
    const validator = await system.staff(["validator"]);
    const context = await browser.newContext({ locale: "nl-NL" });
    const p = await context.newPage();
    // By keyboard only: Tab past the two language buttons to the form, type, Enter.
    await p.goto(`${system.baseUrl}/staff/`);
    await p.getByLabel(t("login.email")).waitFor();
    for (let i = 0; i < 3; i++) await p.keyboard.press("Tab");
    expect(await p.evaluate(() => document.activeElement?.getAttribute("type"))).toBe("email");
    await p.keyboard.type(validator.email);
    await p.keyboard.press("Tab");
    await p.keyboard.type(validator.password);
    await p.keyboard.press("Enter");
    await p.getByRole("navigation", { name: t("nav.label") }).waitFor();
    const links = await p.getByRole("navigation", { name: t("nav.label") }).getByRole("link").allTextContents();
    expect(links).toEqual([t("nav.dashboard"), t("nav.funds"), t("nav.families"), t("nav.applications"), t("nav.topUp"), t("nav.intervene")]);
    await context.close();

    const manager = await system.staff(["merchant_manager"]);
    const context2 = await browser.newContext({ locale: "nl-NL" });
    const p2 = await context2.newPage();
    await logIn(p2, manager.email, manager.password);
    const links2 = await p2.getByRole("navigation", { name: t("nav.label") }).getByRole("link").allTextContents();
    expect(links2).toEqual([t("nav.dashboard"), t("nav.funds"), t("nav.shops")]);
    await context2.close();
  });
});

describe("the admin, on a 320 px wide screen", () => {
  test("sees every screen and imports families as admin alone; no screen nor the public page scrolls sideways; no request is a 404", async () => {
    const admin = await system.staff(["admin"]);
    const context = await browser.newContext({ locale: "nl-NL", viewport: { width: 320, height: 640 } });
    const p = await context.newPage();
    const missing: string[] = [];
    p.on("response", (r) => {
      if (r.status() === 404) missing.push(r.url());
    });
    const wide: string[] = [];
    const checkWidth = async (where: string) => {
      await p.getByText(t("common.loading")).first().waitFor({ state: "detached" });
      const { scroll, inner } = await p.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
      if (scroll > inner) wide.push(`${where}: ${scroll} px`);
    };
    await logIn(p, admin.email, admin.password);
    await p.getByLabel(t("common.fund")).selectOption({ label: FUND_NAME });
    const nav = p.getByRole("navigation", { name: t("nav.label") });
    const screens = ["dashboard", "funds", "families", "applications", "topUp", "intervene", "shops", "payouts", "audit", "mail", "users"].map((k) => t(`nav.${k}`));
    expect(await nav.getByRole("link").allTextContents()).toEqual(screens);
    for (const label of screens) {
      await nav.getByRole("link", { name: label, exact: true }).click();
      await p.locator('nav a[aria-current="page"]', { hasText: label }).waitFor();
      await p.getByRole("heading", { level: 1 }).waitFor();
      if (label === t("nav.dashboard")) await p.locator('[data-figure="issued"] dd').waitFor();
      await checkWidth(label);
    }
    // The staff accounts list the admin, with its role in words, and pass axe.
    await p.getByRole("rowheader", { name: admin.email }).waitFor();
    expect(describeViolations(await axeViolations(p)), "staff accounts").toBe("");

    await nav.getByRole("link", { name: t("nav.families"), exact: true }).click();
    const csv = `family_ref,parent_name,address_line1,postal_code,city,language,child_first_name,child_birth_year\nADM-1,Ouder Admin,Laan 1,9801 AA,Zuidhorn,nl,Kind Admin,${new Date().getUTCFullYear() - 4}\n`;
    await p.getByLabel(t("eligibility.chooseFile"), { exact: true }).setInputFiles({ name: "admin.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await checkWidth("import preview");
    await p.getByRole("button", { name: t("eligibility.importAll") }).click();
    await p.getByRole("status").filter({ hasText: t("eligibility.imported", { families: 1, children: 1, rejected: 0 }) }).waitFor();
    await p.getByLabel(t("eligibility.searchLabel")).fill("ADM");
    await p.getByRole("button", { name: t("common.search") }).click();
    // A part of the reference finds the family.
    const found = p.getByRole("table", { name: t("eligibility.familiesCaption", { shown: "1", total: "1" }) });
    await found.getByRole("cell", { name: "ADM-1" }).waitFor();

    for (const path of ["/public/", `/public/${fund.id}`]) {
      await p.goto(`${system.baseUrl}${path}`);
      await p.getByRole("region", { name: FUND_NAME }).waitFor();
      await checkWidth(path);
    }
    expect(wide).toEqual([]);
    expect(missing).toEqual([]);
    await context.close();
  });
});

describe("a large import file", () => {
  test("10,000 rows are checked in the browser with a progress bar and imported in one go", async () => {
    const big = await staff.client.funds.create({ name: "Groot bestand", amountPerChildCents: 100_00, budgetExpiry: `${new Date().getUTCFullYear() + 1}-12-31` });
    await page.reload();
    await page.getByLabel(t("common.fund")).selectOption(big.id);
    await go(t("nav.families"));
    const year = new Date().getUTCFullYear();
    const lines = ["family_ref,parent_name,address_line1,postal_code,city,language,child_first_name,child_birth_year"];
    for (let i = 0; i < 10_000; i++) lines.push(`G${Math.floor(i / 2)},Ouder ${Math.floor(i / 2)},Laan ${Math.floor(i / 2)},9801 AA,Zuidhorn,nl,Kind ${i},${year - 1 - (i % 15)}`);
    // Record every value the progress bar shows while the file is checked.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { seenProgress: number[] }).seenProgress = seen;
      new MutationObserver(() => {
        const bar = document.querySelector("#main progress[value]");
        if (bar) seen.push(Number(bar.getAttribute("value")));
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByLabel(t("eligibility.chooseFile"), { exact: true }).setInputFiles({ name: "groot.csv", mimeType: "text/csv", buffer: Buffer.from(lines.join("\n")) });
    await page.getByText(t("eligibility.previewSummary", { rows: 10_000, valid: 10_000, families: 5000, rejected: 0 })).waitFor({ timeout: 60_000 });
    const seen = await page.evaluate(() => (window as unknown as { seenProgress: number[] }).seenProgress);
    expect(seen.some((v) => v > 0 && v < 10_000)).toBe(true);
    await page.getByRole("button", { name: t("eligibility.importValid", { count: 5000 }) }).click();
    await page.getByRole("status").filter({ hasText: t("eligibility.imported", { families: 5000, children: 10_000, rejected: 0 }) }).waitFor({ timeout: 120_000 });
    expect((await staff.client.reports.dashboard(big.id)).children).toBe(10_000);
  }, 240_000);
});
