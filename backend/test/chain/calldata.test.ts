// The hand-written calldata of `pay`, `multicall` and a payout run's calls against ethers' ABI coder,
// byte for byte, on random and edge inputs, and the answers read as ethers reads them; bad input refused
// as INVALID_INPUT naming the field, as the coder's callers did, and a malformed answer as INTERNAL.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AbiCoder, Interface, getAddress, hexlify } from "ethers";
import { DomainError, fundAbi, type PaymentPermit } from "@tegoed/sdk";
import {
  decodeBool, decodeMulticallResults, decodePayBalance, decodeUint, encodeIsBankRefUsed, encodeMulticall, encodePay, encodeReceivableOf, encodeSettle,
} from "../../src/chain/calldata.ts";

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

describe("a payout run's calldata and answers", () => {
  it("encodes settle, receivableOf and isBankRefUsed as ethers does, for random inputs, either address case and the extremes", () => {
    for (let i = 0; i < 100; i++) {
      const merchant = i % 2 ? getAddress(hex(20)) : hex(20);
      const amount = [0n, 1n, 2n ** 256n - 1n, uint(1 + (i % 32))][i % 4]!;
      const bankRef = hex(32);
      expect(encodeSettle(merchant, amount, bankRef)).toBe(fund.encodeFunctionData("settle", [merchant, amount, bankRef]));
      expect(encodeReceivableOf(merchant)).toBe(fund.encodeFunctionData("receivableOf", [merchant]));
      expect(encodeIsBankRefUsed(bankRef)).toBe(fund.encodeFunctionData("isBankRefUsed", [bankRef]));
    }
  });

  it("reads a multicall's answers as ethers does, for none, one and many of every length", () => {
    const word = (n: bigint) => AbiCoder.defaultAbiCoder().encode(["uint256"], [n]);
    const sets = [[], [word(5n)], Array.from({ length: 500 }, (_, i) => word(BigInt(i) * 10n ** 30n)), ["0x", hex(1), hex(31), hex(32), hex(33), hex(500)]];
    for (const answers of sets) {
      const raw = fund.encodeFunctionResult("multicall", [answers]);
      expect(decodeMulticallResults(raw)).toEqual(fund.decodeFunctionResult("multicall", raw)[0].toArray());
    }
    const max = 2n ** 256n - 1n;
    expect([0n, 1n, max].map((n) => decodeUint(fund.encodeFunctionResult("receivableOf", [n])))).toEqual([0n, 1n, max]);
    expect([true, false].map((b) => decodeBool(fund.encodeFunctionResult("isBankRefUsed", [b])))).toEqual([true, false]);
    for (const balance of [0n, 1n, max, uint(6)]) {
      const raw = fund.encodeFunctionResult("pay", [hex(32), balance]);
      expect(decodePayBalance(raw)).toBe(fund.decodeFunctionResult("pay", raw)[1]);
    }
  });

  it("refuses bad input naming the field, and a malformed answer as INTERNAL", () => {
    expect(refusal(() => encodeSettle("0x1234", 1n, hex(32)))).toMatchObject({ code: "INVALID_INPUT", details: { field: "merchant" } });
    expect(refusal(() => encodeSettle(hex(20), -1n, hex(32)))).toMatchObject({ code: "INVALID_INPUT", details: { field: "amountCents" } });
    expect(refusal(() => encodeSettle(hex(20), 1n, hex(31)))).toMatchObject({ code: "INVALID_INPUT", details: { field: "bankRef" } });
    const raw = fund.encodeFunctionResult("multicall", [[hex(32), hex(32)]]);
    for (const bad of ["0x", "0x12", raw.slice(0, -64), raw.slice(0, 2 + 64 * 3), "nothex"]) expect(refusal(() => decodeMulticallResults(bad)).code, bad.slice(0, 20)).toBe("INTERNAL");
    expect(refusal(() => decodeUint(hex(31))).code).toBe("INTERNAL");
    expect(refusal(() => decodeBool("0x")).code).toBe("INTERNAL");
    for (const bad of ["0x", hex(32), hex(96)]) expect(refusal(() => decodePayBalance(bad)).code).toBe("INTERNAL");
  });
});
