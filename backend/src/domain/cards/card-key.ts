// The card's key, as DESIGN.md "The Tegoed card" has it. At issue: a fresh holder key K, a 128-bit card
// secret S (printed in the card's QR), a 5-digit PIN (printed on a separate letter) and a random salt;
// K is stored only wrapped:
//
//   wrapping key = HKDF-SHA256(ikm = S ‖ PIN ‖ salt, salt = pepper, info = card number, 32 bytes)
//   wrapped K    = iv (12) ‖ AES-256-GCM(wrapping key, iv, K, aad = K's address) ‖ tag (16)
//
// The pepper is the server's secret from a file (CARD_PEPPER_FILE), not from the database. S and the
// PIN are never stored, so neither a copy of the database nor of the configuration can unwrap K: the
// 128 bits of S are missing. A wrong PIN fails the GCM tag: that is the PIN check. No slow KDF: S
// carries the entropy, and the PIN only gates use online (the tries are counted before unwrapping).
//
// K lives in a Buffer for one synchronous call (unwrap, sign, zero): no await in between. The signer
// library keeps its own transient copy while signing, which the garbage collector takes.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomInt } from "node:crypto";
import { SigningKey, TypedDataEncoder, computeAddress, type Signature } from "ethers";
import { PAYMENT_PERMIT_TYPES, cardNumberFrom, fundDomain, type PaymentPermit } from "@tegoed/sdk";

export const CARD_SECRET_BYTES = 16;
export const PIN_DIGITS = 5;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** What the database keeps of a card's key. */
export interface WrappedCardKey {
  cardNumber: string;
  /** Hex. */
  salt: string;
  /** Hex: iv ‖ ciphertext ‖ tag. */
  wrappedKey: string;
  /** K's address (lower case): the budgets' holder on chain. */
  holderAddress: string;
}

/** A new card: what is stored, and what is printed (S in the QR, the PIN on the letter) and then forgotten. */
export interface NewCardKey extends WrappedCardKey {
  /** Hex, 32 digits. */
  secret: string;
  pin: string;
}

export function newCardNumber(): string {
  let first11 = "";
  // The first digit is never 0, so the number never loses a digit anywhere it is read as a number.
  first11 += String(1 + randomInt(9));
  for (let i = 1; i < 11; i++) first11 += String(randomInt(10));
  return cardNumberFrom(first11);
}

function wrappingKey(secret: Buffer, pin: string, salt: Buffer, cardNumber: string, pepper: Uint8Array): Buffer {
  const ikm = Buffer.concat([secret, Buffer.from(pin, "utf8"), salt]);
  try {
    return Buffer.from(hkdfSync("sha256", ikm, pepper, Buffer.from(cardNumber, "utf8"), KEY_BYTES));
  } finally {
    ikm.fill(0);
  }
}

/** A fresh K, S, PIN and salt for a card with this number; K leaves only wrapped. */
export function createCardKey(cardNumber: string, pepper: Uint8Array): NewCardKey {
  const key = randomBytes(KEY_BYTES);
  const secret = randomBytes(CARD_SECRET_BYTES);
  const salt = randomBytes(SALT_BYTES);
  const pin = String(randomInt(10 ** PIN_DIGITS)).padStart(PIN_DIGITS, "0");
  const wrapping = wrappingKey(secret, pin, salt, cardNumber, pepper);
  try {
    const holderAddress = computeAddress(new SigningKey(key)).toLowerCase();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", wrapping, iv);
    cipher.setAAD(Buffer.from(holderAddress, "utf8"));
    const wrapped = Buffer.concat([iv, cipher.update(key), cipher.final(), cipher.getAuthTag()]);
    return { cardNumber, salt: salt.toString("hex"), wrappedKey: wrapped.toString("hex"), holderAddress, secret: secret.toString("hex"), pin };
  } finally {
    key.fill(0);
    wrapping.fill(0);
  }
}

/** K, or null when the GCM tag fails (a wrong PIN, or a secret that is not this card's). The caller zeroes it. */
function unwrap(card: WrappedCardKey, secretHex: string, pin: string, pepper: Uint8Array): Buffer | null {
  const secret = Buffer.from(secretHex, "hex");
  const wrapped = Buffer.from(card.wrappedKey, "hex");
  if (secret.length !== CARD_SECRET_BYTES || wrapped.length !== IV_BYTES + KEY_BYTES + TAG_BYTES) return null;
  const wrapping = wrappingKey(secret, pin, Buffer.from(card.salt, "hex"), card.cardNumber, pepper);
  secret.fill(0);
  try {
    const decipher = createDecipheriv("aes-256-gcm", wrapping, wrapped.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(card.holderAddress, "utf8"));
    decipher.setAuthTag(wrapped.subarray(IV_BYTES + KEY_BYTES));
    const key = decipher.update(wrapped.subarray(IV_BYTES, IV_BYTES + KEY_BYTES));
    try {
      decipher.final();
    } catch {
      key.fill(0);
      return null;
    }
    return key;
  } finally {
    wrapping.fill(0);
  }
}

/** Whether S and the PIN open this card (K is unwrapped and zeroed at once). */
export function opensCard(card: WrappedCardKey, secretHex: string, pin: string, pepper: Uint8Array): boolean {
  const key = unwrap(card, secretHex, pin, pepper);
  if (!key) return false;
  key.fill(0);
  return true;
}

/**
 * Signs `permit` with the card's K; null when S or the PIN is wrong. K exists only inside this call.
 * Returns the 65-byte signature as hex.
 */
export function signWithCard(
  card: WrappedCardKey, secretHex: string, pin: string, pepper: Uint8Array, chainId: bigint, permit: PaymentPermit,
): string | null {
  const key = unwrap(card, secretHex, pin, pepper);
  if (!key) return null;
  try {
    const digest = TypedDataEncoder.hash(fundDomain(permit.fund, chainId), PAYMENT_PERMIT_TYPES, { ...permit });
    const signature: Signature = new SigningKey(key).sign(digest);
    return signature.serialized;
  } finally {
    key.fill(0);
  }
}
