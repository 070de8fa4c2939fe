// The ceilings the charges are compared with: what a tight client gets out of the same node. Every
// transaction is signed before the clock; the timed part only sends them in JSON-RPC batches and waits
// for the last receipt of each sender's chunk (the sender's nonces make every earlier one mined too),
// with a bounded number in flight. Two kinds: plain ERC-20 transfers (`raw_erc20_ceiling_tps`) and the
// backend's own traffic, `multicall`s of `pay` of the backend's batch size (`direct_pay_ceiling_tps`).
import {
  Contract, ContractFactory, HDNodeWallet, Interface, type InterfaceAbi, JsonRpcProvider, Mnemonic, Network, Wallet, keccak256, parseEther,
} from "ethers";
import { signPaymentPermit } from "@tegoed/sdk";
import { readArtifact } from "../lib/artifacts.ts";
import { CpuMeter, type CpuPerOperation, type CpuRoots } from "./cpu.ts";
import { rate, round, sleep } from "./stats.ts";

const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
/** A development mnemonic's account i: funded by the node for small i, by `fundAccounts` for others. */
export const mnemonicKey = (i: number) => HDNodeWallet.fromMnemonic(MNEMONIC, `m/44'/60'/0'/0/${i}`).privateKey;

/** One JSON-RPC batch (one HTTP request); the answers in the order asked. Throws on any error answer. */
export async function rpcBatch(url: string, calls: { method: string; params: unknown[] }[]): Promise<unknown[]> {
  const body = calls.map((c, id) => ({ jsonrpc: "2.0", id, method: c.method, params: c.params }));
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const answers = (await response.json()) as { id: number; result?: unknown; error?: { message: string } }[];
  if (!Array.isArray(answers)) throw new Error(`the node answered a batch with ${JSON.stringify(answers).slice(0, 200)}`);
  const byId = new Map(answers.map((a) => [a.id, a]));
  return calls.map((c, id) => {
    const a = byId.get(id);
    if (!a || a.error) throw new Error(`${c.method}: ${a?.error?.message ?? "no answer"}`);
    return a.result;
  });
}

export async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  return (await rpcBatch(url, [{ method, params }]))[0];
}

/** Waits for a transaction's receipt: asked soon at first (an automining node has it at once), then every 20 ms. */
async function receiptOf(url: string, hash: string): Promise<{ status: string }> {
  for (let polls = 0; ; polls++) {
    const receipt = (await rpc(url, "eth_getTransactionReceipt", [hash])) as { status: string } | null;
    if (receipt) return receipt;
    await sleep(Math.min(20, 2 * 2 ** polls));
  }
}

interface Chunked {
  /** Per sender, its signed transactions in nonce order. */
  bySender: string[][];
  /** Operations each transaction carries (1 for a transfer, the batch size for a multicall). */
  perTx: number;
}

/**
 * Sends every sender's signed transactions, `chunk` per JSON-RPC batch, the next chunk once the last
 * receipt of the previous one is in; all senders at once. Resolves with the wall time in ms.
 */
async function sendChunked(url: string, work: Chunked, chunk: number): Promise<number> {
  const started = performance.now();
  await Promise.all(work.bySender.map(async (raws) => {
    for (let i = 0; i < raws.length; i += chunk) {
      const part = raws.slice(i, i + chunk);
      await rpcBatch(url, part.map((raw) => ({ method: "eth_sendRawTransaction", params: [raw] })));
      const receipt = await receiptOf(url, keccak256(part.at(-1)!));
      if (receipt.status !== "0x1") throw new Error("a baseline transaction reverted");
    }
  }));
  return performance.now() - started;
}

/** Gives each address `ether` from a funded development key, and waits until all are mined. */
export async function fundAccounts(url: string, chainId: bigint, funderKey: string, addresses: string[], ether = "100"): Promise<void> {
  const provider = new JsonRpcProvider(url, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1 });
  try {
    const funder = new Wallet(funderKey, provider);
    let nonce = await provider.getTransactionCount(funder.address, "pending");
    const sent = [];
    for (const to of addresses) sent.push(await funder.sendTransaction({ to, value: parseEther(ether), nonce: nonce++ }));
    await Promise.all(sent.map((tx) => tx.wait()));
  } finally {
    provider.destroy();
  }
}

export interface CeilingFigure {
  operations: number;
  transactions: number;
  seconds: number;
  tps: number | null;
  senders: number;
  /** Transactions in flight at most (senders × chunk). */
  in_flight: number;
  /** Operations per transaction. */
  batch: number;
  cpu_ms_per_operation?: CpuPerOperation | null;
}

/** Adds up the timed runs of one ceiling (called in rounds between the charge rounds), stage by stage. */
class Tally {
  #ops = 0;
  #txs = 0;
  #ms = 0;
  #cpu: CpuMeter;
  readonly url: string;
  readonly senders: number;
  readonly chunk: number;
  readonly batch: number;
  readonly roots: CpuRoots;

  constructor(url: string, senders: number, chunk: number, batch: number, roots: CpuRoots) {
    this.url = url;
    this.senders = senders;
    this.chunk = chunk;
    this.batch = batch;
    this.roots = roots;
    this.#cpu = new CpuMeter(roots);
  }

  async run(signed: Chunked): Promise<void> {
    this.#ms += await this.#cpu.measure(() => sendChunked(this.url, signed, this.chunk));
    const txs = signed.bySender.reduce((t, s) => t + s.length, 0);
    this.#txs += txs;
    this.#ops += txs * signed.perTx;
  }

  /** The figure since the last call, and a fresh start for the next stage. */
  take(): CeilingFigure {
    const figure = {
      operations: this.#ops, transactions: this.#txs, seconds: round(this.#ms / 1000, 3), tps: rate(this.#ops, this.#ms),
      senders: this.senders, in_flight: this.senders * this.chunk, batch: this.batch, cpu_ms_per_operation: this.#cpu.perOperation(this.#ops),
    };
    this.#ops = this.#txs = this.#ms = 0;
    this.#cpu = new CpuMeter(this.roots);
    return figure;
  }
}

interface FeeFields {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

async function fees(url: string): Promise<FeeFields> {
  const block = (await rpc(url, "eth_getBlockByNumber", ["latest", false])) as { baseFeePerGas?: string };
  const base = BigInt(block.baseFeePerGas ?? "1000000000");
  // Far above the base fee: the base fee may rise while the run fills blocks.
  return { maxFeePerGas: base * 4n + 2_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n };
}

/**
 * `raw_erc20_ceiling_tps`: `senders` funded accounts send `BaselineToken` transfers to existing holders,
 * 10 per batch each (100 in flight for 10 senders). `sign(n)` signs the next n, before the clock;
 * `run(signed)` is timed.
 */
export async function prepareErc20Ceiling(url: string, chainId: bigint, funderKey: string, roots: CpuRoots, senders = 10, chunk = 10) {
  const provider = new JsonRpcProvider(url, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1 });
  const funder = new Wallet(funderKey, provider);
  const token = readArtifact("BaselineToken");
  const erc20 = (await new ContractFactory(token.abi as InterfaceAbi, token.bytecode, funder).deploy(funder.address, 10n ** 30n)) as Contract;
  await erc20.waitForDeployment();
  const tokenAddress = await erc20.getAddress();
  const wallets = Array.from({ length: senders }, () => Wallet.createRandom());
  let nonce = await provider.getTransactionCount(funder.address, "pending");
  const fundings = [];
  for (const w of wallets) {
    fundings.push(await funder.sendTransaction({ to: w.address, value: parseEther("10"), nonce: nonce++ }));
    fundings.push(await erc20.getFunction("transfer")(w.address, 10n ** 24n, { nonce: nonce++ }));
  }
  const recipients = Array.from({ length: 64 }, () => Wallet.createRandom().address);
  for (const to of recipients) fundings.push(await erc20.getFunction("transfer")(to, 1n, { nonce: nonce++ }));
  await Promise.all(fundings.map((tx) => tx.wait()));
  provider.destroy();
  const fee = await fees(url);
  const nonces = wallets.map(() => 0);
  const tally = new Tally(url, senders, chunk, 1, roots);
  let n = 0;
  return {
    async sign(count: number): Promise<Chunked> {
      const bySender: string[][] = wallets.map(() => []);
      for (let k = 0; k < count; k++) {
        const s = k % senders;
        bySender[s]!.push(await wallets[s]!.signTransaction({
          to: tokenAddress, data: erc20.interface.encodeFunctionData("transfer", [recipients[n++ % recipients.length], 1n]),
          nonce: nonces[s]!++, gasLimit: 80_000n, chainId, type: 2, ...fee,
        }));
      }
      return { bySender, perTx: 1 };
    },
    run: (signed: Chunked) => tally.run(signed),
    take: () => tally.take(),
  };
}

export interface DirectPayBudget {
  budgetId: string;
  /** Signs permits for this budget's holder. */
  key: Wallet;
}

/**
 * `direct_pay_ceiling_tps`: `multicall`s of `batch` `pay` calls, the backend's traffic, sent straight to
 * the fund by `budgets.length` funded senders (each paying from its own budget, nonces in order),
 * `chunk` transactions in flight each (senders × chunk = the backend's lanes).
 */
export async function prepareDirectPay(options: {
  url: string; chainId: bigint; funderKey: string; roots: CpuRoots; fund: string; merchant: string; budgets: DirectPayBudget[];
  amountCents: bigint; batch: number; chunk: number; deadline: bigint;
}) {
  const { url, chainId, fund, budgets, batch, chunk } = options;
  const senders = budgets.map(() => Wallet.createRandom());
  await fundAccounts(url, chainId, options.funderKey, senders.map((w) => w.address), "10");
  const abi = new Interface(readArtifact("Fund").abi as InterfaceAbi);
  const fee = await fees(url);
  const txNonces = senders.map(() => 0);
  const permitNonces = budgets.map(() => 0n);
  const tally = new Tally(url, senders.length, chunk, batch, options.roots);
  // 150k per pay (the backend's PAY_GAS_LIMIT) and 40k around them, as the backend's multicall asks.
  const gasLimit = 40_000n + 150_000n * BigInt(batch);
  return {
    /** Signs `count` pays (rounded up to whole batches) before the clock. */
    async sign(count: number): Promise<Chunked> {
      const txs = Math.ceil(count / batch);
      const bySender: string[][] = senders.map(() => []);
      for (let t = 0; t < txs; t++) {
        const s = t % senders.length;
        const calls: string[] = [];
        for (let k = 0; k < batch; k++) {
          const permit = { fund, budgetId: budgets[s]!.budgetId, maxAmount: options.amountCents, nonce: permitNonces[s]!++, deadline: options.deadline };
          const signature = await signPaymentPermit(budgets[s]!.key, chainId, permit);
          calls.push(abi.encodeFunctionData("pay", [permit, signature, options.merchant, options.amountCents]));
        }
        bySender[s]!.push(await senders[s]!.signTransaction({
          to: fund, data: abi.encodeFunctionData("multicall", [calls]), nonce: txNonces[s]!++, gasLimit, chainId, type: 2, ...fee,
        }));
      }
      return { bySender, perTx: batch };
    },
    run: (signed: Chunked) => tally.run(signed),
    take: () => tally.take(),
  };
}
