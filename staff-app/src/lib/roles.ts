// What each staff role may do, as the backend enforces it (backend/src/http/*.routes.ts). The UI shows
// only what the user's roles allow; the backend refuses the rest anyway.
import type { StaffRole } from "@tegoed/sdk";

export const ACTIONS = {
  "fund.create": ["admin"],
  "fund.pause": ["admin"],
  "fund.deposit": ["finance"],
  "families.import": ["validator"],
  "families.approve": ["validator"],
  "budgets.issue": ["validator"],
  "letters.issue": ["validator"],
  "budgets.topUp": ["validator"],
  "families.search": ["validator", "admin", "auditor"],
  "budgets.freeze": ["validator"],
  "access.reissue": ["validator"],
  "families.delete": ["admin"],
  "shops.review": ["merchant_manager"],
  "payouts.view": ["finance", "admin", "auditor"],
  "payouts.run": ["finance"],
  "payouts.approve": ["finance"],
  "payouts.schedule": ["finance", "admin"],
  "dashboard.view": ["admin", "validator", "merchant_manager", "finance", "auditor"],
  "audit.view": ["admin", "auditor"],
  "applications.view": ["validator", "admin", "auditor"],
  "applications.review": ["validator"],
  "applications.configure": ["admin", "validator"],
} as const satisfies Record<string, readonly StaffRole[]>;

export type Action = keyof typeof ACTIONS;

export function can(roles: readonly StaffRole[], action: Action): boolean {
  return (ACTIONS[action] as readonly StaffRole[]).some((role) => roles.includes(role));
}
