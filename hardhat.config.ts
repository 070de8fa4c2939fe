import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";

const require = createRequire(import.meta.url);

// Compile with the solc wasm build pinned in package.json: Hardhat would otherwise download a compiler.
const SOLC_VERSION = "0.8.30";

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    profiles: {
      default: {
        version: SOLC_VERSION,
        path: require.resolve("solc/soljson.js"),
        settings: { optimizer: { enabled: true, runs: 10_000 }, evmVersion: "prague" },
      },
    },
  },
  paths: {
    sources: "contracts",
    tests: { mocha: "test/contracts", solidity: "test/fuzz" },
  },
  test: {
    solidity: {
      fuzz: { runs: 256 },
    },
  },
  networks: {
    localhost: { type: "http", chainType: "l1", url: process.env.CHAIN_RPC_URL || "http://127.0.0.1:8545" },
  },
});
