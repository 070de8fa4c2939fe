// At most once per Idempotency-Key, for money-moving requests other than the charge (which has its own,
// chain-checked recovery): top-ups and refunds. A retry with the same key and request gets the first
// answer; with another request, CONFLICT. When the first attempt's outcome is unknown (a timeout after
// the transaction may have been sent, a crash), the key stays taken: never a second top-up or refund,
// and the answer tells the person to check before trying again with a new key.
import { createHash } from "node:crypto";
import { DomainError } from "@tegoed/sdk";
import { idempotencyRepository } from "../db/idempotency.repository.ts";
import type { JsonValue } from "../db/schema.ts";
import type { Db } from "../db/transaction.ts";

/** Refusals after which nothing can have happened: the key is given back for a retry. */
const CERTAIN_REFUSAL = (error: unknown) =>
  error instanceof DomainError && !["CHAIN_TIMEOUT", "CHAIN_UNAVAILABLE", "CHAIN_REVERTED", "INTERNAL"].includes(error.code);

export interface OnceRequest {
  /** Whose keys these are, e.g. `refund:<merchant id>`. */
  scope: string;
  /** The client's Idempotency-Key; absent: the work simply runs. */
  key: string | undefined;
  /** What the request asks (same key + other request → CONFLICT). */
  request: unknown;
}

/** `work`'s answer must be plain JSON data (a receipt): it is stored for the retries. */
export async function once<T extends object>(db: Db, { scope, key, request }: OnceRequest, work: () => Promise<T>): Promise<T> {
  if (key === undefined) return work();
  if (key.length < 8 || key.length > 200) {
    throw new DomainError("INVALID_INPUT", "The Idempotency-Key must be 8 to 200 characters.", { field: "Idempotency-Key" });
  }
  const keys = idempotencyRepository(db);
  const hash = createHash("sha256").update(JSON.stringify(request)).digest("hex");
  const claim = await keys.claim(scope, key, hash);
  if (claim === "mismatch") {
    throw new DomainError("CONFLICT", "This Idempotency-Key was used for another request.", { field: "Idempotency-Key" });
  }
  if (claim === "in-progress") {
    throw new DomainError(
      "CONFLICT",
      "A request with this Idempotency-Key is still running or its outcome is unknown: check the result before trying again with a new key.",
      { field: "Idempotency-Key", reason: "in-progress" },
    );
  }
  if (claim !== "claimed") return claim.done as unknown as T;
  let result: T;
  try {
    result = await work();
  } catch (error) {
    if (CERTAIN_REFUSAL(error)) await keys.release(scope, key);
    throw error;
  }
  await keys.complete(scope, key, result as unknown as JsonValue);
  return result;
}
