// Signs the relayer's transactions: RLP written with Node's Buffers, the digest and the signature
// still ethers' (keccak256, SigningKey). The bytes are those of ethers' Wallet.signTransaction (RFC 6979
// signatures are deterministic; the tests compare the two), without its two passes of JavaScript
// hex <-> bytes loops over the whole calldata, which a batch of payments makes large.
import { SigningKey, keccak256 } from "ethers";

export interface UnsignedTx {
  chainId: bigint;
  nonce: number;
  gasLimit: bigint;
  to: string;
  /** 0x-prefixed hex. */
  data: string;
  value?: bigint;
}

/** EIP-1559 fees when the chain has a base fee, a plain gas price otherwise (e.g. a free-gas Besu network). */
export type Fees =
  | { type: 2; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
  | { type: 0; gasPrice: bigint };

type Rlp = Buffer | Rlp[];

function integer(value: bigint | number): Buffer {
  const n = BigInt(value);
  if (n < 0n) throw new RangeError("RLP integers are unsigned");
  if (n === 0n) return Buffer.alloc(0);
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex");
}

function hexBytes(value: string, what: string): Buffer {
  if (!/^0x(?:[0-9a-fA-F]{2})*$/.test(value)) throw new TypeError(`${what} is not 0x-prefixed hex`);
  return Buffer.from(value.slice(2), "hex");
}

function lengthPrefix(length: number, short: number, long: number): Buffer {
  if (length <= 55) return Buffer.from([short + length]);
  const size = integer(length);
  return Buffer.concat([Buffer.from([long + size.length]), size]);
}

function rlp(item: Rlp): Buffer {
  if (Buffer.isBuffer(item)) {
    if (item.length === 1 && item[0]! < 0x80) return item;
    return Buffer.concat([lengthPrefix(item.length, 0x80, 0xb7), item]);
  }
  const payload = Buffer.concat(item.map(rlp));
  return Buffer.concat([lengthPrefix(payload.length, 0xc0, 0xf7), payload]);
}

/** The signed raw transaction (0x hex) and its hash. EIP-1559 (type 2), or legacy with EIP-155 replay protection. */
export function signTransaction(key: SigningKey, tx: UnsignedTx, fees: Fees): { raw: string; hash: string } {
  const to = hexBytes(tx.to, "to");
  if (to.length !== 20) throw new TypeError("to is not an address");
  const common = [integer(tx.gasLimit), to, integer(tx.value ?? 0n), hexBytes(tx.data, "data")];
  let raw: Buffer;
  if (fees.type === 2) {
    const fields: Rlp[] = [integer(tx.chainId), integer(tx.nonce), integer(fees.maxPriorityFeePerGas), integer(fees.maxFeePerGas), ...common, []];
    const sig = key.sign(keccak256(Buffer.concat([Buffer.from([2]), rlp(fields)])));
    raw = Buffer.concat([Buffer.from([2]), rlp([...fields, integer(sig.yParity), integer(BigInt(sig.r)), integer(BigInt(sig.s))])]);
  } else {
    const fields: Rlp[] = [integer(tx.nonce), integer(fees.gasPrice), ...common];
    const sig = key.sign(keccak256(rlp([...fields, integer(tx.chainId), Buffer.alloc(0), Buffer.alloc(0)])));
    const v = tx.chainId * 2n + 35n + BigInt(sig.yParity);
    raw = rlp([...fields, integer(v), integer(BigInt(sig.r)), integer(BigInt(sig.s))]);
  }
  return { raw: `0x${raw.toString("hex")}`, hash: keccak256(raw) };
}
