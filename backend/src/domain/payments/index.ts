export * from "./payments.service.ts";
export * from "./pay-codes.ts";
export * from "./warm.ts";
