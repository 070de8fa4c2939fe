import { describe, expect, it } from "vitest";
import { computeAddress } from "ethers";
import {
  MAX_PIN_ATTEMPTS, PIN_LOCK_MS, PinLockedError, WrongPinError, createDeviceKey, memoryKeyStorage, unlockDeviceKey,
} from "../src/lib/keystore.ts";

const FAST = 1000; // PBKDF2 rounds: the real count is slow on purpose

describe("the device key under a PIN", () => {
  it("stores only ciphertext and the address; the right PIN gives back the same key", async () => {
    const { stored, signingKey } = await createDeviceKey("12345", FAST);
    expect(JSON.stringify(stored)).not.toContain(signingKey.privateKey.slice(2));
    expect(stored.address).toBe(computeAddress(signingKey.publicKey));
    const storage = memoryKeyStorage(stored);
    expect((await unlockDeviceKey(storage, "12345")).privateKey).toBe(signingKey.privateKey);
  });

  it("counts wrong PINs down and locks after the fifth, until the wait is over", async () => {
    const { stored } = await createDeviceKey("12345", FAST);
    const storage = memoryKeyStorage(stored);
    const now = Date.parse("2026-11-23T14:00:00Z");
    for (let left = MAX_PIN_ATTEMPTS - 1; left >= 1; left--) {
      await expect(unlockDeviceKey(storage, "99999", now)).rejects.toEqual(new WrongPinError(left));
    }
    const locked = await unlockDeviceKey(storage, "99999", now).catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(PinLockedError);
    expect((locked as PinLockedError).until).toBe(now + PIN_LOCK_MS);
    // Even the right PIN waits.
    await expect(unlockDeviceKey(storage, "12345", now + 1000)).rejects.toBeInstanceOf(PinLockedError);
    await expect(unlockDeviceKey(storage, "12345", now + PIN_LOCK_MS + 1)).resolves.toBeDefined();
    expect((await storage.load())!.failedAttempts).toBe(0);
  });
});
