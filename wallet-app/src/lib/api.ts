// The wallet's view of the API: the sdk client plus the family routes the app needs, behind one
// interface so screens can be tested with fixtures.
import { hashMessage, type SigningKey } from "ethers";
import {
  createApiClient, familyLoginMessage, type ApiClient, type ChildBudget, type FamilySession, type NotificationSettings, type ParticipatingMerchant,
  type UpdateNotificationSettings,
} from "@tegoed/sdk";

export type MailSettings = NotificationSettings;

export type WalletChild = ChildBudget;
export type Shop = ParticipatingMerchant;

export interface WalletApi {
  activate(code: string, holderAddress: string): Promise<FamilySession>;
  /** Logs in again on the phone that holds the key (a used letter code does not): signs a challenge. */
  loginWithKey(key: SigningKey, holderAddress: string): Promise<FamilySession>;
  /** The session of this browser's cookie; ApiError UNAUTHENTICATED when there is none. */
  session(): Promise<FamilySession>;
  children(): Promise<WalletChild[]>;
  shops(fundId?: string): Promise<Shop[]>;
  /** The family's email address and the optional mails (receipts, top-ups, expiry reminders). */
  mailSettings(): Promise<MailSettings>;
  updateMailSettings(change: UpdateNotificationSettings): Promise<MailSettings>;
  /** Registers the QR on screen; the short code a till can type instead ("ABC-DEF-GHJ"). */
  registerPayCode(qr: string): Promise<string>;
}

/** A weak signal at a till must not hang the app: reads give up after 10 s, activation (chain work) after 60 s. */
export const timedFetch: typeof fetch = (input, init = {}) =>
  fetch(input, { ...init, signal: init.signal ?? AbortSignal.timeout((init.method ?? "GET") === "GET" ? 10_000 : 60_000) });

export function httpWalletApi(client: ApiClient = createApiClient({ baseUrl: "", fetch: timedFetch })): WalletApi {
  return {
    activate: (code, holderAddress) => client.family.activate({ code, holderAddress }),
    async loginWithKey(key, holderAddress) {
      const { challenge } = await client.family.challenge({ holderAddress });
      const signature = key.sign(hashMessage(familyLoginMessage(challenge))).serialized;
      return client.family.loginWithKey({ holderAddress, challenge, signature });
    },
    session: () => client.family.session(), // keeps the CSRF token for calls after a reload
    children: async () => (await client.family.children()).children,
    shops: async (fundId) => (await client.public.merchants(fundId ? { fundId } : {})).merchants,
    mailSettings: () => client.notifications.family(),
    updateMailSettings: (change) => client.notifications.updateFamily(change),
    registerPayCode: async (qr) => (await client.family.registerPayCode({ qr })).code,
  };
}
