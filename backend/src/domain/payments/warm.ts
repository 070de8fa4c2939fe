// A till's statements, run once on every pooled connection when the server starts. PostgreSQL plans a
// prepared statement, and loads the catalog entries of its tables, on each connection's first use of it:
// without this the first charges after a start pay for that on every connection they happen to meet
// (bench/README.md, eighth round).
import { sql } from "kysely";
import type { Db } from "../../db/transaction.ts";
import { idempotencyRepository } from "../../db/idempotency.repository.ts";
import { merchantsRepository } from "../merchants/merchants.repository.ts";
import { paymentsRepository } from "./payments.repository.ts";

const NOBODY = "0".repeat(64);
const NO_FUND = "00000000-0000-0000-0000-000000000000";

/**
 * Runs the session read, the claim and the recording of a charge on `connections` connections at once
 * (so each on its own connection, as the pool hands its idle ones out), changing nothing: the session
 * is nobody's, the claim is rolled back, and the recording finds no pending claim to complete.
 */
export async function warmChargeStatements(db: Db, connections: number): Promise<void> {
  await Promise.all(Array.from({ length: connections }, () => db.connection().execute(async (conn) => {
    await merchantsRepository(conn).userBySession(NOBODY);
    await sql`begin`.execute(conn);
    try {
      await idempotencyRepository(conn).claimWith("warm-up", NOBODY, NOBODY, { scope: "warm-up:permit", key: NOBODY, requestHash: NOBODY });
    } finally {
      await sql`rollback`.execute(conn);
    }
    await paymentsRepository(conn).recordCharge(
      { paymentId: `0x${NOBODY}`, fundId: NO_FUND, budgetId: `0x${NOBODY}`, merchant: `0x${"0".repeat(40)}`, amountCents: 1n, nonce: 0n,
        txHash: `0x${NOBODY}`, blockNumber: 0, logIndex: 0, blockTime: new Date(0) },
      { scope: "warm-up", key: NOBODY, response: {} },
      { actorId: null, details: {} },
      { scope: "warm-up:permit", key: NOBODY },
    );
  })));
}
