import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApiClient, type ApiClient } from "@tegoed/sdk";
import { ENGINES } from "../support/engines.ts";
import { sessionService } from "../../src/domain/auth/index.ts";
import { toSessionRow } from "../../src/domain/auth/sessions.repository.ts";
import { SECRET, refusal, useApp } from "./harness.ts";

// A till sends two requests per payment: for its lookups and charges the session read with its shop
// (`withSession`, `reuse`) is reused for a short while instead of read again. What a shop user and the
// municipality rely on: a logout or a disabled account ends it at once on this backend; an end this
// backend did not see (another replica) counts after the reuse time; an expired session never passes.
const REUSE_MS = 10_000;

describe.each(ENGINES)("a till's session read once and reused, on $name", (engine) => {
  let nowMs = Date.parse("2026-12-07T12:00:00Z");
  const app = useApp(engine, { now: () => new Date(nowMs), sessionReuseMs: REUSE_MS });
  const reads = new Map<string, number>();
  let registered = false;

  function addRoutes() {
    if (registered) return;
    registered = true;
    const reader = {
      withSession: async (tokenHash: string) => {
        const row = await app.db.selectFrom("sessions").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
        if (!row) return undefined;
        reads.set(row.subject_id, (reads.get(row.subject_id) ?? 0) + 1);
        return { session: toSessionRow(row), user: { id: row.subject_id } };
      },
    };
    for (const [path, reuse] of [["/api/test/till", true], ["/api/test/shop", false]] as const) {
      const guard = app.parts.auth.requireSubject("merchant", { ...reader, reuse });
      app.parts.api.route(
        { method: "post", path, operationId: `test${reuse ? "Till" : "Shop"}`, summary: "a shop's request", tags: ["test"], guard, response: z.object({ id: z.string() }) },
        async ({ req }) => ({ id: guard.userOf(req).id }),
      );
    }
  }

  async function till(): Promise<{ id: string; token: string; client: ApiClient }> {
    addRoutes();
    const id = randomUUID();
    const issued = await app.sessions.start("merchant", id);
    const client = createApiClient({ baseUrl: app.baseUrl });
    client.sessionCookie = issued.token;
    client.csrfToken = issued.csrfToken;
    return { id, token: issued.token, client };
  }

  const ask = (client: ApiClient) => client.request("POST", "/api/test/till");

  it("reads the session once for a lookup and its charge, and again after the reuse time", async () => {
    const { id, client } = await till();
    for (let i = 0; i < 3; i++) expect(await ask(client)).toEqual({ id });
    expect(reads.get(id)).toBe(1);
    nowMs += REUSE_MS + 1;
    expect(await ask(client)).toEqual({ id });
    expect(reads.get(id)).toBe(2);
  });

  it("refuses at once after a logout or after every session of the user ended on this backend", async () => {
    const one = await till();
    await ask(one.client);
    await app.sessions.end(one.token);
    expect(await refusal(ask(one.client))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });

    const two = await till();
    await ask(two.client);
    expect(await app.sessions.endAllOf("merchant", two.id)).toBe(1);
    expect(await refusal(ask(two.client))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
  });

  it("counts an end it did not see (another replica's) after the reuse time at the latest", async () => {
    const { id, client } = await till();
    await ask(client);
    await app.db.deleteFrom("sessions").where("subject_id", "=", id).execute();
    expect(await ask(client)).toEqual({ id });
    nowMs += REUSE_MS + 1;
    expect(await refusal(ask(client))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
  });

  it("never lets an expired session through, reused or not", async () => {
    const { client } = await till();
    await ask(client);
    nowMs += 3_600_000 - REUSE_MS / 2; // the harness's sessions last an hour
    await ask(client);
    nowMs += REUSE_MS / 2 + 1; // expired, within the reuse time of the last read
    expect(await refusal(ask(client))).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
  });

  it("still checks the CSRF token of a reused session", async () => {
    const { client } = await till();
    await ask(client);
    client.csrfToken = "not-the-token";
    expect(await refusal(ask(client))).toMatchObject({ status: 403, code: "CSRF_REJECTED" });
  });

  it("reads the session on every request of a route that does not reuse it, and of every route when reuse is off (SESSION_REUSE_SECONDS=0)", async () => {
    const shop = await till();
    for (let i = 0; i < 3; i++) await shop.client.request("POST", "/api/test/shop");
    expect(reads.get(shop.id)).toBe(3);
    const off = sessionService({ db: app.db, secret: SECRET, ttlMs: 3_600_000, reuseMs: 0 });
    const issued = await off.start("merchant", randomUUID());
    let offReads = 0;
    const find = async (tokenHash: string) => {
      offReads++;
      const row = await app.db.selectFrom("sessions").selectAll().where("token_hash", "=", tokenHash).executeTakeFirstOrThrow();
      return { session: toSessionRow(row), user: { id: row.subject_id } };
    };
    for (let i = 0; i < 3; i++) expect((await off.resolveWith(issued.token, find, true))?.user).toBeDefined();
    expect(offReads).toBe(3);
  });
});
