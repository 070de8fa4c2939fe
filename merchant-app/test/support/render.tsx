// Renders a screen as the app does (i18n in the language under test, the API client from context),
// with a fake client whose methods each test sets.
import type { ReactElement } from "react";
import { render } from "@testing-library/react";
import { I18nextProvider } from "react-i18next";
import { vi } from "vitest";
import { ApiError, type ApiClient } from "@tegoed/sdk";
import { ApiProvider } from "../../src/lib/api.tsx";
import { createI18n } from "../../src/lib/i18n/index.ts";

export interface FakeApi {
  client: ApiClient;
  merchant: Record<string, ReturnType<typeof vi.fn>>;
  merchants: Record<string, ReturnType<typeof vi.fn>>;
  cards: Record<string, ReturnType<typeof vi.fn>>;
  notifications: Record<string, ReturnType<typeof vi.fn>>;
  request: ReturnType<typeof vi.fn>;
}

export function fakeApi(): FakeApi {
  const merchant = {
    login: vi.fn(), logout: vi.fn(async () => undefined), lookupQr: vi.fn(), lookupPayCode: vi.fn(), charge: vi.fn(), refund: vi.fn(), payments: vi.fn(),
    me: vi.fn(), users: vi.fn(async () => ({ users: [] })), createUser: vi.fn(), payouts: vi.fn(),
  };
  const merchants = { apply: vi.fn(), applicationStatus: vi.fn() };
  const cards = { unlock: vi.fn(), charge: vi.fn() };
  const settings = { email: "info@debal.example", optional: [{ kind: "payout_sent", on: true }, { kind: "merchant_colleague_added", on: true }] };
  const notifications = { shop: vi.fn(async () => settings), updateShop: vi.fn(async (body: { optional: Record<string, boolean> }) => ({
    ...settings, optional: settings.optional.map((o) => ({ ...o, on: body.optional[o.kind] ?? o.on })),
  })) };
  const request = vi.fn(async () => {
    throw new ApiError("NOT_FOUND", 404, "not found");
  });
  const client = { merchant, merchants, cards, notifications, request, csrfToken: undefined, sessionCookie: undefined } as unknown as ApiClient;
  return { client, merchant, merchants, cards, notifications, request };
}

export function renderWith(ui: ReactElement, options: { api?: FakeApi; language?: string } = {}) {
  const api = options.api ?? fakeApi();
  const i18n = createI18n(options.language ?? "nl");
  const result = render(
    <I18nextProvider i18n={i18n}>
      <ApiProvider client={api.client}>{ui}</ApiProvider>
    </I18nextProvider>,
  );
  return { ...result, api, i18n };
}

export function refusal(code: string, details: Record<string, string> = {}): ApiError {
  return new ApiError(code as ApiError["code"], 422, `server text for ${code}`, details);
}

/** A promise the test resolves or rejects when it wants. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const LOOKUP = { fundId: "0b8f5f3e-7c1d-4a43-9b1e-5a7c3d2e1f00", fundName: "Kindpakket 2027", spendableCents: 42_50, validUntil: "2026-11-23T14:00:00.000Z" };
export const RECEIPT = {
  status: "PAID" as const, paymentId: `0x${"ab".repeat(32)}`, amountCents: 12_50, newBalanceCents: 30_00, txHash: `0x${"cd".repeat(32)}`,
  fundId: LOOKUP.fundId, paidAt: "2026-11-23T13:00:00.000Z",
};
