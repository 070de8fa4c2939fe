// What one transaction's gas is made of, measured from the node's opcode trace (debug_traceTransaction,
// which Hardhat's node and anvil both answer): every step's own cost, summed by kind. The transaction's
// intrinsic gas (base and calldata) is what the receipt charged beyond the steps, and is checked against
// the EVM's prices for the same calldata.
import type { JsonRpcProvider } from "ethers";

interface StructLog {
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
}

export interface GasPart {
  gas: number;
  /** How many opcodes or calls it took. */
  count?: number;
  note: string;
}

export interface GasBreakdown {
  total: number;
  parts: Record<string, GasPart>;
  /** What every payment must pay as designed: all parts but the code's own work (rest, hashing, warm re-reads). */
  floor: number;
  above_floor: number;
}

/** The parts that are the code's own work, which a leaner encoding of the same steps could shrink. */
const ABOVE_FLOOR = new Set(["rest", "hashing", "storage: warm re-reads"]);

/** EIP-2028 prices: 4 gas per zero byte of calldata, 16 per other byte. */
export function calldataGas(data: string): { gas: number; zeroBytes: number; nonZeroBytes: number } {
  let zeroBytes = 0;
  let nonZeroBytes = 0;
  for (let i = 2; i < data.length; i += 2) {
    if (data.slice(i, i + 2) === "00") zeroBytes++;
    else nonZeroBytes++;
  }
  return { gas: zeroBytes * 4 + nonZeroBytes * 16, zeroBytes, nonZeroBytes };
}

/**
 * Each step's own cost: the gas it took before the next step of its frame. A call's own cost is what it
 * took minus its callee's steps (a precompile has none, so its price is in the call).
 */
function ownCosts(logs: StructLog[]): number[] {
  const costs = new Array<number>(logs.length).fill(0);
  const openCalls: number[] = []; // index of the call step each deeper frame came from
  for (let i = 0; i < logs.length; i++) {
    const step = logs[i]!;
    const next = logs[i + 1];
    if (next && next.depth > step.depth) openCalls.push(i);
    else if (next && next.depth === step.depth) costs[i] = step.gas - next.gas;
    else costs[i] = step.gasCost; // the frame's last step (RETURN, STOP, REVERT)
    if (next && next.depth < step.depth) {
      const call = openCalls.pop()!;
      // the call step's frame resumes at `next`: everything in between was the callee's
      let inner = 0;
      for (let k = call + 1; k <= i; k++) if (logs[k]!.depth > logs[call]!.depth) inner += costs[k]!;
      costs[call] = logs[call]!.gas - next.gas - inner;
    }
  }
  return costs;
}

/**
 * Traces `txHash` and sums its steps into parts: the proxy's own code (when the first frame only
 * delegates), each storage slot's reads and writes (named by `slotNames`, slot hex → name), the
 * signature recovery, hashing, the event, and the rest of the code.
 */
export async function gasBreakdown(
  provider: JsonRpcProvider,
  txHash: string,
  slotNames: Record<string, string>,
): Promise<GasBreakdown> {
  const [trace, receipt, tx] = await Promise.all([
    provider.send("debug_traceTransaction", [txHash, { enableMemory: false, enableReturnData: false }]),
    provider.getTransactionReceipt(txHash),
    provider.getTransaction(txHash),
  ]);
  const logs = trace.structLogs as StructLog[];
  const costs = ownCosts(logs);
  const total = Number(receipt!.gasUsed);
  const execution = costs.reduce((a, b) => a + b, 0);
  const calldata = calldataGas(tx!.data);
  const parts: Record<string, GasPart> = {};
  const add = (key: string, gas: number, note: string) => {
    const part = (parts[key] ??= { gas: 0, count: 0, note });
    part.gas += gas;
    part.count! += 1;
  };

  const intrinsic = total - execution;
  parts.base_transaction = { gas: 21_000, note: "every transaction (EVM price)" };
  parts.calldata = {
    gas: intrinsic - 21_000,
    note: `${calldata.nonZeroBytes} non-zero bytes × 16 + ${calldata.zeroBytes} zero bytes × 4 = ${calldata.gas} by the EVM's prices; measured as the receipt's gas beyond the steps, less the base`,
  };

  const proxied = logs.some((s) => s.depth === 1 && s.op === "DELEGATECALL");
  for (let i = 0; i < logs.length; i++) {
    const step = logs[i]!;
    const cost = costs[i]!;
    const stack = step.stack ?? [];
    const top = (n: number) => stack[stack.length - 1 - n];
    if (proxied && step.depth === 1) {
      add("proxy", cost, "the clone's own code: copy calldata, DELEGATECALL to the implementation (cold account: 2,600), copy the result back");
    } else if (step.op === "SLOAD" || step.op === "SSTORE") {
      const slot = BigInt(top(0)!).toString(16).padStart(64, "0");
      const name = slotNames[slot] ?? `slot 0x${slot}`;
      if (step.op === "SLOAD" && cost < 2_100) {
        add("storage: warm re-reads", cost, "SLOAD of a slot read before in the transaction: 100 (Solidity re-reads a packed slot to write one field)");
      } else if (step.op === "SLOAD") {
        add(`storage: ${name} read`, cost, "SLOAD: 2,100 the first time in the transaction (cold)");
      } else {
        add(`storage: ${name} write`, cost, "SSTORE of a changed non-zero value: 2,900 once the slot is warm (5,000 less the cold read's 2,100)");
      }
    } else if (step.op === "STATICCALL" && BigInt(top(1) ?? 0) === 1n) {
      add("signature_recovery", cost, "STATICCALL to the ecrecover precompile: 3,000 + 100 (warm precompile)");
    } else if (step.op.startsWith("LOG")) {
      add("event", cost, "LOG: 375 + 375 per topic + 8 per data byte");
    } else if (step.op === "KECCAK256") {
      add("hashing", cost, "KECCAK256: 30 + 6 per word (mapping slots, EIP-712 digest, payment id, payment chain link)");
    } else {
      add("rest", cost, "every other opcode: ABI decoding, checks, arithmetic, memory, jumps, the ecrecover call's set-up");
    }
  }
  const above = Object.entries(parts).filter(([key]) => ABOVE_FLOOR.has(key)).reduce((sum, [, part]) => sum + part.gas, 0);
  return { total, parts, floor: total - above, above_floor: above };
}
