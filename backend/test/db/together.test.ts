// Writes that arrive together go out together: what a caller of `together` can count on, without a
// database. Each item gets its own answer; one bad item does not fail the others; an unavailable
// database fails them all at once, without a try per item.
import { describe, expect, it } from "vitest";
import { together } from "../../src/db/together.ts";

/** A `run` that records the batches it was given and answers each item doubled, or fails as told. */
function recorder(fail?: (items: number[]) => Error | undefined) {
  const batches: number[][] = [];
  const run = async (items: number[]) => {
    batches.push(items);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const error = fail?.(items);
    if (error) throw error;
    return items.map((n) => n * 2);
  };
  return { batches, run };
}

describe("together", () => {
  it("writes the items given at the same moment in one run, and answers each its own", async () => {
    const { batches, run } = recorder();
    const write = together(run);
    expect(await Promise.all([1, 2, 3, 4].map(write))).toEqual([2, 4, 6, 8]);
    expect(batches).toEqual([[1, 2, 3, 4]]);
    // One given a few awaits later still joins them; one given in a later turn of the event loop does not.
    const later = async (n: number) => {
      for (let i = 0; i < 5; i++) await Promise.resolve();
      return write(n);
    };
    const first = Promise.all([write(5), later(6)]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await Promise.all([first, write(7)])).toEqual([[10, 12], 14]);
    expect(batches).toEqual([[1, 2, 3, 4], [5, 6], [7]]);
  });

  it("puts at most `max` items in a run, and items with the same key in different runs", async () => {
    const { batches, run } = recorder();
    const write = together(run, { max: 3, keyOf: (n) => String(n % 10) });
    expect(await Promise.all([1, 2, 11, 3, 4, 5, 21].map(write))).toEqual([2, 4, 22, 6, 8, 10, 42]);
    expect(batches).toEqual([[1, 2, 3], [11, 4, 5], [21]]);
  });

  it("tries each item alone when a run of several fails, so only the item at fault fails", async () => {
    const { batches, run } = recorder((items) => (items.includes(13) ? new Error("check constraint violated by 13") : undefined));
    const write = together(run);
    const answers = await Promise.allSettled([11, 12, 13, 14].map(write));
    expect(answers.map((a) => (a.status === "fulfilled" ? a.value : (a.reason as Error).message))).toEqual([22, 24, "check constraint violated by 13", 28]);
    expect(batches).toEqual([[11, 12, 13, 14], [11], [12], [13], [14]]);
  });

  it("fails every item of a run at once when the database is unavailable, without a try per item", async () => {
    const unavailable = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    const { batches, run } = recorder(() => unavailable);
    const write = together(run);
    const answers = await Promise.allSettled([1, 2, 3].map(write));
    expect(answers.map((a) => a.status === "rejected" && a.reason)).toEqual([unavailable, unavailable, unavailable]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it("refuses a run that answers a different number of items than it was given", async () => {
    const write = together(async (items: number[]) => items.slice(1));
    const answers = await Promise.allSettled([1, 2].map(write));
    // Each alone gets no answer either.
    expect(answers.map((a) => a.status === "rejected" && String(a.reason))).toEqual([
      "Error: together: 0 answers for 1 items", "Error: together: 0 answers for 1 items",
    ]);
  });
});
