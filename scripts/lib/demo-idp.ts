// A demo stand-in for DigiD: a real, certified OpenID Connect provider (oidc-provider) with a handful of
// invented citizens and a login page that says plainly it is a demonstration. `npm start` runs it when
// OIDC_ISSUER_URL is unset, and the backend's tests log in through it, so the whole flow (discovery,
// authorization code with PKCE, ID token signed with its own key) is the real one on one machine.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export interface DemoCitizen {
  /** The subject the provider gives the backend (pseudonymous, as a broker's would be). */
  sub: string;
  /** Shown on the login page only: the backend never gets it. */
  name: string;
  /**
   * The `bsn` claim, as a DigiD broker sends it: invented numbers of the 99999… range that pass the
   * eleven-test (kept only for a fund that needs the BSN).
   */
  bsn: string;
}

export const DEMO_CITIZENS: readonly DemoCitizen[] = [
  { sub: "demo-citizen-0001", name: "Fatima el Amrani", bsn: "999990007" },
  { sub: "demo-citizen-0002", name: "Jeroen Bakker", bsn: "999990019" },
  { sub: "demo-citizen-0003", name: "Sanne de Jong", bsn: "999990020" },
  { sub: "demo-citizen-0004", name: "Piotr Nowak", bsn: "999990032" },
  { sub: "demo-citizen-0005", name: "Aylin Yılmaz", bsn: "999990044" },
];

export interface DemoClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface DemoIdpOptions {
  clients: DemoClient[];
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** Lifetime of the ID token in seconds (default one hour). */
  idTokenTtlSeconds?: number;
}

export interface DemoIdp {
  issuer: string;
  server: Server;
  close(): Promise<void>;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid: string, error?: string): string {
  const options = DEMO_CITIZENS.map((c, i) => `
      <li><label><input type="radio" name="sub" value="${escape(c.sub)}"${i === 0 ? " checked" : ""}> ${escape(c.name)}</label></li>`).join("");
  return `<!doctype html>
<html lang="nl">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Demo-inlog (geen echte DigiD)</title>
  <style>
    body { font-family: system-ui, sans-serif; margin: 0; background: #f4f4f4; color: #1a1a1a; }
    main { max-width: 28rem; margin: 0 auto; padding: 1rem; }
    .banner { background: #fff3cd; border: 2px solid #b58900; padding: .75rem; border-radius: .5rem; }
    fieldset { border: 1px solid #888; border-radius: .5rem; margin: 1rem 0; }
    ul { list-style: none; padding: 0; margin: 0; }
    li { margin: .5rem 0; }
    label { display: block; padding: .5rem; min-height: 44px; box-sizing: border-box; }
    button { font-size: 1.1rem; padding: .75rem 1.5rem; min-height: 44px; background: #154273; color: #fff; border: 0; border-radius: .4rem; }
  </style>
</head>
<body>
<main>
  <h1>Demo-inlog — geen echte DigiD</h1>
  <p class="banner" role="note"><strong>Dit is een demonstratie.</strong> Deze pagina staat in voor de inlog van de gemeente
  (zoals DigiD). Er wordt niemand echt gecontroleerd. <span lang="en">This is a demo stand-in for DigiD: nobody is really checked.</span></p>
  ${error ? `<p role="alert">${escape(error)}</p>` : ""}
  <form method="post" action="/interaction/${escape(uid)}/login">
    <fieldset>
      <legend>Kies een demo-inwoner <span lang="en">(choose a demo citizen)</span></legend>
      <ul>${options}
      </ul>
    </fieldset>
    <button type="submit">Inloggen</button>
  </form>
</main>
</body>
</html>`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) break;
  }
  return new URLSearchParams(body);
}

/** Starts the provider on its own HTTP server; the issuer is its root URL. */
export async function startDemoIdp(options: DemoIdpOptions): Promise<DemoIdp> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const issuer = `http://${host}:${(server.address() as AddressInfo).port}`;
  // A fresh signing key per start: the backend discovers it (jwks_uri) like any broker's.
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: randomBytes(8).toString("hex"), use: "sig", alg: "RS256" };

  const provider = new Provider(issuer, {
    clients: options.clients.map((c) => ({
      client_id: c.clientId, client_secret: c.clientSecret, redirect_uris: c.redirectUris,
      grant_types: ["authorization_code"], response_types: ["code"], token_endpoint_auth_method: "client_secret_basic",
    })),
    jwks: { keys: [jwk as never] },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    pkce: { required: () => true },
    claims: { openid: ["sub", "bsn"] },
    // The BSN in the ID token itself, as brokers for DigiD give it (not only from the userinfo endpoint).
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    ttl: { AuthorizationCode: 60, IdToken: options.idTokenTtlSeconds ?? 3600, AccessToken: 600, Interaction: 600, Session: 600, Grant: 600 },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx: unknown, sub: string) => {
      const citizen = DEMO_CITIZENS.find((c) => c.sub === sub);
      return citizen ? { accountId: sub, claims: async () => ({ sub, bsn: citizen.bsn }) } : undefined;
    },
    // The citizen logs in to the municipality's own app: no separate consent screen, as at a broker.
    async loadExistingGrant(ctx: any) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope("openid");
      await grant.save();
      return grant;
    },
  } as never);
  const callback = provider.callback();

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec((req.url ?? "").split("?")[0]!);
    if (!match) return void callback(req, res);
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        if (req.method === "GET" && !match[2]) {
          res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(loginPage(details.uid));
          return;
        }
        if (req.method === "POST" && match[2]) {
          const sub = (await readForm(req)).get("sub") ?? "";
          if (!DEMO_CITIZENS.some((c) => c.sub === sub)) {
            res.writeHead(400, { "content-type": "text/html; charset=utf-8" }).end(loginPage(details.uid, "Kies een demo-inwoner."));
            return;
          }
          await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
          return;
        }
        res.writeHead(405).end();
      } catch (error) {
        res.writeHead(400, { "content-type": "text/plain; charset=utf-8" }).end(`Demo login: ${(error as Error).message}`);
      }
    })();
  });

  return {
    issuer,
    server,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/**
 * Plays a browser at the demo provider: from `authorizationUrl`, follows its redirects with its cookies,
 * picks the citizen `sub` on the login page, and returns the URL it sends the browser back to (the first
 * redirect starting with `redirectPrefix`). For the demo seed and the tests.
 */
export async function loginAsDemoCitizen(authorizationUrl: string, sub: string, redirectPrefix: string): Promise<URL> {
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
      if (!page.includes("geen echte DigiD")) throw new Error("not the demo provider's login page");
      const action = /action="([^"]+)"/.exec(page)![1]!;
      const posted = await send(new URL(action, url).href, {
        method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ sub }).toString(),
      });
      url = new URL(posted.headers.get("location")!, url).href;
      continue;
    }
    const location = response.headers.get("location");
    if (!location) throw new Error(`the provider answered ${response.status} without a redirect`);
    const next = new URL(location, url);
    if (next.href.startsWith(redirectPrefix)) return next;
    url = next.href;
  }
  throw new Error("too many redirects at the provider");
}
