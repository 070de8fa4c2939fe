// At most once per Idempotency-Key (top-ups, refunds): a retry gets the first answer, another request
// with the key is a conflict, a certain refusal frees the key, an unknown outcome never runs twice.
import { describe, expect, it } from "vitest";
import { DomainError } from "@tegoed/sdk";
import { once } from "../../src/domain/once.ts";
import { ENGINES, useDatabase } from "../support/engines.ts";
import { randomUUID } from "../support/fixtures.ts";

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    return error as DomainError;
  }
  throw new Error("expected a refusal");
}

describe.each(ENGINES)("once per Idempotency-Key on $name", (engine) => {
  const ctx = useDatabase(engine);
  const counter = () => {
    let runs = 0;
    return { work: async () => ({ receipt: ++runs, totalCents: 5_000 }), runs: () => runs };
  };

  it("runs the work once; a retry with the same key and request gets the first answer", async () => {
    const c = counter();
    const request = { scope: `top-up:${randomUUID()}`, key: randomUUID(), request: { amountCents: 50_00 } };
    const first = await once(ctx.db, request, c.work);
    expect(await once(ctx.db, request, c.work)).toEqual(first);
    expect(c.runs()).toBe(1);
  });

  it("the same key with another request: 409-style CONFLICT, nothing run", async () => {
    const c = counter();
    const key = randomUUID();
    const scope = `refund:${randomUUID()}`;
    await once(ctx.db, { scope, key, request: { amountCents: 1_00 } }, c.work);
    expect(await refusal(once(ctx.db, { scope, key, request: { amountCents: 2_00 } }, c.work))).toMatchObject({ code: "CONFLICT" });
    expect(c.runs()).toBe(1);
  });

  it("a certain refusal (BUDGET_UNKNOWN) frees the key: the retry runs", async () => {
    const request = { scope: `top-up:${randomUUID()}`, key: randomUUID(), request: {} };
    await expect(once(ctx.db, request, async () => { throw new DomainError("BUDGET_UNKNOWN"); })).rejects.toMatchObject({ code: "BUDGET_UNKNOWN" });
    await expect(once(ctx.db, request, async () => ({ ok: true }))).resolves.toEqual({ ok: true });
  });

  it.each(["CHAIN_TIMEOUT", "CHAIN_UNAVAILABLE", "INTERNAL"] as const)(
    "an unknown outcome (%s) keeps the key: the retry is CONFLICT and never runs the work again",
    async (code) => {
      const c = counter();
      const request = { scope: `refund:${randomUUID()}`, key: randomUUID(), request: {} };
      await expect(once(ctx.db, request, async () => { throw new DomainError(code); })).rejects.toMatchObject({ code });
      expect(await refusal(once(ctx.db, request, c.work))).toMatchObject({ code: "CONFLICT", details: { reason: "in-progress" } });
      expect(c.runs()).toBe(0);
    },
  );

  it("20 concurrent requests with one key run the work once; the others get its answer or CONFLICT", async () => {
    let runs = 0;
    const request = { scope: `top-up:${randomUUID()}`, key: randomUUID(), request: { all: true } };
    const work = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 50));
      return { txHashes: ["0xabc"] };
    };
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => once(ctx.db, request, work)));
    expect(runs).toBe(1);
    for (const o of outcomes) {
      if (o.status === "fulfilled") expect(o.value).toEqual({ txHashes: ["0xabc"] });
      else expect(o.reason).toMatchObject({ code: "CONFLICT" });
    }
    expect(await once(ctx.db, request, work)).toEqual({ txHashes: ["0xabc"] });
  });

  it("no key: the work runs every time; a key of 7 characters is INVALID_INPUT", async () => {
    const c = counter();
    await once(ctx.db, { scope: "s", key: undefined, request: {} }, c.work);
    await once(ctx.db, { scope: "s", key: undefined, request: {} }, c.work);
    expect(c.runs()).toBe(2);
    expect(await refusal(once(ctx.db, { scope: "s", key: "1234567", request: {} }, c.work))).toMatchObject({ code: "INVALID_INPUT" });
  });
});
