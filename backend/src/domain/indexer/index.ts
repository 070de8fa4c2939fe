export * from "./indexer.ts";
