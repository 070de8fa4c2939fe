// IBAN check (ISO 13616): country code, two check digits, then the account (BBAN); valid when the
// number formed by BBAN + country + check digits, letters as 10..35, is 1 modulo 97.
// A stop-gap: `ibantools` (not installed here) should replace it, for its per-country BBAN formats.

/** Lengths of the IBANs of the SEPA countries; other countries get only the general 15..34 check. */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18, FR: 27,
  GB: 22, GI: 23, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27,
  MT: 31, NL: 18, NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27, VA: 22,
};

/** The IBAN in its electronic form: spaces removed, upper case. */
export function normalizeIban(input: string): string {
  return input.replace(/[\s-]+/g, "").toUpperCase();
}

/** Whether `input` (printed or electronic form) is a well-formed IBAN with a correct checksum. */
export function isValidIban(input: string): boolean {
  const iban = normalizeIban(input);
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected !== undefined && iban.length !== expected) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const value = char >= "A" ? char.charCodeAt(0) - 55 : char.charCodeAt(0) - 48;
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}
