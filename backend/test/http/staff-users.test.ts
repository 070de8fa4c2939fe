import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { STAFF_ROLES, createApiClient, type ApiClient, type StaffRole } from "@tegoed/sdk";
import { auditLogRepository } from "../../src/db/index.ts";
import { verifyPassword } from "../../src/domain/auth/index.ts";
import { ENGINES } from "../support/engines.ts";
import { PASSWORD, randomEmail, refusal, useApp } from "./harness.ts";

type Method = "GET" | "POST" | "PATCH" | "DELETE";

describe.each(ENGINES)("staff user management over HTTP on $name", (engine) => {
  const app = useApp(engine);

  describe("GET /api/staff/users", () => {
    it("lists every staff user, oldest first, without password hashes", async () => {
      const created = await app.createStaff(["merchant_manager"]);
      const { users } = await app.admin.client.staff.listUsers();
      expect(users[0]).toMatchObject({ id: app.admin.id, email: app.admin.email, roles: ["admin"], disabled: false });
      expect(users).toContainEqual({ id: created.id, email: created.email, roles: ["merchant_manager"], disabled: false, createdAt: expect.any(String), totpEnabled: false, mustEnrolTotp: false });
      expect(JSON.stringify(users)).not.toMatch(/scrypt|password/i);
    });
  });

  describe("POST /api/staff/users", () => {
    it("creates a user with a hashed password and the roles, answers 201, writes the audit log, and the user can log in", async () => {
      const email = randomEmail("new");
      const response = await app.fetch("/api/staff/users", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          cookie: `tegoed_session=${app.admin.client.sessionCookie}`,
          "X-CSRF-Token": app.admin.client.csrfToken!,
        },
        body: JSON.stringify({ email: `  ${email.toUpperCase()} `, password: PASSWORD, roles: ["validator", "auditor"] }),
      });
      expect(response.status).toBe(201);
      const user = await response.json();
      expect(user).toEqual({ id: expect.any(String), email, roles: ["validator", "auditor"], disabled: false, createdAt: expect.any(String), totpEnabled: false, mustEnrolTotp: false });

      const row = await app.db.selectFrom("staff_users").selectAll().where("id", "=", user.id).executeTakeFirstOrThrow();
      expect(row.password_hash).not.toContain(PASSWORD);
      expect(row.password_hash).toMatch(/^scrypt\$/);
      expect(await verifyPassword(PASSWORD, row.password_hash)).toBe(true);
      expect(await auditLogRepository(app.db).list({ subjectId: user.id, action: "staff.create" })).toEqual([
        expect.objectContaining({ actorType: "staff", actorId: app.admin.id, subjectType: "staff_user", details: { roles: ["validator", "auditor"] } }),
      ]);
      await expect(app.client().staff.login({ email, password: PASSWORD })).resolves.toMatchObject({ user: { id: user.id } });
    });

    it("refuses an email that exists already: 409 CONFLICT", async () => {
      const { email } = await app.createStaff(["auditor"]);
      expect(await refusal(app.admin.client.staff.createUser({ email, password: PASSWORD, roles: ["finance"] }))).toMatchObject({
        status: 409,
        code: "CONFLICT",
      });
    });

    it.each([
      ["missing email", { password: PASSWORD, roles: ["auditor"] }, "email"],
      ["missing password", { email: "a@b.nl", roles: ["auditor"] }, "password"],
      ["missing roles", { email: "a@b.nl", password: PASSWORD }, "roles"],
      ["email of the wrong type", { email: 12, password: PASSWORD, roles: ["auditor"] }, "email"],
      ["roles of the wrong type", { email: "a@b.nl", password: PASSWORD, roles: "admin" }, "roles"],
      ["an unknown role", { email: "a@b.nl", password: PASSWORD, roles: ["superuser"] }, "roles.0"],
      ["no roles", { email: "a@b.nl", password: PASSWORD, roles: [] }, "roles"],
      ["a role twice", { email: "a@b.nl", password: PASSWORD, roles: ["auditor", "auditor"] }, "roles"],
      ["a short password", { email: "a@b.nl", password: "short", roles: ["auditor"] }, "password"],
      ["a huge password", { email: "a@b.nl", password: "p".repeat(10_000), roles: ["auditor"] }, "password"],
      ["a huge email", { email: `${"a".repeat(10_000)}@b.nl`, password: PASSWORD, roles: ["auditor"] }, "email"],
      ["not an email", { email: "jan at gemeente", password: PASSWORD, roles: ["auditor"] }, "email"],
      ["an unknown field", { email: "a@b.nl", password: PASSWORD, roles: ["auditor"], isRoot: true }, "body"],
      ["a list instead of an object", [1, 2, 3], "body"],
    ])("refuses %s: 400 INVALID_INPUT naming %s, nothing created", async (_case, body, field) => {
      const before = await app.db.selectFrom("staff_users").select("id").execute();
      const error = await refusal(app.admin.client.request("POST", "/api/staff/users", { body }));
      expect(error).toMatchObject({ status: 400, code: "INVALID_INPUT", details: { field } });
      expect(error.message.length).toBeLessThan(500);
      expect(await app.db.selectFrom("staff_users").select("id").execute()).toHaveLength(before.length);
    });

    it("refuses a body over 100 kB: 400 INVALID_INPUT", async () => {
      const body = { email: "a@b.nl", password: PASSWORD, roles: ["auditor"], padding: "x".repeat(200_000) };
      expect(await refusal(app.admin.client.request("POST", "/api/staff/users", { body }))).toMatchObject({
        status: 400,
        code: "INVALID_INPUT",
        message: "The request body is too large.",
      });
    });
  });

  describe("PATCH /api/staff/users/:id", () => {
    it("changes the roles, writes the audit log, and the change applies to the user's live session at once", async () => {
      const user = await app.loginAs(["auditor"]);
      expect(await refusal(user.client.staff.listUsers())).toMatchObject({ code: "FORBIDDEN" });

      const updated = await app.admin.client.staff.updateUser(user.id, { roles: ["admin", "auditor"] });

      expect(updated).toMatchObject({ id: user.id, roles: ["admin", "auditor"], disabled: false });
      await expect(user.client.staff.listUsers()).resolves.toBeDefined();
      expect(await auditLogRepository(app.db).list({ subjectId: user.id, action: "staff.update" })).toEqual([
        expect.objectContaining({ actorId: app.admin.id, details: { roles: ["admin", "auditor"] } }),
      ]);
    });

    it("disables and enables an account", async () => {
      const { id, email } = await app.createStaff(["finance"]);
      expect(await app.admin.client.staff.updateUser(id, { disabled: true })).toMatchObject({ id, disabled: true });
      expect(await refusal(app.client().staff.login({ email, password: PASSWORD }))).toMatchObject({ code: "FORBIDDEN" });
      expect(await app.admin.client.staff.updateUser(id, { disabled: false })).toMatchObject({ id, disabled: false });
      await expect(app.client().staff.login({ email, password: PASSWORD })).resolves.toBeDefined();
    });

    it("refuses an unknown id with 404 NOT_FOUND and a malformed id with 400 INVALID_INPUT", async () => {
      expect(await refusal(app.admin.client.staff.updateUser(randomUUID(), { disabled: true }))).toMatchObject({ status: 404, code: "NOT_FOUND" });
      expect(await refusal(app.admin.client.staff.updateUser("42", { disabled: true }))).toMatchObject({
        status: 400,
        code: "INVALID_INPUT",
        details: { field: "id" },
      });
      expect(await refusal(app.admin.client.staff.updateUser("x".repeat(5000), { disabled: true }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    });

    it.each([
      ["an empty change", {}],
      ["roles of the wrong type", { roles: "admin" }],
      ["an unknown role", { roles: ["root"] }],
      ["no roles", { roles: [] }],
      ["disabled of the wrong type", { disabled: "yes" }],
      ["an unknown field", { password: "new password 123" }],
    ])("refuses %s: 400 INVALID_INPUT, nothing changed", async (_case, body) => {
      const { id } = await app.createStaff(["finance"]);
      expect(await refusal(app.admin.client.request("PATCH", `/api/staff/users/${id}`, { body }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
      const row = await app.db.selectFrom("staff_users").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ roles: ["finance"], disabled_at: null });
    });

    it("refuses to leave no enabled administrator: 409 CONFLICT", async () => {
      // Disable every other administrator the tests made, so that the bootstrap admin is the last one.
      const { users } = await app.admin.client.staff.listUsers();
      for (const u of users) {
        if (u.id !== app.admin.id && u.roles.includes("admin") && !u.disabled) await app.admin.client.staff.updateUser(u.id, { disabled: true });
      }
      expect(await refusal(app.admin.client.staff.updateUser(app.admin.id, { roles: ["auditor"] }))).toMatchObject({ status: 409, code: "CONFLICT" });
      expect(await refusal(app.admin.client.staff.updateUser(app.admin.id, { disabled: true }))).toMatchObject({ status: 409, code: "CONFLICT" });
      await expect(app.admin.client.staff.me()).resolves.toMatchObject({ user: { roles: ["admin"], disabled: false } });

      const second = await app.createStaff(["admin"]);
      await expect(app.admin.client.staff.updateUser(second.id, { roles: ["validator"] })).resolves.toMatchObject({ roles: ["validator"] });
    });
  });

  describe("the role matrix", () => {
    interface RouteCase {
      name: string;
      method: Method;
      path: () => string;
      body?: () => unknown;
      /** Roles allowed; "any" = any staff user. */
      allowed: readonly StaffRole[] | "any";
    }
    let target = "";
    const routes: RouteCase[] = [
      { name: "GET /api/staff/me", method: "GET", path: () => "/api/staff/me", allowed: "any" },
      { name: "DELETE /api/staff/session", method: "DELETE", path: () => "/api/staff/session", allowed: "any" },
      { name: "GET /api/staff/users", method: "GET", path: () => "/api/staff/users", allowed: ["admin"] },
      {
        name: "POST /api/staff/users",
        method: "POST",
        path: () => "/api/staff/users",
        body: () => ({ email: randomEmail("matrix"), password: PASSWORD, roles: ["auditor"] }),
        allowed: ["admin"],
      },
      { name: "PATCH /api/staff/users/:id", method: "PATCH", path: () => `/api/staff/users/${target}`, body: () => ({ roles: ["finance"] }), allowed: ["admin"] },
    ];

    const call = (client: ApiClient, route: RouteCase) => client.request(route.method, route.path(), { body: route.body?.() });

    it.each(routes.map((r) => [r.name, r] as const))("%s: refused without a session (401 UNAUTHENTICATED)", async (_name, route) => {
      target = (await app.createStaff(["auditor"])).id;
      expect(await refusal(call(app.client(), route))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    });

    it.each(routes.map((r) => [r.name, r] as const))("%s: refused to a merchant's or a family's session (401 UNAUTHENTICATED)", async (_name, route) => {
      target = (await app.createStaff(["auditor"])).id;
      for (const subject of ["merchant", "family"] as const) {
        const issued = await app.sessions.start(subject, randomUUID());
        const client = createApiClient({ baseUrl: app.baseUrl });
        client.sessionCookie = issued.token;
        client.csrfToken = issued.csrfToken;
        expect(await refusal(call(client, route))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
      }
    });

    const restricted = routes.filter((r) => r.allowed !== "any");
    const cases = restricted.flatMap((route) =>
      STAFF_ROLES.filter((role) => !(route.allowed as readonly StaffRole[]).includes(role)).map((role) => [route.name, role, route] as const),
    );
    it.each(cases)("%s: refused to %s (403 FORBIDDEN), nothing changed", async (_name, role, route) => {
      const { client } = await app.loginAs([role]);
      target = (await app.createStaff(["auditor"])).id;
      const before = await app.db.selectFrom("staff_users").selectAll().orderBy("id").execute();
      expect(await refusal(call(client, route))).toMatchObject({ status: 403, code: "FORBIDDEN" });
      expect(await app.db.selectFrom("staff_users").selectAll().orderBy("id").execute()).toEqual(before);
    });

    it("even all non-admin roles together do not make an admin", async () => {
      const { client } = await app.loginAs(STAFF_ROLES.filter((r) => r !== "admin"));
      expect(await refusal(client.staff.listUsers())).toMatchObject({ status: 403, code: "FORBIDDEN" });
    });

    it.each(routes.map((r) => [r.name, r] as const))("%s: allowed to its roles", async (_name, route) => {
      const roles = route.allowed === "any" ? STAFF_ROLES : route.allowed;
      for (const role of roles) {
        const { client } = await app.loginAs([role]);
        target = (await app.createStaff(["auditor"])).id;
        await expect(call(client, route)).resolves.not.toBeInstanceOf(Error);
      }
    });
  });
});
