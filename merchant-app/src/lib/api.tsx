// The one API client of the app, handed down by context so component tests can give a fake one.
import { createContext, useContext, type ReactNode } from "react";
import { ApiError, createApiClient, type ApiClient } from "@tegoed/sdk";

export { ApiError };
export type { ApiClient };

const ApiContext = createContext<ApiClient | null>(null);

/** Fired when a call answers 401 while the app thinks it is logged in (the session ran out elsewhere). */
export const sessionEvents = new EventTarget();
export const SESSION_LOST = "session-lost";

// The calls that answer 401 as a normal outcome: checking for a session, and logging in.
const EXPECTS_401 = /\/api\/merchant\/(me|session)$/;

/** Same origin as the backend that serves the app: cookies and CSRF need no set-up. */
export function browserClient(doFetch: typeof fetch = globalThis.fetch.bind(globalThis)): ApiClient {
  return createApiClient({
    baseUrl: "",
    fetch: async (input, init) => {
      const response = await doFetch(input, init);
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (response.status === 401 && !EXPECTS_401.test(url.split("?")[0]!)) sessionEvents.dispatchEvent(new Event(SESSION_LOST));
      return response;
    },
  });
}

export function ApiProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error("useApi outside ApiProvider");
  return client;
}

/** Whether the request may have been lost on the way: a retry with the same idempotency key is safe and needed. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return ["NETWORK", "CHAIN_UNAVAILABLE", "CHAIN_TIMEOUT", "INTERNAL", "RATE_LIMITED"].includes(error.code);
}
