export * from "./merchants.service.ts";
export { isValidIban, normalizeIban } from "./iban.ts";
