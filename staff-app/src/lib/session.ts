// Who is logged in and which fund the screens work on: set by the app, read by the features.
import { createContext, useContext } from "react";
import type { Fund, StaffRole, StaffUser } from "@tegoed/sdk";

export interface StaffContextValue {
  user: StaffUser;
  roles: readonly StaffRole[];
  funds: readonly Fund[];
  /** The fund chosen in the header; null when there is none yet. */
  fund: Fund | null;
  selectFund(id: string): void;
  /** Reloads the funds (after creating or pausing one). */
  reloadFunds(): Promise<void>;
}

export const StaffContext = createContext<StaffContextValue | null>(null);

export function useStaff(): StaffContextValue {
  const value = useContext(StaffContext);
  if (!value) throw new Error("useStaff outside <StaffContext.Provider>");
  return value;
}
