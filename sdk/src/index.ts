export * from "./eip712.ts";
export * from "./deployment.ts";
export * from "./errors.ts";
export * from "./generated/abis.ts";
export * from "./qr.ts";
export * from "./roles.ts";
export * from "./api/index.ts";
