export * from "./payments.service.ts";
