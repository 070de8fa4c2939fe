// The card pepper: 32 random bytes in a file of their own (CARD_PEPPER_FILE), never in the database,
// mixed into every card's wrapping key. The local demo makes one in its data folder; production refuses
// to start without the file, since a new pepper would make every card unusable.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const PEPPER_BYTES = 32;

/** Reads the pepper (64 hex digits); creates the file first when allowed and missing. */
export function loadCardPepper(file: string, options: { create: boolean }): Buffer {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT" || !options.create) {
      throw new Error(`CARD_PEPPER_FILE ${file} cannot be read: ${(error as Error).message}`, { cause: error });
    }
    mkdirSync(dirname(file), { recursive: true });
    text = randomBytes(PEPPER_BYTES).toString("hex");
    // wx: two processes starting at once never overwrite each other's pepper.
    try {
      writeFileSync(file, `${text}\n`, { mode: 0o600, flag: "wx" });
    } catch {
      text = readFileSync(file, "utf8");
    }
  }
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`CARD_PEPPER_FILE ${file} must hold 64 hex digits (32 random bytes)`);
  return Buffer.from(hex, "hex");
}
