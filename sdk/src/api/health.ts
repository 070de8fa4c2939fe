// GET /api/health: the state of the backend's dependencies, for operators and load balancers.
// /api/health/ready answers the same report, 503 while this replica cannot serve (its database is down);
// /api/health/live answers 200 while the process does, whatever its dependencies do (restart only if not).
import { z } from "zod";

const Failure = z.object({ ok: z.literal(false), error: z.string() });

export const HealthSchema = z
  .object({
    /** "ok" when every part is; "degraded" when the database answers but the chain or indexer do not. */
    status: z.enum(["ok", "degraded", "down"]),
    database: z.union([z.object({ ok: z.literal(true), kind: z.enum(["pglite", "postgres"]) }), Failure]),
    chain: z.union([
      z.object({
        ok: z.literal(true),
        chainId: z.number().int(),
        blockNumber: z.number().int(),
        contracts: z.object({
          factory: z.string(),
          fundImplementation: z.string(),
          funds: z.array(z.object({ name: z.string(), address: z.string(), index: z.number().int() })),
        }),
      }),
      Failure,
    ]),
    indexer: z.union([
      z.object({
        ok: z.literal(true),
        /** Blocks the indexer is behind the chain's head. */
        lagBlocks: z.number().int().nonnegative(),
      }),
      Failure,
    ]),
  })
  .meta({ id: "Health" });
export type Health = z.infer<typeof HealthSchema>;

export const LivenessSchema = z.object({ status: z.literal("live") }).meta({ id: "Liveness" });
export type Liveness = z.infer<typeof LivenessSchema>;
