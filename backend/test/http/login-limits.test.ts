// The login limits of staff and shop users (one limiter) and the staff's second factor, over HTTP with
// client addresses as a reverse proxy passes them (X-Forwarded-For, trusted from loopback).
import { describe, expect, it } from "vitest";
import { Secret, TOTP } from "otpauth";
import { ENGINES } from "../support/engines.ts";
import { PASSWORD, randomEmail, useApp } from "./harness.ts";

const code = (secret: string, at = Date.now()) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at });

describe.each(ENGINES)("login limits on $name", (engine) => {
  const app = useApp(engine, { trustProxy: "loopback" });

  async function login(client: string, body: { email: string; password: string; otp?: string }) {
    const response = await app.fetch("/api/staff/session", {
      method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": client }, body: JSON.stringify(body),
    });
    const json = (await response.json()) as { error?: { code: string; details?: Record<string, string> } };
    return { status: response.status, code: json.error?.code, scope: json.error?.details?.scope };
  }

  it("a stranger who locks an account does not lock out a client that logged in to it before", async () => {
    const { email } = await app.createStaff(["validator"]);
    expect(await login("203.0.113.10", { email, password: PASSWORD })).toMatchObject({ status: 200 });

    for (let i = 0; i < 5; i++) expect(await login("198.51.100.66", { email, password: "guess" + i })).toMatchObject({ status: 401 });
    // The account is locked for strangers, the right password included …
    expect(await login("198.51.100.66", { email, password: PASSWORD })).toMatchObject({ status: 429, code: "RATE_LIMITED", scope: "account" });
    expect(await login("198.51.100.67", { email, password: PASSWORD })).toMatchObject({ status: 429, code: "RATE_LIMITED", scope: "account" });
    // … but not for the client its user logged in from.
    expect(await login("203.0.113.10", { email, password: PASSWORD })).toMatchObject({ status: 200 });
  });

  it("slows password spraying: one address trying many accounts is stopped after 50 failures, other addresses are not", async () => {
    for (let i = 0; i < 50; i++) expect(await login("198.51.100.77", { email: randomEmail("sprayed"), password: "Welkom2027!" })).toMatchObject({ status: 401 });
    const { email } = await app.createStaff(["finance"]);
    expect(await login("198.51.100.77", { email, password: PASSWORD })).toMatchObject({ status: 429, code: "RATE_LIMITED", scope: "client" });
    expect(await login("203.0.113.20", { email, password: PASSWORD })).toMatchObject({ status: 200 });
  });

  it("a staff user with a second factor needs the authenticator's current code to log in", async () => {
    const { client, email } = await app.loginAs(["finance"]);
    const { secret, uri } = await client.staff.enrolTotp();
    expect(uri).toMatch(/^otpauth:\/\/totp\/Tegoed:/);
    const t0 = Date.now();
    expect((await client.staff.confirmTotp({ code: code(secret, t0) })).totpEnabled).toBe(true);

    expect(await login("203.0.113.30", { email, password: PASSWORD })).toMatchObject({ status: 401, code: "OTP_REQUIRED" });
    const wrong = code(secret, Date.now() + 10 * 60_000);
    expect(await login("203.0.113.30", { email, password: PASSWORD, otp: wrong })).toMatchObject({ status: 401, code: "OTP_INVALID" });
    // The code that confirmed the factor counts once: the login takes the authenticator's next one.
    expect(await login("203.0.113.30", { email, password: PASSWORD, otp: code(secret, t0) })).toMatchObject({ status: 401, code: "OTP_INVALID" });
    const next = code(secret, t0 + 30_000);
    expect(await login("203.0.113.30", { email, password: PASSWORD, otp: next })).toMatchObject({ status: 200 });
    // Seen over a shoulder, a used code does not log in again within its window.
    expect(await login("203.0.113.31", { email, password: PASSWORD, otp: next })).toMatchObject({ status: 401, code: "OTP_INVALID" });

    // A lost phone: an administrator removes the factor, and the password alone logs in again.
    const { id } = (await client.staff.me()).user;
    await app.admin.client.staff.resetTotp(id);
    expect(await login("203.0.113.30", { email, password: PASSWORD })).toMatchObject({ status: 200 });
  });
});

describe.each(ENGINES)("second factor required (production) on $name", (engine) => {
  const app = useApp(engine, { requireSecondFactor: true });

  it("admin and finance must set it up before anything else; a validator need not", async () => {
    const finance = await app.loginAs(["finance"]);
    expect(finance.session.user).toMatchObject({ totpEnabled: false, mustEnrolTotp: true });
    const refused = await app.fetch("/api/funds", { headers: { cookie: `tegoed_session=${finance.client.sessionCookie}` } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("TOTP_REQUIRED");

    const { secret } = await finance.client.staff.enrolTotp();
    expect(await finance.client.staff.confirmTotp({ code: code(secret) })).toMatchObject({ totpEnabled: true, mustEnrolTotp: false });
    await expect(finance.client.funds.list()).resolves.toBeDefined();

    const validator = await app.loginAs(["validator"]);
    expect(validator.session.user.mustEnrolTotp).toBe(false);
    await expect(validator.client.funds.list()).resolves.toBeDefined();
  });
});
