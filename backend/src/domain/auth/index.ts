export * from "./sessions.ts";
export { hashPassword, verifyPassword } from "./passwords.ts";
export type { AttemptPolicy } from "./login-attempts.repository.ts";
