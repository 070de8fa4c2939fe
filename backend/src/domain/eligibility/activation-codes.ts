// Activation codes: 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown in groups
// of four. The first four are the selector, stored plainly to find the row; the whole code is stored
// only as a salted scrypt hash. Plus a per-client guess limiter for the HTTP layer.
//
// A posted letter must show the same code whenever staff open it again, yet the database must not hold
// the code. So a letter's code is derived: HMAC-SHA256(server secret, family id and the family's letter
// serial), mapped onto the alphabet. Chosen over storing the code encrypted because nothing reversible
// sits in the database (a copy of it and the hashes give nothing without the secret), and there is no
// ciphertext to migrate: a changed secret only means an old letter cannot be shown again, which the
// stored hash detects, and staff then make a new code.
import { createHmac, randomBytes, randomInt, scryptSync, timingSafeEqual } from "node:crypto";
import { DomainError } from "@tegoed/sdk";

export const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
export const CODE_LENGTH = 12;
export const SELECTOR_LENGTH = 4;

export interface ActivationCode {
  /** The 12 characters, no separators (what the QR holds). */
  code: string;
  /** As printed: "ABCD-EFGH-JKMN". */
  display: string;
  selector: string;
}

export function generateActivationCode(): ActivationCode {
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return { code, display: displayCode(code), selector: code.slice(0, SELECTOR_LENGTH) };
}

/** The code of a family's letter number `serial`, the same every time for the same secret. */
export function deriveActivationCode(secret: string, familyId: string, serial: number): ActivationCode {
  const mac = createHmac("sha256", secret).update(`tegoed activation letter\0${familyId}\0${serial}`).digest();
  // 256 bits taken apart in base 31: the bias of 12 digits is far below anything a guesser could use.
  let n = BigInt(`0x${mac.toString("hex")}`);
  let code = "";
  const base = BigInt(CODE_ALPHABET.length);
  for (let i = 0; i < CODE_LENGTH; i++) {
    code += CODE_ALPHABET[Number(n % base)];
    n /= base;
  }
  return { code, display: displayCode(code), selector: code.slice(0, SELECTOR_LENGTH) };
}

export function displayCode(code: string): string {
  return code.match(/.{1,4}/g)!.join("-");
}

/** The code as typed (any case, spaces or dashes) in its 12-character form; null when it cannot be one. */
export function normalizeCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== CODE_LENGTH) return null;
  for (const c of code) if (!CODE_ALPHABET.includes(c)) return null;
  return code;
}

const SCRYPT = { N: 16384, r: 8, p: 1 } as const;

export function hashCode(code: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(code, salt, 32, SCRYPT);
  return `scrypt$${salt.toString("hex")}$${hash.toString("hex")}`;
}

export function verifyCode(code: string, stored: string): boolean {
  const [scheme, saltHex, hashHex] = stored.split("$");
  if (scheme !== "scrypt" || !saltHex || !hashHex) return false;
  const expected = Buffer.from(hashHex, "hex");
  const actual = scryptSync(code, Buffer.from(saltHex, "hex"), expected.length, SCRYPT);
  return timingSafeEqual(actual, expected);
}

/** RATE_LIMITED with when to try again. */
export function rateLimited(retryAt: Date, now: Date, facts: Record<string, string> = {}): DomainError {
  return new DomainError("RATE_LIMITED", undefined, {
    ...facts, retryAt: retryAt.toISOString(), retryAfterSeconds: String(Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000))),
  });
}

export interface GuessLimiterOptions {
  /** Wrong guesses allowed per client in one window. Default 20. */
  maxFailures?: number;
  /** Default 15 minutes. */
  windowMs?: number;
  clock?: () => Date;
}

/**
 * Counts wrong activation codes per client (an IP address, say) in a fixed window, in memory: one per
 * process, so with several replicas each counts on its own. The HTTP layer calls `assertAllowed` before
 * an activation and `recordFailure` after a refused code (activateFamily does both when given one).
 */
export class GuessLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #clock: () => Date;
  readonly #entries = new Map<string, { failures: number; windowEnds: number }>();

  constructor(options: GuessLimiterOptions = {}) {
    this.#max = options.maxFailures ?? 20;
    this.#windowMs = options.windowMs ?? 15 * 60 * 1000;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** RATE_LIMITED when the client used up its wrong guesses for this window. */
  assertAllowed(clientKey: string): void {
    const now = this.#clock();
    const entry = this.#current(clientKey, now.getTime());
    if (entry && entry.failures >= this.#max) throw rateLimited(new Date(entry.windowEnds), now, { scope: "client" });
  }

  recordFailure(clientKey: string): void {
    const now = this.#clock().getTime();
    const entry = this.#current(clientKey, now) ?? { failures: 0, windowEnds: now + this.#windowMs };
    entry.failures += 1;
    this.#entries.set(clientKey, entry);
    if (this.#entries.size > 100_000) this.#sweep(now);
  }

  #current(clientKey: string, now: number) {
    const entry = this.#entries.get(clientKey);
    if (entry && entry.windowEnds <= now) {
      this.#entries.delete(clientKey);
      return undefined;
    }
    return entry;
  }

  #sweep(now: number) {
    for (const [key, entry] of this.#entries) if (entry.windowEnds <= now) this.#entries.delete(key);
  }
}
