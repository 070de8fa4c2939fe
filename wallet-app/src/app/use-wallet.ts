// The family's state for the whole app: is this phone activated, the children (fresh or cached), and
// whether we are offline. Children are cached on every answer so the QR works without network.
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "@tegoed/sdk";
import type { WalletChild } from "../lib/api.ts";
import type { Services } from "./services.tsx";

export type WalletPhase = "loading" | "activate" | "ready";

export interface WalletState {
  phase: WalletPhase;
  children: WalletChild[];
  /** When the children were last fetched (epoch ms). */
  savedAt: number | null;
  offline: boolean;
  /** The address of the key on this phone, when there is one. */
  holderAddress?: string;
  sessionExpired: boolean;
  /** The budgets were moved to another phone's key (staff re-keyed after a lost phone). */
  replaced: boolean;
  /** The last refusal of the server other than "offline" (e.g. the chain is unreachable); cleared by an answer. */
  failure: unknown;
}

const isNetwork = (error: unknown) => (error instanceof ApiError && error.code === "NETWORK") || error instanceof TypeError;
const isUnauthenticated = (error: unknown) => error instanceof ApiError && error.code === "UNAUTHENTICATED";

export function useWallet({ api, keys, cache }: Services) {
  const [state, setState] = useState<WalletState>(() => {
    const cached = cache.load();
    return { phase: "loading", children: cached?.children ?? [], savedAt: cached?.savedAt ?? null, offline: false, sessionExpired: false, replaced: false, failure: null };
  });

  const refresh = useCallback(async () => {
    try {
      const children = await api.children();
      const savedAt = Date.now();
      cache.save({ children, savedAt });
      setState((s) => ({ ...s, phase: "ready", children, savedAt, offline: false, failure: null }));
    } catch (error) {
      if (isUnauthenticated(error)) setState((s) => ({ ...s, phase: "activate", sessionExpired: true }));
      else if (isNetwork(error)) setState((s) => ({ ...s, phase: "ready", offline: true }));
      else setState((s) => ({ ...s, phase: "ready", failure: error }));
    }
  }, [api, cache]);

  const boot = useCallback(async () => {
    const stored = await keys.load().catch(() => undefined);
    if (!stored) {
      setState((s) => ({ ...s, phase: "activate", holderAddress: undefined }));
      return;
    }
    // Show the last known numbers at once; the server's answer follows (or not, at a till without signal).
    setState((s) => ({ ...s, holderAddress: stored.address, phase: s.savedAt !== null ? "ready" : s.phase }));
    try {
      const session = await api.session();
      if (session.holderAddress.toLowerCase() !== stored.address.toLowerCase()) {
        setState((s) => ({ ...s, phase: "activate", replaced: true }));
        return;
      }
    } catch (error) {
      if (isUnauthenticated(error)) {
        setState((s) => ({ ...s, phase: "activate", sessionExpired: true }));
        return;
      }
      if (isNetwork(error)) {
        setState((s) => ({ ...s, phase: "ready", offline: true }));
        return;
      }
      // Anything else (an older backend without the route): the children call tells.
    }
    await refresh();
  }, [api, keys, refresh]);

  useEffect(() => {
    void boot();
  }, [boot]);

  const phase = useRef(state.phase);
  phase.current = state.phase;
  useEffect(() => {
    // Back online, or back to the app after a while: fetch the balances again (not while activating:
    // a parent who switched apps to read the letter must not be told they were signed out).
    const again = () => {
      if (document.visibilityState === "visible" && phase.current === "ready") void refresh();
    };
    window.addEventListener("online", again);
    document.addEventListener("visibilitychange", again);
    return () => {
      window.removeEventListener("online", again);
      document.removeEventListener("visibilitychange", again);
    };
  }, [refresh]);

  const activated = useCallback(async () => {
    setState((s) => ({ ...s, sessionExpired: false, replaced: false }));
    await boot();
  }, [boot]);

  return { state, refresh, activated, retry: boot };
}
