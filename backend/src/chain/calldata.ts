// The calldata of the two calls every charge sends, `pay` and the `multicall` that batches them (and the
// answer of `pay` run as a call, which every lookup and charge reads), written
// straight as hex, because these two run once per charge and ethers' ABI coder converts hex to bytes and
// back and checksums every address on the way. The bytes are ethers' (the tests compare the two on many
// inputs); every other call goes through ethers. What it saved is in bench/README.md.
// Likewise what a payout run does for every one of thousands of shops: `settle`, the two views it
// reads in bulk (`receivableOf`, `isBankRefUsed`) and the `multicall` answer that carries them.
import { Interface } from "ethers";
import { DomainError, fundAbi, type PaymentPermit } from "@tegoed/sdk";

const fund = new Interface(fundAbi);
const PAY_SELECTOR = fund.getFunction("pay")!.selector.slice(2);
const MULTICALL_SELECTOR = fund.getFunction("multicall")!.selector.slice(2);
const SETTLE_SELECTOR = fund.getFunction("settle")!.selector.slice(2);
const RECEIVABLE_OF_SELECTOR = fund.getFunction("receivableOf")!.selector.slice(2);
const IS_BANK_REF_USED_SELECTOR = fund.getFunction("isBankRefUsed")!.selector.slice(2);
const UINT256_END = 2n ** 256n;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;
const ZEROS = "0".repeat(64);

function invalid(field: string, reason: string): DomainError {
  return new DomainError("INVALID_INPUT", undefined, { field, reason });
}

/** The node's answer is not what the view returns: not the caller's fault. */
function malformed(reason: string): DomainError {
  return new DomainError("INTERNAL", undefined, { reason: `malformed answer: ${reason}` });
}

function uint(value: bigint, field: string): string {
  if (typeof value !== "bigint" || value < 0n || value >= UINT256_END) throw invalid(field, "not a whole number of cents");
  return value.toString(16).padStart(64, "0");
}

function address(value: string, field: string): string {
  if (typeof value !== "string" || !ADDRESS.test(value)) throw invalid(field, "not an address");
  return `000000000000000000000000${value.slice(2).toLowerCase()}`;
}

function bytes32(value: string, field: string): string {
  if (typeof value !== "string" || !BYTES32.test(value)) throw invalid(field, "not 32 bytes of hex");
  return value.slice(2).toLowerCase();
}

/** `bytes` as its tail: the length word, then the data padded to whole words. */
function dynamicBytes(hex: string): string {
  const data = hex.slice(2).toLowerCase();
  const padding = (64 - (data.length % 64)) % 64;
  return uint(BigInt(data.length / 2), "length") + data + ZEROS.slice(0, padding);
}

/** `pay(permit, signature, merchant, amount)`: the permit's five words in place, then the signature's offset. */
export function encodePay(permit: PaymentPermit, signature: string, merchant: string, amountCents: bigint): string {
  if (typeof signature !== "string" || !HEX.test(signature)) throw invalid("signature", "not hex");
  const head =
    address(permit.fund, "permit.fund") +
    bytes32(permit.budgetId, "permit.budgetId") +
    uint(permit.maxAmount, "permit.maxAmount") +
    uint(permit.nonce, "permit.nonce") +
    uint(permit.deadline, "permit.deadline") +
    uint(8n * 32n, "offset") + // the signature starts after the head's 8 words
    address(merchant, "merchant") +
    uint(amountCents, "amountCents");
  return `0x${PAY_SELECTOR}${head}${dynamicBytes(signature)}`;
}

/** `multicall(calls)`: the array's offset, its length, each element's offset (from the first), the elements. */
export function encodeMulticall(calls: readonly string[]): string {
  const parts: string[] = [`0x${MULTICALL_SELECTOR}`, uint(32n, "offset"), uint(BigInt(calls.length), "length")];
  const tails: string[] = [];
  let offset = 32 * calls.length;
  for (const call of calls) {
    if (typeof call !== "string" || !HEX.test(call)) throw invalid("calls", "not hex");
    const tail = dynamicBytes(call);
    parts.push(uint(BigInt(offset), "offset"));
    tails.push(tail);
    offset += tail.length / 2;
  }
  return parts.join("") + tails.join("");
}

/**
 * What `multicall` returned (ABI `bytes[]`), one hex string per call. Read by hand: ethers' decoder
 * copies the rest of the answer for every element, quadratic in a bulk read's 500 answers.
 */
export function decodeMulticallResults(raw: string): string[] {
  if (typeof raw !== "string" || !HEX.test(raw) || raw.length < 2 + 128) throw malformed("not a multicall answer");
  const hex = raw.slice(2);
  const word = (byteOffset: number) => {
    const at = byteOffset * 2;
    if (at + 64 > hex.length) throw malformed("shorter than its offsets say");
    return Number.parseInt(hex.slice(at, at + 64), 16);
  };
  const array = word(0);
  const count = word(array);
  const heads = array + 32;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const start = heads + word(heads + 32 * i);
    const length = word(start);
    const from = (start + 32) * 2;
    if (from + length * 2 > hex.length) throw malformed("shorter than its lengths say");
    out.push(`0x${hex.slice(from, from + length * 2)}`);
  }
  return out;
}

/** `settle(merchant, amount, bankRef)`. */
export function encodeSettle(merchant: string, amountCents: bigint, bankRef: string): string {
  return `0x${SETTLE_SELECTOR}${address(merchant, "merchant")}${uint(amountCents, "amountCents")}${bytes32(bankRef, "bankRef")}`;
}

/** `receivableOf(merchant)`. */
export function encodeReceivableOf(merchant: string): string {
  return `0x${RECEIVABLE_OF_SELECTOR}${address(merchant, "merchant")}`;
}

/** `isBankRefUsed(bankRef)`. */
export function encodeIsBankRefUsed(bankRef: string): string {
  return `0x${IS_BANK_REF_USED_SELECTOR}${bytes32(bankRef, "bankRef")}`;
}

function words(answer: string, count: number): string[] {
  if (typeof answer !== "string" || !HEX.test(answer) || answer.length !== 2 + 64 * count) throw malformed(`not ${count} words`);
  return Array.from({ length: count }, (_, i) => answer.slice(2 + 64 * i, 2 + 64 * (i + 1)));
}

/** The answer of a view returning one uint256. */
export function decodeUint(answer: string): bigint {
  return BigInt(`0x${words(answer, 1)[0]!}`);
}

/** The budget's balance after a `pay` run as a call: its answer is (paymentId, balance). */
export function decodePayBalance(answer: string): bigint {
  return BigInt(`0x${words(answer, 2)[1]!}`);
}

/** The answer of a view returning one bool. */
export function decodeBool(answer: string): boolean {
  return BigInt(`0x${words(answer, 1)[0]!}`) !== 0n;
}
