import type { SigningKey } from "ethers";
// Fixtures for component tests: children as the API answers them, a fake WalletApi, and the app or a
// screen rendered with a fresh i18n instance.
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { I18nextProvider } from "react-i18next";
import { vi } from "vitest";
import { ApiError, type FamilySession } from "@tegoed/sdk";
import type { Shop, WalletApi, WalletChild } from "../src/lib/api.ts";
import type { ChildrenCache, ChildrenSnapshot } from "../src/lib/cache.ts";
import { createI18n } from "../src/lib/i18n.ts";

export const FUND = {
  id: "0b8f5f3e-7c1d-4a43-9b1e-5a7c3d2e1f00",
  name: "Kindpakket 2027",
  chainAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  chainId: 31337,
  index: 3,
  timeZone: "Europe/Amsterdam",
};

export const BUDGET_ANNA = `0x${"a1".repeat(32)}`;
export const BUDGET_BRAM = `0x${"b2".repeat(32)}`;

export function child(overrides: Partial<WalletChild> = {}): WalletChild {
  return {
    childId: "7d4c2a10-0000-4000-8000-000000000001",
    firstName: "Anna",
    birthYear: 2015,
    budgetId: BUDGET_ANNA,
    status: "issued",
    balanceCents: 300_00,
    spentCents: 0,
    expiresAt: "2027-12-31T23:59:59.000Z",
    frozen: false,
    activated: true,
    history: [],
    fund: FUND,
    nonce: 0,
    ...overrides,
  };
}

export const bram = (overrides: Partial<WalletChild> = {}) =>
  child({ childId: "7d4c2a10-0000-4000-8000-000000000002", firstName: "Bram", budgetId: BUDGET_BRAM, balanceCents: 120_50, spentCents: 179_50, ...overrides });

export const SESSION: FamilySession = {
  familyId: "5e0c1d2e-0000-4000-8000-00000000000f",
  holderAddress: "0x0000000000000000000000000000000000000001",
  budgetIds: [BUDGET_ANNA],
  csrfToken: "csrf",
  expiresAt: "2026-11-23T23:00:00.000Z",
};

export const SHOPS: Shop[] = [
  { id: "m1", name: "Sportwinkel De Bal", categories: ["sport"], address: "Hoofdstraat 12, 9801 AA Zuidhorn" },
  { id: "m2", name: "Boekhandel Lees", categories: ["books", "toys"], address: "Dorpsweg 3, 9801 BB Zuidhorn" },
  { id: "m3", name: "Fietsenmaker Wiel", categories: ["bike"], address: "Stationsweg 8, 9821 AA Grijpskerk" },
];

/** A WalletApi answering from fixtures; its session names the key last activated (or `holder`). */
export type FakeApi = WalletApi & { holder: string };

export function fakeApi(overrides: Partial<WalletApi> = {}): FakeApi {
  const api: FakeApi = {
    holder: SESSION.holderAddress,
    activate: vi.fn(async (_code: string, holderAddress: string) => {
      api.holder = holderAddress;
      return { ...SESSION, holderAddress };
    }),
    loginWithKey: vi.fn(async (_key: SigningKey, holderAddress: string) => ({ ...SESSION, holderAddress })),
    session: vi.fn(async () => ({ ...SESSION, holderAddress: api.holder })),
    children: vi.fn(async () => [child()]),
    shops: vi.fn(async () => SHOPS),
    mailSettings: vi.fn(async () => ({ email: null, optional: [] })),
    updateMailSettings: vi.fn(async () => ({ email: null, optional: [] })),
    registerPayCode: vi.fn(async () => "ABC-DEF-GHJ"),
    ...overrides,
  };
  return api;
}

export function memoryCache(initial?: ChildrenSnapshot): ChildrenCache {
  let value = initial;
  return { load: () => value, save: (s) => void (value = s), clear: () => void (value = undefined) };
}

export const apiError = (code: string, status: number, details: Record<string, string> = {}) =>
  new ApiError(code as never, status, `English server message for ${code}`, details);

export function renderWithI18n(ui: ReactNode, language = "nl") {
  const i18n = createI18n(language);
  const wrapper = ({ children }: { children: ReactNode }) => <I18nextProvider i18n={i18n}>{children}</I18nextProvider>;
  return { i18n, ...render(ui, { wrapper }) };
}

/** Intl puts a no-break space in "€ 300,00": compare on plain spaces. */
export const plain = (text: string | null | undefined) => (text ?? "").replace(/\s/g, " ");

/** A matcher for getByText that ignores the kind of space. */
export const textOf = (expected: string) => (_: string, element: Element | null) =>
  element !== null && plain(element.textContent) === expected && [...element.children].every((c) => plain(c.textContent) !== expected);
