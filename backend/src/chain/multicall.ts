// What the two batchers (payments, settles) share: one `multicall` transaction of many calls to a
// fund, all or none, and which failures leave its fate unknown.
import { DomainError } from "@tegoed/sdk";
import { encodeMulticall } from "./calldata.ts";

/** Errors after which a transaction may still be mined: nothing may be sent again for its calls. */
const UNCERTAIN = new Set(["CHAIN_TIMEOUT", "CHAIN_UNAVAILABLE", "INTERNAL"]);

/** The calldata of `multicall(calls)` and the gas limit for `calls.length` calls of `gasPerCall` each. */
export function multicall(calls: readonly string[], gasPerCall: bigint): { data: string; gasLimit: bigint } {
  // 40k: what `multicall` adds around its calls (dispatch, delegatecalls, copying the results).
  return { data: encodeMulticall(calls), gasLimit: 40_000n + gasPerCall * BigInt(calls.length) };
}

/** Whether a failed send may still have been mined (so its calls must not be sent again). */
export function isUncertain(error: unknown): boolean {
  return !(error instanceof DomainError) || UNCERTAIN.has(error.code);
}
