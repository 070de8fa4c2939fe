export * from "./service.ts";
export * from "./pay-codes.ts";
