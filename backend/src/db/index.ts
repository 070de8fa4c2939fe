// The db adapter: what the layers above may use. SQL lives only in the *.repository.ts files.
export { DEFAULT_DATA_DIR, MEMORY, PREPARED, isDatabaseUnavailable, openDatabase, type DatabaseLog, type DatabaseOptions, type OpenDatabase } from "./connect.ts";
export { appliedMigrations, migrateToLatest } from "./migrate.ts";
export { holdClaims, type ClaimHolder } from "./claim-holder.ts";
export { inTransaction, type Db } from "./transaction.ts";
export * from "./audit-log.repository.ts";
export * from "./chain-index.repository.ts";
export * from "./families.repository.ts";
export * from "./idempotency.repository.ts";
export * from "./spending.repository.ts";
export type { ActorType, BudgetStatus, JsonObject, JsonValue, Language, MerchantStatus, StaffRole } from "./schema.ts";
