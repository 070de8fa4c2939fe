// Plays a browser at the demo identity provider: follows its redirects with its cookies, picks a demo
// citizen on the login page and stops at the redirect back to Tegoed, whose URL it returns.
import { expect } from "vitest";
import { startDemoIdp, type DemoIdp } from "../../../scripts/lib/demo-idp.ts";

/** The callback as registered at the provider; tests hand its query to the app themselves. */
export const TEST_REDIRECT_URL = "http://tegoed.test/api/applicant/oidc/callback";
export const TEST_CLIENT = { clientId: "tegoed-wallet", clientSecret: "test-client-secret-0123456789abcdef", redirectUris: [TEST_REDIRECT_URL] };
/** A second relying party of the same provider (a token for it must not log anyone in to Tegoed). */
export const OTHER_CLIENT = { clientId: "other-service", clientSecret: "other-client-secret-0123456789abcdef", redirectUris: [TEST_REDIRECT_URL] };

export function startTestIdp(): Promise<DemoIdp> {
  return startDemoIdp({ clients: [TEST_CLIENT, OTHER_CLIENT] });
}

/** Logs in at the provider as `sub` from `authorizationUrl`; returns the URL the provider sends the browser back to. */
export async function loginAtProvider(authorizationUrl: string, sub: string): Promise<URL> {
  const jar = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    return response;
  };
  let url = authorizationUrl;
  for (let hop = 0; hop < 10; hop++) {
    const response = await send(url);
    if (response.status === 200) {
      const page = await response.text();
      expect(page).toContain("geen echte DigiD");
      const action = /action="([^"]+)"/.exec(page)![1]!;
      const posted = await send(new URL(action, url).href, {
        method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ sub }).toString(),
      });
      url = new URL(posted.headers.get("location")!, url).href;
      continue;
    }
    const location = response.headers.get("location");
    if (!location) throw new Error(`the provider answered ${response.status} without a redirect: ${await response.text()}`);
    const next = new URL(location, url);
    if (next.href.startsWith(TEST_REDIRECT_URL)) return next;
    url = next.href;
  }
  throw new Error("too many redirects at the provider");
}
