// The shop's till in Debian's Chromium against the real backend on a local chain. The camera is Chromium's
// fake camera playing a Y4M video of a real permit QR, signed in the test by the family's device key.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { ApiClient } from "@tegoed/sdk";
import { axeViolations, chooseLanguage, clippedText, describeViolations, launchBrowser, motionOnPage, sidewaysOverflow, writeQrVideo } from "../../test/support/browser.ts";
import { startSystem, type System } from "../../test/support/system.ts";
import { approvedShop, fundWithFamilies } from "../../test/support/scenario.ts";
import { activateFamily, balanceOf, permitQr, type ActiveFamily } from "../../test/support/merchant-shop.ts";
import { pdfQr, pdfTextLines } from "../../scripts/lib/pdf-text.ts";

let system: System;
let family: ActiveFamily;
let shop: { email: string; password: string };
let shopApi: ApiClient;
let staff: ApiClient;
let fundId: string;
let folder: string;
const browsers: Browser[] = [];

const PHONE = { viewport: { width: 375, height: 667 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "nl-NL" };
/** Intl puts a no-break space in "€ 300,00": compare on plain spaces. */
const plain = (text: string | null) => (text ?? "").replace(/\s/g, " ");

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "tegoed-till-"));
  system = await startSystem({ apps: ["merchant-app"] });
  const scene = await fundWithFamilies(system, [
    { displayName: "Familie Jansen", children: [{ firstName: "Sanne", birthYear: 2016 }, { firstName: "Daan", birthYear: 2018 }] },
  ]);
  staff = scene.staff;
  fundId = scene.fund.id;
  // Only the payout this file starts itself: the fund's daily run (17:00 in Amsterdam) must not pay the shop first.
  await staff.payouts.setSchedule(fundId, { schedule: { kind: "daily", at: "17:00" }, minimumCents: 1_000_000_00 });
  family = await activateFamily(system, scene.families[0]!.code, scene.fund.chainAddress);
  shop = await approvedShop(system, scene.fund.id);
  shopApi = system.client();
  await shopApi.merchant.login({ email: shop.email, password: shop.password });
});

afterAll(async () => {
  for (const browser of browsers) await browser.close().catch(() => undefined);
  await system?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

/** A browser whose fake camera shows `qr`, text or printed modules (Chromium reads the file at launch: one browser per video). */
async function phoneWithCamera(qr: string | boolean[][] | null): Promise<{ context: BrowserContext; page: Page }> {
  let fakeCamera: string | undefined;
  if (qr) {
    fakeCamera = join(folder, `qr-${browsers.length}.y4m`);
    writeQrVideo(qr, fakeCamera);
  }
  const browser = await launchBrowser({ fakeCamera });
  browsers.push(browser);
  const context = await browser.newContext({ ...PHONE, permissions: qr ? ["camera"] : [] });
  return { context, page: await context.newPage() };
}

/** Chromium holds a few hundred MB: close a phone as soon as its test is done. */
async function closePhone(page: Page): Promise<void> {
  await page.context().browser()?.close();
}

async function logIn(page: Page): Promise<void> {
  await page.goto(`${system.baseUrl}/shop/`);
  await page.getByLabel("E-mailadres", { exact: true }).fill(shop.email);
  await page.getByLabel("Wachtwoord", { exact: true }).fill(shop.password);
  await page.getByRole("button", { name: "Inloggen" }).click();
  await page.getByRole("heading", { name: "Afrekenen", level: 1 }).waitFor();
}

/** axe-core finds nothing, and the page fits the phone's width (nothing sticks out or is cut off sideways). */
async function expectAxeClean(page: Page, where: string): Promise<void> {
  expect(describeViolations(await axeViolations(page)), where).toBe("");
  expect(await sidewaysOverflow(page), `${where}: wider than the screen`).toEqual([]);
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, `${where}: page wider than the screen`).toBeLessThanOrEqual(innerWidth);
}

async function paymentCount(): Promise<number> {
  return (await shopApi.merchant.payments()).totals.count;
}

describe("scanning with the camera", () => {
  test("the fake camera's QR is decoded, the charge goes through the chain, PAID is shown and the budget dropped; the same QR again is REFUSED as used", async () => {
    const child = family.children[0]!;
    const before = await balanceOf(family, child.budgetId);
    expect(before).toBe(300_00);
    const { page } = await phoneWithCamera(await permitQr(system, family, child.budgetId));
    await logIn(page);

    // Nothing is typed: the spendable budget appears only once the camera path has decoded the QR.
    const spendable = page.getByTestId("spendable");
    await spendable.waitFor({ timeout: 20_000 });
    expect(plain(await spendable.textContent())).toBe("€ 300,00");
    await expectAxeClean(page, "amount entry");

    await page.getByLabel("Bedrag in euro").fill("12,5");
    await page.getByRole("button", { name: "€ 12,50 afrekenen" }).click();
    const paid = page.getByRole("heading", { name: "Betaald" });
    await paid.waitFor();
    expect(plain(await page.getByTestId("charge-result").textContent())).toContain("Nog over op het budget: € 287,50");
    await expectAxeClean(page, "PAID");
    expect(await balanceOf(family, child.budgetId)).toBe(287_50);

    // Next customer: the camera still shows the same (now used) QR.
    await page.getByRole("button", { name: "Volgende klant" }).click();
    await page.getByRole("heading", { name: "Geweigerd" }).waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("charge-result").textContent()).toContain("Deze QR-code is al gebruikt — vraag de klant om een nieuwe code.");
    await expectAxeClean(page, "REFUSED");
    expect(await balanceOf(family, child.budgetId)).toBe(287_50);
    await closePhone(page);
  });

  test("an expired QR is REFUSED with the expired reason, and nothing is charged", async () => {
    const child = family.children[1]!;
    const count = await paymentCount();
    const { page } = await phoneWithCamera(await permitQr(system, family, child.budgetId, { validForSeconds: -60 }));
    await logIn(page);
    await page.getByRole("heading", { name: "Geweigerd" }).waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("charge-result").textContent()).toContain("QR-code verlopen — vraag de klant de code te vernieuwen en scan opnieuw.");
    expect(await paymentCount()).toBe(count);
    expect(await balanceOf(family, child.budgetId)).toBe(300_00);
    await closePhone(page);
  });

  test("while the camera looks at something that is not a QR, the scan screen is live and passes axe; a QR that is not Tegoed's is REFUSED in words", async () => {
    const blank = join(folder, "blank.y4m");
    writeBlankVideo(blank);
    const browser = await launchBrowser({ fakeCamera: blank });
    browsers.push(browser);
    const context = await browser.newContext({ ...PHONE, permissions: ["camera"] });
    const page = await context.newPage();
    await logIn(page);
    await page.getByText("Houd de QR-code van de klant voor de camera.").waitFor();
    expect(await page.locator("video").isVisible()).toBe(true);
    await expectAxeClean(page, "scan with the camera running");
    expect(await page.getByTestId("charge-result").count()).toBe(0);
    await closePhone(page);

    const { page: other } = await phoneWithCamera("https://www.example.org/menu");
    await logIn(other);
    await other.getByRole("heading", { name: "Geweigerd" }).waitFor({ timeout: 20_000 });
    expect(await other.getByTestId("charge-result").textContent()).toContain("Dit is geen Tegoed-betaalcode.");
    await closePhone(other);
  });
});

/** A grey Y4M video with nothing to decode. */
function writeBlankVideo(file: string): void {
  const width = 640, height = 480;
  const frame = Buffer.concat([Buffer.from("FRAME\n"), Buffer.alloc(width * height, 0x80), Buffer.alloc(width * height / 2, 128)]);
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`), frame, frame, frame]));
}

describe("typing the code and paying", () => {
  let page: Page;
  beforeAll(async () => {
    ({ page } = await phoneWithCamera(null));
    await logIn(page);
  });

  async function enterCode(qr: string): Promise<void> {
    await page.getByLabel("Code handmatig invoeren").fill(qr);
    await page.getByRole("button", { name: "Code controleren" }).click();
    await page.getByTestId("spendable").waitFor();
  }

  test("a double tap on confirm charges once", async () => {
    const child = family.children[1]!;
    const count = await paymentCount();
    await enterCode(await permitQr(system, family, child.budgetId));
    await page.getByLabel("Bedrag in euro").fill("20.00");
    const confirm = page.getByRole("button", { name: "€ 20,00 afrekenen" });
    const charges: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url().endsWith("/api/merchant/charges")) charges.push(request.headers()["idempotency-key"]!);
    });
    await confirm.dblclick(); // the assistant's double tap
    await page.getByRole("heading", { name: "Betaald" }).waitFor();
    expect(charges).toHaveLength(1);
    expect(await paymentCount()).toBe(count + 1);
    expect(await balanceOf(family, child.budgetId)).toBe(280_00);
    await page.getByRole("button", { name: "Volgende klant" }).click();
  });

  test("when the answer to a charge is lost on the way, the retry gets the same payment back and nothing is charged twice", async () => {
    const child = family.children[0]!;
    const count = await paymentCount();
    await enterCode(await permitQr(system, family, child.budgetId));
    // The backend charges, but the browser never sees the answer: a dropped connection at the worst moment.
    const keys: string[] = [];
    await page.route("**/api/merchant/charges", async (route) => {
      keys.push(route.request().headers()["idempotency-key"]!);
      await route.fetch();
      await route.abort("connectionreset");
    });
    await page.getByLabel("Bedrag in euro").fill("5");
    await page.getByRole("button", { name: "€ 5,00 afrekenen" }).click();
    await page.getByText("niet zeker of er betaald is", { exact: false }).waitFor();
    expect(await paymentCount()).toBe(count + 1);
    await page.unroute("**/api/merchant/charges");

    const retried = page.waitForRequest("**/api/merchant/charges");
    await page.getByRole("button", { name: "Opnieuw proberen (€ 5,00)" }).click();
    expect((await retried).headers()["idempotency-key"]).toBe(keys[0]);
    await page.getByRole("heading", { name: "Betaald" }).waitFor();
    expect(await paymentCount()).toBe(count + 1);
    expect(await balanceOf(family, child.budgetId)).toBe(282_50);
    await page.getByRole("button", { name: "Volgende klant" }).click();
  });

  test("budget too low says how much the budget can pay", async () => {
    const child = family.children[1]!;
    await enterCode(await permitQr(system, family, child.budgetId, { maxAmount: 500_00n }));
    expect(plain(await page.getByTestId("spendable").textContent())).toBe("€ 280,00");
    await page.getByLabel("Bedrag in euro").fill("300");
    await page.getByRole("button", { name: /afrekenen/i }).click();
    expect(plain(await page.getByRole("alert").textContent())).toContain("Meer dan het budget: maximaal € 280,00");
    await page.getByRole("button", { name: "Annuleren" }).click();
  });

  test("a payment is refunded in part, then the rest, from the payments list; the totals follow", async () => {
    const child = family.children[1]!;
    await page.getByRole("link", { name: "Betalingen", exact: true }).click();
    await page.getByRole("heading", { name: "Betalingen", level: 1 }).waitFor();
    await page.getByTestId("net-total").waitFor();
    await expectAxeClean(page, "payments");
    const netBefore = (await shopApi.merchant.payments()).totals.netCents;

    const refund = page.getByRole("button", { name: /Terugbetalen: € 20,00/ });
    await refund.click();
    await page.getByLabel("Bedrag terug in euro").fill("2,50");
    await expectAxeClean(page, "refund form");
    await page.getByRole("button", { name: "Terugbetalen", exact: true }).click();
    // Asked first; nothing went back yet.
    await page.getByText("€ 2,50 terugbetalen aan dit tegoed?").waitFor();
    await expectAxeClean(page, "refund confirmation");
    expect(await balanceOf(family, child.budgetId)).toBe(280_00);
    await page.getByRole("button", { name: "Ja, € 2,50 terugbetalen" }).click();
    await page.getByText("€ 2,50 is teruggezet op het budget.").waitFor();
    await page.getByText("Terugbetaald: € 2,50 · nog terug te betalen: € 17,50").waitFor();
    expect(await balanceOf(family, child.budgetId)).toBe(282_50);
    expect((await shopApi.merchant.payments()).totals.netCents).toBe(netBefore - 2_50);

    await page.getByRole("button", { name: /Terugbetalen \(nog € 17,50\)/ }).click();
    await page.getByRole("button", { name: "Terugbetalen", exact: true }).click(); // empty: all that is left
    await page.getByRole("button", { name: "Ja, € 17,50 terugbetalen" }).click();
    await page.getByText("€ 17,50 is teruggezet op het budget.").waitFor();
    await page.getByText("Helemaal terugbetaald").waitFor();
    expect(await balanceOf(family, child.budgetId)).toBe(300_00);
  });

  test("the payments CSV is made in the browser with every payment and the totals", async () => {
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download als CSV" }).click();
    const file = await download;
    const text = await new Response(await file.createReadStream() as unknown as ReadableStream).text().catch(async () => {
      const { readFileSync } = await import("node:fs");
      return readFileSync((await file.path())!, "utf8");
    });
    const lines = text.trim().split("\r\n");
    expect(lines[0]).toBe("paid_at,payment_id,amount_eur,refunded_eur,net_eur,confirmed,tx_hash");
    const list = await shopApi.merchant.payments();
    expect(lines).toHaveLength(list.payments.length + 2);
    expect(text).toContain(",20.00,20.00,0.00,");
    expect(lines.at(-1)).toContain(`total,${list.totals.count},`);
  });

  test("a payout by the municipality shows on the payouts screen with amount, reference and status", async () => {
    await page.getByRole("link", { name: "Uitbetalingen", exact: true }).click();
    await page.getByRole("heading", { name: "Uitbetalingen", level: 1 }).waitFor();
    await page.getByTestId("owed").waitFor();
    expect(plain(await page.getByTestId("owed").textContent())).toContain("€ 17,50"); // 12,50 + 5,00; the 20,00 was refunded
    await expectAxeClean(page, "payouts, nothing paid yet");

    const run = await staff.payouts.start({ fundId, minimumCents: 0 });
    let detail = await staff.payouts.run(run.id);
    for (let i = 0; i < 200 && detail.status !== "completed"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      detail = await staff.payouts.run(run.id);
    }
    expect(detail.status).toBe("completed");
    const payout = detail.payouts[0]!;
    expect(payout.amountCents).toBe(17_50);

    await page.reload();
    await page.getByRole("heading", { name: "Uitbetalingen", level: 1 }).waitFor();
    const item = page.getByRole("list", { name: "Uitbetalingen" }).getByRole("listitem").first();
    await item.waitFor();
    const text = plain(await item.textContent());
    expect(text).toContain("€ 17,50");
    expect(text).toContain(payout.reference);
    expect(text).toMatch(/Overgemaakt/);
    await expectAxeClean(page, "payouts, one paid");
  });

  test("a whole charge works from the keyboard alone, and focus lands where the assistant needs it", async () => {
    const child = family.children[0]!;
    await page.getByRole("link", { name: "Afrekenen", exact: true }).click();
    await page.getByLabel("Code handmatig invoeren").focus();
    await page.keyboard.insertText(await permitQr(system, family, child.budgetId));
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.getByTestId("spendable").waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("amount");
    await page.keyboard.type("1,25");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Betaald" }).waitFor();
    // Enter alone starts the next customer.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Volgende klant");
    await page.keyboard.press("Enter");
    await page.getByLabel("Code handmatig invoeren").waitFor();
    expect(await balanceOf(family, child.budgetId)).toBe(281_25);
  });

  test("a colleague is added from the team screen and logs in on another phone; a reload keeps the session", async () => {
    await page.getByRole("link", { name: "Collega's", exact: true }).click();
    const email = `kassa2-${Date.now()}@debal.example`;
    await page.getByLabel("E-mailadres", { exact: true }).fill(email);
    await page.getByLabel("Eerste wachtwoord").fill("een lang wachtwoord");
    await page.getByRole("button", { name: "Collega toevoegen" }).click();
    await page.getByText(`${email} kan nu inloggen.`).waitFor();
    await page.getByRole("list", { name: "Accounts van deze winkel" }).getByText(email).waitFor();

    const other = await phoneWithCamera(null);
    await other.page.goto(`${system.baseUrl}/shop/`);
    await other.page.getByLabel("E-mailadres", { exact: true }).fill(email);
    await other.page.getByLabel("Wachtwoord", { exact: true }).fill("een lang wachtwoord");
    await other.page.getByRole("button", { name: "Inloggen" }).click();
    await other.page.getByRole("heading", { name: "Afrekenen", level: 1 }).waitFor();
    await other.page.reload();
    await other.page.getByRole("heading", { name: "Afrekenen", level: 1 }).waitFor();
    expect(await other.page.locator(".shop-name").textContent()).toBe("Sportwinkel De Bal");
    await other.page.getByRole("button", { name: "Uitloggen" }).click();
    await other.page.getByRole("heading", { name: "Inloggen", level: 1 }).waitFor();
    await closePhone(other.page);
  });

  test("a budget frozen by the municipality is REFUSED with the frozen reason", async () => {
    const child = family.children[1]!;
    await staff.eligibility.freezeBudget(child.budgetId, { reason: "Telefoon kwijt gemeld." });
    try {
      await page.getByRole("link", { name: "Afrekenen", exact: true }).click();
      await page.getByLabel("Code handmatig invoeren").fill(await permitQr(system, family, child.budgetId));
      await page.getByRole("button", { name: "Code controleren" }).click();
      await page.getByRole("heading", { name: "Geweigerd" }).waitFor();
      expect(await page.getByTestId("charge-result").textContent()).toContain("Dit budget is geblokkeerd door de gemeente — reken op een andere manier af.");
      await page.getByRole("button", { name: "Volgende klant" }).click();
    } finally {
      await staff.eligibility.unfreezeBudget(child.budgetId, { reason: "Gevonden." });
    }
  });

  test("the short code under the wallet's QR, typed in lower case with spaces, charges that QR", async () => {
    const child = family.children[0]!;
    const before = await balanceOf(family, child.budgetId);
    const qr = await permitQr(system, family, child.budgetId, { validForSeconds: 120 });
    const { code } = await family.client.family.registerPayCode({ qr }); // what the wallet does when it shows the QR
    await page.getByLabel("Code handmatig invoeren").fill(code.toLowerCase().replaceAll("-", " "));
    await page.getByRole("button", { name: "Code controleren" }).click();
    await page.getByTestId("spendable").waitFor();
    await page.getByLabel("Bedrag in euro").fill("3,00");
    await page.getByRole("button", { name: "€ 3,00 afrekenen" }).click();
    await page.getByRole("heading", { name: "Betaald" }).waitFor();
    expect(await balanceOf(family, child.budgetId)).toBe(before! - 3_00);
    await page.getByRole("button", { name: "Volgende klant" }).click();
  });

  test("every screen of the logged-in shop passes axe, in Dutch and English", async () => {
    await page.getByRole("link", { name: "Collega's", exact: true }).click();
    await page.getByRole("heading", { name: "Collega's", level: 1 }).waitFor();
    await expectAxeClean(page, "team");
    await page.getByRole("link", { name: "Afrekenen", exact: true }).click();
    await page.getByRole("heading", { name: "Afrekenen", level: 1 }).waitFor();
    await expectAxeClean(page, "scan (no camera)");
    await chooseLanguage(page, "Taal", "English");
    await page.getByRole("heading", { name: "Charge", level: 1 }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    await expectAxeClean(page, "scan in English");
    for (const [tab, heading] of [["Payments", "Payments"], ["Payouts", "Payouts"], ["Colleagues", "Colleagues"]] as const) {
      await page.getByRole("link", { name: tab, exact: true }).click();
      await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
      await expectAxeClean(page, `${tab} in English`);
    }
    await chooseLanguage(page, "Language", "Nederlands");
    await page.getByRole("heading", { name: "Collega's", level: 1 }).waitFor();

    // The smallest phones in use: 320 px wide, nothing sticks out or is cut off (the period's date fields included).
    await page.setViewportSize({ width: 320, height: 640 });
    try {
      for (const [tab, heading] of [["Betalingen", "Betalingen"], ["Afrekenen", "Afrekenen"], ["Uitbetalingen", "Uitbetalingen"], ["Collega's", "Collega's"]] as const) {
        await page.getByRole("link", { name: tab, exact: true }).click();
        await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
        if (tab === "Betalingen") await page.getByTestId("net-total").waitFor();
        expect(await sidewaysOverflow(page), `${tab} at 320 px`).toEqual([]);
      }
    } finally {
      await page.setViewportSize(PHONE.viewport);
    }
  });
});

describe("by roles and names alone, right to left", () => {
  let page: Page;
  beforeAll(async () => {
    ({ page } = await phoneWithCamera(null));
    await logIn(page);
  });

  test("a charge and its refund, each step axe-clean with dir=rtl; the amount step in Arabic; the statement from the footer; 640 px (200 % zoom) reflows; nothing moves with reduced motion", async () => {
    const child = family.children[0]!;
    const before = (await balanceOf(family, child.budgetId))!;
    await page.evaluate(() => (document.documentElement.dir = "rtl"));
    await page.emulateMedia({ reducedMotion: "reduce" });
    const tabs = page.getByRole("navigation");
    await tabs.getByRole("link", { name: "Afrekenen", exact: true }).click();
    await page.getByRole("heading", { name: "Afrekenen", level: 1 }).waitFor();
    await page.getByRole("textbox", { name: "Code handmatig invoeren" }).fill(await permitQr(system, family, child.budgetId));
    await page.getByRole("button", { name: "Code controleren" }).click();
    const amount = page.getByRole("textbox", { name: "Bedrag in euro" });
    await amount.waitFor();
    // Focus is already in the amount field, where the assistant types next.
    expect(await amount.evaluate((field) => field === document.activeElement)).toBe(true);
    await amount.fill("4,00");
    await expectAxeClean(page, "amount, rtl");
    await page.getByRole("button", { name: "€ 4,00 afrekenen" }).click();
    const result = page.getByRole("region", { name: "Betaald" });
    await result.waitFor();
    expect(await result.getByRole("status").textContent()).toMatch(/€\s4,00/);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Volgende klant");
    await expectAxeClean(page, "paid, rtl");
    expect(await motionOnPage(page), "paid, reduced motion").toEqual([]);
    expect(await balanceOf(family, child.budgetId)).toBe(before - 4_00);
    await page.getByRole("button", { name: "Volgende klant" }).click();

    await tabs.getByRole("link", { name: "Betalingen", exact: true }).click();
    await page.getByRole("heading", { name: "Betalingen", level: 1 }).waitFor();
    await page.getByRole("button", { name: /^Terugbetalen: € 4,00/ }).first().click();
    await page.getByRole("textbox", { name: "Bedrag terug in euro" }).fill("4,00");
    await page.getByRole("button", { name: "Terugbetalen", exact: true }).click();
    await page.getByRole("group", { name: "€ 4,00 terugbetalen aan dit tegoed?" }).waitFor();
    await expectAxeClean(page, "refund confirmation, rtl");
    await page.getByRole("button", { name: "Ja, € 4,00 terugbetalen" }).click();
    await page.getByRole("status").filter({ hasText: "€ 4,00 is teruggezet op het budget." }).waitFor();
    expect(await balanceOf(family, child.budgetId)).toBe(before);
    await expectAxeClean(page, "refunded, rtl");

    await page.getByRole("contentinfo").getByRole("link", { name: "Toegankelijkheid" }).click();
    await page.getByRole("heading", { name: "Toegankelijkheidsverklaring", level: 1 }).waitFor();
    await expectAxeClean(page, "statement, rtl");
    await chooseLanguage(page, "Taal", "English");
    await page.getByRole("heading", { name: "Accessibility statement", level: 1 }).waitFor();
    await expectAxeClean(page, "statement in English, rtl");
    await chooseLanguage(page, "Language", "Nederlands");

    // In Arabic, chosen by its own name: the page turns right to left, and a scanned code's amount step passes axe.
    await chooseLanguage(page, "Taal", "العربية");
    await tabs.getByRole("link", { name: "تحصيل الدفع", exact: true }).click();
    await page.getByRole("heading", { name: "تحصيل الدفع", level: 1 }).waitFor();
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(["ar", "rtl"]);
    await page.getByRole("textbox", { name: "إدخال الرمز يدويًا" }).fill(await permitQr(system, family, child.budgetId));
    await page.getByRole("button", { name: "التحقق من الرمز" }).click();
    await page.getByRole("textbox", { name: "المبلغ باليورو" }).waitFor();
    await expectAxeClean(page, "amount, Arabic");
    await chooseLanguage(page, "اللغة", "Nederlands");
    await page.getByRole("heading", { name: "Afrekenen", level: 1 }).waitFor();

    await page.setViewportSize({ width: 640, height: 400 });
    try {
      for (const [tab, heading] of [["Afrekenen", "Afrekenen"], ["Betalingen", "Betalingen"], ["Uitbetalingen", "Uitbetalingen"], ["Collega's", "Collega's"]] as const) {
        await tabs.getByRole("link", { name: tab, exact: true }).click();
        await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
        await page.getByText("Laden…").first().waitFor({ state: "detached" }).catch(() => undefined);
        expect(await sidewaysOverflow(page), `${tab} at 640 px`).toEqual([]);
        expect(await clippedText(page), `${tab} at 640 px`).toEqual([]);
        expect(await motionOnPage(page), `${tab}, reduced motion`).toEqual([]);
      }
      // A 320 × 568 phone as till: the field for a typed code is on screen without scrolling.
      await page.setViewportSize({ width: 320, height: 568 });
      await tabs.getByRole("link", { name: "Afrekenen", exact: true }).click();
      const field = page.getByRole("textbox", { name: "Code handmatig invoeren" });
      await field.waitFor();
      const box = (await field.boundingBox())!;
      expect(box.y + box.height).toBeLessThanOrEqual(568);
      expect(await sidewaysOverflow(page), "Afrekenen at 320 px").toEqual([]);
    } finally {
      await page.setViewportSize(PHONE.viewport);
      await page.emulateMedia({ reducedMotion: null });
      await page.evaluate(() => document.documentElement.removeAttribute("dir"));
      await closePhone(page);
    }
  });
});

describe("before logging in", () => {
  test("login, apply (with field errors) and status screens pass axe; a wrong password says so", async () => {
    const { page } = await phoneWithCamera(null);
    await page.goto(`${system.baseUrl}/shop/`);
    await page.getByRole("heading", { name: "Inloggen", level: 1 }).waitFor();
    await expectAxeClean(page, "login");
    // Installable: the manifest is linked and served from the app's own scope.
    const manifestUrl = await page.locator('link[rel="manifest"]').getAttribute("href");
    const manifest = (await (await fetch(`${system.baseUrl}${manifestUrl}`)).json()) as { start_url: string; scope: string; display: string; icons: unknown[] };
    expect(manifest).toMatchObject({ start_url: "/shop/", scope: "/shop/", display: "standalone" });
    expect(manifest.icons.length).toBeGreaterThan(0);
    await page.getByLabel("E-mailadres", { exact: true }).fill(shop.email);
    await page.getByLabel("Wachtwoord", { exact: true }).fill("not the password");
    await page.getByRole("button", { name: "Inloggen" }).click();
    await page.getByText("E-mailadres of wachtwoord klopt niet.").waitFor();

    await page.getByRole("button", { name: "Winkel aanmelden" }).click();
    await page.getByRole("heading", { name: "Winkel aanmelden", level: 1 }).waitFor();
    await expectAxeClean(page, "apply");
    await page.getByRole("button", { name: "Aanmelding versturen" }).click();
    await page.getByText("Niet alle gegevens kloppen").waitFor();
    await expectAxeClean(page, "apply with errors");

    await page.getByLabel("Naam van de winkel").fill("Boekhandel Het Blad");
    await page.getByLabel("KvK-nummer").fill("1234 5678");
    await page.getByLabel("IBAN (rekeningnummer voor uitbetalingen)").fill("NL92 ABNA 0417 1643 00");
    await page.getByText("Dit IBAN klopt niet — controleer de cijfers.").waitFor();
    await page.getByLabel("IBAN (rekeningnummer voor uitbetalingen)").fill("NL91 ABNA 0417 1643 00");
    await page.getByText("IBAN klopt.").waitFor();
    await page.getByLabel("Boeken").check();
    await page.getByLabel("Schoolspullen").check();
    await page.getByLabel("Adres", { exact: true }).fill("Hoofdstraat 3, 9801 AA Zuidhorn");
    await page.getByLabel("E-mailadres voor contact").fill("info@hetblad.example");
    await page.getByRole("button", { name: "Aanmelding versturen" }).click();
    await page.getByRole("heading", { name: "Status van uw aanmelding", level: 1 }).waitFor();
    await page.getByText("In behandeling bij de gemeente").waitFor();
    await expectAxeClean(page, "status pending");

    const stored = JSON.parse((await page.evaluate(() => localStorage.getItem("tegoed-shop-application")))!) as { id: string };
    const application = await staff.merchants.get(stored.id);
    expect(application).toMatchObject({ name: "Boekhandel Het Blad", kvkNumber: "12345678", categories: ["books", "school"], status: "pending" });
    await staff.merchants.decline(stored.id, { reason: "Geen vestiging in de gemeente." });
    await page.getByRole("button", { name: "Status vernieuwen" }).click();
    await page.getByText("Afgewezen").waitFor();
    await page.getByText("Reden: Geen vestiging in de gemeente.").waitFor();
    await expectAxeClean(page, "status declined");

    await page.getByRole("button", { name: "Naar inloggen" }).click();
    await page.getByRole("button", { name: "Status van mijn aanmelding" }).waitFor();
    await closePhone(page);
  });
});

// Last: its payment would change the shop's payments and payouts the tests above count.
describe("a Tegoed card", () => {
  test("the QR read from the printed card's PDF by the camera: amount, the customer's PIN, whose budget, PAID; each step axe-clean", async () => {
    const added = await staff.eligibility.addFamily(fundId, {
      displayName: "Familie Kaart", addressLines: ["Hoofdstraat 2", "9801 AA  Zuidhorn"], children: [{ firstName: "Lotte", birthYear: 2017 }],
    });
    await staff.eligibility.approveFamilies(fundId, { familyIds: [added.id] });
    await staff.eligibility.issueBudgets(fundId);
    const issued = await staff.cards.issue(added.id);
    const pin = pdfTextLines(Buffer.from(issued.pinLetterPdf, "base64")).flat().find((line) => /^\d{5}$/.test(line))!;
    const { page } = await phoneWithCamera(pdfQr(Buffer.from(issued.cardPdf, "base64")));
    await logIn(page);
    await page.getByRole("heading", { name: "Tegoedkaart" }).waitFor({ timeout: 20_000 });
    await expectAxeClean(page, "card: amount");
    await page.getByLabel("Bedrag in euro").fill("20,00");
    await page.getByRole("button", { name: "€ 20,00 afrekenen" }).click();
    await page.getByLabel("Pincode (5 cijfers)").waitFor();
    await expectAxeClean(page, "card: PIN");
    await page.getByLabel("Pincode (5 cijfers)").fill(pin);
    await page.getByRole("button", { name: "Pincode bevestigen" }).click();
    const lotte = page.getByRole("button", { name: "Betaal € 20,00 van het tegoed van Lotte" });
    await lotte.waitFor({ timeout: 20_000 });
    await expectAxeClean(page, "card: whose budget");
    await lotte.click();
    await page.getByRole("heading", { name: "Betaald" }).waitFor({ timeout: 30_000 });
    expect(plain(await page.getByTestId("charge-result").textContent())).toContain("Nog over op het budget: € 280,00");
    await expectAxeClean(page, "card: PAID");
    await closePhone(page);
  });
});
