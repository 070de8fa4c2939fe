import { describe, expect, it } from "vitest";
import { idempotencyRepository } from "../../src/db/idempotency.repository.ts";
import { ENGINES, useDatabase } from "../support/engines.ts";
import { randomHex, randomUUID } from "../support/fixtures.ts";

const scope = () => `charges:${randomUUID()}`;

describe.each(ENGINES)("idempotency keys on $name", (engine) => {
  const ctx = useDatabase(engine);

  it("lets the first request claim a key, and tells a retry it is in progress", async () => {
    const keys = idempotencyRepository(ctx.db);
    const [s, key, hash] = [scope(), randomUUID(), randomHex(32)];

    expect(await keys.claim(s, key, hash)).toBe("claimed");
    expect(await keys.claim(s, key, hash)).toBe("in-progress");
  });

  it("answers a retry after completion with the stored response, objects and arrays intact", async () => {
    const keys = idempotencyRepository(ctx.db);
    const [s, key, hash] = [scope(), randomUUID(), randomHex(32)];
    const response = { status: 201, body: { paymentId: randomHex(32), amountCents: "1250", lines: [1, "two", null] } };

    await keys.claim(s, key, hash);
    await keys.complete(s, key, response);

    expect(await keys.claim(s, key, hash)).toEqual({ done: response });
    // A top-level array is where a driver could mistake JSON for a Postgres array.
    const [s2, key2] = [scope(), randomUUID()];
    await keys.claim(s2, key2, hash);
    await keys.complete(s2, key2, ["refused", { code: "BUDGET_FROZEN" }]);
    expect(await keys.claim(s2, key2, hash)).toEqual({ done: ["refused", { code: "BUDGET_FROZEN" }] });
  });

  it("refuses the same key for a different request, in progress or done", async () => {
    const keys = idempotencyRepository(ctx.db);
    const [s, key] = [scope(), randomUUID()];

    await keys.claim(s, key, randomHex(32));
    expect(await keys.claim(s, key, randomHex(32))).toBe("mismatch");
    await keys.complete(s, key, { ok: true });
    expect(await keys.claim(s, key, randomHex(32))).toBe("mismatch");
  });

  it("claims a second key with the first in one statement, never the second alone", async () => {
    const keys = idempotencyRepository(ctx.db);
    const [s, hash] = [scope(), randomHex(32)];
    const permit = () => ({ scope: `permit:${randomUUID()}`, key: randomUUID(), requestHash: randomHex(32) });

    // Both free: both claimed.
    const both = permit();
    const key = randomUUID();
    expect(await keys.claimWith(s, key, hash, both)).toEqual({ claim: "claimed", alsoClaimed: true });
    expect(await keys.claim(both.scope, both.key, randomHex(32))).toBe("mismatch");
    // The second held by another request: the first is claimed, the second is not taken over.
    const held = permit();
    expect(await keys.claim(held.scope, held.key, held.requestHash)).toBe("claimed");
    expect(await keys.claimWith(s, randomUUID(), hash, { ...held, requestHash: randomHex(32) })).toEqual({ claim: "claimed", alsoClaimed: false });
    expect(await keys.claim(held.scope, held.key, held.requestHash)).toBe("in-progress");
    // The first not free (a retry): its state is answered, and the second is left untouched.
    const untouched = permit();
    expect(await keys.claimWith(s, key, hash, untouched)).toEqual({ claim: "in-progress", alsoClaimed: null });
    expect(await keys.claimWith(s, key, randomHex(32), untouched)).toEqual({ claim: "mismatch", alsoClaimed: null });
    expect(await keys.claim(untouched.scope, untouched.key, untouched.requestHash)).toBe("claimed");
  });

  it("keeps scopes apart: one key in two scopes is two claims", async () => {
    const keys = idempotencyRepository(ctx.db);
    const [key, hash] = [randomUUID(), randomHex(32)];

    expect(await keys.claim(scope(), key, hash)).toBe("claimed");
    expect(await keys.claim(scope(), key, hash)).toBe("claimed");
  });

  it("gives exactly one of 50 concurrent claims of one key the work", async () => {
    const keys = idempotencyRepository(ctx.db);
    const [s, key, hash] = [scope(), randomUUID(), randomHex(32)];

    const results = await Promise.all(Array.from({ length: 50 }, () => keys.claim(s, key, hash)));

    expect(results.filter((r) => r === "claimed")).toHaveLength(1);
    expect(results.filter((r) => r === "in-progress")).toHaveLength(49);
  });

  it("lets a released key be claimed again, but never a completed one", async () => {
    const keys = idempotencyRepository(ctx.db);
    const [s, key, hash] = [scope(), randomUUID(), randomHex(32)];

    await keys.claim(s, key, hash);
    await keys.release(s, key);
    expect(await keys.claim(s, key, hash)).toBe("claimed");

    await keys.complete(s, key, { ok: true });
    await keys.release(s, key);
    expect(await keys.claim(s, key, hash)).toEqual({ done: { ok: true } });
  });

  it("refuses to complete a key nobody claimed, or to complete it twice", async () => {
    const keys = idempotencyRepository(ctx.db);
    const [s, key, hash] = [scope(), randomUUID(), randomHex(32)];

    await expect(keys.complete(s, key, { ok: true })).rejects.toThrow(`Idempotency key ${s}/${key} is not claimed`);
    await keys.claim(s, key, hash);
    await keys.complete(s, key, { ok: 1 });
    await expect(keys.complete(s, key, { ok: 2 })).rejects.toThrow("already complete");
    expect(await keys.claim(s, key, hash)).toEqual({ done: { ok: 1 } });
  });
});
