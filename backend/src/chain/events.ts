// Reads the fund contracts' events from the chain, for the indexer: typed, in chain order
// (blockNumber, logIndex), with each block's timestamp, in bounded eth_getLogs ranges.
import { type EventFragment, Interface, type JsonRpcProvider, getAddress, toQuantity } from "ethers";
import { fundAbi } from "@tegoed/sdk";
import { isUnavailable, toChainDomainError } from "./errors.ts";

const fundInterface = new Interface(fundAbi);

/** A static ABI type an event field may have, and how its 32-byte word reads. */
function wordReader(type: string): ((word: string) => unknown) | null {
  if (type === "address") {
    return (word) => {
      if (!word.startsWith("000000000000000000000000")) throw new Error("an address word with bits above its 20 bytes");
      return getAddress(`0x${word.slice(24)}`);
    };
  }
  if (type === "bytes32") return (word) => `0x${word}`;
  if (type === "bool") return (word) => BigInt(`0x${word}`) !== 0n;
  const uint = /^uint(\d+)$/.exec(type);
  if (uint) return (word) => BigInt.asUintN(Number(uint[1]), BigInt(`0x${word}`));
  const int = /^int(\d+)$/.exec(type);
  if (int) return (word) => BigInt.asIntN(Number(int[1]), BigInt(`0x${word}`));
  return null;
}

interface KnownEvent {
  fragment: EventFragment;
  /** Per field: its name, where its word is (topics after the first, or data), how it reads; null: ethers decodes. */
  fields: { name: string; indexed: boolean; read: (word: string) => unknown }[] | null;
}

export type LogDecoder = (log: { topics: readonly string[]; data: string }) => { name: string; args: Record<string, unknown> } | null;

/**
 * Decodes the logs of `abi`'s events into their fields by name; null for a log of another event; throws
 * on malformed data. A field of one word (address, id, amount, flag: every field of the Fund's events)
 * is read straight from the topics and data; ethers decodes an event with any other field. ethers'
 * parseLog hashes every event's signature per call, and its Result (a Proxy) made decoding the larger
 * part of a receipt's cost.
 */
export function logDecoder(abi: Interface): LogDecoder {
  const byTopic = new Map<string, KnownEvent>();
  abi.forEachEvent((fragment) => {
    if (fragment.anonymous) return;
    const readers = fragment.inputs.map((input) => wordReader(input.type));
    const fields = readers.every((read) => read !== null)
      ? fragment.inputs.map((input, i) => ({ name: input.name, indexed: input.indexed === true, read: readers[i]! }))
      : null;
    byTopic.set(fragment.topicHash.toLowerCase(), { fragment, fields });
  });
  return (log) => {
    const topic = log.topics[0];
    const event = topic === undefined ? undefined : byTopic.get(topic.toLowerCase());
    if (!event) return null;
    const args: Record<string, unknown> = {};
    if (event.fields === null) {
      const result = abi.decodeEventLog(event.fragment, log.data, log.topics);
      event.fragment.inputs.forEach((input, i) => (args[input.name] = result[i]));
      return { name: event.fragment.name, args };
    }
    const indexed = event.fields.filter((f) => f.indexed).length;
    const words = event.fields.length - indexed;
    if (log.topics.length !== indexed + 1 || !/^0x[0-9a-fA-F]*$/.test(log.data) || log.data.length < 2 + 64 * words) {
      throw new Error(`malformed ${event.fragment.name} log`);
    }
    let t = 1;
    let w = 0;
    for (const field of event.fields) {
      const word = field.indexed ? log.topics[t++]!.slice(2).toLowerCase() : log.data.slice(2 + 64 * w, 2 + 64 * ++w).toLowerCase();
      if (word.length !== 64) throw new Error(`malformed ${event.fragment.name} log`);
      args[field.name] = field.read(word);
    }
    return { name: event.fragment.name, args };
  };
}

/** A log of the Fund ABI decoded into its fields by name; null for any other log. Throws on malformed data. */
export const parseFundLog: LogDecoder = logDecoder(fundInterface);

/** Where in the chain an event sits. */
export interface EventPosition {
  fundAddress: string;
  txHash: string;
  blockNumber: number;
  logIndex: number;
  blockTime: Date;
}

export interface PaymentEvent extends EventPosition {
  kind: "payment";
  paymentId: string;
  budgetId: string;
  merchant: string;
  amountCents: bigint;
  /** The permit nonce; with the budget id it names the payment for refunds. */
  nonce: bigint;
}

export interface RefundEvent extends EventPosition {
  kind: "refund";
  paymentId: string;
  budgetId: string;
  merchant: string;
  amountCents: bigint;
}

type FundAbiEvent = Extract<(typeof fundAbi)[number], { type: "event" }>;
type SolidityToTs<T extends string> = T extends "bool" ? boolean : T extends `uint${string}` | `int${string}` ? bigint : string;
type EventArgs<Name extends FundAbiEvent["name"]> = {
  [Input in Extract<FundAbiEvent, { name: Name }>["inputs"][number] as Input["name"]]: SolidityToTs<Input["type"]>;
};

/** Every Fund event name, from the generated ABI. */
export type FundEventName = FundAbiEvent["name"];
export type OtherFundEventName = Exclude<FundEventName, "PaymentMade" | "PaymentRefunded">;

/**
 * Any other fund event (BudgetIssued, MerchantApproved, Deposited, Paused…), with its arguments typed
 * from the ABI: addresses and bytes32 as hex strings, integers as bigint, booleans as boolean.
 */
export type OtherFundEvent = {
  [Name in OtherFundEventName]: EventPosition & { kind: "event"; name: Name; args: EventArgs<Name> };
}[OtherFundEventName];

export type FundEvent = PaymentEvent | RefundEvent | OtherFundEvent;

export interface ReadFundEventsOptions {
  provider: JsonRpcProvider;
  /** The fund contracts to read. */
  funds: readonly string[];
  fromBlock: number;
  /** Inclusive. */
  toBlock: number;
  /** At most this many blocks per eth_getLogs. Default 2,000. A node that refuses a range gets halves of it. */
  maxBlockRange?: number;
}

/** A log as the node sends it: `blockTimestamp` is not in the JSON-RPC spec, but Hardhat, anvil and geth send it. */
interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  transactionHash: string;
  logIndex: string;
  removed?: boolean;
  blockTimestamp?: string;
}

/**
 * The funds' events in blocks `fromBlock..toBlock`, ordered by (blockNumber, logIndex), each with its
 * block's time: from the logs when the node puts it there, else asked once per block. Throws a
 * DomainError (CHAIN_UNAVAILABLE…) when the node fails.
 */
export async function readFundEvents(options: ReadFundEventsOptions): Promise<FundEvent[]> {
  const { provider, funds, fromBlock, toBlock } = options;
  const maxRange = options.maxBlockRange ?? 2_000;
  if (!Number.isInteger(fromBlock) || !Number.isInteger(toBlock) || fromBlock < 0) {
    throw new RangeError(`bad block range ${fromBlock}..${toBlock}`);
  }
  if (maxRange < 1) throw new RangeError("maxBlockRange must be at least 1");
  if (funds.length === 0 || toBlock < fromBlock) return [];

  const logs: (RpcLog & { block: number; index: number })[] = [];
  for (let start = fromBlock; start <= toBlock; start += maxRange) {
    const range = await getLogsSplitting(provider, funds, start, Math.min(start + maxRange - 1, toBlock));
    for (const log of range) if (!log.removed) logs.push({ ...log, block: Number(log.blockNumber), index: Number(log.logIndex) });
  }
  logs.sort((a, b) => a.block - b.block || a.index - b.index);

  const times = new Map<number, Date>();
  for (const log of logs) if (log.blockTimestamp !== undefined) times.set(log.block, new Date(Number(log.blockTimestamp) * 1000));
  const asked = await blockTimes(provider, [...new Set(logs.filter((log) => !times.has(log.block)).map((log) => log.block))]);
  const events: FundEvent[] = [];
  for (const log of logs) {
    const event = toFundEvent(log, times.get(log.block) ?? asked.get(log.block)!);
    if (event) events.push(event);
  }
  return events;
}

async function getLogsSplitting(provider: JsonRpcProvider, funds: readonly string[], from: number, to: number): Promise<RpcLog[]> {
  try {
    return await provider.send("eth_getLogs", [{ address: [...funds], fromBlock: toQuantity(from), toBlock: toQuantity(to) }]);
  } catch (error) {
    // Nodes limit a response's size ("query returned more than 10000 results", "block range too large"):
    // ask for each half instead. One block that is still too large is a real failure.
    if (to > from && !isUnavailable(error)) {
      const middle = Math.floor((from + to) / 2);
      return [
        ...(await getLogsSplitting(provider, funds, from, middle)),
        ...(await getLogsSplitting(provider, funds, middle + 1, to)),
      ];
    }
    throw toChainDomainError(error);
  }
}

/** Checksummed addresses of the few funds, each computed once. */
const checksummed = new Map<string, string>();
function fundAddressOf(address: string): string {
  let known = checksummed.get(address);
  if (known === undefined) checksummed.set(address, (known = getAddress(address)));
  return known;
}

const recentBlockTimes = new WeakMap<JsonRpcProvider, Map<number, Promise<Date>>>();

/**
 * The block's timestamp, asked once for the payments that share a block (the latest 64 blocks are
 * remembered). Throws a DomainError (CHAIN_UNAVAILABLE…) when the node fails.
 */
export function blockTimeOf(provider: JsonRpcProvider, blockNumber: number): Promise<Date> {
  let known = recentBlockTimes.get(provider);
  if (!known) recentBlockTimes.set(provider, (known = new Map()));
  let time = known.get(blockNumber);
  if (!time) {
    time = blockTimes(provider, [blockNumber]).then((times) => times.get(blockNumber)!);
    known.set(blockNumber, time);
    time.catch(() => known.delete(blockNumber));
    if (known.size > 64) known.delete(known.keys().next().value!);
  }
  return time;
}

/** Each block's timestamp, asked once per block (concurrently, in groups). */
async function blockTimes(provider: JsonRpcProvider, blocks: readonly number[]): Promise<Map<number, Date>> {
  const times = new Map<number, Date>();
  const GROUP = 50;
  for (let i = 0; i < blocks.length; i += GROUP) {
    await Promise.all(
      blocks.slice(i, i + GROUP).map(async (number) => {
        let block;
        try {
          block = await provider.getBlock(number);
        } catch (error) {
          throw toChainDomainError(error);
        }
        if (!block) throw toChainDomainError(new Error(`block ${number} not found`), { block: String(number) });
        times.set(number, new Date(block.timestamp * 1000));
      }),
    );
  }
  return times;
}

function toFundEvent(log: RpcLog & { block: number; index: number }, blockTime: Date): FundEvent | null {
  let description;
  try {
    description = parseFundLog(log);
  } catch {
    return null; // an event this ABI does not know, or malformed data: not ours to index
  }
  if (!description) return null;
  const position: EventPosition = {
    fundAddress: fundAddressOf(log.address),
    txHash: log.transactionHash,
    blockNumber: log.block,
    logIndex: log.index,
    blockTime,
  };
  const { args } = description;
  if (description.name === "PaymentMade") {
    return {
      kind: "payment", ...position,
      paymentId: args.paymentId as string,
      budgetId: args.budgetId as string,
      merchant: args.merchant as string,
      amountCents: args.amount as bigint,
      nonce: args.nonce as bigint,
    };
  }
  if (description.name === "PaymentRefunded") {
    return {
      kind: "refund", ...position,
      paymentId: args.paymentId as string,
      budgetId: args.budgetId as string,
      merchant: args.merchant as string,
      amountCents: args.amount as bigint,
    };
  }
  return { kind: "event", ...position, name: description.name, args } as OtherFundEvent;
}

/**
 * The newest block with at least `confirmations` blocks on top of and including it (1: the head itself),
 * or -1 while the chain is shorter than that. The indexer reads up to here.
 */
export async function safeHead(provider: JsonRpcProvider, confirmations: number): Promise<number> {
  if (!Number.isInteger(confirmations) || confirmations < 0) throw new RangeError("confirmations must be a whole number ≥ 0");
  let head: number;
  try {
    head = await provider.getBlockNumber();
  } catch (error) {
    throw toChainDomainError(error);
  }
  return Math.max(head - Math.max(confirmations - 1, 0), -1);
}
