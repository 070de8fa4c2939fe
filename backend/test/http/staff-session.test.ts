import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CSRF_HEADER, SESSION_COOKIE } from "@tegoed/sdk";
import { auditLogRepository } from "../../src/db/index.ts";
import { ENGINES } from "../support/engines.ts";
import { PASSWORD, randomEmail, refusal, useApp } from "./harness.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe.each(ENGINES)("staff sessions over HTTP on $name", (engine) => {
  // The services' clock: the rate-limit tests move it past the lock.
  let clockOffsetMs = 0;
  const app = useApp(engine, { now: () => new Date(Date.now() + clockOffsetMs) });

  describe("POST /api/staff/session (login)", () => {
    it("with the right password: sets an HttpOnly SameSite=Strict cookie, answers the user and a CSRF token, stores only hashes", async () => {
      const { id, email } = await app.createStaff(["validator", "finance"]);

      const response = await app.fetch("/api/staff/session", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: email.toUpperCase(), password: PASSWORD }),
      });

      expect(response.status).toBe(200);
      const cookie = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Strict/);
      expect(cookie).toMatch(/; Path=\/api/);
      expect(cookie).toMatch(/; Expires=/);
      const token = cookie.slice(SESSION_COOKIE.length + 1).split(";")[0]!;
      const body = await response.json();
      expect(body).toEqual({
        user: { id, email, roles: ["validator", "finance"], disabled: false, createdAt: expect.any(String), totpEnabled: false, mustEnrolTotp: false },
        csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        expiresAt: expect.any(String),
      });

      const rows = await app.db.selectFrom("sessions").selectAll().where("subject_id", "=", id).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.token_hash).toBe(sha256(token));
      expect(rows[0]!.csrf_token_hash).toBe(sha256(body.csrfToken));
      expect(rows[0]!.subject_type).toBe("staff");
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(await auditLogRepository(app.db).list({ actorId: id, action: "staff.login" })).toHaveLength(1);
    });

    it("then GET /api/staff/me answers the same user and CSRF token (for a reloaded app)", async () => {
      const { client, session } = await app.loginAs(["auditor"]);
      const me = await client.staff.me();
      expect(me.user).toEqual(session.user);
      expect(me.csrfToken).toBe(session.csrfToken);
    });

    it("with a wrong password: 401 UNAUTHENTICATED, no cookie, no session, a failed attempt in the audit log", async () => {
      const { id, email } = await app.createStaff(["validator"]);
      const client = app.client();

      const error = await refusal(client.staff.login({ email, password: "not the password at all" }));

      expect(error).toMatchObject({ status: 401, code: "UNAUTHENTICATED", message: "The email address or the password is not right." });
      expect(client.sessionCookie).toBeUndefined();
      expect(await app.db.selectFrom("sessions").selectAll().where("subject_id", "=", id).execute()).toEqual([]);
      expect(await auditLogRepository(app.db).list({ actorId: id, action: "staff.login_failed" })).toHaveLength(1);
    });

    it("with an unknown email: the same 401 as a wrong password (nothing tells which emails exist)", async () => {
      const error = await refusal(app.client().staff.login({ email: randomEmail("nobody"), password: PASSWORD }));
      expect(error).toMatchObject({ status: 401, code: "UNAUTHENTICATED", message: "The email address or the password is not right." });
    });

    it("of a disabled account with the right password: 403 FORBIDDEN", async () => {
      const { id, email } = await app.createStaff(["validator"]);
      await app.admin.client.staff.updateUser(id, { disabled: true });
      expect(await refusal(app.client().staff.login({ email, password: PASSWORD }))).toMatchObject({ status: 403, code: "FORBIDDEN" });
    });

    it("with bad input: 400 INVALID_INPUT naming the field", async () => {
      const client = app.client();
      expect(await refusal(client.request("POST", "/api/staff/session", { body: { email: "not-an-email", password: "x" } }))).toMatchObject({
        status: 400,
        code: "INVALID_INPUT",
        message: expect.stringContaining("email"),
        details: { field: "email" },
      });
      expect(await refusal(client.request("POST", "/api/staff/session", { body: { email: randomEmail() } }))).toMatchObject({
        code: "INVALID_INPUT",
        details: { field: "password" },
      });
      expect(await refusal(client.request("POST", "/api/staff/session", { body: { email: 42, password: ["x"] } }))).toMatchObject({
        code: "INVALID_INPUT",
      });
      expect(await refusal(client.request("POST", "/api/staff/session", { body: { email: randomEmail(), password: "x".repeat(201) } }))).toMatchObject({
        code: "INVALID_INPUT",
        details: { field: "password" },
      });
      expect(await refusal(client.request("POST", "/api/staff/session"))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    });
  });

  describe("rate limit of login attempts per email", () => {
    it("after 5 failures refuses even the right password with 429 RATE_LIMITED and Retry-After, until the lock ends", async () => {
      const { email } = await app.createStaff(["finance"]);
      const client = app.client();
      for (let i = 0; i < 5; i++) {
        expect(await refusal(client.staff.login({ email, password: `wrong guess ${i}` }))).toMatchObject({ code: "UNAUTHENTICATED" });
      }

      const response = await app.fetch("/api/staff/session", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      expect(response.status).toBe(429);
      const retryAfter = Number(response.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(14 * 60);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      const body = await response.json();
      expect(body.error).toMatchObject({
        code: "RATE_LIMITED",
        message: expect.stringContaining("15 minute"),
        details: { retryAfterSeconds: String(retryAfter), retryAt: expect.any(String) },
      });
      expect(response.headers.getSetCookie()).toEqual([]);

      // Other accounts are not affected.
      const other = await app.createStaff(["finance"]);
      await expect(app.client().staff.login({ email: other.email, password: PASSWORD })).resolves.toBeDefined();

      clockOffsetMs += 15 * 60_000 + 1_000;
      try {
        await expect(client.staff.login({ email, password: PASSWORD })).resolves.toMatchObject({ user: { email } });
      } finally {
        clockOffsetMs = 0;
      }
    });

    it("counts parallel guesses too: of 20 at once, at most 5 are checked", async () => {
      const { email } = await app.createStaff(["auditor"]);
      const errors = await Promise.all(
        Array.from({ length: 20 }, (_, i) => refusal(app.client().staff.login({ email, password: `parallel guess ${i}` }))),
      );
      expect(errors.filter((e) => e.code === "UNAUTHENTICATED")).toHaveLength(5);
      expect(errors.filter((e) => e.code === "RATE_LIMITED")).toHaveLength(15);
    });

    it("a successful login forgets earlier failures", async () => {
      const { email } = await app.createStaff(["auditor"]);
      const client = app.client();
      for (let i = 0; i < 4; i++) await refusal(client.staff.login({ email, password: `wrong ${i}` }));
      await client.staff.login({ email, password: PASSWORD });
      for (let i = 0; i < 4; i++) {
        expect(await refusal(app.client().staff.login({ email, password: `wrong again ${i}` }))).toMatchObject({ code: "UNAUTHENTICATED" });
      }
    });
  });

  describe("DELETE /api/staff/session (logout)", () => {
    it("ends the session: the cookie is cleared, the row deleted, and the old cookie no longer works", async () => {
      const { id, client } = await app.loginAs(["validator"]);
      const oldCookie = client.sessionCookie!;
      const csrf = client.csrfToken!;

      const response = await app.fetch("/api/staff/session", {
        method: "DELETE",
        headers: { cookie: `${SESSION_COOKIE}=${oldCookie}`, [CSRF_HEADER]: csrf },
      });
      expect(response.status).toBe(204);
      expect(response.headers.getSetCookie().join()).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Expires=Thu, 01 Jan 1970`));
      expect(await app.db.selectFrom("sessions").selectAll().where("subject_id", "=", id).execute()).toEqual([]);
      expect(await auditLogRepository(app.db).list({ actorId: id, action: "staff.logout" })).toHaveLength(1);

      expect(await refusal(client.staff.me())).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    });

    it("through the sdk client forgets cookie and token", async () => {
      const { client } = await app.loginAs(["auditor"]);
      await client.staff.logout();
      expect(client.sessionCookie).toBeUndefined();
      expect(client.csrfToken).toBeUndefined();
      expect(await refusal(client.staff.me())).toMatchObject({ code: "UNAUTHENTICATED" });
    });

    it("without a session: 401 UNAUTHENTICATED", async () => {
      expect(await refusal(app.client().staff.logout())).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    });
  });

  describe("CSRF protection", () => {
    it("refuses a state-changing request of a session without the X-CSRF-Token header: 403 CSRF_REJECTED, nothing changed", async () => {
      const { client } = await app.loginAs(["validator"]);
      const before = await app.db.selectFrom("sessions").select("token_hash").execute();
      client.csrfToken = undefined;

      expect(await refusal(client.staff.logout())).toMatchObject({ status: 403, code: "CSRF_REJECTED" });
      expect(await app.db.selectFrom("sessions").select("token_hash").execute()).toEqual(before);
    });

    it("refuses a wrong token, and another session's token", async () => {
      const admin = app.admin.client;
      const other = await app.loginAs(["auditor"]);
      const email = randomEmail();
      const create = (csrf: string) =>
        app.fetch("/api/staff/users", {
          method: "POST",
          headers: { "content-type": "application/json", cookie: `${SESSION_COOKIE}=${admin.sessionCookie}`, [CSRF_HEADER]: csrf },
          body: JSON.stringify({ email, password: PASSWORD, roles: ["auditor"] }),
        });

      for (const csrf of ["wrong", other.session.csrfToken, "x".repeat(5000)]) {
        const response = await create(csrf);
        expect(response.status).toBe(403);
        expect((await response.json()).error.code).toBe("CSRF_REJECTED");
      }
      expect(await app.db.selectFrom("staff_users").select("id").where("email", "=", email).execute()).toEqual([]);
      expect((await create(admin.csrfToken!)).status).toBe(201);
    });

    it("does not ask it for GET requests", async () => {
      const { client } = await app.loginAs(["auditor"]);
      client.csrfToken = undefined;
      await expect(client.staff.me()).resolves.toBeDefined();
    });
  });

  describe("sessions of a disabled account", () => {
    it("end at once: the next request is 401 UNAUTHENTICATED", async () => {
      const { id, client } = await app.loginAs(["validator"]);
      await app.admin.client.staff.updateUser(id, { disabled: true });
      expect(await refusal(client.staff.me())).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
      expect(await app.db.selectFrom("sessions").selectAll().where("subject_id", "=", id).execute()).toEqual([]);
    });
  });

  describe("an expired session", () => {
    it("is refused with 401 and deleted", async () => {
      const { id, client } = await app.loginAs(["auditor"]);
      await app.db.updateTable("sessions").set({ expires_at: new Date(Date.now() - 1000) }).where("subject_id", "=", id).execute();
      expect(await refusal(client.staff.me())).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
      expect(await app.db.selectFrom("sessions").selectAll().where("subject_id", "=", id).execute()).toEqual([]);
    });
  });
});
