// `npm start`: brings up Tegoed on embedded defaults. For now that is a local chain (Hardhat node on
// 127.0.0.1:8545) with the factory and a demo fund deployed; the backend and the apps join it as
// their issues land. With CHAIN_RPC_URL set, deploys to that node instead of starting one.
import { deploy, parseDeployConfig, ConfigError } from "./deploy.ts";
import { deploymentPath, writeDeployment } from "./lib/deployment-file.ts";
import { type LocalChain, startLocalChain } from "./lib/local-chain.ts";

const port = Number(process.env.CHAIN_PORT ?? 8545);
let chain: LocalChain | undefined;

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
  console.table({
    "chain JSON-RPC": config.CHAIN_RPC_URL,
    "chain id": deployment.chainId,
    FundFactory: deployment.factory,
    [`Fund "${fund.name}"`]: fund.address,
    "deployment file": file,
  });
  if (!chain) return;
  console.log("Tegoed's chain is up with the contracts deployed. The backend and the apps are not part of");
  console.log("this build yet. Press Ctrl-C to stop.");
  await new Promise<void>((resolve) => chain!.process.once("exit", () => resolve()));
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    console.log("\nstopping …");
    await chain?.stop();
    process.exit(0);
  });
}

main().catch(async (error) => {
  console.error(error instanceof ConfigError ? `start: ${error.message}` : `start failed: ${(error as Error).message}`);
  await chain?.stop();
  process.exit(1);
});
