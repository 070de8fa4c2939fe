// The last known children (balances, nonces, history), so the QR can be signed at a till without network.
import type { WalletChild } from "./api.ts";

const KEY = "tegoed.children";

export interface ChildrenSnapshot {
  children: WalletChild[];
  /** Epoch ms of the answer. */
  savedAt: number;
}

export interface ChildrenCache {
  load(): ChildrenSnapshot | undefined;
  save(snapshot: ChildrenSnapshot): void;
  clear(): void;
}

export function localChildrenCache(storage: Storage = localStorage): ChildrenCache {
  return {
    load() {
      try {
        const text = storage.getItem(KEY);
        return text ? (JSON.parse(text) as ChildrenSnapshot) : undefined;
      } catch {
        return undefined;
      }
    },
    save: (snapshot) => storage.setItem(KEY, JSON.stringify(snapshot)),
    clear: () => storage.removeItem(KEY),
  };
}
