import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The repository's root folder, wherever the script was started from. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface Artifact {
  contractName: string;
  abi: unknown[];
  bytecode: string;
}

const SOURCES: Record<string, string> = {
  Fund: "contracts/Fund.sol",
  FundFactory: "contracts/FundFactory.sol",
  BaselineToken: "contracts/bench/BaselineToken.sol",
};

/** Reads a compiled contract from Hardhat's artifacts; tells how to fix a missing build. */
export function readArtifact(name: keyof typeof SOURCES | string): Artifact {
  const source = SOURCES[name];
  if (!source) throw new Error(`unknown contract ${name}`);
  const file = `${ROOT}artifacts/${source}/${name}.json`;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Artifact;
  } catch {
    throw new Error(`no compiled ${name} at ${file}: run 'npm run compile' first`);
  }
}
