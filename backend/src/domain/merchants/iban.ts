// IBANs of shops, checked with ibantools: the country's length and BBAN format, and the ISO 13616
// mod-97 checksum. Shops may type them with spaces, in lower case; we store the electronic form.
import { electronicFormatIBAN, isValidIBAN } from "ibantools";

/** The IBAN in its electronic form: spaces and dashes removed, upper case. */
export function normalizeIban(input: string): string {
  return electronicFormatIBAN(input.replace(/-/g, "")) ?? "";
}

/** Whether `input` (printed or electronic form) is a valid IBAN for its country. */
export function isValidIban(input: string): boolean {
  return isValidIBAN(normalizeIban(input));
}
