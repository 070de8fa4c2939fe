import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Deployment, parseDeployment } from "@tegoed/sdk";
import { ROOT } from "./artifacts.ts";

/** Where the deployment file lives unless DEPLOYMENT_FILE says otherwise. */
export const DEFAULT_DEPLOYMENT_FILE = ".data/deployment.json";

export function deploymentPath(file = process.env.DEPLOYMENT_FILE || DEFAULT_DEPLOYMENT_FILE): string {
  return resolve(ROOT, file);
}

export function writeDeployment(deployment: Deployment, file = deploymentPath()): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(parseDeployment(JSON.stringify(deployment)), null, 2) + "\n");
  return file;
}

export function readDeployment(file = deploymentPath()): Deployment {
  return parseDeployment(readFileSync(file, "utf8"));
}
