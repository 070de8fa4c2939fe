// The API client, with the schemas it checks every answer against, loads on the first call rather than
// before the first screen: a phone opening the activation form needs none of it until the form is sent.
import type { WalletApi } from "./api.ts";

export function onDemandWalletApi(load: () => Promise<WalletApi> = () => import("./api.ts").then((m) => m.httpWalletApi())): WalletApi & { preload(): void } {
  let api: Promise<WalletApi> | undefined;
  // A failed load (offline) is tried again by the next call.
  const get = () => (api ??= load().catch((error: unknown) => {
    api = undefined;
    throw error;
  }));
  return {
    preload: () => void get().catch(() => {}),
    activate: async (code, holderAddress) => (await get()).activate(code, holderAddress),
    loginWithKey: async (key, holderAddress) => (await get()).loginWithKey(key, holderAddress),
    session: async () => (await get()).session(),
    children: async () => (await get()).children(),
    shops: async (fundId) => (await get()).shops(fundId),
    mailSettings: async () => (await get()).mailSettings(),
    updateMailSettings: async (change) => (await get()).updateMailSettings(change),
    registerPayCode: async (qr) => (await get()).registerPayCode(qr),
  };
}
