// The one API client of the app, handed down by context so component tests can give a fake one.
import { createContext, useContext } from "react";
import { createApiClient, type ApiClient } from "@tegoed/sdk";

export const ApiContext = createContext<ApiClient | null>(null);

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error("useApi outside <ApiContext.Provider>");
  return client;
}

/** Same origin as the backend: the session cookie travels by itself. */
export function browserClient(): ApiClient {
  return createApiClient({ baseUrl: "" });
}
