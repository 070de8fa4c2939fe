// The payment QR: a family's signed permit, packed small enough for old phone cameras.
//
// v1 layout, big-endian, 116 bytes:
//   version 1 | fund index 4 | budget id 32 | max amount (cents) 6 | nonce 4 | deadline (unix s) 5 |
//   compact signature 64 (EIP-2098: r, yParity+s)
// Encoded as "TG" + unpadded RFC 4648 base32: only QR alphanumeric characters, 188 in all, which is
// QR version 8 at error correction M (a 300-byte text would need version 13).
//
// The Tegoed card's QR (v1), a different payload under its own prefix, so a till tells them apart by
// itself (decodeScannedQr):
//   version 1 | card number 5 (12 decimal digits, the last a Luhn check) | card secret S 16 |
//   check 2 (the first bytes of SHA-256 over the rest: a mistyped code is refused here, never taken
//   for a wrong PIN)
// Encoded as "TK" + base32: 41 characters, also printed under the QR in groups of four for typing.
import { base32nopad } from "@scure/base";
import { Signature, getBytes, hexlify, sha256, zeroPadValue } from "ethers";
import type { PaymentPermit } from "./eip712.ts";

export const PAYMENT_QR_PREFIX = "TG";
export const PAYMENT_QR_VERSION = 1;
const PAYLOAD_BYTES = 116;

const MAX_UINT32 = 2n ** 32n - 1n;
const MAX_UINT40 = 2n ** 40n - 1n;
const MAX_UINT48 = 2n ** 48n - 1n;

export const CARD_QR_PREFIX = "TK";
export const CARD_QR_VERSION = 1;
const CARD_PAYLOAD_BYTES = 24;
const CARD_SECRET_BYTES = 16;

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
  return {
    fundIndex: Number(readUint(bytes, 1, 4)),
    budgetId: hexlify(bytes.subarray(5, 37)),
    maxAmount: readUint(bytes, 37, 6),
    nonce: readUint(bytes, 43, 4),
    deadline: readUint(bytes, 47, 5),
    // Any 64 bytes are a compact signature (EIP-2098): the top bit of the second word is the y parity.
    // Whether it is the family's is the contract's to say.
    signature: hexlify(bytes.subarray(52, 116)),
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

/** What a card's QR carries: its public number and the secret that, with the PIN, unlocks its key. */
export interface CardQr {
  /** 12 digits, no spaces. */
  cardNumber: string;
  /** The 128-bit card secret S, as 32 hex digits (no 0x). */
  secret: string;
}

/** A scanned or typed text, recognised: a phone's payment QR or a card's. */
export type ScannedQr = { kind: "payment"; payment: PaymentQr } | { kind: "card"; card: CardQr };

function luhnDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** A card number's 12 digits from its first 11 (the last is a Luhn check, catching most typing slips). */
export function cardNumberFrom(first11: string): string {
  if (!/^\d{11}$/.test(first11)) throw new RangeError("a card number starts with 11 digits");
  return first11 + String(luhnDigit(first11));
}

/** The card number as typed (spaces and dashes allowed) in its 12-digit form; null when it cannot be one. */
export function normalizeCardNumber(input: string): string | null {
  const digits = input.replace(/[\s-]/g, "");
  if (!/^\d{12}$/.test(digits)) return null;
  return luhnDigit(digits.slice(0, 11)) === Number(digits[11]) ? digits : null;
}

/** "1234 5678 9012": the card number as printed. */
export function formatCardNumber(cardNumber: string): string {
  return cardNumber.match(/.{1,4}/g)!.join(" ");
}

function cardCheck(body: Uint8Array): Uint8Array {
  return getBytes(sha256(body)).subarray(0, 2);
}

/** The text of a card's QR (and, in groups, of the code printed under it). */
export function encodeCardQr(card: CardQr): string {
  if (normalizeCardNumber(card.cardNumber) !== card.cardNumber) throw new RangeError("not a valid card number");
  const secret = getBytes("0x" + card.secret);
  if (secret.length !== CARD_SECRET_BYTES) throw new RangeError("the card secret must be 16 bytes");
  const out = new Uint8Array(CARD_PAYLOAD_BYTES);
  const view = new DataView(out.buffer);
  view.setUint8(0, CARD_QR_VERSION);
  writeUint(view, 1, 5, BigInt(card.cardNumber), MAX_UINT40, "card number");
  out.set(secret, 6);
  out.set(cardCheck(out.subarray(0, 22)), 22);
  return CARD_QR_PREFIX + base32nopad.encode(out);
}

/** The card code as printed under the QR: "TKAB CDEF …", groups of four. */
export function formatCardCode(text: string): string {
  return text.match(/.{1,4}/g)!.join(" ");
}

/** Reads a card QR, or its printed code as typed (any case, spaces, dashes; 0 and 1 taken for O and I). */
export function decodeCardQr(text: string): CardQr {
  const cleaned = text.toUpperCase().replace(/[\s-]/g, "");
  if (!cleaned.startsWith(CARD_QR_PREFIX)) throw new PaymentQrError("QR_NOT_TEGOED", "This is not a Tegoed card code.");
  let bytes: Uint8Array;
  try {
    bytes = base32nopad.decode(cleaned.slice(CARD_QR_PREFIX.length).replace(/0/g, "O").replace(/1/g, "I"));
  } catch {
    throw new PaymentQrError("QR_MALFORMED", "The card code could not be read: check it and try again.");
  }
  if (bytes.length > 0 && bytes[0] !== CARD_QR_VERSION) {
    throw new PaymentQrError("QR_VERSION_UNSUPPORTED", `Card code version ${bytes[0]} is not supported.`);
  }
  if (bytes.length !== CARD_PAYLOAD_BYTES) throw new PaymentQrError("QR_MALFORMED", "The card code has the wrong length: check it and try again.");
  const check = cardCheck(bytes.subarray(0, 22));
  const cardNumber = readUint(bytes, 1, 5).toString().padStart(12, "0");
  if (check[0] !== bytes[22] || check[1] !== bytes[23] || normalizeCardNumber(cardNumber) !== cardNumber) {
    throw new PaymentQrError("QR_MALFORMED", "The card code is not right: check it and try again.");
  }
  return { cardNumber, secret: hexlify(bytes.subarray(6, 22)).slice(2) };
}

/** Tells a phone's payment QR from a card's by its prefix and decodes it; throws {@link PaymentQrError}. */
export function decodeScannedQr(text: string): ScannedQr {
  const start = text.trim().toUpperCase();
  if (start.startsWith(CARD_QR_PREFIX)) return { kind: "card", card: decodeCardQr(text) };
  return { kind: "payment", payment: decodePaymentQr(text) };
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
