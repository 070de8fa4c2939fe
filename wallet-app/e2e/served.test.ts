// The backend serves the built wallet on its own origin, with its CSP, and the page passes axe.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import { axeViolations, describeViolations, launchBrowser } from "../../test/support/browser.ts";
import { startSystem, type System } from "../../test/support/system.ts";

let system: System;
let browser: Browser;
beforeAll(async () => {
  system = await startSystem({ apps: ["wallet-app"] });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

test("GET /wallet/ serves the app with a CSP; a deep link answers the same page; a missing asset is 404", async () => {
  const page = await browser.newPage();
  const response = await page.goto(`${system.baseUrl}/wallet/`);
  expect(response?.status()).toBe(200);
  expect(response?.headers()["content-security-policy"]).toContain("default-src 'self'");
  await expect(page.locator("h1").first().textContent()).resolves.toBeTruthy();
  expect(describeViolations(await axeViolations(page))).toBe("");
  expect((await fetch(`${system.baseUrl}/wallet/pay/123`)).status).toBe(200);
  expect((await fetch(`${system.baseUrl}/wallet/assets/missing.js`)).status).toBe(404);
});
