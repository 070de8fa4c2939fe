// `npm start` as a newcomer runs it: a local chain, the contracts, the backend; health is green, the
// demo admin can log in, and Ctrl-C (SIGTERM here) stops everything.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/artifacts.ts";
import { freePort } from "../../scripts/lib/local-chain.ts";

describe("npm start", () => {
  const children: ReturnType<typeof spawn>[] = [];
  const folders: string[] = [];
  afterAll(() => {
    children.forEach((c) => c.exitCode === null && c.kill("SIGKILL"));
    folders.forEach((folder) => rmSync(folder, { recursive: true, force: true }));
  });

  it("brings up the chain and the backend, lets the demo admin log in, and stops cleanly", async () => {
    const [chainPort, apiPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env, CHAIN_PORT: String(chainPort), PORT: String(apiPort),
      DEPLOYMENT_FILE: `.data/test-start-${apiPort}/deployment.json`, DATA_DIR: `.data/test-start-${apiPort}/pglite`,
    };
    folders.push(`${ROOT}.data/test-start-${apiPort}`);
    for (const outside of ["CHAIN_RPC_URL", "DATABASE_URL", "RELAYER_PRIVATE_KEYS"]) delete env[outside];
    const child = spawn(`${ROOT}node_modules/.bin/node`, [`${ROOT}scripts/start.ts`], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let output = "";
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    const api = `http://127.0.0.1:${apiPort}/api`;

    let health: { status?: string; chain?: { ok: boolean; chainId: number }; database?: { kind: string } } = {};
    for (let i = 0; i < 240 && health.status !== "ok"; i++) {
      if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
      await new Promise((r) => setTimeout(r, 500));
      health = await fetch(`${api}/health`).then((r) => r.json(), () => ({}));
    }
    expect(health).toMatchObject({ status: "ok", chain: { ok: true, chainId: 31337 }, database: { kind: "pglite" } });

    const login = await fetch(`${api}/staff/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@tegoed.example", password: "tegoed-demo-admin" }),
    });
    expect(login.status).toBe(200);
    expect((await login.json()).user.roles).toEqual(["admin"]);
    expect(output).toContain("Press Ctrl-C to stop");

    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    await expect(fetch(`${api}/health`)).rejects.toThrow();
  }, 180_000);
});
