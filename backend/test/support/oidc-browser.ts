// Plays a browser at the demo identity provider: follows its redirects with its cookies, picks a demo
// citizen on the login page and stops at the redirect back to Tegoed, whose URL it returns.
import { loginAsDemoCitizen, startDemoIdp, type DemoIdp } from "../../../scripts/lib/demo-idp.ts";

/** The callback as registered at the provider; tests hand its query to the app themselves. */
export const TEST_REDIRECT_URL = "http://tegoed.test/api/applicant/oidc/callback";
export const TEST_CLIENT = { clientId: "tegoed-wallet", clientSecret: "test-client-secret-0123456789abcdef", redirectUris: [TEST_REDIRECT_URL] };
/** A second relying party of the same provider (a token for it must not log anyone in to Tegoed). */
export const OTHER_CLIENT = { clientId: "other-service", clientSecret: "other-client-secret-0123456789abcdef", redirectUris: [TEST_REDIRECT_URL] };

export function startTestIdp(): Promise<DemoIdp> {
  return startDemoIdp({ clients: [TEST_CLIENT, OTHER_CLIENT] });
}

/** Logs in at the provider as `sub` from `authorizationUrl`; returns the URL the provider sends the browser back to. */
export function loginAtProvider(authorizationUrl: string, sub: string): Promise<URL> {
  return loginAsDemoCitizen(authorizationUrl, sub, TEST_REDIRECT_URL);
}
