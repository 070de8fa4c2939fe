// `npm start`: brings up Tegoed on embedded defaults: a local chain (Hardhat node on 127.0.0.1:8545)
// with the factory and a fund deployed, and the backend API on embedded PGlite. The apps join as their
// issues land. With CHAIN_RPC_URL set, deploys to that node instead of starting one.
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError as BackendConfigError, loadConfig } from "../backend/src/config.ts";
import { type RunningServer, startServer } from "../backend/src/server.ts";
import { deploy, parseDeployConfig, ConfigError } from "./deploy.ts";
import { ROOT } from "./lib/artifacts.ts";
import { deploymentPath, writeDeployment } from "./lib/deployment-file.ts";
import { type LocalChain, startLocalChain } from "./lib/local-chain.ts";

const port = Number(process.env.CHAIN_PORT ?? 8545);
// A demo login for the embedded system only; never used when CHAIN_RPC_URL points at a real chain.
const DEMO_ADMIN = { email: "admin@tegoed.example", password: "tegoed-demo-admin" };
let chain: LocalChain | undefined;
let backend: RunningServer | undefined;

async function main() {
  const external = process.env.CHAIN_RPC_URL;
  if (!external) {
    console.log(`starting a local chain (Hardhat node) on 127.0.0.1:${port} …`);
    chain = await startLocalChain({ port });
  }
  const config = parseDeployConfig({ ...process.env, CHAIN_RPC_URL: external ?? chain!.url });
  const deployment = await deploy(config, (line) => console.log(line));
  const file = writeDeployment(deployment, deploymentPath());
  const fund = deployment.funds[0]!;

  const env: Record<string, string | undefined> = { ...process.env, CHAIN_RPC_URL: config.CHAIN_RPC_URL, DEPLOYMENT_FILE: file };
  if (chain) {
    // The local chain starts empty every time, so its database does too.
    env.DATA_DIR ??= resolve(ROOT, ".data/local-pglite");
    if (!process.env.DATABASE_URL) rmSync(env.DATA_DIR, { recursive: true, force: true });
    env.STAFF_ADMIN_EMAIL ??= DEMO_ADMIN.email;
    env.STAFF_ADMIN_PASSWORD ??= DEMO_ADMIN.password;
  }
  console.log("starting the backend …");
  backend = await startServer(loadConfig(env));

  console.table({
    "chain JSON-RPC": config.CHAIN_RPC_URL,
    "chain id": deployment.chainId,
    FundFactory: deployment.factory,
    [`Fund "${fund.name}"`]: fund.address,
    "deployment file": file,
    "API": `http://127.0.0.1:${backend.port}/api/health`,
    "API docs": `http://127.0.0.1:${backend.port}/api/docs`,
    ...(chain ? { "staff login (demo)": `${env.STAFF_ADMIN_EMAIL} / ${env.STAFF_ADMIN_PASSWORD}` } : {}),
  });
  console.log("Tegoed's chain and backend are up; the apps come with their issues. Press Ctrl-C to stop.");
}

async function stop(code: number) {
  await backend?.close();
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
  console.error(known ? `start: ${error.message}` : `start failed: ${(error as Error).message}`);
  await stop(1);
});
