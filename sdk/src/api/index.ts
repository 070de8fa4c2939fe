export * from "./client.ts";
export * from "./staff.ts";
export * from "./health.ts";
export * from "./funds.ts";
export * from "./eligibility.ts";
export * from "./family.ts";
export * from "./merchants.ts";
export * from "./payments.ts";
