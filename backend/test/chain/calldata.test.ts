// The hand-written calldata of `pay` and `multicall` against ethers' ABI coder, byte for byte, on random
// and edge inputs; and bad input refused as INVALID_INPUT naming the field, as the coder's callers did.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Interface, getAddress, hexlify } from "ethers";
import { DomainError, fundAbi, type PaymentPermit } from "@tegoed/sdk";
import { encodeMulticall, encodePay } from "../../src/chain/calldata.ts";

const fund = new Interface(fundAbi);
const hex = (bytes: number) => hexlify(randomBytes(bytes));
const uint = (bytes: number) => BigInt(hex(bytes));

function randomPermit(): PaymentPermit {
  return { fund: getAddress(hex(20)), budgetId: hex(32), maxAmount: uint(1 + (randomBytes(1)[0]! % 32)), nonce: uint(8), deadline: uint(5) };
}

const byEthers = (p: PaymentPermit, signature: string, merchant: string, amount: bigint) =>
  fund.encodeFunctionData("pay", [[p.fund, p.budgetId, p.maxAmount, p.nonce, p.deadline], signature, merchant, amount]);

function refusal(run: () => unknown): { code: string; details: unknown } {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("pay calldata", () => {
  it("is what ethers encodes, for 200 random permits, signatures of 64, 65 and odd lengths, and either address case", () => {
    for (let i = 0; i < 200; i++) {
      const permit = randomPermit();
      const signature = hex([65, 64, 0, 1, 31, 32, 33, 97][i % 8]!);
      const merchant = i % 2 ? getAddress(hex(20)) : hex(20);
      const amount = uint(1 + (i % 32));
      expect(encodePay(permit, signature, merchant, amount), `case ${i}`).toBe(byEthers(permit, signature, merchant, amount));
    }
  });

  it("holds the extremes: zero and 2^256 - 1", () => {
    const max = 2n ** 256n - 1n;
    const permit = { ...randomPermit(), maxAmount: max, nonce: 0n, deadline: max };
    const signature = hex(65);
    const merchant = hex(20);
    expect(encodePay(permit, signature, merchant, 0n)).toBe(byEthers(permit, signature, merchant, 0n));
    expect(encodePay(permit, signature, merchant, max)).toBe(byEthers(permit, signature, merchant, max));
  });

  it("refuses bad input with INVALID_INPUT naming the field", () => {
    const permit = randomPermit();
    const ok = { signature: hex(65), merchant: hex(20), amount: 100n };
    const cases: [string, () => unknown][] = [
      ["permit.fund", () => encodePay({ ...permit, fund: "0x1234" }, ok.signature, ok.merchant, ok.amount)],
      ["permit.budgetId", () => encodePay({ ...permit, budgetId: hex(31) }, ok.signature, ok.merchant, ok.amount)],
      ["permit.maxAmount", () => encodePay({ ...permit, maxAmount: -1n }, ok.signature, ok.merchant, ok.amount)],
      ["permit.nonce", () => encodePay({ ...permit, nonce: 2n ** 256n }, ok.signature, ok.merchant, ok.amount)],
      ["permit.deadline", () => encodePay({ ...permit, deadline: 5 as unknown as bigint }, ok.signature, ok.merchant, ok.amount)],
      ["signature", () => encodePay(permit, "0xabc", ok.merchant, ok.amount)],
      ["signature", () => encodePay(permit, "zz", ok.merchant, ok.amount)],
      ["merchant", () => encodePay(permit, ok.signature, `0x${"g".repeat(40)}`, ok.amount)],
      ["amountCents", () => encodePay(permit, ok.signature, ok.merchant, -5n)],
    ];
    for (const [field, run] of cases) expect(refusal(run), field).toMatchObject({ code: "INVALID_INPUT", details: { field } });
  });
});

describe("multicall calldata", () => {
  it("is what ethers encodes, for none, one and many calls of every length", () => {
    const payCall = () => encodePay(randomPermit(), hex(65), hex(20), 1_00n);
    const batches = [[], [payCall()], Array.from({ length: 40 }, payCall), ["0x", hex(1), hex(31), hex(32), hex(33), hex(500)]];
    for (const calls of batches) expect(encodeMulticall(calls)).toBe(fund.encodeFunctionData("multicall", [calls]));
  });

  it("refuses a call that is not hex", () => {
    expect(refusal(() => encodeMulticall(["0x12", "0x123"]))).toMatchObject({ code: "INVALID_INPUT", details: { field: "calls" } });
  });
});
