// The chain indexer: follows the fund contracts' PaymentMade / PaymentRefunded / MerchantSettled events from cursors
// stored in Postgres (chain_cursors, one per fund, so a fund registered later is read from the start), `confirmations` blocks behind the head, in bounded block ranges.
// Each range is stored with the cursor in one transaction (chain-index.repository), and applying a
// range twice changes nothing, so a crash or restart at any point leaves no gap and no duplicate.
// Payments that a charge recorded already are marked confirmed in the same transaction.
//
// Several replicas may run it: on PostgreSQL only the holder of an advisory lock indexes (the others
// wait and take over when it goes; db/leader.ts), on PGlite (one process) there is no lock to take.
import type { JsonRpcProvider } from "ethers";
import { chainIndexRepository, type IndexedEvent } from "../../db/chain-index.repository.ts";
import { leaderLoop } from "../../db/leader.ts";
import { spendingRepository } from "../../db/spending.repository.ts";
import { inTransaction, type Db } from "../../db/transaction.ts";
import { readFundEvents, safeHead } from "../../chain/events.ts";
import { toChainDomainError } from "../../chain/errors.ts";
import { paymentsRepository } from "../payments/payments.repository.ts";
import { payoutsRepository } from "../payouts/payouts.repository.ts";
import { indexedFundsRepository } from "./funds.repository.ts";
import { outboxRepository, queueFamilyNotice } from "../notifications/index.ts";


export interface IndexerOptions {
  db: Db;
  /** "pglite" skips the advisory lock. */
  dbKind: "pglite" | "postgres";
  provider: JsonRpcProvider;
  /** Blocks on top of and including an event's before it is stored (1: the head itself). Default 1. */
  confirmations?: number;
  /** At most this many blocks per step. Default 1,000. */
  maxBlocksPerStep?: number;
  /** Pause between polls once caught up. Default 1 s. */
  pollIntervalMs?: number;
  /** The cursors' prefix: each fund has its own cursor, `<prefix>:<fund address>`. Default "funds". */
  cursorName?: string;
  /** The first block to read when there is no cursor yet (the factory's deployment block). Default 0. */
  startBlock?: number;
  clock?: () => Date;
  /** Errors of a step (the loop goes on after a pause): for the log. Default console.error. */
  onError?: (error: unknown) => void;
  /** The advisory lock's key. Default 0x7465676f ("tego"). */
  lockKey?: number;
  /** The bank payouts go through: the run of payouts rebuilt from the chain names it. Default "simulated". */
  payoutBank?: "simulated" | "bunq" | "sepa";
}

export interface IndexerStep {
  fromBlock: number;
  toBlock: number;
  paymentsAdded: number;
  refundsAdded: number;
  /** True when the cursor reached the safe head. */
  caughtUp: boolean;
}

export interface IndexerLag {
  headBlock: number;
  /** The cursor of the fund furthest behind; null before its first range was stored. */
  cursorBlock: number | null;
  /** head − cursor (the whole chain before the first range). */
  blocks: number;
  /** Time between the cursor's block (before the first range: the start block) and the head block, in ms. */
  ms: number;
}

export interface Indexer {
  /** Stores the next range (up to `maxBlocksPerStep`), if there is one. */
  step(): Promise<IndexerStep | null>;
  /** Steps until the cursor reaches the safe head. */
  catchUp(): Promise<void>;
  /** Starts the loop (no-op when running). */
  start(): void;
  /** Stops the loop after the current step; resolves when it has stopped. */
  stop(): Promise<void>;
  readonly running: boolean;
  /** Whether this instance holds the lock (always true on PGlite). */
  readonly leader: boolean;
  lag(): Promise<IndexerLag>;
}

/** Indexer steps between two vacuums of the rollups' deltas (spendingRepository.tidy): about 10 minutes at one step a second. */
const TIDY_EVERY = 600;

export function createIndexer(options: IndexerOptions): Indexer {
  const { db, provider } = options;
  let folds = 0;
  const confirmations = options.confirmations ?? 1;
  const maxBlocks = options.maxBlocksPerStep ?? 1_000;
  const pollMs = options.pollIntervalMs ?? 1_000;
  const cursorName = options.cursorName ?? "funds";
  const startBlock = options.startBlock ?? 0;
  const clock = options.clock ?? (() => new Date());
  const onError = options.onError ?? ((error: unknown) => console.error("indexer:", error));
  const lockKey = options.lockKey ?? 0x7465676f;
  const payoutBank = options.payoutBank ?? "simulated";
  if (!Number.isInteger(confirmations) || confirmations < 1) throw new RangeError("confirmations must be at least 1");
  if (!Number.isInteger(maxBlocks) || maxBlocks < 1) throw new RangeError("maxBlocksPerStep must be at least 1");

  const fundCursor = (address: string) => `${cursorName}:${address.toLowerCase()}`;

  /** Each fund's cursor: the last block stored for it, `startBlock - 1` before its first range. */
  async function cursors(): Promise<{ address: string; cursor: number }[]> {
    const funds = await indexedFundsRepository(db).addresses();
    const chain = chainIndexRepository(db);
    return Promise.all(
      funds.map(async (address) => ({ address, cursor: (await chain.getCursor(fundCursor(address))) ?? startBlock - 1 })),
    );
  }

  async function step(): Promise<IndexerStep | null> {
    const [all, head] = await Promise.all([cursors(), safeHead(provider, confirmations)]);
    if (all.length === 0) return null;
    // The funds furthest behind go first, together; a fund registered late starts from `startBlock`
    // on its own cursor, so it never inherits the others' position and leaves no gap.
    const lowest = Math.min(...all.map((f) => f.cursor));
    const group = all.filter((f) => f.cursor === lowest).map((f) => f.address);
    const fromBlock = lowest + 1;
    if (head < fromBlock) return null;
    const toBlock = Math.min(head, fromBlock + maxBlocks - 1);
    // Read the chain first, with no transaction open; then store the range and the cursors at once.
    const events = await readFundEvents({ provider, funds: group, fromBlock, toBlock, maxBlockRange: maxBlocks });
    const indexed = events.filter((e): e is IndexedEvent & (typeof events)[number] => e.kind === "payment" || e.kind === "refund");
    const applied = await inTransaction(db, async (trx) => {
      const chain = chainIndexRepository(trx);
      let paymentsAdded = 0;
      let refundsAdded = 0;
      for (const address of group) {
        const mine = indexed.filter((e) => e.fundAddress.toLowerCase() === address.toLowerCase());
        const result = await chain.applyChainEvents(fundCursor(address), toBlock, mine);
        paymentsAdded += result.paymentsAdded;
        refundsAdded += result.refundsAdded;
      }
      const payments = indexed.filter((e) => e.kind === "payment");
      if (payments.length) await paymentsRepository(trx).confirmPayments(payments, clock());
      // Receipts for families that asked for them, queued with the payment's row (once per payment).
      for (const r of await outboxRepository(trx).receiptTargets(payments)) {
        await queueFamilyNotice(trx, r.familyId, {
          kind: "payment_receipt", dedupeKey: `payment_receipt:${r.paymentId}`,
          data: { senderName: r.fundName, childName: r.childName, shopName: r.shopName, amountCents: r.amountCents.toString(), leftCents: r.leftCents.toString() },
        });
      }
      // Payouts the chain recorded (settle): marked settled with their transaction, whatever our process managed to write.
      const settled = events.flatMap((e) => (e.kind === "event" && e.name === "MerchantSettled" ? [{
        fundAddress: e.fundAddress, merchant: e.args.merchant, amount: e.args.amount, bankRef: e.args.bankRef, txHash: e.txHash, blockTime: e.blockTime,
      }] : []));
      if (settled.length) {
        await payoutsRepository(trx).recordSettledEvents(settled);
        // Settles this database never heard of (restored from an older backup) come back as payouts.
        await payoutsRepository(trx).rebuildSettledFromChain(settled, payoutBank, clock());
      }
      return { paymentsAdded, refundsAdded };
    });
    // The range's payments and refunds, and those the charges recorded since the last step, into the
    // spending rollups: after the commit, so the range never waits for the rollups' lock.
    const spending = spendingRepository(db);
    await spending.fold();
    if (++folds % TIDY_EVERY === 0) await spending.tidy();
    const behind = all.some((f) => (group.includes(f.address) ? toBlock : f.cursor) < head);
    return { fromBlock, toBlock, paymentsAdded: applied.paymentsAdded, refundsAdded: applied.refundsAdded, caughtUp: !behind };
  }

  async function catchUp(): Promise<void> {
    for (;;) {
      const done = await step();
      if (done === null || done.caughtUp) return;
    }
  }

  const loop = leaderLoop({
    db, kind: options.dbKind, lockKey, intervalMs: pollMs, onError,
    work: async () => {
      const done = await step();
      return done !== null && !done.caughtUp;
    },
  });

  return {
    step,
    catchUp,
    start: () => loop.start(),
    stop: () => loop.stop(),
    get running() {
      return loop.running;
    },
    get leader() {
      return loop.leader;
    },
    async lag() {
      const [all, headNumber] = await Promise.all([cursors(), safeHead(provider, 1)]);
      const lowest = all.length ? Math.min(...all.map((f) => f.cursor)) : headNumber;
      const cursor = lowest < startBlock ? null : lowest;
      try {
        const [head, at] = await Promise.all([
          provider.getBlock(headNumber),
          provider.getBlock(Math.max(0, Math.min(cursor ?? startBlock, headNumber))),
        ]);
        const headTime = (head?.timestamp ?? 0) * 1000;
        const cursorTime = (at?.timestamp ?? 0) * 1000;
        return { headBlock: headNumber, cursorBlock: cursor, blocks: Math.max(0, headNumber - lowest), ms: Math.max(0, headTime - cursorTime) };
      } catch (error) {
        throw toChainDomainError(error);
      }
    },
  };
}
