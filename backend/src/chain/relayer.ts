// The relayer: sends the backend's transactions (as validator, operator, settler…) from one or more
// signer keys, "lanes". Each lane keeps its own nonce counter and sends one transaction at a time, so
// concurrent requests never collide; requests spread over the lanes. Unless the caller already
// simulated it (payments and settlements, batched: `simulate: false` with a gas limit), a call is
// simulated (eth_estimateGas) before sending, so a refused call costs no gas and surfaces as its
// DomainError. A transaction not mined in time is re-sent with the same nonce and higher fees.
//
// Plain JSON-RPC through an ethers JsonRpcProvider: the same code runs on Hardhat's node, anvil,
// Besu or any other node.
import { type JsonRpcProvider, Wallet } from "ethers";
import { DomainError } from "@tegoed/sdk";
import { decodeRevertData, domainErrorFromRevert, findRevertData, toChainDomainError } from "./errors.ts";
import { parseFundLog } from "./events.ts";
import { type Fees, signTransaction } from "./sign-tx.ts";

export interface RelayerOptions {
  provider: JsonRpcProvider;
  /** One private key per lane. Each lane's account needs the roles for what it will send, and gas money. */
  keys: readonly string[];
  /** Blocks on top of (and including) the transaction's before it counts as done. Default 1. */
  confirmations?: number;
  /** How often to ask for a receipt. Default 100 ms. */
  pollIntervalMs?: number;
  /** A transaction without a receipt this long is re-sent with higher fees. Default 15 s. */
  stuckAfterMs?: number;
  /** How many times one transaction may be re-sent. Default 5. */
  maxReplacements?: number;
  /** Fee increase per re-send, in percent (nodes demand at least 10). Default 20. */
  feeBumpPercent?: number;
  /** Fees never go above this (wei per gas). Default: no cap. */
  maxFeePerGasCap?: bigint;
  /** Give up waiting for a receipt after this long: CHAIN_TIMEOUT. Default 120 s. */
  timeoutMs?: number;
  /** Gas limit = estimate plus this percentage. Default 20. */
  gasHeadroomPercent?: number;
  /** For logs, metrics and tests: every send, re-send, nonce re-sync and receipt. */
  onEvent?: (event: RelayerEvent) => void;
}

/** One call to send: the target contract and the encoded call data. */
export interface TxRequest {
  to: string;
  data: string;
  /** What the call does, for logs: "pay", "issueBudgets"… */
  label?: string;
  /**
   * Send from this lane (its address) instead of the least busy one: for calls whose effect depends on
   * the sender, such as a sponsor's deposit, which is credited to the sending account's reserve.
   */
  from?: string;
  /** Default true. False skips the simulation (then `gasLimit` is required): only to test on-chain refusals. */
  simulate?: boolean;
  gasLimit?: bigint;
}

/** A log of the transaction, decoded with the Fund ABI. */
export interface ParsedLog {
  address: string;
  logIndex: number;
  name: string;
  args: Record<string, unknown>;
}

export interface RelayedTx {
  txHash: string;
  blockNumber: number;
  /** The block's time, when the node puts it in the receipt's logs (`blockTimestamp`); else ask {@link blockTimeOf}. */
  blockTime?: Date;
  gasUsed: bigint;
  /** The lane's address and the nonce the transaction used. */
  lane: string;
  nonce: number;
  /** How many times it was re-sent with higher fees before one was mined. */
  replacements: number;
  logs: ParsedLog[];
}

export type RelayerEvent =
  | { type: "sent"; lane: string; nonce: number; txHash: string; label: string; fees: Fees }
  | { type: "replaced"; lane: string; nonce: number; txHash: string; previousHash: string; label: string; fees: Fees }
  | { type: "replace-failed"; lane: string; nonce: number; label: string; error: unknown }
  | { type: "nonce-resync"; lane: string; reason: string }
  | { type: "mined"; lane: string; nonce: number; txHash: string; blockNumber: number; status: number; label: string };

export type { Fees } from "./sign-tx.ts";

interface Sent {
  /** The receipt asked for in the same JSON-RPC batch as the send: a node that mines on send has it. */
  firstLook?: Promise<Receipt | null>;
  nonce: number;
  gasLimit: bigint;
  fees: Fees;
  /** Every hash broadcast for this nonce, the latest last. */
  hashes: string[];
  lastRaw: string;
  lastBroadcastAt: number;
}


class Lane {
  readonly wallet: Wallet;
  readonly address: string;
  /** The next nonce to use; undefined means "ask the chain" (at start and after an error). */
  nonce: number | undefined;
  inFlight = 0;
  /** Retired lanes take no new work; what they have in flight finishes (key rotation). */
  retired = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(key: string) {
    this.wallet = new Wallet(key);
    this.address = this.wallet.address;
  }

  /** Runs `task` after every earlier task of this lane: one nonce is handed out at a time. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === "object"; depth++) {
    const { message, shortMessage } = current as { message?: unknown; shortMessage?: unknown };
    if (typeof shortMessage === "string") parts.push(shortMessage);
    if (typeof message === "string") parts.push(message);
    const info = (current as { info?: { error?: unknown } }).info;
    current = info?.error ?? (current as { error?: unknown }).error;
  }
  return parts.join(" | ");
}

/** The nonce was used already (by us, or by someone else with the same key). */
function isNonceTooLow(error: unknown): boolean {
  return errorCode(error) === "NONCE_EXPIRED" || /nonce too low|nonce has already been used|invalid nonce/i.test(errorText(error));
}

/** The node took longer than we wait to answer: it may have the transaction, and may still mine it. */
function isNoAnswerInTime(error: unknown): boolean {
  const code = errorCode(error);
  return code === "TIMEOUT" || code === "ETIMEDOUT";
}

/** The node holds this exact transaction already: it was sent. */
function isAlreadyKnown(error: unknown): boolean {
  return /already known|known transaction|already imported|already in (the )?(tx)?pool/i.test(errorText(error));
}

function isUnderpriced(error: unknown): boolean {
  return errorCode(error) === "REPLACEMENT_UNDERPRICED" || /underpriced|fee too low/i.test(errorText(error));
}

export class Relayer {
  readonly provider: JsonRpcProvider;
  #lanes: Lane[];
  readonly #options: Required<Omit<RelayerOptions, "provider" | "keys" | "maxFeePerGasCap" | "onEvent">>;
  readonly #cap: bigint | undefined;
  readonly #onEvent: (event: RelayerEvent) => void;
  #roundRobin = 0;
  #chainId: Promise<bigint> | undefined;
  #fees: { at: number; fees: Promise<Fees> } | undefined;

  constructor(options: RelayerOptions) {
    if (options.keys.length === 0) throw new Error("the relayer needs at least one signer key");
    this.provider = options.provider;
    this.#lanes = options.keys.map((key) => new Lane(key));
    const addresses = new Set(this.#lanes.map((lane) => lane.address));
    if (addresses.size !== this.#lanes.length) throw new Error("each relayer lane needs its own key");
    this.#options = {
      confirmations: options.confirmations ?? 1,
      pollIntervalMs: options.pollIntervalMs ?? 100,
      stuckAfterMs: options.stuckAfterMs ?? 15_000,
      maxReplacements: options.maxReplacements ?? 5,
      feeBumpPercent: options.feeBumpPercent ?? 20,
      timeoutMs: options.timeoutMs ?? 120_000,
      gasHeadroomPercent: options.gasHeadroomPercent ?? 20,
    };
    if (this.#options.feeBumpPercent < 10) throw new Error("feeBumpPercent must be at least 10: nodes refuse smaller bumps");
    if (this.#options.confirmations < 1) throw new Error("confirmations must be at least 1");
    this.#cap = options.maxFeePerGasCap;
    this.#onEvent = options.onEvent ?? (() => {});
  }

  /** Transactions each lane is sending or waiting on (the queue depth the metrics show). */
  get load(): { lane: string; inFlight: number; retired: boolean }[] {
    return this.#lanes.map((lane) => ({ lane: lane.address, inFlight: lane.inFlight, retired: lane.retired }));
  }

  /** The active lanes' addresses: grant them the fund roles the backend acts in, and give them gas money. */
  get addresses(): string[] {
    return this.#lanes.filter((lane) => !lane.retired).map((lane) => lane.address);
  }

  /** Adds a lane (a rotated-in key): it takes new work at once. Re-adding a retired lane revives it. */
  addLane(key: string): string {
    const lane = new Lane(key);
    const existing = this.#lanes.find((l) => l.address === lane.address);
    if (existing) existing.retired = false;
    else this.#lanes.push(lane);
    return lane.address;
  }

  /**
   * Retires a lane (a rotated-out key): no new transaction is given to it, and the returned promise
   * resolves once the ones in flight are mined (drained); then the lane is dropped. The last active
   * lane cannot be retired.
   */
  async retireLane(address: string, pollMs = 50): Promise<void> {
    const lane = this.#lane(address);
    if (this.#lanes.filter((l) => !l.retired && l !== lane).length === 0) throw new Error("the relayer's last active lane cannot be retired");
    lane.retired = true;
    while (lane.inFlight > 0) await sleep(pollMs);
    if (lane.retired) this.#lanes = this.#lanes.filter((l) => l !== lane);
  }

  /**
   * Simulates, signs, sends and waits for the receipt. Throws a DomainError: the mapped contract error
   * when the call is refused (before sending when the simulation fails, after mining when it reverted
   * on chain), CHAIN_UNAVAILABLE when the node does not answer, CHAIN_TIMEOUT when no receipt comes.
   */
  async send(request: TxRequest): Promise<RelayedTx> {
    const lane = request.from === undefined ? this.#pickLane() : this.#lane(request.from);
    lane.inFlight++;
    try {
      const gasLimit = await this.#gasLimit(lane, request);
      const sent = await lane.exclusive(() => this.#broadcastNew(lane, request, gasLimit));
      return await this.#waitMined(lane, request, sent);
    } finally {
      lane.inFlight--;
    }
  }

  /** Simulates the call from a lane's account without sending it; throws its DomainError when refused. */
  async simulate(request: Pick<TxRequest, "to" | "data">): Promise<bigint> {
    return this.#estimate(this.addresses[0]!, request);
  }

  /** The chain's id (asked once). */
  chainId(): Promise<bigint> {
    this.#chainId ??= this.provider.getNetwork().then(
      (network) => network.chainId,
      (error: unknown) => {
        this.#chainId = undefined;
        throw toChainDomainError(error);
      },
    );
    return this.#chainId;
  }

  #lane(address: string): Lane {
    const lane = this.#lanes.find((candidate) => candidate.address.toLowerCase() === address.toLowerCase());
    if (!lane) throw new DomainError("INTERNAL", undefined, { reason: `no relayer lane for ${address}` });
    return lane;
  }

  #pickLane(): Lane {
    // The least busy active lane; among equals, take turns.
    let best: Lane | undefined;
    for (let i = 0; i < this.#lanes.length; i++) {
      const lane = this.#lanes[(this.#roundRobin + i) % this.#lanes.length]!;
      if (lane.retired) continue;
      if (!best || lane.inFlight < best.inFlight) best = lane;
    }
    this.#roundRobin = (this.#roundRobin + 1) % this.#lanes.length;
    return best!;
  }

  async #estimate(from: string, request: Pick<TxRequest, "to" | "data">): Promise<bigint> {
    try {
      return await this.provider.estimateGas({ from, to: request.to, data: request.data });
    } catch (error) {
      throw toChainDomainError(error);
    }
  }

  async #gasLimit(lane: Lane, request: TxRequest): Promise<bigint> {
    if (request.simulate === false) {
      if (request.gasLimit === undefined) throw new Error("a transaction sent without simulation needs a gasLimit");
      return request.gasLimit;
    }
    const estimate = await this.#estimate(lane.address, request);
    return request.gasLimit ?? estimate + (estimate * BigInt(this.#options.gasHeadroomPercent)) / 100n;
  }

  /** Current fees, asked at most once a second (one base-fee read serves a burst of payments). */
  #currentFees(): Promise<Fees> {
    if (this.#fees && Date.now() - this.#fees.at < 1_000) return this.#fees.fees;
    const fees = this.provider.getFeeData().then((data): Fees => {
      if (data.maxFeePerGas !== null && data.maxPriorityFeePerGas !== null) {
        return { type: 2, maxFeePerGas: data.maxFeePerGas, maxPriorityFeePerGas: data.maxPriorityFeePerGas };
      }
      return { type: 0, gasPrice: data.gasPrice ?? 0n };
    });
    this.#fees = { at: Date.now(), fees };
    fees.catch(() => (this.#fees = undefined));
    return fees;
  }

  #capped(fees: Fees): Fees {
    const cap = this.#cap;
    if (cap === undefined) return fees;
    if (fees.type === 0) return { type: 0, gasPrice: fees.gasPrice > cap ? cap : fees.gasPrice };
    const maxFeePerGas = fees.maxFeePerGas > cap ? cap : fees.maxFeePerGas;
    const maxPriorityFeePerGas = fees.maxPriorityFeePerGas > maxFeePerGas ? maxFeePerGas : fees.maxPriorityFeePerGas;
    return { type: 2, maxFeePerGas, maxPriorityFeePerGas };
  }

  async #sign(lane: Lane, request: TxRequest, nonce: number, gasLimit: bigint, fees: Fees): Promise<{ raw: string; hash: string }> {
    const chainId = await this.chainId();
    return signTransaction(lane.wallet.signingKey, { to: request.to, data: request.data, nonce, gasLimit, chainId }, fees);
  }

  async #pendingNonce(lane: Lane): Promise<number> {
    return this.provider.getTransactionCount(lane.address, "pending");
  }

  #resync(lane: Lane, reason: string) {
    lane.nonce = undefined;
    this.#onEvent({ type: "nonce-resync", lane: lane.address, reason });
  }

  /** Inside the lane's turn: takes the next nonce, signs and broadcasts. */
  async #broadcastNew(lane: Lane, request: TxRequest, gasLimit: bigint): Promise<Sent> {
    const label = request.label ?? "call";
    for (let attempt = 0; ; attempt++) {
      let nonce: number;
      let fees: Fees;
      try {
        nonce = lane.nonce ?? (await this.#pendingNonce(lane));
        fees = this.#capped(await this.#currentFees());
      } catch (error) {
        throw toChainDomainError(error);
      }
      const { raw, hash } = await this.#sign(lane, request, nonce, gasLimit, fees);
      // Asked in the same tick, so both travel in one JSON-RPC batch, the send first: a node that
      // mines on send (a development chain, or a sequencer) answers the receipt in the same round trip.
      const sending = this.provider.send("eth_sendRawTransaction", [raw]);
      const firstLook = this.#receipt(hash).catch(() => null);
      try {
        await sending;
      } catch (error) {
        if (isAlreadyKnown(error)) {
          // An earlier attempt of this very transaction got through.
        } else {
          this.#resync(lane, `send failed: ${errorText(error).slice(0, 200)}`);
          if (isNonceTooLow(error) && attempt < 3) continue;
          const data = findRevertData(error);
          // Nodes that mine on send (Hardhat's automine) answer a revert here, after using the nonce.
          if (data !== undefined) throw domainErrorFromRevert(decodeRevertData(data), { txHash: hash });
          // Not "unavailable": the outcome is unknown, and the caller must look before trying again.
          if (isNoAnswerInTime(error)) throw new DomainError("CHAIN_TIMEOUT", undefined, { lane: lane.address, nonce: String(nonce), txHash: hash });
          throw toChainDomainError(error);
        }
      }
      lane.nonce = nonce + 1;
      this.#onEvent({ type: "sent", lane: lane.address, nonce, txHash: hash, label, fees });
      return { firstLook, nonce, gasLimit, fees, hashes: [hash], lastRaw: raw, lastBroadcastAt: Date.now() };
    }
  }

  /** The receipt as the node sends it (ethers' receipt object leaves out the logs' `blockTimestamp`). */
  async #receipt(hash: string): Promise<Receipt | null> {
    const json: unknown = await this.provider.send("eth_getTransactionReceipt", [hash]);
    return json ? parseReceipt(json as RpcReceipt) : null;
  }

  async #findReceipt(hashes: readonly string[]) {
    const receipts = await Promise.all([...hashes].reverse().map((hash) => this.#receipt(hash)));
    return receipts.find((receipt) => receipt !== null) ?? null;
  }

  async #waitMined(lane: Lane, request: TxRequest, sent: Sent): Promise<RelayedTx> {
    const label = request.label ?? "call";
    const started = Date.now();
    let replacements = 0;
    let polls = 0;
    while (true) {
      let receipt;
      try {
        const firstLook = sent.firstLook;
        sent.firstLook = undefined;
        receipt = firstLook ? await firstLook : await this.#findReceipt(sent.hashes);
        if (receipt && this.#options.confirmations > 1) {
          const head = await this.provider.getBlockNumber();
          if (head < receipt.blockNumber + this.#options.confirmations - 1) receipt = null;
          // Re-read after the wait: a reorg may have moved or dropped it.
          else receipt = await this.#receipt(receipt.hash);
        }
      } catch (error) {
        // A node that stops answering for a moment is no reason to give up on a sent transaction.
        if (Date.now() - started > this.#options.timeoutMs) throw toChainDomainError(error, this.#facts(lane, sent));
        receipt = null;
      }
      if (receipt) {
        this.#onEvent({
          type: "mined", lane: lane.address, nonce: sent.nonce, txHash: receipt.hash,
          blockNumber: receipt.blockNumber, status: receipt.status, label,
        });
        if (receipt.status === 0) throw await this.#revertReason(lane, request, receipt, sent);
        return {
          txHash: receipt.hash,
          blockNumber: receipt.blockNumber,
          ...(receipt.blockTime && { blockTime: receipt.blockTime }),
          gasUsed: receipt.gasUsed,
          lane: lane.address,
          nonce: sent.nonce,
          replacements,
          logs: parseLogs(receipt.logs),
        };
      }
      if (Date.now() - started > this.#options.timeoutMs) {
        this.#resync(lane, `no receipt for nonce ${sent.nonce} within ${this.#options.timeoutMs} ms`);
        throw new DomainError("CHAIN_TIMEOUT", undefined, this.#facts(lane, sent));
      }
      if (Date.now() - sent.lastBroadcastAt >= this.#options.stuckAfterMs && replacements < this.#options.maxReplacements) {
        const outcome = await this.#replace(lane, request, sent);
        if (outcome === "replaced") replacements++;
        if (outcome === "nonce-taken") {
          const mined = await this.#findReceipt(sent.hashes).catch(() => null);
          if (!mined) {
            this.#resync(lane, `nonce ${sent.nonce} was used by a transaction the relayer did not send`);
            throw new DomainError("CHAIN_REVERTED", undefined, { ...this.#facts(lane, sent), reason: "nonce used by another transaction" });
          }
          continue;
        }
      }
      // Soon at first (a local or fast chain mines within milliseconds), then every pollIntervalMs.
      await sleep(Math.min(this.#options.pollIntervalMs, 5 * 2 ** polls++));
    }
  }

  #facts(lane: Lane, sent: Sent) {
    return { txHash: sent.hashes.at(-1)!, lane: lane.address, nonce: String(sent.nonce) };
  }

  #bump(fees: Fees, current: Fees): Fees {
    const up = (value: bigint) => value + (value * BigInt(this.#options.feeBumpPercent)) / 100n + 1n;
    const max = (a: bigint, b: bigint) => (a > b ? a : b);
    if (fees.type === 0) {
      const now = current.type === 0 ? current.gasPrice : current.maxFeePerGas;
      return this.#capped({ type: 0, gasPrice: max(up(fees.gasPrice), now) });
    }
    const currentMax = current.type === 2 ? current.maxFeePerGas : current.gasPrice;
    const currentTip = current.type === 2 ? current.maxPriorityFeePerGas : 0n;
    const maxPriorityFeePerGas = max(up(fees.maxPriorityFeePerGas), currentTip);
    const maxFeePerGas = max(max(up(fees.maxFeePerGas), currentMax), maxPriorityFeePerGas);
    return this.#capped({ type: 2, maxFeePerGas, maxPriorityFeePerGas });
  }

  /** Re-sends a transaction that waits too long: same nonce, higher fees (or the same one again at the cap). */
  async #replace(lane: Lane, request: TxRequest, sent: Sent): Promise<"replaced" | "rebroadcast" | "nonce-taken" | "failed"> {
    const label = request.label ?? "call";
    sent.lastBroadcastAt = Date.now();
    try {
      const fees = this.#bump(sent.fees, await this.#currentFees());
      const same = JSON.stringify(fees, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ===
        JSON.stringify(sent.fees, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
      const { raw, hash } = same ? { raw: sent.lastRaw, hash: sent.hashes.at(-1)! } : await this.#sign(lane, request, sent.nonce, sent.gasLimit, fees);
      try {
        await this.provider.send("eth_sendRawTransaction", [raw]);
      } catch (error) {
        if (!isAlreadyKnown(error)) throw error;
      }
      if (same) return "rebroadcast";
      const previousHash = sent.hashes.at(-1)!;
      sent.hashes.push(hash);
      sent.fees = fees;
      sent.lastRaw = raw;
      this.#onEvent({ type: "replaced", lane: lane.address, nonce: sent.nonce, txHash: hash, previousHash, label, fees });
      return "replaced";
    } catch (error) {
      this.#onEvent({ type: "replace-failed", lane: lane.address, nonce: sent.nonce, label, error });
      if (isNonceTooLow(error)) return "nonce-taken";
      return "failed";
    }
  }

  /** A mined transaction with status 0 carries no reason: replay the call at its block to find it. */
  async #revertReason(lane: Lane, request: TxRequest, receipt: { hash: string; blockNumber: number; gasUsed: bigint }, sent: Sent) {
    const facts = { txHash: receipt.hash, lane: lane.address, nonce: String(sent.nonce) };
    if (receipt.gasUsed >= sent.gasLimit) {
      return new DomainError("CHAIN_REVERTED", undefined, { ...facts, reason: "out of gas" });
    }
    // After its block first (a payment that lost a race sees the winner's effect there), then before it.
    for (const blockTag of [receipt.blockNumber, receipt.blockNumber - 1]) {
      try {
        await this.provider.call({ from: lane.address, to: request.to, data: request.data, blockTag });
      } catch (error) {
        const data = findRevertData(error);
        if (data !== undefined) return domainErrorFromRevert(decodeRevertData(data), facts);
      }
    }
    return new DomainError("CHAIN_REVERTED", undefined, { ...facts, reason: "reverted on chain; the reason could not be replayed" });
  }
}

/** A receipt as JSON-RPC sends it (quantities in hex). */
interface RpcReceipt {
  transactionHash: string;
  blockNumber: string;
  status?: string | null;
  gasUsed: string;
  logs: { address: string; logIndex: string; topics: string[]; data: string; blockTimestamp?: string }[];
}

interface Receipt {
  hash: string;
  blockNumber: number;
  /** 1 success, 0 reverted (a node before Byzantium sends none: taken as success). */
  status: number;
  gasUsed: bigint;
  logs: { address: string; index: number; topics: readonly string[]; data: string }[];
  blockTime?: Date;
}

function parseReceipt(json: RpcReceipt): Receipt {
  const stamp = json.logs.find((log) => typeof log.blockTimestamp === "string")?.blockTimestamp;
  return {
    hash: json.transactionHash,
    blockNumber: Number(json.blockNumber),
    status: json.status == null ? 1 : Number(json.status),
    gasUsed: BigInt(json.gasUsed),
    logs: json.logs.map((log) => ({ address: log.address, index: Number(log.logIndex), topics: log.topics, data: log.data })),
    ...(stamp !== undefined && { blockTime: new Date(Number(stamp) * 1000) }),
  };
}

/** Decodes a receipt's logs with the Fund ABI; logs of other contracts or events are left out. */
export function parseLogs(logs: readonly { address: string; index: number; topics: readonly string[]; data: string }[]): ParsedLog[] {
  const parsed: ParsedLog[] = [];
  for (const log of logs) {
    let description;
    try {
      description = parseFundLog(log);
    } catch {
      description = null;
    }
    if (!description) continue;
    parsed.push({ address: log.address, logIndex: log.index, name: description.name, args: description.args });
  }
  return parsed;
}
