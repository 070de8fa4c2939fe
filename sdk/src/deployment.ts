import { z } from "zod";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an 0x-prefixed 20-byte hex address");

/** One fund as deployed: its clone address and its short index in the factory (used in QRs). */
export const DeployedFundSchema = z.object({
  address,
  index: z.number().int().nonnegative(),
  name: z.string().min(1),
  currency: z.string().length(3),
  defaultBudgetExpiry: z.number().int().positive(),
});

/**
 * The deployment file `scripts/deploy.ts` writes and the backend reads: where the contracts are on
 * which chain, and from which block an indexer must start reading.
 */
export const DeploymentSchema = z.object({
  chainId: z.number().int().positive(),
  rpcUrl: z.string().url(),
  factory: address,
  fundImplementation: address,
  deployedAtBlock: z.number().int().nonnegative(),
  deployedAt: z.string().datetime(),
  funds: z.array(DeployedFundSchema),
});

export type DeployedFund = z.infer<typeof DeployedFundSchema>;
export type Deployment = z.infer<typeof DeploymentSchema>;

/** Parses a deployment file's text; throws an Error naming the first bad field. */
export function parseDeployment(text: string): Deployment {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("deployment file is not valid JSON");
  }
  const result = DeploymentSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`deployment file: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return result.data;
}
