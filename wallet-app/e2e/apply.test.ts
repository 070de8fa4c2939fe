// A family that is on no list applies, in Chromium at 320 px against the real system: it logs in at the
// demo identity provider (the real oidc-provider, as npm start runs it), pre-checks, applies with a PDF,
// answers the validator's question, and after approval activates right there and pays at a shop. The
// validator works in the staff app in a second browser context (a desktop), as at the town hall.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { PDFDocument } from "pdf-lib";
import { applicationsApi, type ApiClient, type Fund } from "@tegoed/sdk";
import { startDemoIdp, type DemoIdp } from "../../scripts/lib/demo-idp.ts";
import { freePort } from "../../scripts/lib/local-chain.ts";
import { axeViolations, describeViolations, launchBrowser } from "../../test/support/browser.ts";
import { approvedShop, backOffice, YEAR } from "../../test/support/scenario.ts";
import { startSystem, type System } from "../../test/support/system.ts";

const PIN = "13579";
let system: System;
let idp: DemoIdp;
let browser: Browser;
let page: Page;
/** The validator's desktop, logged in to the staff app. */
let desk: Page;
let fund: Fund;
let staff: ApiClient;
let shop: { email: string; password: string };

async function expectAxeClean(what: string) {
  const violations = await axeViolations(page);
  expect(violations, `${what}: ${describeViolations(violations)}`).toEqual([]);
}

/** Nothing sticks out at 320 px (names what does). */
async function expectFits320(what: string) {
  const wide = await page.evaluate(() =>
    [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > 321).map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${(e.textContent ?? "").slice(0, 40)}`));
  expect(wide, what).toEqual([]);
}

beforeAll(async () => {
  // The provider must know the backend's callback before the backend starts: pick its port first.
  const port = await freePort();
  const callback = `http://127.0.0.1:${port}/api/applicant/oidc/callback`;
  const client = { clientId: "tegoed-wallet-e2e", clientSecret: "e2e-client-secret-0123456789" };
  idp = await startDemoIdp({ clients: [{ ...client, redirectUris: [callback] }] });
  system = await startSystem({
    apps: ["wallet-app", "staff-app"],
    env: { PORT: String(port), OIDC_ISSUER_URL: idp.issuer, OIDC_CLIENT_ID: client.clientId, OIDC_CLIENT_SECRET: client.clientSecret, OIDC_REDIRECT_URL: callback },
  });
  staff = await backOffice(system);
  fund = await staff.funds.create({ name: "Kindpakket Zuidhorn", amountPerChildCents: 300_00, budgetExpiry: `${YEAR + 1}-12-31`, categories: ["swimming", "sport"] });
  await staff.funds.deposit(fund.id, { amountCents: 1_000_00, bankReference: `DEP-${randomUUID().slice(0, 8)}` });
  await applicationsApi(staff).staff.saveSettings(fund.id, {
    open: true, fourEyes: false, retentionDays: 365, consentText: "Ik geef toestemming mijn gegevens te gebruiken voor deze aanvraag.",
    criteria: [
      { id: "lives-here", kind: "yes-no", label: "Woont u in Westerkwartier?", expected: true },
      { id: "income", kind: "number", label: "Netto inkomen per maand (euro)", min: 0, max: 2_200 },
      { id: "child-age", kind: "date", label: "Geboortedatum kinderen", from: `${YEAR - 17}-01-01`, to: `${YEAR}-12-31`, children: true },
    ],
    documents: [{ key: "income-statement", label: "Inkomensverklaring", explanation: "Een loonstrook van de laatste maand.", required: true }],
  });
  shop = await approvedShop(system, fund.id, { name: "Zwembad De Golf", categories: ["swimming"] });
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 320, height: 720 }, deviceScaleFactor: 1, locale: "nl-NL" });
  page = await context.newPage();
  const validator = await system.staff(["validator"]);
  desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "nl-NL" })).newPage();
  await desk.goto(`${system.baseUrl}/staff/`);
  await desk.getByLabel("E-mailadres").fill(validator.email);
  await desk.getByLabel("Wachtwoord").fill(validator.password);
  await desk.getByRole("button", { name: "Inloggen" }).click();
  await desk.getByRole("navigation", { name: "Hoofdmenu" }).getByRole("link", { name: "Aanvragen", exact: true }).click();
  await desk.getByRole("heading", { name: "Aanvragen voor Kindpakket Zuidhorn" }).waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
  await idp?.close();
});

describe("a family applies in the wallet", { timeout: 120_000 }, () => {
  test("logs in at the demo DigiD, pre-checks and applies with a PDF", async () => {
    await page.goto(`${system.baseUrl}/wallet/`);
    await page.getByRole("link", { name: "Geen brief van de gemeente gekregen? Vraag hier aan." }).click();
    await page.getByRole("heading", { name: "Een kindbudget aanvragen" }).waitFor();
    await expectAxeClean("apply: login");
    await page.getByRole("link", { name: "Inloggen met DigiD" }).click();

    await page.getByRole("heading", { name: "Demo-inlog — geen echte DigiD" }).waitFor();
    await page.getByLabel("Sanne de Jong").check();
    await page.getByRole("button", { name: "Inloggen" }).click();

    await page.getByRole("heading", { name: "Aanvragen: Kindpakket Zuidhorn" }).waitFor({ timeout: 20_000 });
    await page.getByRole("group", { name: "Woont u in Westerkwartier?" }).getByLabel("Ja").check();
    await page.getByLabel("Netto inkomen per maand (euro)").fill("1650");
    await page.getByLabel("Voornaam van kind 1").fill("Noor");
    await page.getByLabel("Geboortedatum van kind 1").fill(`${YEAR - 8}-05-14`);
    await page.getByRole("button", { name: "Nagaan" }).click();
    await page.getByText("Uw antwoorden passen bij de regels. U maakt een goede kans.").waitFor();
    await expectAxeClean("apply: form");
    await expectFits320("apply: form");

    await page.getByLabel("Uw naam").fill("Sanne de Jong");
    await page.getByLabel("Straat en huisnummer").fill("Hoofdstraat 41");
    await page.getByLabel("Postcode").fill("9801 CE");
    await page.getByLabel("Woonplaats").fill("Zuidhorn");
    const pdf = await PDFDocument.create();
    pdf.addPage([300, 200]);
    await page.getByLabel("Inkomensverklaring").setInputFiles({ name: "loonstrook.pdf", mimeType: "application/pdf", buffer: Buffer.from(await pdf.save()) });
    await page.getByLabel("Ik ga akkoord").check();
    await page.getByRole("button", { name: "Aanvraag versturen" }).click();
    await page.getByText("Verstuurd. De gemeente bekijkt uw aanvraag.").waitFor({ timeout: 20_000 });
    await expectFits320("apply: submitted");
  });

  test("answers the validator's question; after approval activates with a PIN and pays at a shop", async () => {
    // The validator opens the application from the queue: the answers against the criteria, the PDF inline.
    await desk.reload();
    await desk.getByRole("heading", { name: "Aanvragen voor Kindpakket Zuidhorn" }).waitFor();
    await desk.getByRole("button", { name: "Sanne de Jong" }).click();
    const answers = desk.getByRole("table", { name: "Antwoorden tegen de voorwaarden" });
    await answers.waitFor();
    expect(await answers.getByText("niet voldaan").count()).toBe(0);
    await desk.getByTitle("Inkomensverklaring").waitFor();
    await desk.getByLabel("Vraag aan het gezin").fill("Woont u al sinds januari in Zuidhorn?");
    await desk.getByRole("button", { name: "Vraag stellen" }).click();
    await desk.getByText("De vraag is verstuurd; de aanvraag wacht op het antwoord.").waitFor();

    await page.getByRole("button", { name: "Opnieuw bekijken" }).click();
    await page.getByText("Woont u al sinds januari in Zuidhorn?").waitFor();
    await page.getByLabel("Uw antwoord").fill("Ja, sinds 3 januari.");
    await page.getByRole("button", { name: "Antwoord versturen" }).click();
    await page.getByText("Verstuurd. De gemeente bekijkt uw aanvraag.").waitFor();

    // Back at the desk: the answer is there; the validator approves, the budgets go on chain.
    await desk.getByRole("button", { name: "Terug naar de wachtrij" }).click();
    await desk.getByRole("button", { name: "Sanne de Jong" }).click();
    await desk.getByText("Ja, sinds 3 januari.").waitFor();
    await desk.getByRole("button", { name: "Goedkeuren en budgetten uitgeven" }).click();
    await desk.getByText("Klaar.").waitFor({ timeout: 60_000 });
    await desk.getByText("Goedgekeurd").first().waitFor();
    const [decided] = (await applicationsApi(staff).staff.queue(fund.id)).applications;
    expect(decided).toMatchObject({ parentName: "Sanne de Jong", status: "approved" });

    await page.getByRole("button", { name: "Opnieuw bekijken" }).click();
    await page.getByText(/Goedgekeurd!/).waitFor();
    await expectAxeClean("apply: approved");
    await page.getByLabel("Pincode (5 cijfers)").fill(PIN);
    await page.getByLabel("Herhaal de pincode").fill(PIN);
    await page.getByRole("button", { name: "Activeren" }).click();
    await page.getByRole("heading", { name: "Tegoed van uw kinderen" }).waitFor({ timeout: 60_000 });
    await page.getByRole("article", { name: "Noor" }).getByText(/€\s?300,00/).waitFor();

    await page.getByRole("link", { name: "Betalen voor Noor" }).click();
    await page.getByLabel("Pincode").fill(PIN);
    await page.getByRole("button", { name: "Toon QR-code" }).click();
    const qr = page.locator("svg.qr");
    await qr.waitFor({ timeout: 20_000 });
    const till = system.client();
    await till.merchant.login({ email: shop.email, password: shop.password });
    const receipt = await till.merchant.charge({ qr: (await qr.getAttribute("data-qr"))!, amountCents: 12_50 }, randomUUID());
    expect(receipt.newBalanceCents).toBe(287_50);
    await page.getByText(/Betaald €\s?12,50 bij Zwembad De Golf/).last().waitFor({ timeout: 20_000 });
  });
});
