// Test data. Rows the repositories under test do not create are inserted here directly; every value
// is random where uniqueness matters, so tests sharing a database never collide.
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { IndexedEvent } from "../../src/db/chain-index.repository.ts";
import type { Db } from "../../src/db/transaction.ts";

export const randomHex = (bytes: number) => `0x${randomBytes(bytes).toString("hex")}`;
export const randomAddress = () => randomHex(20);
export const randomBytes32 = () => randomHex(32);
export { randomUUID };

export async function seedFund(db: Db, overrides: { amountPerChildCents?: bigint } = {}) {
  return db
    .insertInto("funds")
    .values({
      chain_address: randomAddress(),
      factory_index: randomInt(2 ** 31 - 1),
      name: "Kindpakket Westerkwartier 2027",
      amount_per_child_cents: overrides.amountPerChildCents ?? 300_00n,
      budget_expiry: "2027-12-31",
      categories: ["sport", "school"],
      payout_schedule: JSON.stringify({ kind: "daily", at: "17:00" }),
    })
    .returning(["id", "chain_address"])
    .executeTakeFirstOrThrow();
}

export async function seedBudget(db: Db, fundId: string, childId: string | null, issuedCents = 300_00n) {
  return db
    .insertInto("budgets")
    .values({ budget_id: randomBytes32(), fund_id: fundId, child_id: childId, issued_cents: issuedCents, status: "issued" })
    .returning(["id", "budget_id"])
    .executeTakeFirstOrThrow();
}

export async function seedActivationCode(db: Db, familyId: string) {
  await db
    .insertInto("activation_codes")
    .values({ family_id: familyId, code_hash: randomHex(32), expires_at: new Date(Date.now() + 86_400_000) })
    .execute();
}

export async function seedSession(db: Db, subjectType: "staff" | "merchant" | "family", subjectId: string) {
  await db
    .insertInto("sessions")
    .values({
      token_hash: randomHex(32),
      subject_type: subjectType,
      subject_id: subjectId,
      csrf_token_hash: randomHex(32),
      expires_at: new Date(Date.now() + 3_600_000),
    })
    .execute();
}

/** A payment event as the indexer would decode it. */
export function paymentEvent(
  fundAddress: string,
  fields: Partial<Extract<IndexedEvent, { kind: "payment" }>> = {},
): Extract<IndexedEvent, { kind: "payment" }> {
  return {
    kind: "payment",
    paymentId: randomBytes32(),
    fundAddress,
    budgetId: randomBytes32(),
    merchant: randomAddress(),
    amountCents: 12_50n,
    nonce: 0n,
    txHash: randomBytes32(),
    blockNumber: 1,
    logIndex: 0,
    blockTime: new Date("2027-03-06T14:00:00Z"),
    ...fields,
  };
}

export function refundEvent(
  payment: Extract<IndexedEvent, { kind: "payment" }>,
  fields: Partial<Extract<IndexedEvent, { kind: "refund" }>> = {},
): Extract<IndexedEvent, { kind: "refund" }> {
  return {
    kind: "refund",
    paymentId: payment.paymentId,
    budgetId: payment.budgetId,
    merchant: payment.merchant,
    amountCents: 2_50n,
    txHash: randomBytes32(),
    blockNumber: payment.blockNumber + 1,
    logIndex: 0,
    blockTime: new Date(payment.blockTime.getTime() + 60_000),
    ...fields,
  };
}

/** Every row of every table in the public schema, as JSON text: to search for data that must be gone. */
export async function dumpAllRows(db: Db): Promise<string> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(db);
  const parts: string[] = [];
  for (const { table_name } of tables.rows) {
    const rows = await sql<{ row: unknown }>`select row_to_json(t)::text as row from ${sql.table(table_name)} t`.execute(db);
    parts.push(...rows.rows.map((r) => `${table_name}: ${String(r.row)}`));
  }
  return parts.join("\n");
}

/** Names of the tables in the public schema, sorted (Kysely's own migration tables excluded). */
export async function tableNames(db: Db): Promise<string[]> {
  const result = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'kysely_%'
    order by table_name`.execute(db);
  return result.rows.map((r) => r.table_name);
}
