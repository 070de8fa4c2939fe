// The payment QR: a family's signed permit, packed small enough for old phone cameras.
//
// v1 layout, big-endian, 116 bytes:
//   version 1 | fund index 4 | budget id 32 | max amount (cents) 6 | nonce 4 | deadline (unix s) 5 |
//   compact signature 64 (EIP-2098: r, yParity+s)
// Encoded as "TG" + unpadded RFC 4648 base32: only QR alphanumeric characters, 188 in all, which is
// QR version 8 at error correction M (a 300-byte text would need version 13).
import { base32nopad } from "@scure/base";
import { Signature, getBytes, hexlify, zeroPadValue } from "ethers";
import type { PaymentPermit } from "./eip712.ts";

export const PAYMENT_QR_PREFIX = "TG";
export const PAYMENT_QR_VERSION = 1;
const PAYLOAD_BYTES = 116;

const MAX_UINT32 = 2n ** 32n - 1n;
const MAX_UINT40 = 2n ** 40n - 1n;
const MAX_UINT48 = 2n ** 48n - 1n;

/** What a payment QR carries. `signature` is the 64-byte compact form, as hex. */
export interface PaymentQr {
  fundIndex: number;
  budgetId: string;
  maxAmount: bigint;
  nonce: bigint;
  deadline: bigint;
  signature: string;
}

export type PaymentQrErrorCode = "QR_NOT_TEGOED" | "QR_VERSION_UNSUPPORTED" | "QR_MALFORMED";

/** A scanned text that is not a payment QR this code understands. */
export class PaymentQrError extends Error {
  readonly code: PaymentQrErrorCode;

  constructor(code: PaymentQrErrorCode, message: string) {
    super(message);
    this.name = "PaymentQrError";
    this.code = code;
  }
}

function writeUint(view: DataView, offset: number, bytes: number, value: bigint, max: bigint, field: string) {
  if (value < 0n || value > max) throw new RangeError(`${field} ${value} does not fit the payment QR`);
  for (let i = bytes - 1; i >= 0; i--) {
    view.setUint8(offset + i, Number(value & 0xffn));
    value >>= 8n;
  }
}

function readUint(bytes: Uint8Array, offset: number, length: number): bigint {
  let value = 0n;
  for (let i = 0; i < length; i++) value = (value << 8n) | BigInt(bytes[offset + i]!);
  return value;
}

/** Packs a permit's QR fields into the text to show as a QR code. */
export function encodePaymentQr(qr: PaymentQr): string {
  const out = new Uint8Array(PAYLOAD_BYTES);
  const view = new DataView(out.buffer);
  view.setUint8(0, PAYMENT_QR_VERSION);
  writeUint(view, 1, 4, BigInt(qr.fundIndex), MAX_UINT32, "fund index");
  const budgetId = getBytes(qr.budgetId);
  if (budgetId.length !== 32) throw new RangeError("budget id must be 32 bytes");
  out.set(budgetId, 5);
  writeUint(view, 37, 6, qr.maxAmount, MAX_UINT48, "max amount");
  writeUint(view, 43, 4, qr.nonce, MAX_UINT32, "nonce");
  writeUint(view, 47, 5, qr.deadline, MAX_UINT40, "deadline");
  out.set(getBytes(Signature.from(qr.signature).compactSerialized), 52);
  return PAYMENT_QR_PREFIX + base32nopad.encode(out);
}

/** Reads a scanned text back into the permit's fields; throws {@link PaymentQrError} when it is not one. */
export function decodePaymentQr(text: string): PaymentQr {
  const trimmed = text.trim().toUpperCase();
  if (!trimmed.startsWith(PAYMENT_QR_PREFIX)) {
    throw new PaymentQrError("QR_NOT_TEGOED", "This QR code is not a Tegoed payment code.");
  }
  let bytes: Uint8Array;
  try {
    bytes = base32nopad.decode(trimmed.slice(PAYMENT_QR_PREFIX.length));
  } catch {
    throw new PaymentQrError("QR_MALFORMED", "The payment code is damaged: it could not be read.");
  }
  if (bytes.length > 0 && bytes[0] !== PAYMENT_QR_VERSION) {
    throw new PaymentQrError("QR_VERSION_UNSUPPORTED", `Payment code version ${bytes[0]} is not supported.`);
  }
  if (bytes.length !== PAYLOAD_BYTES) {
    throw new PaymentQrError("QR_MALFORMED", "The payment code is damaged: it has the wrong length.");
  }
  let signature: string;
  try {
    signature = Signature.from(hexlify(bytes.subarray(52, 116))).compactSerialized;
  } catch {
    throw new PaymentQrError("QR_MALFORMED", "The payment code is damaged: its signature is not valid.");
  }
  return {
    fundIndex: Number(readUint(bytes, 1, 4)),
    budgetId: hexlify(bytes.subarray(5, 37)),
    maxAmount: readUint(bytes, 37, 6),
    nonce: readUint(bytes, 43, 4),
    deadline: readUint(bytes, 47, 5),
    signature,
  };
}

/** The EIP-712 permit a QR stands for, once the fund index is resolved to the fund's address. */
export function permitFromQr(qr: PaymentQr, fundAddress: string): PaymentPermit {
  return {
    fund: fundAddress,
    budgetId: zeroPadValue(qr.budgetId, 32),
    maxAmount: qr.maxAmount,
    nonce: qr.nonce,
    deadline: qr.deadline,
  };
}

/** The QR fields for a signed permit (65-byte or compact signature). */
export function qrFromPermit(permit: PaymentPermit, fundIndex: number, signature: string): PaymentQr {
  return {
    fundIndex,
    budgetId: permit.budgetId,
    maxAmount: permit.maxAmount,
    nonce: permit.nonce,
    deadline: permit.deadline,
    signature: Signature.from(signature).compactSerialized,
  };
}

// --- The short code under the QR, for a till whose camera cannot read it (cracked screen, bad light).
// The wallet registers its signed QR with the backend, which answers a short random code standing for
// it until the QR's deadline; the till types the code and gets the QR back. 9 characters from an
// alphabet without look-alikes (no 0/O, 1/I/L), shown in three groups: 31^9 ≈ 2.6·10^13 codes.

export const SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
export const SHORT_CODE_LENGTH = 9;

/** The code as typed (any case, spaces or dashes) in its 9-character form; null when it cannot be one. */
export function normalizeShortCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== SHORT_CODE_LENGTH) return null;
  for (const c of code) if (!SHORT_CODE_ALPHABET.includes(c)) return null;
  return code;
}

/** As shown under the QR: "ABC-DEF-GHJ". */
export function formatShortCode(code: string): string {
  return code.match(/.{1,3}/g)!.join("-");
}
