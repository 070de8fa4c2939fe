// The BSN only where a fund needs it: the demo provider sends a `bsn` claim with every login; Tegoed keeps
// it (sealed with AES-256-GCM under the BSN key) with an application to a fund that asks for it, shows it
// to a validator on request (audit-logged), never logs it, and deletes it with the application.
// A real local chain, the real oidc-provider, both database engines.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applicationsApi, createApiClient, CSRF_HEADER, SESSION_COOKIE, type ApiClient, type ApplicationSettingsInput, type Fund } from "@tegoed/sdk";
import type { DemoIdp } from "../../../scripts/lib/demo-idp.ts";
import { withApplicationTables } from "../../src/db/applications-schema.ts";
import { auditLogRepository } from "../../src/db/audit-log.repository.ts";
import { isValidBsn, loadBsnKey, openBsn, sealBsn } from "../../src/domain/applicants/index.ts";
import { discoverOidc, type OidcSettings } from "../../src/identity/oidc.ts";
import { ENGINES } from "../support/engines.ts";
import { TEST_CLIENT, TEST_REDIRECT_URL, loginAtProvider, startTestIdp } from "../support/oidc-browser.ts";
import { startDomainChain, type DomainChain } from "../domain/eligibility/support.ts";
import { b64, pdfBytes } from "../domain/applications/fixtures.ts";
import { refusal, useApp } from "./harness.ts";

const YEAR = new Date().getUTCFullYear();
/** demo-citizen-0002's invented number at the demo provider. */
const BSN = "999990019";
const BSN_KEY = randomBytes(32);

let idp: DemoIdp;
let chain: DomainChain;
beforeAll(async () => {
  [idp, chain] = await Promise.all([startTestIdp(), startDomainChain()]);
});
afterAll(async () => {
  await Promise.all([idp?.close(), chain?.t.stop()]);
});

describe("the BSN's eleven-test and seal", () => {
  it("accepts numbers that pass the eleven-test, refuses others", () => {
    expect(["999990007", "999990019", "111222333"].map(isValidBsn)).toEqual([true, true, true]);
    expect(["999990018", "12345678", "000000000", "99999001a"].map(isValidBsn)).toEqual([false, false, false, false]);
  });

  it("opens only under the same key and for what it was sealed to", () => {
    const sealed = sealBsn(BSN_KEY, BSN, "application:a");
    expect(sealed.toString("latin1")).not.toContain(BSN);
    expect(openBsn(BSN_KEY, sealed, "application:a")).toBe(BSN);
    expect(openBsn(BSN_KEY, sealed, "application:b")).toBeNull();
    expect(openBsn(randomBytes(32), sealed, "application:a")).toBeNull();
  });

  it("the key file: 64 hex digits of a random key; a missing file is made only where allowed, a placeholder is refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "bsn-key-"));
    expect(() => loadBsnKey(join(dir, "missing"), { create: false })).toThrow(/BSN_KEY_FILE .* cannot be read/);
    const made = loadBsnKey(join(dir, "made"), { create: true });
    expect(loadBsnKey(join(dir, "made"), { create: false }).equals(made)).toBe(true);
    writeFileSync(join(dir, "zeros"), `${"0".repeat(64)}\n`);
    expect(() => loadBsnKey(join(dir, "zeros"), { create: false })).toThrow(/placeholder/);
    writeFileSync(join(dir, "short"), "abcdef\n");
    expect(() => loadBsnKey(join(dir, "short"), { create: false })).toThrow(/64 hex digits/);
  });
});

const SETTINGS: ApplicationSettingsInput = {
  open: true, fourEyes: false, retentionDays: 90, consentText: "Ik geef toestemming.",
  criteria: [{ id: "lives-here", kind: "yes-no", label: "Woont u in de gemeente?", expected: true }],
  documents: [{ key: "income-statement", label: "Inkomensverklaring", required: true }],
};

describe.each(ENGINES)("the BSN with applications on $name", (engine) => {
  const logs: string[] = [];
  const logger = { error: (...args: unknown[]) => void logs.push(JSON.stringify(args)), info: (...args: unknown[]) => void logs.push(JSON.stringify(args)) };
  const settings: () => OidcSettings = () => ({ issuerUrl: idp.issuer, clientId: TEST_CLIENT.clientId, clientSecret: TEST_CLIENT.clientSecret, redirectUrl: TEST_REDIRECT_URL });
  const app = useApp(engine, {
    logger,
    ledger: () => ({ factory: chain.factory, fundClient: chain.fundClient, sponsor: chain.t.relayer.addresses[0]! }),
    applicants: () => ({ identityKey: "test-identity-key-0123456789abcdef0123456789abcdef", oidc: () => discoverOidc(settings()), oidcRedirectUrl: TEST_REDIRECT_URL, bsnKey: BSN_KEY }),
  });
  let admin: ApiClient;
  let validator: ApiClient;
  const tag = () => Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    admin = (await app.loginAs(["admin"])).client;
    validator = (await app.loginAs(["validator"])).client;
  });

  async function newFund(bsnRequired: boolean): Promise<Fund> {
    const fund = await admin.funds.create({ name: `Kindpakket ${tag()}`, amountPerChildCents: 150_00, budgetExpiry: `${YEAR + 1}-12-31`, categories: ["sport"] });
    const finance = (await app.loginAs(["finance"])).client;
    await finance.funds.deposit(fund.id, { amountCents: 1_000_00, bankReference: `DEP-${tag()}` });
    await applicationsApi(validator).staff.saveSettings(fund.id, { ...SETTINGS, bsnRequired });
    return fund;
  }

  /** A phone logged in as the citizen at the demo provider: its client sends the cookies a browser would. */
  async function citizen(sub = "demo-citizen-0002") {
    const start = await app.fetch("/api/applicant/oidc/start", { redirect: "manual" });
    const loginCookie = start.headers.getSetCookie().map((l) => l.split(";")[0]!).find((p) => p.startsWith("tegoed_oidc="))!;
    const back = await loginAtProvider(start.headers.get("location")!, sub);
    const done = await app.fetch(`/api/applicant/oidc/callback${back.search}`, { redirect: "manual", headers: { cookie: loginCookie } });
    const cookies = new Map(done.headers.getSetCookie().map((l) => l.split(";")[0]!.split("=") as [string, string]).filter(([, v]) => v));
    const bsnCookie = cookies.get("tegoed_bsn");
    const client = createApiClient({
      baseUrl: app.baseUrl,
      fetch: (url, init) => {
        const headers = new Headers(init?.headers);
        if (bsnCookie && String(url).includes("/api/applicant/")) headers.set("cookie", [headers.get("cookie"), `tegoed_bsn=${bsnCookie}`].filter(Boolean).join("; "));
        return fetch(url, { ...init, headers });
      },
    });
    client.sessionCookie = cookies.get(SESSION_COOKIE);
    const api = applicationsApi(client);
    await api.session();
    return { api, client, bsnCookie };
  }

  async function applyTo(fundId: string, api: ReturnType<typeof applicationsApi>, firstName = "Noor") {
    const created = await api.create({
      fundId, household: { parentName: "Jeroen Bakker", addressLine1: "Kerkstraat 1", postalCode: "9801 AB", city: "Zuidhorn", language: "nl" },
      children: [{ firstName, birthDate: `${YEAR - 8}-05-14` }], answers: { "lives-here": true },
    });
    await api.upload(created.id, { documentKey: "income-statement", fileName: "loonstrook.pdf", contentBase64: b64(await pdfBytes()) });
    return created;
  }

  const row = (id: string) => withApplicationTables(app.db).selectFrom("applications").select(["id", "bsn_sealed"]).where("id", "=", id).executeTakeFirst();

  it("a fund that needs the BSN keeps it sealed with the application; a validator sees it on request (audit-logged), no one else; never in a log", async () => {
    const fund = await newFund(true);
    const { api, bsnCookie } = await citizen();
    expect(bsnCookie).toBeTruthy();
    expect(Buffer.from(bsnCookie!, "base64url").toString("latin1")).not.toContain(BSN);
    const created = await applyTo(fund.id, api);
    expect((await api.submit(created.id, { consent: true })).status).toBe("submitted");

    const stored = await row(created.id);
    expect(stored!.bsn_sealed).not.toBeNull();
    expect(Buffer.from(stored!.bsn_sealed!).toString("latin1")).not.toContain(BSN);

    const staff = applicationsApi(validator).staff;
    const review = await staff.review(created.id);
    expect(review.hasBsn).toBe(true);
    expect(JSON.stringify(review)).not.toContain(BSN);
    // The admin may review applications, but the BSN is the validators' alone.
    expect(await refusal(applicationsApi(admin).staff.bsn(created.id))).toMatchObject({ status: 403, code: "FORBIDDEN" });
    expect(await staff.bsn(created.id)).toEqual({ bsn: BSN });
    const looks = await auditLogRepository(app.db).list({ action: "application.bsn_view" });
    expect(looks.filter((e) => e.subjectId === created.id)).toHaveLength(1);

    const everyAuditEntry = await auditLogRepository(app.db).list({});
    expect(JSON.stringify(everyAuditEntry, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).not.toContain(BSN);
    expect(logs.join("\n")).not.toContain(BSN);

    // Deleted with the family (GDPR): approve, then delete the family; the application goes, its BSN with it.
    const approved = await staff.approve(created.id);
    await admin.eligibility.deleteFamily(approved.familyId!, { reason: "verzoek van de ouder" });
    expect(await row(created.id)).toBeUndefined();
  });

  it("a fund that does not need it stores none, though the provider sent one", async () => {
    const fund = await newFund(false);
    const { api, bsnCookie } = await citizen("demo-citizen-0003");
    expect(bsnCookie).toBeTruthy(); // the provider sent one with this login
    const created = await applyTo(fund.id, api, "Lieke");
    await api.submit(created.id, { consent: true });
    expect((await row(created.id))!.bsn_sealed).toBeNull();
    expect((await applicationsApi(validator).staff.review(created.id)).hasBsn).toBe(false);
    expect(await refusal(applicationsApi(validator).staff.bsn(created.id))).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });

  /** The submit as the phone's browser sends it, with the given sealed claim in its cookie (or none). */
  async function submitWith(client: ApiClient, id: string, bsnCookie: string | undefined) {
    const cookie = [`${SESSION_COOKIE}=${client.sessionCookie}`, ...(bsnCookie ? [`tegoed_bsn=${bsnCookie}`] : [])].join("; ");
    const response = await app.fetch(`/api/applicant/applications/${id}/submit`, {
      method: "POST", body: JSON.stringify({ consent: true }), headers: { "content-type": "application/json", cookie, [CSRF_HEADER]: client.csrfToken! },
    });
    return { status: response.status, code: ((await response.json()) as { error?: { code: string } }).error?.code };
  }

  it("a fund that needs it refuses a submit without one (BSN_REQUIRED); another login's sealed BSN does not count", async () => {
    const fund = await newFund(true);
    const other = await citizen("demo-citizen-0004");
    const { api, client } = await citizen("demo-citizen-0005");
    const created = await applyTo(fund.id, api, "Elif");
    expect(await submitWith(client, created.id, undefined)).toEqual({ status: 409, code: "BSN_REQUIRED" });
    expect(await submitWith(client, created.id, other.bsnCookie)).toEqual({ status: 409, code: "BSN_REQUIRED" });
    expect((await row(created.id))!.bsn_sealed).toBeNull();
    expect((await api.get(created.id)).status).toBe("draft");
  });
});
