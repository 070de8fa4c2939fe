// Eligibility: families and children, their budgets on chain, activation and the family's own view.
export * from "./activation-codes.ts";
export * from "./activation.service.ts";
export * from "./budgets.service.ts";
export * from "./device-login.ts";
export type { EligibilityDeps } from "./deps.ts";
export type { BudgetRecord, FamilyOverview, HistoryEntry } from "./eligibility.repository.ts";
export * from "./families.service.ts";
export * from "./family.service.ts";
export * from "./letter.ts";
export * from "./letter-pdf.ts";
