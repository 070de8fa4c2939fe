// The whole system for browser tests: a local chain node with the contracts deployed (as `npm start`
// does), the backend on a fresh PGlite folder with the simulated bank, serving the built apps on its own
// origin. `const system = await startSystem({ apps: ["wallet-app"] })` … `await system.stop()`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiClient, type ApiClient, type StaffRole } from "@tegoed/sdk";
import { loadConfig } from "../../backend/src/config.ts";
import { startServer, type RunningServer } from "../../backend/src/server.ts";
import { deploy, parseDeployConfig } from "../../scripts/deploy.ts";
import { buildApp as buildAppWithVite, type AppName } from "../../scripts/lib/apps.ts";
import { writeDeployment } from "../../scripts/lib/deployment-file.ts";
import { type ChainEngine, type LocalChain, startLocalChain } from "../../scripts/lib/local-chain.ts";
import type { Deployment } from "@tegoed/sdk";

export type { AppName } from "../../scripts/lib/apps.ts";

/** Where each app is served by the backend. */
export const APP_PATHS: Record<AppName, string> = { "wallet-app": "/wallet/", "merchant-app": "/shop/", "staff-app": "/staff/" };

export const ADMIN = { email: "admin@tegoed.example", password: "tegoed-demo-admin" } as const;
export const STAFF_PASSWORD = "correct horse battery staple";

export interface System {
  /** http://127.0.0.1:PORT — the API under /api, the apps under APP_PATHS. */
  readonly baseUrl: string;
  readonly chain: LocalChain;
  readonly deployment: Deployment;
  readonly server: RunningServer;
  /** A new API client with no session. */
  client(): ApiClient;
  /** A new staff user with these roles (made by the admin), logged in. */
  staff(roles: StaffRole[]): Promise<{ email: string; password: string; client: ApiClient }>;
  stop(): Promise<void>;
}

const built = new Set<AppName>();

/** Builds an app with Vite into <app>/dist (once per test process). */
export async function buildApp(app: AppName): Promise<void> {
  if (built.has(app)) return;
  await buildAppWithVite(app);
  built.add(app);
}

export interface SystemOptions {
  /** Apps to build before the backend starts (it serves whatever is built). */
  apps?: AppName[];
  engine?: ChainEngine;
  /** Extra backend environment (BANK_ADAPTER, …). */
  env?: Record<string, string>;
}

export async function startSystem(options: SystemOptions = {}): Promise<System> {
  for (const app of options.apps ?? []) await buildApp(app);
  const folder = mkdtempSync(join(tmpdir(), "tegoed-system-"));
  const chain = await startLocalChain({ engine: options.engine ?? "hardhat" });
  let server: RunningServer | undefined;
  try {
    const deployment = await deploy(parseDeployConfig({ CHAIN_RPC_URL: chain.url }), () => {});
    const deploymentFile = writeDeployment(deployment, join(folder, "deployment.json"));
    const config = loadConfig({
      CHAIN_RPC_URL: chain.url, DEPLOYMENT_FILE: deploymentFile, DATA_DIR: join(folder, "pglite"), PORT: "0",
      STAFF_ADMIN_EMAIL: ADMIN.email, STAFF_ADMIN_PASSWORD: ADMIN.password, APPLICATIONS_PER_HOUR: "1000",
      // The browser tests compare the public page with the chain right after paying: real time here
      // (the hour's delay is tested in backend/test/http/reports.test.ts).
      PUBLIC_FIGURES_PERIOD_MINUTES: "0", ...options.env,
    });
    server = await startServer(config, { info: () => {}, error: (message, fields) => console.error(message, fields ?? "") });
    const running = server;
    const baseUrl = `http://127.0.0.1:${running.port}`;
    const client = () => createApiClient({ baseUrl });
    let admin: ApiClient | undefined;
    return {
      baseUrl, chain, deployment, server: running, client,
      async staff(roles) {
        if (!admin) {
          admin = client();
          await admin.staff.login(ADMIN);
        }
        const email = `${roles.join("-") || "staff"}-${Math.random().toString(36).slice(2, 8)}@westerkwartier.test`;
        await admin.staff.createUser({ email, password: STAFF_PASSWORD, roles });
        const logged = client();
        await logged.staff.login({ email, password: STAFF_PASSWORD });
        return { email, password: STAFF_PASSWORD, client: logged };
      },
      async stop() {
        await running.close();
        await chain.stop();
        rmSync(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server?.close();
    await chain.stop();
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}
