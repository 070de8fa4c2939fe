import { describe, expect, it } from "vitest";
import { HealthSchema } from "@tegoed/sdk";
import { checkHealth } from "../../src/http/health.ts";
import { ENGINES } from "../support/engines.ts";
import { useApp } from "./harness.ts";

// The chain probe is injected here: this test is about the report's shape and its failure modes; the
// real probe against a real node is checked in server-chain.test.ts.
const CONTRACTS = {
  factory: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  fundImplementation: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  funds: [{ name: "Kindpakket 2027", address: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0", index: 0 }],
};
let chainFails = false;
let lag = 3;
const chain = async () => {
  if (chainFails) throw new Error("connect ECONNREFUSED 127.0.0.1:8545\n    at internal stack line");
  return { chainId: 31337, blockNumber: 1234, contracts: CONTRACTS };
};

describe.each(ENGINES)("GET /api/health on $name", (engine) => {
  const app = useApp(engine, { chain, indexerLag: async () => lag });

  it("reports the database (ok, kind), the chain (id, block, contracts) and the indexer's lag", async () => {
    const response = await app.fetch("/api/health");
    expect(response.status).toBe(200);
    const body = HealthSchema.parse(await response.json());
    expect(body).toEqual({
      status: "ok",
      database: { ok: true, kind: engine.name },
      chain: { ok: true, chainId: 31337, blockNumber: 1234, contracts: CONTRACTS },
      indexer: { ok: true, lagBlocks: 3 },
    });
  });

  it("reports a chain failure as degraded with its one-line reason, still 200 while the database answers", async () => {
    chainFails = true;
    try {
      const response = await app.fetch("/api/health");
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body.status).toBe("degraded");
      expect(body.chain).toEqual({ ok: false, error: "connect ECONNREFUSED 127.0.0.1:8545" });
      expect(body.database).toEqual({ ok: true, kind: engine.name });
    } finally {
      chainFails = false;
    }
  });

  it("liveness answers 200 whatever the dependencies do; readiness gives the same report, 200 while the database answers", async () => {
    chainFails = true;
    try {
      const live = await app.fetch("/api/health/live");
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ status: "live" });
      const ready = await app.fetch("/api/health/ready");
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: "degraded", database: { ok: true }, chain: { ok: false } });
    } finally {
      chainFails = false;
    }
  });

  it("needs no session", async () => {
    expect((await app.fetch("/api/health")).status).toBe(200);
  });

  describe("checkHealth", () => {
    it("without chain or indexer: degraded, naming what is missing", async () => {
      expect(await checkHealth({ db: app.db, kind: app.kind })).toEqual({
        status: "degraded",
        database: { ok: true, kind: app.kind },
        chain: { ok: false, error: "no chain configured" },
        indexer: { ok: false, error: "the indexer is not running in this process" },
      });
    });

    it("gives up on a check that hangs, after the time limit", async () => {
      const hanging = () => new Promise<never>(() => {});
      const health = await checkHealth({ db: app.db, kind: app.kind, chain: hanging, indexerLag: hanging, timeoutMs: 50 });
      expect(health.chain).toEqual({ ok: false, error: "no answer within 50 ms" });
      expect(health.indexer).toEqual({ ok: false, error: "no answer within 50 ms" });
    });
  });
});
