// The demo's pending applications are made as a family would make them: logged in at the demo identity
// provider through the backend's own OpenID Connect routes (the provider sends the browser back to the
// backend's real callback), then a draft, a PDF, the submit.
import { afterAll, describe, expect, it } from "vitest";
import { Wallet } from "ethers";
import { sql } from "kysely";
import { applicationsApi } from "@tegoed/sdk";
import { seedApplications } from "../../../scripts/demo/applications.ts";
import { startDemoIdp, type DemoIdp } from "../../../scripts/lib/demo-idp.ts";
import { discoverOidc, type OidcClient } from "../../src/identity/oidc.ts";
import { ENGINES } from "../support/engines.ts";
import { useApp } from "./harness.ts";

describe.each(ENGINES)("demo applications on $name", (engine) => {
  let idp: DemoIdp | undefined;
  let oidc: Promise<OidcClient> | undefined;
  const callback = () => `${app.baseUrl}/api/applicant/oidc/callback`;
  const client = { clientId: "tegoed-demo", clientSecret: "demo-secret-0123456789" };
  const app = useApp(engine, {
    applicants: () => ({
      identityKey: "test-identity-key-0123456789abcdef0123456789abcdef", oidcRedirectUrl: undefined,
      // The app's port is known only once it listens: the provider starts with the first login.
      oidc: () => (oidc ??= (async () => {
        idp = await startDemoIdp({ clients: [{ ...client, redirectUris: [callback()] }] });
        return discoverOidc({ issuerUrl: idp.issuer, ...client, redirectUrl: callback() });
      })()),
    }),
  });
  afterAll(async () => {
    await idp?.close();
  });

  it("three families apply through the demo provider: three in the queue, one with a question", async () => {
    const { rows: [fund] } = await sql<{ id: string }>`
      insert into funds (chain_address, factory_index, name, amount_per_child_cents, budget_expiry, payout_schedule)
      values (${Wallet.createRandom().address.toLowerCase()}, ${Math.floor(Math.random() * 1e6)}, 'Kindpakket demo', 30000, '2099-12-31', '{"kind":"daily","at":"17:00"}')
      returning id`.execute(app.db);
    const validator = (await app.loginAs(["validator"])).client;
    await seedApplications(app.baseUrl, fund!.id, validator, () => {});
    const queue = await applicationsApi(validator).staff.queue(fund!.id);
    expect(queue.total).toBe(3);
    expect(queue.applications.map((a) => [a.parentName, a.status])).toEqual([
      ["Sanne de Jong", "submitted"], ["Piotr Nowak", "questions"], ["Aylin Yılmaz", "submitted"],
    ]);
    // The third one's income is over the limit: the review marks it.
    expect(queue.applications.map((a) => a.failingCriteria)).toEqual([0, 0, 1]);
  });
});
