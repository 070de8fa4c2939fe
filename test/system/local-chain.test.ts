// The benchmarks' anvil with interval blocks besides automine: transactions still mine on arrival,
// and blocks come without any (what did not fit in a full block is not left waiting for a next
// transaction).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "ethers";
import { devWallet, startLocalChain, type LocalChain } from "../../scripts/lib/local-chain.ts";

describe("startLocalChain({ engine: 'anvil', blockTimeSeconds })", () => {
  let chain: LocalChain;

  beforeAll(async () => {
    chain = await startLocalChain({ engine: "anvil", blockTimeSeconds: 1 });
  }, 60_000);

  afterAll(async () => {
    await chain?.stop();
  });

  it("mines a transaction when it arrives, and a block every second without one", async () => {
    const tx = await devWallet(chain.provider, 1).sendTransaction({ to: Wallet.createRandom().address, value: 1n });
    const receipt = await tx.wait();
    expect(receipt?.status).toBe(1);

    const start = await chain.provider.getBlockNumber();
    let head = start;
    for (let i = 0; i < 50 && head < start + 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      head = await chain.provider.getBlockNumber();
    }
    expect(head).toBeGreaterThanOrEqual(start + 2);
  });
});
