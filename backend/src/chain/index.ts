// The chain adapter: what the domain services may use. No Express, no database here.
export * from "./errors.ts";
export * from "./events.ts";
export * from "./fund-client.ts";
export * from "./http-provider.ts";
export * from "./relayer.ts";
