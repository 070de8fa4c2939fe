export * from "./kinds.ts";
export * from "./notify.ts";
export * from "./worker.ts";
export { queueExpiryNotices } from "./expiry.ts";
export { queueApplicationsDigest, queueDailyDigests } from "./digest.ts";
export { outboxLoginCodeMailer } from "./login-code.ts";
export { outboxRepository, type OutboxRow } from "./outbox.repository.ts";
export * from "./settings.ts";
