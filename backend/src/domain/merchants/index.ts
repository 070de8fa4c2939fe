export * from "./service.ts";
export { isValidIban, normalizeIban } from "./iban.ts";
