// Settles recorded in batches: up to SETTLE_BATCH_MAX `settle` calls in one `multicall` transaction
// (one signature, one send, one receipt, one block for many payouts), all or none of them happen.
//
// A batch is simulated with one eth_call of the whole multicall, from a relayer lane, under the same
// fixed gas limit it will be sent with (no eth_estimateGas). A batch the contract refuses (in the
// simulation, or on chain after losing a race: a bankRef used since, a receivable lowered) did nothing,
// so it is sent again one settle at a time and each item gets its own answer: a used bankRef then
// comes back as BANK_REF_USED for that item only. A batch whose fate is uncertain (timeout, node gone)
// is never sent again: each of its items gets that error, and the caller leaves them open.
import { DomainError } from "@tegoed/sdk";
import { getAddress, toQuantity } from "ethers";
import { toChainDomainError } from "./errors.ts";
import { isUncertain, multicall } from "./multicall.ts";
import type { ParsedLog, RelayedTx, Relayer } from "./relayer.ts";

/** Gas limit of one settle in a batch: ample above what it uses (≈ 55–60k inside a multicall), the rest is never charged. */
export const SETTLE_GAS_LIMIT = 120_000n;
/** At most this many settles in one transaction: 100 × 120k + 40k ≈ 12M gas, under a 2^24 per-transaction cap. */
export const SETTLE_BATCH_MAX = 100;


export interface SettleItem {
  merchant: string;
  amountCents: bigint;
  /** bytes32, as {@link bankRefOf} makes it. */
  bankRef: string;
}

/** One item's answer: the transaction that recorded it, or why it was not recorded. */
export type SettleOutcome =
  | { ok: true; txHash: string; blockNumber: number; /** How many settles the transaction carried. */ batchSize: number }
  | { ok: false; error: unknown };

export interface SettleManyOptions {
  /** Settles per transaction, at most {@link SETTLE_BATCH_MAX}. Default {@link SETTLE_BATCH_MAX}. */
  maxBatch?: number;
  /** Batch transactions in flight at once. Default: the relayer's lanes. */
  concurrency?: number;
}

/** One item already encoded, or refused before anything was sent. */
type Prepared = { index: number; data: string; bankRef: string } | { index: number; error: unknown };

export async function settleMany(
  relayer: Relayer,
  fund: string,
  items: readonly SettleItem[],
  encode: (item: SettleItem) => { data: string; bankRef: string },
  settleOne: (item: SettleItem) => Promise<RelayedTx>,
  options: SettleManyOptions = {},
): Promise<SettleOutcome[]> {
  const maxBatch = options.maxBatch ?? SETTLE_BATCH_MAX;
  if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > SETTLE_BATCH_MAX) {
    throw new RangeError(`maxBatch must be 1..${SETTLE_BATCH_MAX}`);
  }
  const concurrency = Math.max(1, options.concurrency ?? relayer.addresses.length);
  const outcomes = new Array<SettleOutcome>(items.length);
  const ready: { index: number; data: string; bankRef: string }[] = [];
  items.forEach((item, index) => {
    const prepared = prepare(item, index, encode);
    if ("error" in prepared) outcomes[index] = { ok: false, error: prepared.error };
    else ready.push(prepared);
  });
  const batches: (typeof ready)[] = [];
  for (let i = 0; i < ready.length; i += maxBatch) batches.push(ready.slice(i, i + maxBatch));

  const one = async (entry: { index: number }) => {
    try {
      const tx = await settleOne(items[entry.index]!);
      outcomes[entry.index] = { ok: true, txHash: tx.txHash, blockNumber: tx.blockNumber, batchSize: 1 };
    } catch (error) {
      outcomes[entry.index] = { ok: false, error };
    }
  };

  const sendBatch = async (batch: typeof ready) => {
    if (batch.length === 1) return one(batch[0]!);
    const { data, gasLimit } = multicall(batch.map((entry) => entry.data), SETTLE_GAS_LIMIT);
    const failAll = (error: unknown) => {
      for (const entry of batch) outcomes[entry.index] = { ok: false, error };
    };
    // The simulation: the whole batch as one call from a lane (every lane holds the same roles).
    try {
      // Straight to the node: ethers' call() converts the calldata to bytes and back several times.
      await relayer.provider.send("eth_call", [{ from: relayer.addresses[0], to: fund, data, gas: toQuantity(gasLimit) }, "latest"]);
    } catch (error) {
      const refusal = toChainDomainError(error);
      if (isUncertain(refusal)) return failAll(refusal);
      // Refused (a bankRef used, a receivable too low…): nothing was sent; each item on its own.
      return void (await Promise.all(batch.map(one)));
    }
    let tx: RelayedTx;
    try {
      tx = await relayer.send({ to: fund, data, label: `settle×${batch.length}`, simulate: false, gasLimit });
    } catch (error) {
      if (isUncertain(error)) return failAll(error);
      // Reverted as a whole (it lost a race after its simulation), so nothing of it happened.
      return void (await Promise.all(batch.map(one)));
    }
    const logs = settledLogs(tx, fund);
    const matches = logs.length === batch.length && logs.every((log, i) => (log.args.bankRef as string).toLowerCase() === batch[i]!.bankRef);
    if (!matches) {
      return failAll(new DomainError("INTERNAL", undefined, { reason: `${logs.length} MerchantSettled events for ${batch.length} settles`, txHash: tx.txHash }));
    }
    for (const entry of batch) outcomes[entry.index] = { ok: true, txHash: tx.txHash, blockNumber: tx.blockNumber, batchSize: batch.length };
  };

  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, async () => {
    while (next < batches.length) await sendBatch(batches[next++]!);
  }));
  return outcomes;
}

function prepare(item: SettleItem, index: number, encode: (item: SettleItem) => { data: string; bankRef: string }): Prepared {
  try {
    return { index, ...encode(item) };
  } catch (error) {
    return { index, error };
  }
}


/** The MerchantSettled logs of the fund in the transaction, in the order the calls ran. */
function settledLogs(tx: RelayedTx, fund: string): ParsedLog[] {
  const address = getAddress(fund);
  return tx.logs
    .filter((log) => log.name === "MerchantSettled" && getAddress(log.address) === address)
    .sort((a, b) => a.logIndex - b.logIndex);
}
