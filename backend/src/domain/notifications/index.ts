export * from "./kinds.ts";
export * from "./notify.ts";
export * from "./worker.ts";
export { queueExpiryNotices } from "./expiry.ts";
export { queueApplicationsDigest } from "./digest.ts";
export { outboxRepository, type OutboxRow } from "./outbox.repository.ts";
export * from "./settings.ts";
