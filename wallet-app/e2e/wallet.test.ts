// The family's wallet in Chromium against the real system (chain, backend, PGlite): activate with the
// letter's code, see the budget, pay with the QR a shop charges through the API, see the payment
// arrive; every screen axe-clean; the session survives a reload; the QR still shows offline.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Signature, verifyTypedData } from "ethers";
import { PAYMENT_PERMIT_TYPES, decodePaymentQr, fundDomain, permitFromQr, type ApiClient, type Fund } from "@tegoed/sdk";
import { FAMILY_LANGUAGES, LANGUAGE_NAMES, type FamilyLanguage } from "@tegoed/sdk/languages";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { axeViolations, chooseLanguage, clippedText, describeViolations, languageButton, launchBrowser, motionOnPage, sidewaysOverflow } from "../../test/support/browser.ts";
import { approvedShop, fundWithFamilies } from "../../test/support/scenario.ts";
import { startSystem, type System } from "../../test/support/system.ts";
import { readQrFromPng } from "./qr-reader.ts";

const PIN = "24680";
const euro = (text: string) => new RegExp(text.replace("€ ", "€\\s?").replace(/[.]/g, "\\."));

let system: System;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let fund: Fund;
let code: string;
let familyId: string;
let staff: ApiClient;
let shop: { email: string; password: string };
let qrText: string;
let paymentId: string;

beforeAll(async () => {
  system = await startSystem({ apps: ["wallet-app"] });
  const scene = await fundWithFamilies(system, [{ displayName: "Familie De Vries", children: [{ firstName: "Anna", birthYear: 2016 }, { firstName: "Bram", birthYear: 2019 }] }]);
  fund = scene.fund;
  code = scene.families[0]!.code;
  familyId = scene.families[0]!.familyId;
  staff = scene.staff;
  shop = await approvedShop(system, fund.id, { name: "Sportwinkel De Bal" });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: "nl-NL" });
  page = await context.newPage();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

async function expectAxeClean(screen: string) {
  expect(describeViolations(await axeViolations(page)), `axe on ${screen}`).toBe("");
}

describe("the family wallet", () => {
  test("served with a CSP; deep links answer the page; a missing asset is 404; installable (manifest, icons, service worker)", async () => {
    const response = await page.goto(`${system.baseUrl}/wallet/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'self'");
    expect((await fetch(`${system.baseUrl}/wallet/pay/123`)).status).toBe(200);
    expect((await fetch(`${system.baseUrl}/wallet/assets/missing.js`)).status).toBe(404);

    const manifest = (await (await fetch(`${system.baseUrl}/wallet/manifest.webmanifest`)).json()) as {
      start_url: string; scope: string; display: string; icons: { src: string; type: string }[];
    };
    expect(manifest).toMatchObject({ start_url: "/wallet/", scope: "/wallet/", display: "standalone" });
    for (const icon of manifest.icons) {
      const answer = await fetch(`${system.baseUrl}/wallet/${icon.src}`);
      expect(answer.status, icon.src).toBe(200);
      expect(answer.headers.get("content-type")).toContain(icon.type);
    }
    const worker = await (await fetch(`${system.baseUrl}/wallet/sw.js`)).text();
    const script = (await page.locator("script[type=module]").getAttribute("src"))!;
    expect(worker).toContain(JSON.stringify(script)); // the app's own bundle is kept for offline use
    expect(worker).not.toContain("__SHELL__");
  });

  test("the first screen fits a 320 px and a 375 px phone: nothing sticks out sideways", async () => {
    try {
      for (const width of [320, 375]) {
        await page.setViewportSize({ width, height: 640 });
        await page.goto(`${system.baseUrl}/wallet/`);
        await page.getByRole("heading", { name: "Tegoed activeren" }).waitFor();
        expect(await sidewaysOverflow(page), `activation at ${width} px`).toEqual([]);
      }
    } finally {
      await page.setViewportSize({ width: 390, height: 844 });
    }
  });

  test("activation: a wrong code is refused in Dutch; the letter's QR link fills in the code, and a PIN shows Anna's € 300,00", async () => {
    await page.goto(`${system.baseUrl}/wallet/`);
    await page.getByRole("heading", { name: "Tegoed activeren" }).waitFor();
    await expectAxeClean("activation");

    await page.getByLabel("Activatiecode").fill("ZZZZ-ZZZZ-ZZZZ");
    await page.getByLabel("Pincode (5 cijfers)").fill(PIN);
    await page.getByLabel("Herhaal de pincode").fill(PIN);
    await page.getByRole("button", { name: "Activeren" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Deze activatiecode klopt niet");
    await expectAxeClean("activation with an error");

    // What the phone's camera app opens from the letter's QR: the code travels in the fragment only.
    const letter = await staff.eligibility.issueLetter(familyId);
    expect(letter.code).toBe(code);
    const link = /data-qr-text="([^"]+)"/.exec(letter.html)![1]!.replaceAll("&#38;", "&");
    expect(link).toBe(`${system.baseUrl}/wallet/#code=${code.replaceAll("-", "")}`);
    const requested: string[] = [];
    page.on("request", (request) => requested.push(request.url()));
    await page.goto("about:blank");
    await page.goto(link);
    await page.getByText("De code uit uw brief is al ingevuld. Kies een pincode om af te ronden.").waitFor();
    expect(await page.getByLabel("Activatiecode").inputValue()).toBe(code.replaceAll("-", ""));
    expect(page.url()).toBe(`${system.baseUrl}/wallet/`);
    expect(requested.filter((url) => url.includes(code.replaceAll("-", "")))).toEqual([]);
    await page.getByLabel("Pincode (5 cijfers)").fill(PIN);
    await page.getByLabel("Herhaal de pincode").fill(PIN);
    await page.getByRole("button", { name: "Activeren" }).click();
    await page.getByRole("heading", { name: "Tegoed van uw kinderen" }).waitFor({ timeout: 30_000 });
    // Both children under the one login, each with the fund's € 300,00.
    await page.getByRole("article", { name: "Anna" }).getByText(euro("€ 300,00")).waitFor();
    await page.getByRole("article", { name: "Bram" }).getByText(euro("€ 300,00")).waitFor();
    await expectAxeClean("home");
  });

  test("a reload keeps the session: home again, no activation", async () => {
    await page.reload();
    await page.getByRole("heading", { name: "Tegoed van uw kinderen" }).waitFor();
    await page.getByRole("article", { name: "Anna" }).getByText(euro("€ 300,00")).waitFor();
  });

  test("when the session has ended, the PIN logs the same phone key in again (the letter's code is spent)", async () => {
    await page.evaluate(async () => {
      const { csrfToken } = (await (await fetch("/api/family/session")).json()) as { csrfToken: string };
      await fetch("/api/family/session", { method: "DELETE", headers: { "X-CSRF-Token": csrfToken } });
    });
    await page.reload();
    await page.getByText(/U bent afgemeld/).waitFor();
    expect(await page.getByLabel("Activatiecode").count()).toBe(0);
    await expectAxeClean("log in again after the session ended");
    await page.getByLabel("Pincode").fill(PIN);
    await page.getByRole("button", { name: "Inloggen" }).click();
    await page.getByRole("article", { name: "Anna" }).getByText(euro("€ 300,00")).waitFor({ timeout: 30_000 });
  });

  test("pay: the QR on screen decodes to a permit for Anna's budget signed by the phone's key", async () => {
    await page.getByRole("link", { name: "Betalen voor Anna" }).click();
    await page.getByLabel("Pincode").waitFor();
    await expectAxeClean("pay: PIN");
    await page.getByLabel("Pincode").fill(PIN);
    await page.getByRole("button", { name: "Toon QR-code" }).click();
    const qr = page.locator("svg.qr");
    await qr.waitFor({ timeout: 20_000 });
    await page.getByTestId("short-code").waitFor();
    await expectAxeClean("pay: QR");
    expect(await page.getByText(/Nieuwe code over \d+ seconden?/).count()).toBe(1);

    qrText = (await qr.getAttribute("data-qr"))!;
    // The short code under the QR stands for exactly this QR at a till.
    const till = system.client();
    await till.merchant.login({ email: shop.email, password: shop.password });
    const shortCode = (await page.getByTestId("short-code").textContent())!;
    expect(shortCode).toMatch(/^[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}$/);
    expect((await till.merchant.lookupPayCode({ code: shortCode })).qr).toBe(qrText);
    try {
      for (const width of [320, 375]) {
        await page.setViewportSize({ width, height: 640 });
        expect(await sidewaysOverflow(page), `QR at ${width} px`).toEqual([]);
      }
    } finally {
      await page.setViewportSize({ width: 390, height: 844 });
    }
    const scanned = readQrFromPng(await qr.screenshot());
    expect(scanned).toBe(qrText);

    const decoded = decodePaymentQr(scanned!);
    const session = (await page.evaluate(async () => (await fetch("/api/family/children")).json())) as {
      children: { budgetId: string }[];
    };
    expect(decoded.budgetId).toBe(session.children[0]!.budgetId);
    expect(decoded.maxAmount).toBe(50_00n); // the parent's default maximum per payment
    expect(decoded.nonce).toBe(0n);
    const now = BigInt(Math.floor(Date.now() / 1000));
    expect(decoded.deadline > now && decoded.deadline <= now + 120n).toBe(true);
    const permit = permitFromQr(decoded, fund.chainAddress);
    const signer = verifyTypedData(fundDomain(fund.chainAddress, system.deployment.chainId), PAYMENT_PERMIT_TYPES, { ...permit },
      Signature.from(decoded.signature));
    const holder = await page.evaluate(async () => ((await (await fetch("/api/family/session")).json()) as { holderAddress: string }).holderAddress);
    expect(signer.toLowerCase()).toBe(holder.toLowerCase());
  });

  test("a shop charges the QR through the API and the wallet shows Paid and the new balance", async () => {
    const till = system.client();
    await till.merchant.login({ email: shop.email, password: shop.password });
    const receipt = await till.merchant.charge({ qr: qrText, amountCents: 42_50 }, randomUUID());
    expect(receipt.newBalanceCents).toBe(257_50);
    paymentId = receipt.paymentId;
    // The visible result (the status region says the same for a screen reader).
    await page.getByText(/Betaald €\s?42,50 bij Sportwinkel De Bal/).last().waitFor({ timeout: 20_000 });
    await page.getByText(/Nog te besteden voor Anna: €\s?257,50/).last().waitFor();
    await expectAxeClean("paid");
    await page.getByRole("button", { name: "Klaar" }).click();
    await page.getByText(euro("€ 257,50")).waitFor();
  });

  test("history lists the payment with the shop, and a refund the shop makes later", async () => {
    await page.getByRole("link", { name: "Bestedingen van Anna" }).click();
    await page.getByRole("heading", { name: "Bestedingen van Anna" }).waitFor();
    await page.getByText("Sportwinkel De Bal").first().waitFor();
    await page.getByText(/−\s€\s?42,50/).waitFor();
    await expectAxeClean("history");

    const till = system.client();
    await till.merchant.login({ email: shop.email, password: shop.password });
    await till.merchant.refund(paymentId, { amountCents: 10_00 });
    await page.getByRole("navigation").getByRole("link", { name: "Overzicht" }).click();
    await page.getByText(euro("€ 267,50")).waitFor({ timeout: 20_000 });
    await page.getByRole("link", { name: "Bestedingen van Anna" }).click();
    await page.getByText(/Terugbetaling\s*\+\s€\s?10,00/).waitFor();
    await expectAxeClean("history with a refund");
  });

  test("shops and help are axe-clean; the shop is listed under its category", async () => {
    await page.getByRole("navigation").getByRole("link", { name: "Winkels" }).click();
    await page.getByRole("heading", { name: "Winkels", level: 1 }).waitFor();
    await page.getByRole("region", { name: "Sport" }).getByText("Sportwinkel De Bal").waitFor();
    await page.getByLabel("Zoek een winkel, plaats of soort").fill("boeken");
    await page.getByText("Geen winkels gevonden.").waitFor();
    await page.getByLabel("Zoek een winkel, plaats of soort").fill("");
    await expectAxeClean("shops");
    await page.getByRole("navigation").getByRole("link", { name: "Hulp" }).click();
    await page.getByRole("heading", { name: "Telefoon kwijt of kapot?" }).waitFor();
    await expectAxeClean("help");

    // Every screen on a 320 px phone: nothing sticks out sideways.
    await page.setViewportSize({ width: 320, height: 640 });
    try {
      for (const [link, heading] of [["Overzicht", "Tegoed van uw kinderen"], ["Winkels", "Winkels"], ["Hulp", "Telefoon kwijt of kapot?"]] as const) {
        await page.getByRole("navigation").getByRole("link", { name: link }).click();
        await page.getByRole("heading", { name: heading }).first().waitFor();
        expect(await sidewaysOverflow(page), `${link} at 320 px`).toEqual([]);
      }
      await page.getByRole("navigation").getByRole("link", { name: "Overzicht" }).click();
      await page.getByRole("link", { name: "Bestedingen van Anna" }).click();
      await page.getByRole("heading", { name: "Bestedingen van Anna" }).waitFor();
      expect(await sidewaysOverflow(page), "history at 320 px").toEqual([]);
      await page.getByRole("navigation").getByRole("link", { name: "Hulp" }).click();
    } finally {
      await page.setViewportSize({ width: 390, height: 844 });
    }
  });

  test("English: every screen switches, amounts in en-GB, and stays axe-clean", async () => {
    await chooseLanguage(page, "Taal", "English");
    await page.getByRole("heading", { name: "Phone lost or broken?" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    await expectAxeClean("help in English");
    await page.getByRole("navigation").getByRole("link", { name: "Overview" }).click();
    await page.getByRole("heading", { name: "Your children's credit" }).waitFor();
    await page.getByText("€267.50").waitFor();
    await expectAxeClean("home in English");
    await chooseLanguage(page, "Language", "Nederlands");
    await page.getByRole("heading", { name: "Tegoed van uw kinderen" }).waitFor();
  });

  test("keyboard only: Tab to Anna's pay link, type the PIN, Enter shows the QR; Stop goes back", async () => {
    await page.getByRole("navigation").getByRole("link", { name: "Overzicht" }).click();
    await page.getByRole("heading", { name: "Tegoed van uw kinderen" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Tegoed van uw kinderen" }).waitFor();
    // First Tab: the skip link, on screen, with the two-ring focus (amber outside, ink inside).
    await page.keyboard.press("Tab");
    const skip = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      return { text: el.textContent, onScreen: box.left >= 0 && box.right <= window.innerWidth, outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`, ring: style.boxShadow };
    });
    expect(skip).toMatchObject({ text: "Naar de inhoud", onScreen: true, outline: "solid 3px rgb(255, 191, 71)" });
    expect(skip.ring).toContain("rgb(26, 26, 26)");
    let focused = "";
    for (let i = 0; i < 25 && focused !== "Betalen voor Anna"; i++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate(() => document.activeElement?.textContent ?? "");
    }
    expect(focused).toBe("Betalen voor Anna");
    await page.keyboard.press("Enter");
    await page.getByLabel("Pincode").waitFor();
    await page.getByLabel("Pincode").focus();
    await page.keyboard.type(PIN);
    await page.keyboard.press("Enter");
    await page.locator("svg.qr").waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Stoppen" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Tegoed van uw kinderen" }).waitFor();

    // No trap: Tab reaches every control on home once, in reading order, down to the menu, then leaves the page.
    await page.reload();
    await page.getByRole("heading", { name: "Tegoed van uw kinderen" }).waitFor();
    const controls = await page.evaluate(() => Array.from(document.querySelectorAll("a[href], button:not([disabled]), input:not([disabled])"))
      .map((el) => el.textContent?.trim() ?? ""));
    const visited: string[] = [];
    for (let i = 0; i < controls.length + 1; i++) {
      await page.keyboard.press("Tab");
      visited.push(await page.evaluate(() => (document.activeElement === document.body ? "(left the page)" : document.activeElement?.textContent?.trim() ?? "")));
    }
    expect(visited).toEqual([...controls, "(left the page)"]);
    expect(controls.slice(-5)).toEqual(["Toegankelijkheid", "Overzicht", "Betalen", "Winkels", "Hulp"]);
  });

  test("offline: the app opens from the service worker and shows a QR from the last known data", async () => {
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await context.setOffline(true);
    await page.setViewportSize({ width: 320, height: 568 }); // a small, old phone
    try {
      expect(await page.evaluate(() => fetch("/api/family/children").then(() => "online", () => "offline"))).toBe("offline");
      const reloaded = await page.reload();
      expect(reloaded?.fromServiceWorker()).toBe(true);
      await page.getByRole("status").filter({ hasText: /Geen internet/ }).waitFor({ timeout: 20_000 });
      await page.getByText(euro("€ 267,50")).waitFor();
      await page.getByRole("link", { name: "Betalen voor Anna" }).click();
      await page.getByLabel("Pincode").fill(PIN);
      await page.getByRole("button", { name: "Toon QR-code" }).click();
      const qr = page.locator("svg.qr");
      await qr.waitFor({ timeout: 20_000 });
      // The whole code is on screen above the menu, offline notice and all, without the family scrolling.
      const code = (await qr.boundingBox())!;
      const menu = (await page.getByRole("navigation", { name: "Hoofdmenu" }).boundingBox())!;
      expect(code.y).toBeGreaterThanOrEqual(0);
      expect(code.y + code.height).toBeLessThanOrEqual(menu.y);
      await page.setViewportSize({ width: 390, height: 844 });
      const decoded = decodePaymentQr(readQrFromPng(await qr.screenshot())!);
      expect(decoded.nonce).toBe(1n); // the cached nonce after the first payment
      expect(decoded.maxAmount).toBe(50_00n);
      await page.getByText("Geen internet. De winkel kan nu alleen de QR-code scannen. Een code typen kan nu niet.").waitFor();
    } finally {
      await context.setOffline(false);
      await page.setViewportSize({ width: 390, height: 844 });
    }
  });

  test("screen-reader walkthrough: Bram's payment by roles and names alone, from home to the till's Paid", async () => {
    // No CSS selector and no test id here: only what a screen reader offers its user.
    const menu = page.getByRole("navigation", { name: "Hoofdmenu" });
    await menu.getByRole("link", { name: "Overzicht" }).click();
    await page.getByRole("heading", { name: "Tegoed van uw kinderen", level: 1 }).waitFor();
    const bram = page.getByRole("article", { name: "Bram" });
    await bram.getByText(euro("€ 300,00")).waitFor();
    await bram.getByRole("link", { name: "Betalen voor Bram" }).click();
    const heading = page.getByRole("heading", { name: "QR-code voor Bram", level: 1 });
    await heading.waitFor();
    await page.getByLabel("Hoogste bedrag per betaling").fill("20,00");
    await page.getByLabel("Pincode").fill(PIN);
    await page.getByRole("button", { name: "Toon QR-code" }).click();
    const qr = page.getByRole("img", { name: /^Betaal-QR-code voor Bram, hoogstens €\s?20,00$/ });
    await qr.waitFor({ timeout: 20_000 });
    // Focus left the PIN form for the new step's heading; the status region says the code is ready.
    expect(await heading.evaluate((h) => h === document.activeElement)).toBe(true);
    await expect(page.getByRole("main").getByRole("status").textContent()).resolves.toContain("QR-code klaar. Laat hem scannen bij de kassa");
    await page.getByText(/^Nieuwe code over \d+ seconden?$/).waitFor();
    await page.getByRole("button", { name: "Stoppen" }).waitFor();

    const till = system.client();
    await till.merchant.login({ email: shop.email, password: shop.password });
    const receipt = await till.merchant.charge({ qr: readQrFromPng(await qr.screenshot())!, amountCents: 12_50 }, randomUUID());
    expect(receipt.newBalanceCents).toBe(287_50);
    const said = page.getByRole("main").getByRole("status");
    await page.getByText(/Betaald €\s?12,50 bij Sportwinkel De Bal/).first().waitFor({ timeout: 20_000 });
    expect(await said.textContent()).toMatch(/^Betaald €\s?12,50 bij Sportwinkel De Bal\. Nog te besteden voor Bram: €\s?287,50$/);
    expect(await page.getByText(/Betaald €\s?12,50 bij Sportwinkel De Bal/).last().evaluate((p) => p === document.activeElement)).toBe(true);
    await expectAxeClean("walkthrough: paid");
    await page.getByRole("button", { name: "Klaar" }).click();
    await page.getByRole("article", { name: "Bram" }).getByText(euro("€ 287,50")).waitFor();
  });

  test("in Arabic (chosen in its own name, dir=rtl): home, pay and history mirror, the QR and the amounts do not; axe-clean", async () => {
    const shots = process.env.SCREENSHOTS_DIR; // set to look at them: npm test writes none
    if (shots) mkdirSync(shots, { recursive: true });
    const ar = arabic();
    const box = async (locator: ReturnType<Page["getByRole"]>) => (await locator.boundingBox())!;
    await page.setViewportSize({ width: 360, height: 780 });
    try {
      await page.getByRole("navigation").getByRole("link", { name: "Overzicht" }).click();
      await page.getByRole("heading", { name: "Tegoed van uw kinderen" }).waitFor();
      await chooseLanguage(page, "Taal", "العربية");
      await page.getByRole("heading", { name: ar("home.title") }).waitFor();
      expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(["ar", "rtl"]);
      await expectAxeClean("home, ar");
      expect(await sidewaysOverflow(page), "home, ar").toEqual([]);
      // The brand starts on the right, the language switch ends on the left; the menu's first item is rightmost.
      const brand = await box(page.getByRole("banner").getByText(ar("app.name"), { exact: true }));
      const languages = await box(languageButton(page, ar("language.switch")));
      expect(brand.x).toBeGreaterThan(languages.x);
      const menu = page.getByRole("navigation");
      expect((await box(menu.getByRole("link", { name: ar("nav.home") }))).x).toBeGreaterThan((await box(menu.getByRole("link", { name: ar("nav.help") }))).x);
      const anna = page.getByRole("article", { name: "Anna" });
      const spent = await box(anna.getByText(ar("home.spent")));
      const card = await box(anna);
      expect(spent.x + spent.width).toBeGreaterThan(card.x + card.width / 2); // first column on the right
      // The amount keeps € and its Latin digits in reading order inside the right-to-left text.
      expect(await anna.textContent()).toMatch(/267[.,]50/);
      if (shots) await page.screenshot({ path: join(shots, "wallet-home-ar.png"), fullPage: true });

      await page.getByRole("link", { name: ar("home.history", { name: "Anna" }) }).click();
      await page.getByRole("heading", { name: ar("history.title", { name: "Anna" }) }).waitFor();
      await expectAxeClean("history, ar");
      const entry = page.getByRole("listitem").filter({ hasText: ar("history.refund") });
      const shopName = await box(entry.getByText("Sportwinkel De Bal"));
      const refund = await box(entry.getByText(/10[.,]00/));
      expect(refund.x + refund.width).toBeLessThan(shopName.x); // the amount at the end: left
      if (shots) await page.screenshot({ path: join(shots, "wallet-history-ar.png"), fullPage: true });

      await page.getByRole("navigation").getByRole("link", { name: ar("nav.home") }).click();
      await page.getByRole("link", { name: ar("home.pay", { name: "Anna" }) }).click();
      await page.getByLabel(ar("pin.label")).fill(PIN);
      await page.getByRole("button", { name: ar("pay.show") }).click();
      const qr = page.getByRole("img", { name: new RegExp(ar("pay.qrLabel", { name: "Anna", amount: "" }).split("،")[0]!) });
      await qr.waitFor({ timeout: 20_000 });
      await expectAxeClean("pay, ar");
      expect(await sidewaysOverflow(page), "pay, ar").toEqual([]);
      // Not mirrored: a till's camera still reads it.
      expect(decodePaymentQr(readQrFromPng(await qr.screenshot())!).maxAmount).toBe(20_00n); // the limit the walkthrough left
      if (shots) {
        await page.screenshot({ path: join(shots, "wallet-pay-ar.png"), fullPage: true });
        await page.getByRole("button", { name: ar("pay.cancel") }).scrollIntoViewIfNeeded(); // the countdown, above the fixed menu
        await page.screenshot({ path: join(shots, "wallet-pay-ar-countdown.png") });
      }
      await page.getByRole("button", { name: ar("pay.cancel") }).click();
      await page.getByRole("heading", { name: ar("home.title") }).waitFor();
    } finally {
      await chooseLanguage(page, ar("language.switch"), "Nederlands");
      await page.getByRole("heading", { name: "Tegoed van uw kinderen" }).waitFor();
      await page.setViewportSize({ width: 390, height: 844 });
    }
  });

  test("200 % zoom (a 1280 px window is 640 px) and 320 px: the main screens reflow, no text is cut off; nothing moves with reduced motion", async () => {
    await page.emulateMedia({ reducedMotion: "reduce" });
    try {
      for (const width of [640, 320]) {
        await page.setViewportSize({ width, height: width === 640 ? 400 : 640 });
        const menu = page.getByRole("navigation");
        for (const [link, heading] of [["Overzicht", "Tegoed van uw kinderen"], ["Winkels", "Winkels"], ["Hulp", "Telefoon kwijt of kapot?"]] as const) {
          await menu.getByRole("link", { name: link }).click();
          await page.getByRole("heading", { name: heading }).first().waitFor();
          expect(await sidewaysOverflow(page), `${link} at ${width} px`).toEqual([]);
          expect(await clippedText(page), `${link} at ${width} px`).toEqual([]);
          expect(await motionOnPage(page), `${link} with reduced motion`).toEqual([]);
        }
        await page.getByRole("contentinfo").getByRole("link", { name: "Toegankelijkheid" }).click();
        await page.getByRole("heading", { name: "Toegankelijkheidsverklaring" }).waitFor();
        expect(await sidewaysOverflow(page), `statement at ${width} px`).toEqual([]);
        await menu.getByRole("link", { name: "Overzicht" }).click();
        await page.getByRole("link", { name: "Betalen voor Anna" }).click();
        await page.getByLabel("Pincode").fill(PIN);
        await page.getByRole("button", { name: "Toon QR-code" }).click();
        await page.getByRole("img", { name: /Betaal-QR-code voor Anna/ }).waitFor({ timeout: 20_000 });
        expect(await sidewaysOverflow(page), `QR at ${width} px`).toEqual([]);
        expect(await clippedText(page), `QR at ${width} px`).toEqual([]);
        expect(await motionOnPage(page), "QR with reduced motion").toEqual([]);
        await page.getByRole("button", { name: "Stoppen" }).click();
      }
    } finally {
      await page.emulateMedia({ reducedMotion: null });
      await page.setViewportSize({ width: 390, height: 844 });
    }
  });

  test("every language on a 320 px phone: header, home and menu fit, nothing sticks out sideways", async () => {
    await page.setViewportSize({ width: 320, height: 568 });
    try {
      await page.getByRole("navigation").getByRole("link", { name: "Overzicht" }).click();
      let label = "Taal";
      for (const language of [...FAMILY_LANGUAGES.filter((l) => l !== "nl"), "nl" as const]) {
        const texts = walletTexts(language);
        await chooseLanguage(page, label, LANGUAGE_NAMES[language]);
        await page.getByRole("heading", { name: texts("home.title"), level: 1 }).waitFor();
        label = texts("language.switch");
        // The header is one line: the brand and the button naming the language.
        expect(await languageButton(page, label).textContent()).toBe(LANGUAGE_NAMES[language]);
        expect(await sidewaysOverflow(page), `home in ${language} at 320 px`).toEqual([]);
        expect(await clippedText(page), `home in ${language} at 320 px`).toEqual([]);
      }
    } finally {
      if ((await page.evaluate(() => document.documentElement.lang)) !== "nl") {
        await page.getByRole("banner").getByRole("button", { expanded: false }).click();
        await page.getByRole("button", { name: "Nederlands", exact: true }).click();
      }
      await page.setViewportSize({ width: 390, height: 844 });
    }
  });

  test("the accessibility statement, from every screen's footer, is axe-clean in Dutch and English", async () => {
    await page.getByRole("contentinfo").getByRole("link", { name: "Toegankelijkheid" }).click();
    await page.getByRole("heading", { name: "Toegankelijkheidsverklaring", level: 1 }).waitFor();
    await page.getByText("Status C: eerste maatregelen genomen.").waitFor();
    await expectAxeClean("statement");
    await chooseLanguage(page, "Taal", "English");
    await page.getByRole("heading", { name: "Accessibility statement", level: 1 }).waitFor();
    await page.getByText("You will get an answer within 5 working days.", { exact: false }).waitFor();
    await expectAxeClean("statement in English");
    await chooseLanguage(page, "Language", "Nederlands");
  });

  test("lost phone: staff re-issue access, a new phone activates, and the old one says it no longer works", async () => {
    const letter = await staff.eligibility.reissueAccess(familyId);
    const newPhone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const other = await newPhone.newPage();
      await other.goto(`${system.baseUrl}/wallet/`);
      await other.getByLabel("Activatiecode").fill(letter.code);
      await other.getByLabel("Pincode (5 cijfers)").fill("11223");
      await other.getByLabel("Herhaal de pincode").fill("11223");
      await other.getByRole("button", { name: "Activeren" }).click();
      await other.getByRole("article", { name: "Anna" }).getByText(euro("€ 267,50")).waitFor({ timeout: 30_000 });
    } finally {
      await newPhone.close();
    }
    await page.goto(`${system.baseUrl}/wallet/`);
    await page.getByText(/Uw tegoed werkt niet meer op deze telefoon/).waitFor();
    await expectAxeClean("old phone after a re-key");
  });
});

/** The wallet's Arabic texts, as the app shows them ({{name}} filled in). */
function arabic(): (key: string, values?: Record<string, string>) => string {
  return walletTexts("ar");
}

/** The wallet's texts in a language, by key, with {{name}} filled in. */
function walletTexts(language: FamilyLanguage): (key: string, values?: Record<string, string>) => string {
  const texts = JSON.parse(readFileSync(new URL(`../src/i18n/${language}.json`, import.meta.url), "utf8")) as Record<string, unknown>;
  return (key, values = {}) => {
    const text = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], texts) as string;
    return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? "");
  };
}
