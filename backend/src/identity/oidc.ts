// The municipality's identity broker over OpenID Connect, through openid-client: discovery from the
// issuer URL, the authorization code flow with PKCE, and the checks of state, nonce and the ID token
// (signature, issuer, audience, expiry), which openid-client makes. What leaves this file is only the
// issuer, the subject and the `bsn` claim when the broker sends one (the domain keeps it only for a fund
// that needs it): no name, no token.
import * as client from "openid-client";

export interface OidcSettings {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  /** Where the provider sends the browser back: our callback route, exactly as registered there. */
  redirectUrl: string;
  /** Default "openid". */
  scope?: string;
  /** Tests only: the outside service's transport (e.g. to play a broker that misbehaves). */
  fetch?: client.CustomFetch;
  /** Seconds this machine's clock is off (tests move time with it); tokens are checked by the corrected time. */
  clockSkewSeconds?: number;
}

/** What a login needs to keep until the provider sends the browser back. */
export interface OidcChallenge {
  authorizationUrl: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface OidcIdentity {
  issuer: string;
  subject: string;
  /** The ID token's `bsn` claim, as sent (unchecked). */
  bsn?: string;
}

/** Any failure of the flow: the provider's answer or a failed check, named for our logs (no personal data). */
export class OidcLoginError extends Error {
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`OpenID Connect login failed: ${reason}`, options);
    this.name = "OidcLoginError";
    this.reason = reason;
  }
}

export interface OidcClient {
  readonly issuer: string;
  begin(): Promise<OidcChallenge>;
  /** Exchanges the code of `callbackUrl` (after checking its state) and checks the ID token. */
  finish(callbackUrl: URL, expected: { state: string; nonce: string; codeVerifier: string }): Promise<OidcIdentity>;
}

const LOCAL = new Set(["localhost", "127.0.0.1", "[::1]"]);

export async function discoverOidc(settings: OidcSettings): Promise<OidcClient> {
  const issuerUrl = new URL(settings.issuerUrl);
  // Plain HTTP only to a provider on this machine (the demo and the tests); a real broker is HTTPS.
  const insecure = issuerUrl.protocol === "http:" && LOCAL.has(issuerUrl.hostname);
  const config = await client.discovery(
    issuerUrl, settings.clientId,
    {
      redirect_uris: [settings.redirectUrl], response_types: ["code"],
      ...(settings.clockSkewSeconds !== undefined && { [client.clockSkew]: settings.clockSkewSeconds }),
    },
    client.ClientSecretBasic(settings.clientSecret),
    { execute: insecure ? [client.allowInsecureRequests] : [], ...(settings.fetch && { [client.customFetch]: settings.fetch }) },
  );
  if (settings.fetch) config[client.customFetch] = settings.fetch;
  const scope = settings.scope ?? "openid";
  const issuer = config.serverMetadata().issuer;

  return {
    issuer,
    async begin() {
      const codeVerifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUrl, scope, state, nonce,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: "S256",
      });
      return { authorizationUrl: url.href, state, nonce, codeVerifier };
    },

    async finish(callbackUrl, expected) {
      try {
        const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: expected.codeVerifier, expectedState: expected.state, expectedNonce: expected.nonce, idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (!claims?.sub) throw new OidcLoginError("no subject in the ID token");
        return { issuer: claims.iss, subject: claims.sub, ...(typeof claims.bsn === "string" && { bsn: claims.bsn }) };
      } catch (error) {
        if (error instanceof OidcLoginError) throw error;
        const code = (error as { code?: unknown; error?: unknown }).error ?? (error as { code?: unknown }).code;
        throw new OidcLoginError(typeof code === "string" ? code : (error as Error)?.name ?? "unknown", { cause: error });
      }
    },
  };
}
