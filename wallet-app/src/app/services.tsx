// What the screens talk to, provided once: the real API and browser storage in the app, fakes in tests.
import { createContext, useContext } from "react";
import type { ApplicationsApi } from "@tegoed/sdk";
import type { WalletApi } from "../lib/api.ts";
import type { ChildrenCache } from "../lib/cache.ts";
import type { KeyStorage } from "../lib/keystore.ts";

export interface Services {
  api: WalletApi;
  keys: KeyStorage;
  cache: ChildrenCache;
  /** Applying for a fund (made on first use when absent). */
  apply?: ApplicationsApi;
  /** The code a letter's QR opened the app with (#code=…): the activation form starts with it. */
  letterCode?: string;
  /** Loads, after the first screen is shown, the code its buttons will need (the API client, the key's curve). */
  preload?(): void;
  /** PBKDF2 rounds for a new key (tests use few). */
  pbkdf2Iterations?: number;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error("ServicesContext missing");
  return services;
}
