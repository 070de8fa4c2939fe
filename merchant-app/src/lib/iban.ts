// IBAN check as the shop types it: country format and the ISO 7064 mod-97 check digits.

export type IbanState = "empty" | "incomplete" | "invalid" | "valid";

// Lengths of the SEPA countries a Dutch municipality will meet most; others get the generic 15..34.
const LENGTHS: Record<string, number> = { NL: 18, BE: 16, DE: 22, FR: 27, LU: 20, ES: 24, IT: 27, AT: 20, GB: 22, IE: 22 };

export function normalizeIban(text: string): string {
  return text.replace(/[\s-]+/g, "").toUpperCase();
}

/** "NL91ABNA0417164300" → "NL91 ABNA 0417 1643 00". */
export function printIban(text: string): string {
  return normalizeIban(text).replace(/(.{4})(?=.)/g, "$1 ");
}

function mod97(digits: string): number {
  let rest = 0;
  for (const ch of digits) rest = (rest * 10 + (ch.charCodeAt(0) - 48)) % 97;
  return rest;
}

export function checkIban(text: string): IbanState {
  const iban = normalizeIban(text);
  if (iban === "") return "empty";
  if (!/^[A-Z]{2}\d{0,2}[A-Z0-9]*$/.test(iban)) return "invalid";
  const expected = LENGTHS[iban.slice(0, 2)];
  if (expected !== undefined ? iban.length < expected : iban.length < 15) return "incomplete";
  if (expected !== undefined ? iban.length > expected : iban.length > 34) return "invalid";
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return "invalid";
  const moved = iban.slice(4) + iban.slice(0, 4);
  const digits = moved.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  return mod97(digits) === 1 ? "valid" : "invalid";
}
