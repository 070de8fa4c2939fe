// Writes that arrive together go out together. A batch of payments is mined in one transaction, and its
// charges all come back at the same moment to record their outcome: one statement for all of them is one
// round trip and one commit instead of one each. Each caller still gets its own answer, as if alone.
import { isDatabaseUnavailable } from "./connect.ts";

/**
 * Rounds of the promise jobs waiting to run before a statement goes: the charges of one receipt each
 * take a few steps (awaits) to get here, and they all come within these. Not a timer or I/O: those
 * could wait behind a busy stream of promise jobs (PGlite answers with nothing else).
 */
const ROUNDS = 32;

export interface TogetherOptions<I> {
  /** At most this many items in one statement. Default 100. */
  max?: number;
  /** Items with the same key never share a statement: the later one goes in another. */
  keyOf?: (item: I) => string;
}

/**
 * `run(items)` writes all of its items in one statement and returns one answer per item, in order.
 * The function returned takes one item and answers it: the items given within `ROUNDS` rounds of promise
 * jobs after the first are written by one `run`. When a `run` of several fails for another reason than
 * an unavailable database (nothing was written: it is one statement), each of its items is tried alone,
 * so one item the database refuses does not fail the others.
 */
export function together<I, O>(run: (items: I[]) => Promise<O[]>, options: TogetherOptions<I> = {}): (item: I) => Promise<O> {
  const max = options.max ?? 100;
  let queue: { item: I; resolve(o: O): void; reject(e: unknown): void }[] = [];
  let scheduled = false;

  async function flush(batch: typeof queue): Promise<void> {
    try {
      const answers = await run(batch.map((w) => w.item));
      if (answers.length !== batch.length) throw new Error(`together: ${answers.length} answers for ${batch.length} items`);
      batch.forEach((w, i) => w.resolve(answers[i]!));
    } catch (error) {
      if (batch.length === 1 || isDatabaseUnavailable(error)) {
        for (const w of batch) w.reject(error);
        return;
      }
      await Promise.all(batch.map((w) => flush([w])));
    }
  }

  function drain(): void {
    scheduled = false;
    while (queue.length > 0) {
      const batch: typeof queue = [];
      const rest: typeof queue = [];
      const keys = new Set<string>();
      for (const w of queue) {
        const key = options.keyOf?.(w.item);
        if (batch.length >= max || (key !== undefined && keys.has(key))) rest.push(w);
        else {
          batch.push(w);
          if (key !== undefined) keys.add(key);
        }
      }
      queue = rest;
      void flush(batch);
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        let round = 0;
        const wait = () => (++round < ROUNDS ? queueMicrotask(wait) : drain());
        queueMicrotask(wait);
      }
    });
}
