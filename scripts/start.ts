// `npm start`: the whole of Tegoed on embedded defaults, on one machine with no outside service: a local
// chain (anvil, kept in .data/local/chain-state.json) with the contracts, the backend on embedded PGlite
// with the simulated bank, and the wallet, shop and staff apps built and served by the backend. The first
// start (or `npm start -- --reset`) seeds a Zuidhorn-like demo; later starts go on with the same data.
// With CHAIN_RPC_URL (and DATABASE_URL) set it uses those instead, and seeds only with `-- --demo`.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError as BackendConfigError, loadConfig } from "../backend/src/config.ts";
import { type RunningServer, startServer } from "../backend/src/server.ts";
import { DEMO_PASSWORD, seedDemo, type DemoLogins } from "./demo/seed.ts";
import { deploy, parseDeployConfig, ConfigError } from "./deploy.ts";
import { APPS, buildApp, isStale } from "./lib/apps.ts";
import { ROOT, readArtifact } from "./lib/artifacts.ts";
import { deploymentPath, readDeployment, writeDeployment } from "./lib/deployment-file.ts";
import { type LocalChain, startLocalChain } from "./lib/local-chain.ts";
import { type Mailbox, serveMailbox, startMailbox } from "./lib/mailbox.ts";
import { startDemoIdp, type DemoIdp } from "./lib/demo-idp.ts";
import { seedApplications } from "./demo/applications.ts";
import { createApiClient } from "@tegoed/sdk";

const flags = new Set(process.argv.slice(2).filter((a) => a !== "--"));
const port = Number(process.env.CHAIN_PORT ?? 8545);
const localDir = resolve(ROOT, process.env.LOCAL_DATA_DIR ?? ".data/local");
// A demo login for the embedded system only; never used when CHAIN_RPC_URL points at a real chain.
const DEMO_ADMIN = { email: "admin@tegoed.example", password: "tegoed-demo-admin" };
let chain: LocalChain | undefined;
let backend: RunningServer | undefined;
let mailbox: Mailbox | undefined;
let mailboxPage: { url: string; close(): Promise<void> } | undefined;
let idp: DemoIdp | undefined;
const started = Date.now();
const step = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);

/** What the local chain's contracts were compiled to: their bytecode's hash. */
function contractsFingerprint(): string {
  return createHash("sha256").update(["Fund", "FundFactory"].map((name) => readArtifact(name).bytecode).join("\n")).digest("hex").slice(0, 16);
}

async function main() {
  for (const flag of flags) if (!["--reset", "--demo"].includes(flag)) throw new ConfigError(`unknown option ${flag} (known: --reset, --demo)`);
  for (const app of APPS) {
    if (isStale(app)) {
      step(`building ${app} …`);
      await buildApp(app);
    }
  }

  const external = process.env.CHAIN_RPC_URL;
  const env: Record<string, string | undefined> = { ...process.env };
  let fresh = false;
  let readyFile: string | undefined;
  if (!external) {
    const stateFile = resolve(localDir, "chain-state.json");
    const deploymentFile = resolve(localDir, "deployment.json");
    // Written once the first start has finished: a start that died half-way is started afresh.
    readyFile = resolve(localDir, "ready");
    fresh = flags.has("--reset") || !existsSync(readyFile) || !existsSync(stateFile) || !existsSync(deploymentFile);
    // A chain deployed by other contracts (an update since the last start) is not resumed: its funds
    // would run the old code under a backend that expects the new.
    if (!fresh && !readFileSync(readyFile, "utf8").includes(`contracts ${contractsFingerprint()}`)) {
      step("the contracts changed since the last start: the local chain and its data begin anew");
      fresh = true;
    }
    if (fresh) rmSync(localDir, { recursive: true, force: true });
    mkdirSync(localDir, { recursive: true });
    step(`${fresh ? "starting a new" : "resuming the"} local chain (anvil) on 127.0.0.1:${port} …`);
    chain = await startLocalChain({ engine: "anvil", port, stateFile });
    if (fresh) {
      const deployment = await deploy(parseDeployConfig({ ...process.env, CHAIN_RPC_URL: chain.url }), (line) => step(line));
      writeDeployment(deployment, deploymentFile);
    }
    Object.assign(env, { CHAIN_RPC_URL: chain.url, DEPLOYMENT_FILE: deploymentFile });
    env.DATA_DIR ??= resolve(localDir, "pglite");
    env.STAFF_ADMIN_EMAIL ??= DEMO_ADMIN.email;
    env.STAFF_ADMIN_PASSWORD ??= DEMO_ADMIN.password;
    // Without a mail server of its own, the demo mails to a local one that keeps every mail for the mailbox page.
    if (!env.SMTP_URL) {
      mailbox = await startMailbox({ port: Number(process.env.MAILBOX_SMTP_PORT ?? 2525), file: resolve(localDir, "mailbox.json") });
      mailboxPage = await serveMailbox(mailbox, Number(process.env.MAILBOX_PORT ?? 8025));
      step(`demo mailbox: SMTP on 127.0.0.1:${mailbox.port}, page at ${mailboxPage.url}`);
      env.SMTP_URL = mailbox.url;
      env.MAIL_FROM ??= "Gemeente Westerkwartier (demo) <kindpakket@westerkwartier.example>";
      // The demo's mails arrive at once; a real server's retries wait longer.
      env.MAIL_RETRY_SECONDS ??= "2";
    }
    // The demo's one development key holds every role (and administers the funds): allowed here only.
    env.ALLOW_BROAD_KEYS ??= "1";
  } else {
    const config = parseDeployConfig(process.env);
    env.DEPLOYMENT_FILE = writeDeployment(await deploy(config, (line) => step(line)), deploymentPath());
  }
  const deployment = readDeployment(env.DEPLOYMENT_FILE!);
  const seed = flags.has("--demo") || (fresh && !process.env.DATABASE_URL);
  // The demo's 13 shops apply from this machine, on either path; a limit set by hand still wins.
  if (seed || chain) {
    env.APPLICATIONS_PER_HOUR ??= "100";
    // The demo municipality's letterhead, logo included.
    env.LETTER_SENDER_FILE ??= resolve(ROOT, "scripts/demo/letterhead.json");
    // The demo's payments were made a minute ago: its public page shows them now, not from the next full hour.
    env.PUBLIC_FIGURES_PERIOD_MINUTES ??= "0";
  }

  // Families log in to apply at the municipality's broker; without one, at a demo stand-in for DigiD.
  if (!env.OIDC_ISSUER_URL && env.DEMO_IDP !== "off") {
    const redirectUrl = `http://127.0.0.1:${env.PORT ?? 8080}/api/applicant/oidc/callback`;
    const client = { clientId: "tegoed-wallet-demo", clientSecret: "tegoed-demo-client-secret", redirectUris: [redirectUrl] };
    // A fixed port keeps the issuer (part of each applicant's hash) the same across restarts; if it is
    // taken (another start on this machine), any free port.
    idp = await startDemoIdp({ clients: [client], port: Number(env.DEMO_IDP_PORT ?? 8090) })
      .catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "EADDRINUSE" || env.DEMO_IDP_PORT) throw error;
        return startDemoIdp({ clients: [client], port: 0 });
      });
    Object.assign(env, {
      OIDC_ISSUER_URL: idp.issuer, OIDC_CLIENT_ID: client.clientId, OIDC_CLIENT_SECRET: client.clientSecret, OIDC_REDIRECT_URL: redirectUrl,
      OIDC_LABEL: env.OIDC_LABEL ?? "DigiD (demo)",
    });
    step(`demo identity provider (a stand-in for DigiD) on ${idp.issuer}`);
  }

  step("starting the backend …");
  backend = await startServer(loadConfig(env), { error: (message, fields) => console.error(message, fields ?? ""), info: () => {} });
  const base = `http://127.0.0.1:${backend.port}`;

  let demo: DemoLogins | undefined;
  if (seed) {
    if (!env.STAFF_ADMIN_EMAIL || !env.STAFF_ADMIN_PASSWORD) throw new ConfigError("--demo needs STAFF_ADMIN_EMAIL and STAFF_ADMIN_PASSWORD");
    demo = await seedDemo(base, { email: env.STAFF_ADMIN_EMAIL, password: env.STAFF_ADMIN_PASSWORD }, step);
    if (idp) {
      const validator = createApiClient({ baseUrl: base });
      await validator.staff.login({ email: demo.staff.find((s) => s.role === "validator")!.email, password: DEMO_PASSWORD });
      await seedApplications(base, demo.fundId, validator, step);
    }
  }
  if (readyFile) writeFileSync(readyFile, `${new Date().toISOString()}\ncontracts ${contractsFingerprint()}\n`);

  console.log("");
  console.table({
    "wallet (families)": `${base}/wallet/`,
    "shop (till)": `${base}/shop/`,
    "staff": `${base}/staff/`,
    "public figures": `${base}/public/`,
    "API docs": `${base}/api/docs`,
    ...(mailboxPage && { "demo mailbox": mailboxPage.url }),
    "chain JSON-RPC": `${env.CHAIN_RPC_URL} (chain ${deployment.chainId})`,
    "family login (OpenID Connect)": idp ? `${idp.issuer} (demo stand-in for DigiD)` : env.OIDC_ISSUER_URL ?? "email codes (no OIDC_ISSUER_URL)",
    "FundFactory": deployment.factory,
    "data": chain ? localDir : "DATABASE_URL / CHAIN_RPC_URL",
  });
  if (chain) {
    const logins: Record<string, string> = { "staff admin": `${env.STAFF_ADMIN_EMAIL} / ${env.STAFF_ADMIN_PASSWORD}` };
    if (demo) {
      for (const s of demo.staff.filter((s) => s.role !== "admin")) logins[`staff ${s.role}`] = `${s.email} / ${DEMO_PASSWORD}`;
      for (const s of demo.shops.slice(0, 3)) logins[`shop: ${s.name}`] = `${s.email} / ${DEMO_PASSWORD}`;
      for (const c of demo.unusedCodes.slice(0, 5)) logins[`activation code (family ${c.family})`] = c.code;
      for (const c of demo.cards.slice(0, 2)) logins[`Tegoed card (family ${c.family})`] = `${c.code}, PIN ${c.pin}`;
    } else {
      logins["other demo logins"] = `as printed at the first start (password ${DEMO_PASSWORD}); \`npm start -- --reset\` starts afresh`;
    }
    console.table(logins);
  }
  step("Tegoed is up. Press Ctrl-C to stop.");
}

async function stop(code: number) {
  await backend?.close();
  await mailboxPage?.close();
  await mailbox?.close();
  await idp?.close();
  await chain?.stop();
  process.exit(code);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.log("\nstopping …");
    void stop(0);
  });
}

main().catch(async (error) => {
  const known = error instanceof ConfigError || error instanceof BackendConfigError;
  const details = (error as { details?: unknown }).details;
  console.error(known ? `start: ${error.message}` : `start failed: ${(error as Error).message}${details ? ` ${JSON.stringify(details)}` : ""}`);
  await stop(1);
});
