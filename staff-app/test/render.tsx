// Renders a screen as the app does: i18n (one instance per test), the API client (a fake: only what the
// test gives it exists) and the staff context (roles, funds).
import type { ReactElement } from "react";
import { render } from "@testing-library/react";
import { I18nextProvider } from "react-i18next";
import type { ApiClient, Fund, StaffRole } from "@tegoed/sdk";
import { ApiContext } from "../src/lib/api.ts";
import { createI18n, type Language } from "../src/lib/i18n.ts";
import { StaffContext, type StaffContextValue } from "../src/lib/session.ts";

export const FUND: Fund = {
  id: "0b8f5f3e-7c1d-4a43-9b1e-5a7c3d2e1f00", chainAddress: "0x1111111111111111111111111111111111111111", name: "Kindpakket 2027", currency: "EUR",
  amountPerChildCents: 300_00, budgetExpiry: "2027-12-31", categories: ["sport", "books"], payoutSchedule: { kind: "daily", at: "17:00" }, timeZone: "Europe/Amsterdam",
  paused: false, pausedReason: null, createdAt: "2026-11-01T10:00:00.000Z",
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends (...args: never[]) => unknown ? T[K] : DeepPartial<T[K]> };

export function renderScreen(
  ui: ReactElement,
  options: { api?: DeepPartial<ApiClient>; roles?: StaffRole[]; language?: Language; fund?: Fund | null } = {},
) {
  const roles = options.roles ?? ["admin", "validator", "finance", "merchant_manager"];
  const fund = options.fund === undefined ? FUND : options.fund;
  const staff: StaffContextValue = {
    user: { id: "6f1c0b9e-2f43-4c55-9a7e-0d7b3f1f2a10", email: "jan@westerkwartier.test", roles, disabled: false, createdAt: "2026-11-01T10:00:00.000Z", totpEnabled: false, mustEnrolTotp: false },
    roles, funds: fund ? [fund] : [], fund, selectFund: () => {}, reloadFunds: async () => {},
  };
  const i18n = createI18n(options.language ?? "en");
  return render(
    <I18nextProvider i18n={i18n}>
      <ApiContext.Provider value={(options.api ?? {}) as ApiClient}>
        <StaffContext.Provider value={staff}>{ui}</StaffContext.Provider>
      </ApiContext.Provider>
    </I18nextProvider>,
  );
}
