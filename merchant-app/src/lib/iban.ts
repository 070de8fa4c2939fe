// IBAN check as the shop types it, with ibantools (as the backend checks it): the country's length and
// account format, and the ISO 13616 mod-97 check digits. Shorter than the country's length is still
// being typed, not wrong.
import { electronicFormatIBAN, friendlyFormatIBAN, getCountrySpecifications, isValidIBAN } from "ibantools";

export type IbanState = "empty" | "incomplete" | "invalid" | "valid";

const COUNTRIES = getCountrySpecifications();

export function normalizeIban(text: string): string {
  return electronicFormatIBAN(text.replace(/-/g, "")) ?? "";
}

/** "NL91ABNA0417164300" → "NL91 ABNA 0417 1643 00". */
export function printIban(text: string): string {
  return friendlyFormatIBAN(normalizeIban(text)) ?? "";
}

export function checkIban(text: string): IbanState {
  const iban = normalizeIban(text);
  if (iban === "") return "empty";
  if (!/^[A-Z]{1,2}$|^[A-Z]{2}\d{0,2}[A-Z0-9]*$/.test(iban)) return "invalid";
  if (iban.length < 2) return "incomplete";
  const length = COUNTRIES[iban.slice(0, 2)]?.chars;
  if (!length) return "invalid"; // not a country with IBANs
  if (iban.length < length) return "incomplete";
  return isValidIBAN(iban) ? "valid" : "invalid";
}
