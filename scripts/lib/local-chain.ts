// Starts a Hardhat node on loopback as a child process: the embedded default chain of `npm start`,
// and the chain the benchmarks measure on. Any other JSON-RPC node works the same through CHAIN_RPC_URL.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname } from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { ROOT } from "./artifacts.ts";

/** Hardhat's and anvil's first well-known development account: only ever used on a local chain. */
export const DEV_PRIVATE_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
] as const;
export const LOCAL_CHAIN_IDS = new Set([31337n]);

export interface LocalChain {
  url: string;
  provider: JsonRpcProvider;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export type ChainEngine = "hardhat" | "anvil";

export interface LocalChainOptions {
  /** Which node to run: Hardhat's (the default) or Foundry's anvil, both from npm. */
  engine?: ChainEngine;
  /** A free one when absent. */
  port?: number;
  /** Only anvil takes another chain id; Hardhat's node is always 31337. */
  chainId?: number;
  quiet?: boolean;
  /** anvil only: load the chain from this file if it exists, and save it there every second and on exit. */
  stateFile?: string;
}

function engineCommand(engine: ChainEngine, port: number, chainId?: number, stateFile?: string): [string, string[]] {
  if (engine === "anvil") {
    // Recent states in memory only: by default anvil writes older ones to ~/.foundry/anvil/tmp and
    // leaves them there when it is killed (tens of GB after a day of tests and benchmarks).
    const args = ["--host", "127.0.0.1", "--port", String(port), "--silent", "--prune-history", "64"];
    if (chainId) args.push("--chain-id", String(chainId));
    if (stateFile) args.push("--state", stateFile, "--state-interval", "1");
    return [`${ROOT}node_modules/.bin/anvil`, args];
  }
  if (chainId && chainId !== 31337) throw new Error("hardhat node runs chain 31337 only; use engine anvil");
  if (stateFile) throw new Error("hardhat node keeps its chain in memory only; use engine anvil to keep it in a file");
  return [`${ROOT}node_modules/.bin/hardhat`, ["node", "--hostname", "127.0.0.1", "--port", String(port)]];
}

/** Starts a local node on `port` (a free one when absent) and resolves once it answers JSON-RPC. */
export async function startLocalChain(options: LocalChainOptions = {}): Promise<LocalChain> {
  const port = options.port || (await freePort());
  const [command, args] = engineCommand(options.engine ?? "hardhat", port, options.chainId, options.stateFile);
  const child = spawn(command, args, {
    cwd: ROOT,
    stdio: ["ignore", options.quiet === false ? "inherit" : "ignore", "pipe"],
    // hardhat's launcher runs `env node`: make that the Node running us (22), not an older system one.
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}` },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  while (true) {
    if (child.exitCode !== null) throw new Error(`${command} exited (${child.exitCode}): ${stderr.trim()}`);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 60_000) {
      child.kill();
      throw new Error(`${command} did not answer on ${url} within 60 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
  return {
    url,
    provider,
    process: child,
    async stop() {
      provider.destroy();
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A development account's wallet on `provider`. */
export function devWallet(provider: JsonRpcProvider, index = 0): Wallet {
  return new Wallet(DEV_PRIVATE_KEYS[index]!, provider);
}
