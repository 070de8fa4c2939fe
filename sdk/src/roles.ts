// What each staff role may do: one table, from which the backend builds its route guards and the staff
// app decides what to show. A change here changes both. The admin may do the validator's and the shop
// manager's work; money moves (deposits, payout runs) stay with finance.
import { STAFF_ROLES, type StaffRole } from "./api/staff.ts";

const EVERY_ROLE = STAFF_ROLES;

export const STAFF_ACTIONS = {
  "fund.view": EVERY_ROLE,
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
  "cards.manage": ["validator", "admin"],
  "families.delete": ["admin"],
  "shops.review": ["merchant_manager", "admin"],
  "shops.view": ["merchant_manager", "admin", "auditor", "finance"],
  "payouts.view": ["finance", "admin", "auditor"],
  "payouts.run": ["finance"],
  "payouts.approve": ["finance"],
  "payouts.schedule": ["finance", "admin"],
  "dashboard.view": EVERY_ROLE,
  "audit.view": ["admin", "auditor"],
  "staff.manage": ["admin"],
  "family.email": ["validator", "admin"],
  "mail.view": ["admin", "finance", "auditor"],
  "mail.retry": ["admin", "finance"],
  "applications.view": ["validator", "admin", "auditor"],
  "applications.review": ["validator", "admin"],
  "applications.configure": ["admin", "validator"],
  /** Seeing an applicant's BSN: the validators' own work, no one else's. */
  "applications.bsn": ["validator"],
} as const satisfies Record<string, readonly StaffRole[]>;

export type StaffAction = keyof typeof STAFF_ACTIONS;

/** Whether a user with these roles may do `action`. */
export function staffMay(roles: readonly StaffRole[], action: StaffAction): boolean {
  return (STAFF_ACTIONS[action] as readonly StaffRole[]).some((role) => roles.includes(role));
}
