// Node project: a test fails when, during it, an error escaped to the process (an 'error' event nobody
// listens for, a rejected promise nobody awaits). In the backend such an error ends the process: a
// dependency going away must never do that. Vitest reports these too, but per run; this names the test.
import { afterAll, afterEach, beforeAll } from "vitest";

const escaped: { kind: string; error: unknown }[] = [];
const onException = (error: unknown) => escaped.push({ kind: "uncaughtException", error });
const onRejection = (error: unknown) => escaped.push({ kind: "unhandledRejection", error });

beforeAll(() => {
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
});

afterAll(() => {
  process.off("uncaughtException", onException);
  process.off("unhandledRejection", onRejection);
});

afterEach(() => {
  const found = escaped.splice(0);
  if (found.length === 0) return;
  const first = found[0]!;
  const error = first.error instanceof Error ? first.error : new Error(String(first.error));
  throw new Error(`${found.length} error(s) escaped to the process during this test; first (${first.kind}): ${error.message}`, { cause: error });
});
