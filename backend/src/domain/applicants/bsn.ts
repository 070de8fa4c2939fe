// The citizen service number (BSN), only for a fund that needs it. It arrives as a claim of the
// identity provider's login and is sealed at once with AES-256-GCM under a key read from BSN_KEY_FILE
// (never the database). The associated data names what the sealed number belongs to (a login of one
// applicant, or one application), so a sealed value copied to another row or person does not open.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The BSN's eleven-test: 9·d1 + 8·d2 + … + 2·d8 − d9 is a multiple of 11 (and not all zeros). */
export function isValidBsn(text: string): boolean {
  if (!/^\d{9}$/.test(text) || text === "000000000") return false;
  const digits = [...text].map(Number);
  const sum = digits.slice(0, 8).reduce((acc, d, i) => acc + d * (9 - i), 0) - digits[8]!;
  return sum % 11 === 0;
}

/** iv ‖ ciphertext ‖ tag. */
export function sealBsn(key: Uint8Array, bsn: string, belongsTo: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(belongsTo, "utf8"));
  const body = Buffer.concat([cipher.update(bsn, "utf8"), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** The BSN, or null when the value is not one sealed under this key for `belongsTo`. */
export function openBsn(key: Uint8Array, sealed: Uint8Array, belongsTo: string): string | null {
  if (sealed.length < IV_BYTES + TAG_BYTES + 9) return null;
  const data = Buffer.from(sealed);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(belongsTo, "utf8"));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    const bsn = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]).toString("utf8");
    return isValidBsn(bsn) ? bsn : null;
  } catch {
    return null;
  }
}

/**
 * The key from its file: 64 hex digits (32 random bytes), nothing weaker. `create`: a missing file is
 * made with a fresh key (development only; production refuses to start without the file).
 */
export function loadBsnKey(file: string, options: { create: boolean }): Buffer {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT" || !options.create) {
      throw new Error(`BSN_KEY_FILE ${file} cannot be read: ${(error as Error).message}`, { cause: error });
    }
    mkdirSync(dirname(file), { recursive: true });
    text = randomBytes(KEY_BYTES).toString("hex");
    try {
      writeFileSync(file, `${text}\n`, { mode: 0o600, flag: "wx" });
    } catch {
      text = readFileSync(file, "utf8");
    }
  }
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`BSN_KEY_FILE ${file} must hold 64 hex digits (32 random bytes)`);
  const key = Buffer.from(hex, "hex");
  // A key of one repeated byte (all zeros, "aaaa…") is a placeholder, not a secret.
  if (new Set(key).size < 8) throw new Error(`BSN_KEY_FILE ${file} holds a placeholder, not a random key (e.g. \`openssl rand -hex 32\`)`);
  return key;
}
