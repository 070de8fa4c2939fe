// The relayer's signer against ethers' Wallet.signTransaction, byte for byte (RFC 6979 signatures are
// deterministic): EIP-1559 and legacy transactions, empty to large calldata, zero to huge numbers.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Transaction, Wallet, hexlify, keccak256 } from "ethers";
import { signTransaction, type Fees, type UnsignedTx } from "../../src/chain/sign-tx.ts";

const wallet = Wallet.createRandom();
const hex = (bytes: number) => hexlify(randomBytes(bytes));
const SIZES = [0, 1, 55, 56, 200, 4_500, 70_000];
const NUMBERS = [0n, 1n, 127n, 128n, 255n, 256n, 10n ** 9n, 2n ** 64n - 1n, 2n ** 255n];

async function byEthers(tx: UnsignedTx, fees: Fees): Promise<string> {
  return wallet.signTransaction({ ...tx, value: tx.value ?? 0n, ...fees });
}

describe("relayer transaction signing", () => {
  it("gives ethers' bytes and hash for EIP-1559 and legacy transactions of every size", async () => {
    let i = 0;
    for (const size of SIZES) {
      for (const fees of [
        { type: 2, maxFeePerGas: NUMBERS[(i + 3) % NUMBERS.length]! + NUMBERS[i % NUMBERS.length]!, maxPriorityFeePerGas: NUMBERS[(i + 3) % NUMBERS.length]! },
        { type: 0, gasPrice: NUMBERS[(i + 5) % NUMBERS.length]! },
      ] as Fees[]) {
        for (const chainId of [1n, 31337n, 2n ** 40n]) {
          const tx: UnsignedTx = { chainId, nonce: [0, 1, 127, 128, 70_000][i % 5]!, gasLimit: NUMBERS[(i + 1) % NUMBERS.length]!, to: hex(20), data: size ? hex(size) : "0x", value: NUMBERS[(i + 2) % NUMBERS.length]! };
          const ours = signTransaction(wallet.signingKey, tx, fees);
          expect(ours.raw, `size ${size}, type ${fees.type}, chain ${chainId}`).toBe(await byEthers(tx, fees));
          expect(ours.hash).toBe(keccak256(ours.raw));
          expect(Transaction.from(ours.raw).from).toBe(wallet.address);
          i++;
        }
      }
    }
  });

  it("refuses a recipient or calldata that is not hex", () => {
    const tx: UnsignedTx = { chainId: 1n, nonce: 0, gasLimit: 21_000n, to: hex(20), data: "0x" };
    const fees: Fees = { type: 2, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n };
    expect(() => signTransaction(wallet.signingKey, { ...tx, to: "0x1234" }, fees)).toThrow(/address/);
    expect(() => signTransaction(wallet.signingKey, { ...tx, data: "0xabc" }, fees)).toThrow(/hex/);
  });
});
