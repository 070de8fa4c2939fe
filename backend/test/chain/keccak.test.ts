// ethers' keccak256 after the backend swapped in the WebAssembly Keccak: the same digests as before
// the swap (known vectors and random inputs of every length up to a large batch's calldata).
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { id, keccak256 } from "ethers";
import { useWasmKeccak } from "../../src/chain/keccak.ts";

describe("WebAssembly keccak256 in ethers", () => {
  it("gives the digests ethers' own keccak256 gave, for known vectors and 300 random inputs", async () => {
    const inputs = [new Uint8Array(), ...Array.from({ length: 300 }, (_, i) => randomBytes([1, 20, 32, 64, 135, 136, 137, 400, 4_500, 70_000][i % 10]!))];
    const before = inputs.map((data) => keccak256(data));
    await useWasmKeccak();
    await useWasmKeccak(); // once is enough; again changes nothing
    expect(keccak256(new Uint8Array())).toBe("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    expect(id("Transfer(address,address,uint256)")).toBe("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
    expect(inputs.map((data) => keccak256(data))).toEqual(before);
  });
});
