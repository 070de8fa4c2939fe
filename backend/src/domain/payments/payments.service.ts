// Payments at the till: look up a scanned QR, charge it (exactly once per idempotency key), refund,
// list. The service decides; the QR codec is the sdk's, the chain is FundClient's, SQL the repository's.
//
// What a shop may see of a QR (lookupQr): the fund's name, what it may charge now (the budget's balance
// capped by what the family allowed in this QR) and until when the QR is valid. Nothing personal: no
// child's name or initial, no family, no budget id (a stable id would let shops follow a child around),
// no balance above the QR's cap.
//
// Exactly once: the key is claimed in Postgres before anything is sent; concurrent requests with the
// same key wait for the first one's answer. A permit's nonce is single-use on chain, so the same QR can
// never pay twice whatever happens here; a claim left pending by a crash is taken over only after
// `staleClaimMs`, and then the chain is asked first (the payment id is a function of budget and nonce)
// so the answer is the original payment's receipt, not a second attempt.
//
// One transaction per QR: a permit (budget and nonce) is claimed before its payment is sent, so when
// several charges of one QR race (other keys, other shops), one is sent and the others are refused as
// PERMIT_USED without a transaction. Refunds of one payment run one at a time, so a second full refund
// is refused by its simulation (REFUND_EXCEEDED) instead of reverting on chain.
import { createHash } from "node:crypto";
import { DomainError, PaymentQrError, decodePaymentQr, domainErrorFromQr, permitFromQr, type PaymentPermit } from "@tegoed/sdk";
import { auditLogRepository } from "../../db/audit-log.repository.ts";
import { idempotencyRepository, type ClaimResult } from "../../db/idempotency.repository.ts";
import { isDatabaseUnavailable } from "../../db/connect.ts";
import { inTransaction, type Db } from "../../db/transaction.ts";
import { paymentIdOf, type FundClient, type SimulatedPayment } from "../../chain/fund-client.ts";
import { neverReachedNode } from "../../chain/errors.ts";
import { findPaymentEvent, findRefundEvent } from "../../chain/payment-logs.ts";
import { blockTimeOf, type PaymentEvent } from "../../chain/events.ts";
import { merchantsRepository, type ShopStanding } from "../merchants/merchants.repository.ts";
import { paymentsRepository, type FundRef, type PaymentLine } from "./payments.repository.ts";

export interface PaymentDeps {
  db: Db;
  /** The client of the fund contract at this address. */
  fund(address: string): FundClient;
  clock?: () => Date;
  /** A claim pending this long is taken to be abandoned (its request crashed). Default 5 minutes. */
  staleClaimMs?: number;
  /** This process's mark on its claims: another replica may take one over at once when this process is gone. */
  claims?: { readonly id: number | null };
  /** How long a request waits for a concurrent request with the same key. Default 30 s. */
  waitForClaimMs?: number;
  /** For a payment made on chain that the database could not record at once (the indexer records it later). */
  log?: { error(message: string, fields?: Record<string, unknown>): void };
}

/** What the shop's screen shows after a scan. */
export interface QrLookup {
  fundId: string;
  fundName: string;
  /** What may be charged now: min(budget balance, the QR's maximum). */
  spendableCents: number;
  /** The QR's deadline (ISO 8601): show a countdown, ask for a fresh one after. */
  validUntil: string;
}

/** The shop at the till, and its standing when the caller read it already (with the session). */
export interface Till {
  merchantId: string;
  shop?: ShopStanding;
}

export interface ChargeCommand extends Till {
  qr: string;
  amountCents: number;
  idempotencyKey: string;
  /** The logged-in shop user, for the audit log. */
  merchantUserId?: string;
}

export interface ChargeReceipt {
  paymentId: string;
  amountCents: number;
  newBalanceCents: number;
  txHash: string;
  fundId: string;
  /** The block's time (ISO 8601). */
  paidAt: string;
}

export interface RefundCommand {
  merchantId: string;
  paymentId: string;
  amountCents: number;
  merchantUserId?: string;
}

export interface RefundReceipt {
  paymentId: string;
  amountCents: number;
  /** What of the payment may still be refunded. */
  refundableCents: number;
  txHash: string;
}

export interface PaymentListItem {
  paymentId: string;
  fundId: string;
  amountCents: number;
  refundedCents: number;
  txHash: string;
  paidAt: string;
  confirmed: boolean;
}

export interface PaymentList {
  payments: PaymentListItem[];
  totals: { count: number; amountCents: number; refundedCents: number; netCents: number };
}

const DEFAULT_STALE_MS = 5 * 60_000;
const DEFAULT_WAIT_MS = 30_000;
/** Errors after which a sent transaction may still be mined: the claim must stay until the chain says. */
const UNCERTAIN = new Set(["CHAIN_TIMEOUT", "CHAIN_UNAVAILABLE", "INTERNAL", "CHAIN_REVERTED"]);

/** This process's mark for the claims it makes (null: none). */
const holderOf = (deps: PaymentDeps): number | null => deps.claims?.id ?? null;

/** Keys whose attempt in this process ended without a certain answer (their claim stays pending). */
const endedUncertain = new Set<string>();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const clockOf = (deps: PaymentDeps) => deps.clock ?? (() => new Date());

function cents(value: unknown, field: string): bigint {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new DomainError("INVALID_INPUT", undefined, { field, reason: "a positive whole number of cents" });
  }
  return BigInt(value);
}

function toNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new DomainError("AMOUNT_TOO_LARGE");
  return Number(value);
}

interface Scanned {
  fund: FundRef;
  client: FundClient;
  permit: PaymentPermit;
  signature: string;
  merchantAddress: string;
}

/** A fund's id, name and address never change once its row exists: each is read once per database. */
const fundsByIndex = new WeakMap<Db, Map<number, FundRef>>();

async function fundByIndex(db: Db, index: number): Promise<FundRef | null> {
  let known = fundsByIndex.get(db);
  if (!known) fundsByIndex.set(db, (known = new Map()));
  const cached = known.get(index);
  if (cached) return cached;
  const fund = await paymentsRepository(db).fundByIndex(index);
  if (fund) known.set(index, fund);
  return fund;
}

/** Decodes the QR, finds its fund and checks that this shop may take payments from it. */
async function scan(deps: PaymentDeps, till: Till, qrText: string): Promise<Scanned> {
  if (typeof qrText !== "string" || qrText.length === 0 || qrText.length > 1000) {
    throw new DomainError("INVALID_INPUT", undefined, { field: "qr", reason: "required, at most 1000 characters" });
  }
  let qr;
  try {
    qr = decodePaymentQr(qrText);
  } catch (error) {
    if (error instanceof PaymentQrError) throw domainErrorFromQr(error);
    throw error;
  }
  const [fund, shop] = await Promise.all([
    fundByIndex(deps.db, qr.fundIndex),
    till.shop ?? merchantsRepository(deps.db).shopStanding(till.merchantId),
  ]);
  if (!fund) throw new DomainError("FUND_UNKNOWN", undefined, { fundIndex: String(qr.fundIndex) });
  if (!shop) throw new DomainError("NOT_FOUND", "This shop was not found.", { merchantId: till.merchantId });
  if (shop.status !== "approved" || shop.chainAddress === null) {
    throw new DomainError("MERCHANT_NOT_APPROVED", undefined, { status: shop.status });
  }
  const link = shop.funds.find((f) => f.fundId === fund.id);
  // A QR of a scheme this shop does not take part in: say so, rather than "not approved".
  if (!link) throw new DomainError("PERMIT_WRONG_FUND", undefined, { fundId: fund.id });
  if (link.suspended) throw new DomainError("MERCHANT_NOT_APPROVED", undefined, { fundId: fund.id });
  return {
    fund,
    client: deps.fund(fund.chainAddress),
    permit: permitFromQr(qr, fund.chainAddress),
    signature: qr.signature,
    merchantAddress: shop.chainAddress,
  };
}

/** What the shop may see of a scanned QR; refuses a dead QR with its code. Sends nothing. */
export async function lookupQr(deps: PaymentDeps, till: Till, qrText: string): Promise<QrLookup> {
  const s = await scan(deps, till, qrText);
  // A payment of one cent, the smallest charge, run as a call: the contract judges the QR as it would a
  // charge (an empty budget is BUDGET_INSUFFICIENT), in one request, and answers the balance after it.
  const simulated = await s.client.simulatePay(s.permit, s.signature, s.merchantAddress, 1n);
  const balance = simulated.balanceAfter + 1n;
  const spendable = balance < s.permit.maxAmount ? balance : s.permit.maxAmount;
  return {
    fundId: s.fund.id,
    fundName: s.fund.name,
    spendableCents: toNumber(spendable),
    validUntil: new Date(Number(s.permit.deadline) * 1000).toISOString(),
  };
}

/** A receipt as stored with its key (jsonb keeps no key order), in the order a fresh one has. */
function storedReceipt(stored: unknown): ChargeReceipt {
  const r = stored as ChargeReceipt;
  return {
    paymentId: r.paymentId, amountCents: r.amountCents, newBalanceCents: r.newBalanceCents, txHash: r.txHash, fundId: r.fundId,
    paidAt: r.paidAt,
  };
}

function requestHash(cmd: ChargeCommand): string {
  return createHash("sha256").update(JSON.stringify({ qr: cmd.qr.trim().toUpperCase(), amountCents: cmd.amountCents })).digest("hex");
}

/**
 * Charges a scanned QR. Same key and request again → the first answer; same key, other request →
 * CONFLICT. A refused QR is refused before anything is sent (no gas), with its code.
 */
export async function charge(deps: PaymentDeps, cmd: ChargeCommand): Promise<ChargeReceipt> {
  try {
    return await chargeOnce(deps, cmd);
  } catch (error) {
    // A payment the chain made is answered with its receipt even when the database is away (see
    // `record`), so a database failure that reaches here came before anything was sent.
    if (isDatabaseUnavailable(error)) {
      throw new DomainError("SERVICE_UNAVAILABLE", "Tegoed cannot reach its database right now: nothing was charged. Please try again.", {
        charged: "nothing", retryAfterSeconds: "5",
      }, { cause: error });
    }
    throw error;
  }
}

async function chargeOnce(deps: PaymentDeps, cmd: ChargeCommand): Promise<ChargeReceipt> {
  cents(cmd.amountCents, "amountCents");
  if (typeof cmd.idempotencyKey !== "string" || cmd.idempotencyKey.length < 8 || cmd.idempotencyKey.length > 200) {
    throw new DomainError("INVALID_INPUT", undefined, { field: "idempotencyKey", reason: "8 to 200 characters" });
  }
  const scope = `charge:${cmd.merchantId}`;
  const hash = requestHash(cmd);
  const holder = holderOf(deps);
  const keys = idempotencyRepository(deps.db, holder);
  const waitUntil = Date.now() + (deps.waitForClaimMs ?? DEFAULT_WAIT_MS);
  // The payment is simulated while the key is being claimed: neither changes anything, and a charge
  // waits for the slower of the two instead of for both. The QR's permit is claimed with the key, in
  // one round trip, when the QR could be read (reading it mostly waits for nothing: the fund is cached, the
  // shop came with the session); else the key alone, as a retry needs.
  const ready = prepare(deps, cmd);
  const permit = await ready.scanned.then((s) => permitClaimOf(s, scope, cmd.idempotencyKey), () => undefined);
  for (let round = 0; ; round++) {
    let claim: ClaimResult;
    let permitClaimed: boolean | null = null;
    if (round === 0 && permit) ({ claim, alsoClaimed: permitClaimed } = await keys.claimWith(scope, cmd.idempotencyKey, hash, permit));
    else claim = await keys.claim(scope, cmd.idempotencyKey, hash);
    if (claim === "mismatch") {
      throw new DomainError("CONFLICT", "This idempotency key was used for another charge.", { field: "idempotencyKey" });
    }
    if (claim === "claimed") return runCharge(deps, cmd, scope, ready, false, permitClaimed);
    if (claim !== "in-progress") return storedReceipt(claim.done);

    // The first holder of the key may have paid and then lost the database before recording it (its
    // till retries): the chain says so, and the payment's receipt is the answer. A chain that cannot
    // answer at first (a till's retries all at once) is no answer: the holder may still finish.
    if (round === 0 || Date.now() > waitUntil) {
      const paid = await paidOnChain(deps, cmd, scope, hash, ready).catch((error: unknown) => {
        if (round === 0 && error instanceof DomainError && error.code === "CHAIN_UNAVAILABLE") return null;
        throw error;
      });
      if (paid) return paid;
    }
    // The key's earlier attempt ended in this process without a certain answer: nobody is working on it
    // any more, so its retry may act now instead of after `staleClaimMs` (that wait is for an attempt
    // that may still run elsewhere). Acting is safe: the chain is asked first, and the permit's nonce
    // lets at most one payment through even if the earlier transaction is mined late.
    if (endedUncertain.delete(`${scope}\n${cmd.idempotencyKey}`)) {
      if (await takeOverAtOnce(deps, scope, cmd.idempotencyKey, hash)) {
        return runCharge(deps, cmd, scope, ready, true);
      }
    }
    // The process that holds the key is gone (a replica killed mid-charge): nobody is working on it.
    if (await paymentsRepository(deps.db).takeOverOrphanedClaim(scope, cmd.idempotencyKey, hash, holder)) {
      return runCharge(deps, cmd, scope, ready, true);
    }
    if (await paymentsRepository(deps.db).takeOverStaleClaim(scope, cmd.idempotencyKey, hash, staleBefore(deps), holder)) {
      return runCharge(deps, cmd, scope, ready, true);
    }
    if (Date.now() > waitUntil) {
      throw new DomainError("CONFLICT", "A charge with this idempotency key is still running: try again shortly.", {
        field: "idempotencyKey",
      });
    }
    await sleep(Math.min(25 * 2 ** Math.min(round, 3), 200));
  }
}

/** Claims older than this were left by their holder (it crashed or gave up). */
function staleBefore(deps: PaymentDeps): Date {
  return new Date(clockOf(deps)().getTime() - (deps.staleClaimMs ?? DEFAULT_STALE_MS));
}

/** Takes over the key's pending claim whatever its age: for when nobody can be working on it any more. */
function takeOverAtOnce(deps: PaymentDeps, scope: string, key: string, hash: string): Promise<boolean> {
  return paymentsRepository(deps.db).takeOverStaleClaim(scope, key, hash, new Date(Date.now() + 365 * 86_400_000), holderOf(deps));
}

/** The receipt of this charge when its permit's payment is on chain already (to this shop, this amount); null when not. */
async function paidOnChain(deps: PaymentDeps, cmd: ChargeCommand, scope: string, hash: string, ready: Prepared): Promise<ChargeReceipt | null> {
  const s = await ready.scanned;
  const event = await permitPayment(s, BigInt(cmd.amountCents));
  if (!event) return null;
  // Paid: whoever holds the claim has nothing left to send, so it may be taken over at once.
  await takeOverAtOnce(deps, scope, cmd.idempotencyKey, hash);
  return record(deps, cmd, scope, s, event, await balanceAfter(s, event.blockNumber));
}

/** PERMIT_USED for the scanned QR's budget and nonce (`state: charging`: another charge of it is under way). */
function permitUsed(s: Scanned, more: { state?: "charging" } = {}): DomainError {
  return new DomainError("PERMIT_USED", undefined, { budgetId: s.permit.budgetId, nonce: s.permit.nonce.toString(), ...more });
}

/** The QR's payment when it is on chain already; PERMIT_USED when it paid another shop or another amount. */
async function permitPayment(s: Scanned, amount: bigint): Promise<PaymentEvent | null> {
  const event = await findPaymentEvent(s.client, paymentIdOf(s.permit.budgetId, s.permit.nonce));
  if (event && (event.merchant.toLowerCase() !== s.merchantAddress.toLowerCase() || event.amountCents !== amount)) {
    throw permitUsed(s);
  }
  return event;
}

/** The budget's balance after a block; the latest when the node no longer keeps that block's state (pruned, or restarted from a state file). */
async function balanceAfter(s: Scanned, blockNumber: number): Promise<bigint> {
  try {
    return (await s.client.budgetOf(s.permit.budgetId, blockNumber)).balance;
  } catch {
    return (await s.client.budgetOf(s.permit.budgetId)).balance;
  }
}

interface Prepared {
  scanned: Promise<Scanned>;
  simulated: Promise<SimulatedPayment>;
}

function prepare(deps: PaymentDeps, cmd: ChargeCommand): Prepared {
  const scanned = scan(deps, cmd, cmd.qr);
  const simulated = scanned.then((s) => s.client.simulatePay(s.permit, s.signature, s.merchantAddress, BigInt(cmd.amountCents)));
  // Awaited only when the key is claimed: a retry answered from its key never looks at them.
  scanned.catch(() => {});
  simulated.catch(() => {});
  return { scanned, simulated };
}

/**
 * `permitClaimed`: whether the key's claim also claimed the QR's permit (false: another charge holds it;
 * null: not tried, claim it now).
 */
async function runCharge(
  deps: PaymentDeps, cmd: ChargeCommand, scope: string, ready: Prepared, recovering = false, permitClaimed: boolean | null = null,
): Promise<ChargeReceipt> {
  const keys = idempotencyRepository(deps.db, holderOf(deps));
  const amount = BigInt(cmd.amountCents);
  let sent = false;
  let permit: { scope: string; key: string } | undefined;
  try {
    const s = await ready.scanned;
    if (permitClaimed === true) permit = permitClaimOf(s, scope, cmd.idempotencyKey);
    // Another key's charge claimed the QR first; it is this charge's only if that one was left. Not
    // recovering: if the left charge paid, its payment is not this one's (the till may be selling again
    // on a QR it was shown before), and the simulation refuses the used QR.
    else if (permitClaimed === false) permit = await takeOverAbandonedPermit(deps, s, scope, cmd.idempotencyKey);
    if (recovering) {
      // The earlier holder of this key may have paid before it died: ask the chain first.
      const event = await permitPayment(s, amount);
      if (event) return await record(deps, cmd, scope, s, event, await balanceAfter(s, event.blockNumber));
    }
    // The contract judged the QR in a simulation (eth_call): a dead one is refused with its reason
    // before anything is sent. A claim taken over from a crashed request simulates afresh.
    const simulated = recovering ? await s.client.simulatePay(s.permit, s.signature, s.merchantAddress, amount) : await ready.simulated;
    permit ??= await claimPermit(deps, s, scope, cmd.idempotencyKey, recovering);
    sent = true;
    const paid = await s.client.paySimulated(simulated);
    // The event is in the receipt, and so is its block's time on most nodes; else it is asked once
    // for all payments in that block.
    const blockTime = paid.blockTime ?? (await blockTimeOf(s.client.relayer.provider, paid.blockNumber));
    const event: PaymentEvent = { kind: "payment", fundAddress: s.client.address, ...paid, blockTime };
    // No other payment can come between the simulation and this one (the nonce), so the balance the
    // simulation left is the balance now, unless staff topped up in between.
    // The permit's claim is completed with the payment (a permit left pending would only keep its spent nonce claimed).
    return await record(deps, cmd, scope, s, event, simulated.balanceAfter, permit);
  } catch (error) {
    // Taken over from a holder that is gone: its own transaction may have been mined after we looked
    // (it waited for a block), and ours failed for it. Its payment, to this shop for this amount, is
    // this charge's.
    if (recovering && sent) {
      const s = await ready.scanned;
      const event = await permitPayment(s, amount).catch(() => null);
      if (event) return await record(deps, cmd, scope, s, event, await balanceAfter(s, event.blockNumber), permit);
    }
    // A node that refused the connection got nothing: as certain as a refusal (a restarting node must not
    // hold the till's key for `staleClaimMs`).
    const uncertain = sent && !(error instanceof DomainError && !UNCERTAIN.has(error.code)) && !neverReachedNode(error);
    // Refused for sure (nothing was paid): free the key (and the permit) so a retry can act. Else keep
    // them pending; the retry after `staleClaimMs` looks on the chain.
    if (!uncertain) {
      await keys.release(scope, cmd.idempotencyKey);
      if (permit) await keys.release(permit.scope, permit.key);
    }
    // Not after a timeout: its transaction may still wait in the node's pool and be mined later; that
    // claim waits for `staleClaimMs` as before.
    else if (!(error instanceof DomainError && error.code === "CHAIN_TIMEOUT")) {
      endedUncertain.add(`${scope}\n${cmd.idempotencyKey}`);
      if (endedUncertain.size > 10_000) endedUncertain.delete(endedUncertain.values().next().value!);
    }
    throw error;
  }
}

/** The claim of a QR's permit (budget and nonce) by this charge's key. */
function permitClaimOf(s: Scanned, scope: string, idempotencyKey: string) {
  return {
    scope: `permit:${s.client.address.toLowerCase()}`,
    key: `${s.permit.budgetId.toLowerCase()}:${s.permit.nonce}`,
    requestHash: createHash("sha256").update(`${scope}\0${idempotencyKey}`).digest("hex"),
  };
}

/**
 * Claims the permit (budget and nonce) for this charge before it is sent; another charge holds it: the
 * QR is used (PERMIT_USED), and nothing is sent. A charge taken over from a crashed request may hold it already.
 */
async function claimPermit(
  deps: PaymentDeps, s: Scanned, scope: string, idempotencyKey: string, recovering: boolean,
): Promise<{ scope: string; key: string }> {
  const permit = permitClaimOf(s, scope, idempotencyKey);
  const claim = await idempotencyRepository(deps.db, holderOf(deps)).claim(permit.scope, permit.key, permit.requestHash);
  if (claim === "claimed" || (recovering && claim === "in-progress")) return permit;
  // Claimed by another key's charge (its simulation just now found the permit unpaid): usable only if left.
  if (claim === "mismatch") return takeOverAbandonedPermit(deps, s, scope, idempotencyKey);
  throw permitUsed(s);
}

/**
 * The permit's claim of another key's charge, taken over when that charge was left: its process is gone
 * (a replica killed), or its claim is older than `staleClaimMs` (the till gave up on it, e.g. the cashier
 * typed another amount). Else that charge may still pay: PERMIT_USED. The permit's nonce lets at most
 * one of the two pay.
 */
async function takeOverAbandonedPermit(deps: PaymentDeps, s: Scanned, scope: string, idempotencyKey: string): Promise<{ scope: string; key: string }> {
  const permit = permitClaimOf(s, scope, idempotencyKey);
  const payments = paymentsRepository(deps.db);
  if (await payments.takeOverAbandonedPermit(permit.scope, permit.key, permit.requestHash, staleBefore(deps), holderOf(deps))) return permit;
  // `charging`: that charge is still under way (the till is told to wait and look, not to ask for a new QR:
  // the family's phone shows the same one until the chain moves on).
  const used = await payments.permitClaimDone(permit.scope, permit.key);
  throw permitUsed(s, used ? {} : { state: "charging" });
}

async function record(
  deps: PaymentDeps, cmd: ChargeCommand, scope: string, s: Scanned, event: PaymentEvent, newBalance: bigint, permit?: { scope: string; key: string },
): Promise<ChargeReceipt> {
  const receipt: ChargeReceipt = {
    paymentId: event.paymentId.toLowerCase(),
    amountCents: toNumber(event.amountCents),
    newBalanceCents: toNumber(newBalance),
    txHash: event.txHash.toLowerCase(),
    fundId: s.fund.id,
    paidAt: event.blockTime.toISOString(),
  };
  let recorded: boolean;
  try {
    recorded = await paymentsRepository(deps.db).recordCharge(
    {
      paymentId: event.paymentId, fundId: s.fund.id, budgetId: event.budgetId, merchant: event.merchant,
      amountCents: event.amountCents, nonce: event.nonce,
      txHash: event.txHash, blockNumber: event.blockNumber, logIndex: event.logIndex, blockTime: event.blockTime,
    },
    { scope, key: cmd.idempotencyKey, response: { ...receipt } },
    {
      actorId: cmd.merchantUserId ?? null,
      details: { merchantId: cmd.merchantId, fundId: s.fund.id, amountCents: receipt.amountCents, txHash: receipt.txHash },
    },
    permit,
  );
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    // The payment is on chain: the shop is paid, so say so. The indexer stores the payment once the
    // database is back, and a retry with this key finds it on chain and answers this same receipt.
    deps.log?.error("charge paid on chain, not yet recorded: the indexer will", { paymentId: receipt.paymentId, txHash: receipt.txHash });
    return receipt;
  }
  if (!recorded) {
    // Recorded already by a retry of the same key that found the payment on chain.
    const claim = await idempotencyRepository(deps.db).claim(scope, cmd.idempotencyKey, requestHash(cmd));
    if (typeof claim === "object") return storedReceipt(claim.done);
    throw new Error(`Idempotency key ${scope}/${cmd.idempotencyKey} is not claimed, or already complete`);
  }
  return receipt;
}

/** Returns (part of) one of this shop's own payments to the family's budget. */
export async function refund(deps: PaymentDeps, cmd: RefundCommand): Promise<RefundReceipt> {
  const amount = cents(cmd.amountCents, "amountCents");
  const repo = paymentsRepository(deps.db);
  const [merchantAddress, payment] = await Promise.all([
    repo.merchantAddress(cmd.merchantId),
    typeof cmd.paymentId === "string" ? repo.payment(cmd.paymentId) : Promise.resolve(null),
  ]);
  // Another shop's payment is "not found" for this shop: its existence is none of its business.
  if (!payment || !merchantAddress || payment.merchant.toLowerCase() !== merchantAddress.toLowerCase()) {
    throw new DomainError("PAYMENT_UNKNOWN", undefined, { paymentId: String(cmd.paymentId) });
  }
  const client = deps.fund(payment.fundAddress);
  const result = await oneAtATime(deps, "refund", payment.paymentId, () => client.refund(payment.budgetId, payment.nonce, amount));
  // What is left to refund: the payment's amount less all its refunds so far (this one included), as the
  // chain counts them (the contract keeps no payment record, only the refunded cents per payment).
  const [event, refunded] = await Promise.all([
    findRefundEvent(client, result.txHash, result.blockNumber), client.refundedOf(payment.paymentId),
  ]);
  await inTransaction(deps.db, async (trx) => {
    if (event) {
      await paymentsRepository(trx).recordRefund({
        paymentId: payment.paymentId, amountCents: event.amountCents,
        txHash: event.txHash, blockNumber: event.blockNumber, logIndex: event.logIndex, blockTime: event.blockTime,
      });
    }
    await auditLogRepository(trx).append({
      actorType: "merchant", actorId: cmd.merchantUserId ?? null, action: "payment.refund", subjectType: "payment",
      subjectId: payment.paymentId, details: { merchantId: cmd.merchantId, amountCents: cmd.amountCents, txHash: result.txHash },
    });
  });
  return {
    paymentId: payment.paymentId,
    amountCents: cmd.amountCents,
    refundableCents: toNumber(payment.amountCents - refunded),
    txHash: result.txHash.toLowerCase(),
  };
}

/**
 * Runs `work` while no other request (of any replica) runs work under the same `key`: the others wait,
 * up to `waitForClaimMs` (then CONFLICT). A holder that crashed is passed over after `staleClaimMs`.
 */
async function oneAtATime<T>(deps: PaymentDeps, what: string, key: string, work: () => Promise<T>): Promise<T> {
  const keys = idempotencyRepository(deps.db);
  const scope = `lock:${what}`;
  const waitUntil = Date.now() + (deps.waitForClaimMs ?? DEFAULT_WAIT_MS);
  for (let round = 0; ; round++) {
    if ((await keys.claim(scope, key, "held")) === "claimed") break;
    const staleBefore = new Date(clockOf(deps)().getTime() - (deps.staleClaimMs ?? DEFAULT_STALE_MS));
    if (await paymentsRepository(deps.db).takeOverStaleClaim(scope, key, "held", staleBefore)) break;
    if (Date.now() > waitUntil) throw new DomainError("CONFLICT", `Another ${what} of this is still running: try again shortly.`);
    await sleep(Math.min(25 * 2 ** Math.min(round, 3), 200));
  }
  try {
    return await work();
  } finally {
    await keys.release(scope, key);
  }
}

function toItem(line: PaymentLine): PaymentListItem {
  return {
    paymentId: line.paymentId,
    fundId: line.fundId,
    amountCents: toNumber(line.amountCents),
    refundedCents: toNumber(line.refundedCents),
    txHash: line.txHash,
    paidAt: line.blockTime.toISOString(),
    confirmed: line.confirmed,
  };
}

/** A shop's payments with block time in [from, to), newest first (at most 1,000), with the totals of the whole range. */
export async function listPayments(deps: PaymentDeps, merchantId: string, from: Date, to: Date): Promise<PaymentList> {
  if (!(from instanceof Date) || !(to instanceof Date) || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to < from) {
    throw new DomainError("INVALID_INPUT", undefined, { field: "from", reason: "a range with from ≤ to" });
  }
  const repo = paymentsRepository(deps.db);
  const address = await repo.merchantAddress(merchantId);
  if (!address) return { payments: [], totals: { count: 0, amountCents: 0, refundedCents: 0, netCents: 0 } };
  const { payments, totals } = await repo.merchantPayments(address, from, to);
  return {
    payments: payments.map(toItem),
    totals: {
      count: totals.count,
      amountCents: toNumber(totals.amountCents),
      refundedCents: toNumber(totals.refundedCents),
      netCents: toNumber(totals.amountCents - totals.refundedCents),
    },
  };
}
