export * from "./staff.service.ts";
export type { StaffUserRecord } from "./staff.repository.ts";
