import { describe, expect, it } from "vitest";
import { createApiClient } from "@tegoed/sdk";
import { loadConfig } from "../../src/config.ts";
import { auditLogRepository } from "../../src/db/index.ts";
import { startServer } from "../../src/server.ts";
import { ENGINES } from "../support/engines.ts";
import { PASSWORD, SECRET, randomEmail, refusal, useApp } from "./harness.ts";

describe.each(ENGINES)("first administrator (bootstrap) on $name", (engine) => {
  const app = useApp(engine);

  it("is not created again when an administrator exists, whatever the email", async () => {
    expect(await app.staff.bootstrapAdmin({ email: randomEmail("second"), password: PASSWORD })).toEqual({ created: false });
    expect(await app.staff.bootstrapAdmin({ email: app.admin.email, password: "another password 123" })).toEqual({ created: false });
    // The existing admin's password is untouched.
    await expect(app.client().staff.login({ email: app.admin.email, password: PASSWORD })).resolves.toBeDefined();
  });

  it("was written to the audit log as a system action", async () => {
    expect(await auditLogRepository(app.db).list({ action: "staff.bootstrap_admin" })).toEqual([
      expect.objectContaining({ actorType: "system", actorId: null, subjectType: "staff_user", subjectId: app.admin.id }),
    ]);
  });
});

describe("startServer (embedded PGlite in memory, as `npm start` with DATA_DIR=memory://)", () => {
  it("migrates, creates the admin from STAFF_ADMIN_*, serves the API on the port, and closes", async () => {
    const email = randomEmail("boot");
    const config = loadConfig({
      DATA_DIR: "memory://",
      PORT: "0",
      SESSION_SECRET: SECRET,
      DEPLOYMENT_FILE: "/nonexistent/deployment.json",
      STAFF_ADMIN_EMAIL: email,
      STAFF_ADMIN_PASSWORD: PASSWORD,
    });
    const logs: string[] = [];
    const running = await startServer(config, { error: (m) => logs.push(m), info: (m) => logs.push(m) });
    try {
      const client = createApiClient({ baseUrl: `http://127.0.0.1:${running.port}` });
      const session = await client.staff.login({ email, password: PASSWORD });
      expect(session.user).toMatchObject({ email, roles: ["admin"] });
      const health = await (await fetch(`http://127.0.0.1:${running.port}/api/health`)).json();
      expect(health).toMatchObject({ status: "degraded", database: { ok: true, kind: "pglite" }, chain: { ok: false } });
      expect(logs).toContain("created the first staff administrator from STAFF_ADMIN_EMAIL");
      expect(logs.join("\n")).not.toContain(email);
    } finally {
      await running.close();
    }
    expect(await refusal(fetch(`http://127.0.0.1:${running.port}/api/health`))).toBeDefined();
  });
});
