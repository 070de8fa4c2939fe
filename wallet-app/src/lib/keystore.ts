// The family's signing key lives only on this phone, encrypted under the PIN: PBKDF2 (SHA-256) turns
// the PIN into an AES-GCM key. WebCrypto does both natively, fast enough on old phones. After
// MAX_PIN_ATTEMPTS wrong PINs the key stays locked for a while, counted in the stored record so a
// reload does not reset it. The secp256k1 code loads when a key is made or unlocked, not with the first
// screen.
import type { SigningKey } from "ethers";

/** The secp256k1 code (ethers' SigningKey): loaded by the first key made or unlocked, or ahead by the app. */
export const loadSigningKey = () => import("./signing-key.ts");

export const PIN_LENGTH = 5;
export const MAX_PIN_ATTEMPTS = 5;
export const PIN_LOCK_MS = 5 * 60 * 1000;
export const PBKDF2_ITERATIONS = 310_000;

export interface StoredKey {
  address: string;
  salt: string; // base64
  iv: string; // base64
  ciphertext: string; // base64
  iterations: number;
  failedAttempts: number;
  /** Epoch ms until which the PIN is not even tried. */
  lockedUntil: number | null;
}

/** Where the encrypted key is kept: IndexedDB in the browser, memory in tests. */
export interface KeyStorage {
  load(): Promise<StoredKey | undefined>;
  save(key: StoredKey): Promise<void>;
  clear(): Promise<void>;
}

export class WrongPinError extends Error {
  readonly attemptsLeft: number;
  constructor(attemptsLeft: number) {
    super("wrong PIN");
    this.attemptsLeft = attemptsLeft;
    this.name = "WrongPinError";
  }
}

export class PinLockedError extends Error {
  readonly until: number;
  constructor(until: number) {
    super("PIN locked");
    this.until = until;
    this.name = "PinLockedError";
  }
}

export function isValidPin(pin: string): boolean {
  return new RegExp(`^\\d{${PIN_LENGTH}}$`).test(pin);
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function pinKey(pin: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as BufferSource, iterations },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** A new random key, encrypted under `pin`; returns the record to store and the key itself. */
export async function createDeviceKey(pin: string, iterations = PBKDF2_ITERATIONS): Promise<{ stored: StoredKey; signingKey: SigningKey }> {
  const { SigningKey, computeAddress, hexlify } = await loadSigningKey();
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const signingKey = new SigningKey(hexlify(secret));
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await pinKey(pin, salt, iterations), secret),
  );
  secret.fill(0);
  return {
    signingKey,
    stored: {
      address: computeAddress(signingKey.publicKey),
      salt: toBase64(salt), iv: toBase64(iv), ciphertext: toBase64(ciphertext),
      iterations, failedAttempts: 0, lockedUntil: null,
    },
  };
}

/** Decrypts the stored key with `pin`; counts wrong PINs and locks after MAX_PIN_ATTEMPTS. */
export async function unlockDeviceKey(storage: KeyStorage, pin: string, now = Date.now()): Promise<SigningKey> {
  const [stored, { SigningKey, hexlify }] = await Promise.all([storage.load(), loadSigningKey()]);
  if (!stored) throw new Error("no key on this device");
  if (stored.lockedUntil !== null && stored.lockedUntil > now) throw new PinLockedError(stored.lockedUntil);
  try {
    const key = await pinKey(pin, fromBase64(stored.salt), stored.iterations);
    const secret = new Uint8Array(
      await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(stored.iv) as BufferSource }, key, fromBase64(stored.ciphertext) as BufferSource),
    );
    const signingKey = new SigningKey(hexlify(secret));
    secret.fill(0);
    if (stored.failedAttempts > 0 || stored.lockedUntil !== null) await storage.save({ ...stored, failedAttempts: 0, lockedUntil: null });
    return signingKey;
  } catch {
    // AES-GCM refuses to decrypt under a wrong key: that is a wrong PIN.
    const failedAttempts = stored.failedAttempts + 1;
    if (failedAttempts >= MAX_PIN_ATTEMPTS) {
      const until = now + PIN_LOCK_MS;
      await storage.save({ ...stored, failedAttempts: 0, lockedUntil: until });
      throw new PinLockedError(until);
    }
    await storage.save({ ...stored, failedAttempts, lockedUntil: null });
    throw new WrongPinError(MAX_PIN_ATTEMPTS - failedAttempts);
  }
}

export function memoryKeyStorage(initial?: StoredKey): KeyStorage {
  let value = initial;
  return {
    load: async () => value,
    save: async (key) => void (value = key),
    clear: async () => void (value = undefined),
  };
}

const DB_NAME = "tegoed-wallet";
const STORE = "keys";
const RECORD = "device";

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function inStore<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = act(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result as T);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

export function indexedDbKeyStorage(): KeyStorage {
  return {
    load: () => inStore<StoredKey | undefined>("readonly", (s) => s.get(RECORD)),
    save: (key) => inStore<void>("readwrite", (s) => s.put(key, RECORD)),
    clear: () => inStore<void>("readwrite", (s) => s.delete(RECORD)),
  };
}
