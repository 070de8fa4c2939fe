// What each staff role may do, as the backend enforces it (backend/src/http/*.routes.ts). The UI shows
// only what the user's roles allow; the backend refuses the rest anyway. The admin sees every screen and
// may do the validator's and the shop manager's work; money moves (deposits, payout runs) stay with finance.
import type { StaffRole } from "@tegoed/sdk";

export const ACTIONS = {
  "fund.create": ["admin"],
  "fund.pause": ["admin"],
  "fund.deposit": ["finance"],
  "families.import": ["validator", "admin"],
  "families.approve": ["validator", "admin"],
  "budgets.issue": ["validator", "admin"],
  "letters.issue": ["validator", "admin"],
  "budgets.topUp": ["validator", "admin"],
  "families.search": ["validator", "admin", "auditor"],
  "budgets.freeze": ["validator", "admin"],
  "access.reissue": ["validator", "admin"],
  "families.delete": ["admin"],
  "shops.review": ["merchant_manager", "admin"],
  "payouts.view": ["finance", "admin", "auditor"],
  "payouts.run": ["finance"],
  "payouts.approve": ["finance"],
  "payouts.schedule": ["finance", "admin"],
  "dashboard.view": ["admin", "validator", "merchant_manager", "finance", "auditor"],
  "audit.view": ["admin", "auditor"],
} as const satisfies Record<string, readonly StaffRole[]>;

export type Action = keyof typeof ACTIONS;

export function can(roles: readonly StaffRole[], action: Action): boolean {
  return (ACTIONS[action] as readonly StaffRole[]).some((role) => roles.includes(role));
}
