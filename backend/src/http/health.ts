// GET /api/health: database, chain and indexer, each checked with a time limit. The chain probe and the
// indexer's lag are injected (the app's composition root builds them from the real provider and indexer).
import type { JsonRpcProvider } from "ethers";
import { sql } from "kysely";
import { HealthSchema, LivenessSchema, type Deployment, type Health } from "@tegoed/sdk";
import type { Db } from "../db/index.ts";
import type { Api } from "./validate.ts";

export type ChainStatus = Extract<Health["chain"], { ok: true }>;
export type ChainProbe = () => Promise<Omit<ChainStatus, "ok">>;
/** Blocks the indexer is behind the chain head. */
export type IndexerLag = () => Promise<number>;

export interface HealthDeps {
  db: Db;
  kind: "pglite" | "postgres";
  chain?: ChainProbe;
  indexerLag?: IndexerLag;
  /** Per check. Default 2 s. */
  timeoutMs?: number;
}

/** The real chain probe: chain id and head from the node, contract addresses from the deployment file. */
export function chainProbe(provider: JsonRpcProvider, deployment: Deployment): ChainProbe {
  return async () => {
    const [network, blockNumber] = await Promise.all([provider.getNetwork(), provider.getBlockNumber()]);
    const chainId = Number(network.chainId);
    if (chainId !== deployment.chainId) {
      throw new Error(`the node is chain ${chainId}, the deployment file is for chain ${deployment.chainId}`);
    }
    return {
      chainId,
      blockNumber,
      contracts: {
        factory: deployment.factory,
        fundImplementation: deployment.fundImplementation,
        funds: deployment.funds.map((f) => ({ name: f.name, address: f.address, index: f.index })),
      },
    };
  };
}

function withTimeout<T>(work: () => Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work(), timeout]).finally(() => clearTimeout(timer));
}

/** A failure's reason for the health answer: the message, one line, short (no stack). */
const reason = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0]!.slice(0, 200);

export async function checkHealth(deps: HealthDeps): Promise<Health> {
  const ms = deps.timeoutMs ?? 2_000;
  const [database, chain, indexer] = await Promise.all([
    withTimeout(() => sql`select 1`.execute(deps.db), ms).then(
      (): Health["database"] => ({ ok: true, kind: deps.kind }),
      (error): Health["database"] => ({ ok: false, error: `database: ${reason(error)}` }),
    ),
    deps.chain
      ? withTimeout(deps.chain, ms).then(
          (status): Health["chain"] => ({ ok: true, ...status }),
          (error): Health["chain"] => ({ ok: false, error: reason(error) }),
        )
      : Promise.resolve<Health["chain"]>({ ok: false, error: "no chain configured" }),
    deps.indexerLag
      ? withTimeout(deps.indexerLag, ms).then(
          (lagBlocks): Health["indexer"] => ({ ok: true, lagBlocks: Math.max(0, Math.trunc(lagBlocks)) }),
          (error): Health["indexer"] => ({ ok: false, error: reason(error) }),
        )
      : Promise.resolve<Health["indexer"]>({ ok: false, error: "the indexer is not running in this process" }),
  ]);
  const status = !database.ok ? "down" : chain.ok && indexer.ok ? "ok" : "degraded";
  return { status, database, chain, indexer };
}

export function registerHealthRoutes(api: Api, deps: HealthDeps): void {
  api.route(
    {
      method: "get",
      path: "/api/health",
      operationId: "getHealth",
      summary: "State of the database, the chain and the indexer",
      description: "Answers 200 while the database answers (status ok or degraded), 503 when it does not.",
      tags: ["health"],
      response: HealthSchema,
    },
    async ({ res }) => {
      const health = await checkHealth(deps);
      if (health.status === "down") res.status(503);
      return health;
    },
  );
  api.route(
    {
      method: "get",
      path: "/api/health/ready",
      operationId: "getReadiness",
      summary: "Whether this replica can serve requests (readiness)",
      description:
        "The same report as /api/health. 503 while the database does not answer: take the replica out of the load balancer " +
        "until it does. A chain that does not answer is reported (degraded) but keeps it in: every replica shares the chain.",
      tags: ["health"],
      response: HealthSchema,
    },
    async ({ res }) => {
      const health = await checkHealth(deps);
      if (health.status === "down") {
        res.status(503);
        res.setHeader("Retry-After", "5");
      }
      return health;
    },
  );
  api.route(
    {
      method: "get",
      path: "/api/health/live",
      operationId: "getLiveness",
      summary: "Whether the process runs (liveness)",
      description: "200 while the process answers, whatever its database or chain do: a dependency that went away is no reason to restart it.",
      tags: ["health"],
      response: LivenessSchema,
    },
    async () => ({ status: "live" as const }),
  );
}
