// Typed calls on one Fund contract, for the domain services: writes go through the Relayer (simulated
// first, so a refusal costs no gas), reads are plain eth_calls. Every refusal is a DomainError.
import {
  AbiCoder, Interface, Signature, ZeroHash, getAddress, id, isAddress, isHexString, keccak256, toUtf8Bytes, verifyTypedData,
} from "ethers";
import {
  DomainError, PAYMENT_PERMIT_TYPES, type PaymentPermit, fundAbi, fundDomain,
} from "@tegoed/sdk";
import {
  decodeBool, decodeMulticallResults, decodePayBalance, decodeUint, encodeIsBankRefUsed, encodeMulticall, encodePay, encodeReceivableOf, encodeSettle,
} from "./calldata.ts";
import { toChainDomainError } from "./errors.ts";
import { PayBatcher, type PayBatcherOptions } from "./pay-batcher.ts";
import { settleMany, type SettleItem, type SettleManyOptions, type SettleOutcome } from "./settle-batch.ts";
import { type Purpose, RelayerSet } from "./lanes.ts";
import { Relayer, type ParsedLog, type RelayedTx } from "./relayer.ts";

const fundInterface = new Interface(fundAbi);
const PAYMENT_MADE_TOPIC = fundInterface.getEvent("PaymentMade")!.topicHash;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

export type { SettleItem, SettleManyOptions, SettleOutcome } from "./settle-batch.ts";
export { SETTLE_BATCH_MAX } from "./settle-batch.ts";

export type FundRoleName = "DEFAULT_ADMIN" | "SPONSOR" | "VALIDATOR" | "MERCHANT_MANAGER" | "SETTLER" | "OPERATOR" | "PAUSER";

/** The fund's role ids, as the contract computes them (`keccak256("SPONSOR_ROLE")`…). */
export const FUND_ROLE_IDS: Readonly<Record<FundRoleName, string>> = {
  DEFAULT_ADMIN: ZeroHash,
  SPONSOR: id("SPONSOR_ROLE"),
  VALIDATOR: id("VALIDATOR_ROLE"),
  MERCHANT_MANAGER: id("MERCHANT_MANAGER_ROLE"),
  SETTLER: id("SETTLER_ROLE"),
  OPERATOR: id("OPERATOR_ROLE"),
  PAUSER: id("PAUSER_ROLE"),
};

/**
 * Views bundled into one `multicall` eth_call by the bulk reads: a few million gas at most (a merchant's
 * view costs under 10k inside it), far below any node's cap on a call.
 */
export const READS_PER_CALL = 500;

/** How many budgets one issueBudgets or topUp transaction carries. */
export const BUDGET_BATCH_SIZE = 100;

/** A budget as the chain holds it. Amounts in cents; `expiry` in unix seconds. */
export interface BudgetState {
  budgetId: string;
  /** The family's device key; the zero address until activation. */
  holder: string;
  sponsor: string;
  balance: bigint;
  spent: bigint;
  expiry: bigint;
  /** The nonce the next permit must carry. */
  nonce: bigint;
  frozen: boolean;
  /** False for an id the fund never issued. */
  exists: boolean;
}

export interface MerchantState {
  address: string;
  approved: boolean;
  suspended: boolean;
  categories: number;
  receivable: bigint;
  paidOut: bigint;
}

/** One payment as a link of its budget's payment chain (the contract's `IFund.PaymentLink`). */
export interface PaymentLink {
  merchant: string;
  amount: bigint;
  nonce: bigint;
}

/** What `Fund.refund` takes as proof of a payment: the chain head before it, and it and every later payment. */
export interface PaymentProof {
  headBefore: string;
  links: PaymentLink[];
}

export interface FundTotals {
  deposited: bigint;
  withdrawn: bigint;
  reserve: bigint;
  outstanding: bigint;
  paidOut: bigint;
}

export interface BudgetGrant {
  budgetId: string;
  amountCents: bigint;
  /** Unix seconds; absent or 0 takes the fund's default expiry. */
  expiry?: bigint;
}

export interface PaymentResult {
  paymentId: string;
  budgetId: string;
  merchant: string;
  amountCents: bigint;
  /** The permit nonce the payment used; with the budget id it names the payment for refunds. */
  nonce: bigint;
  txHash: string;
  blockNumber: number;
  /** The block's time when the node sent it with the receipt. */
  blockTime?: Date;
  /** The PaymentMade event's index in its block: with the tx hash, the row the indexer will find. */
  logIndex: number;
}

export interface RefundResult {
  paymentId: string;
  txHash: string;
  blockNumber: number;
}

/** A payment the contract accepted in a simulation, ready to send. */
export interface SimulatedPayment {
  /** The encoded `pay` call. */
  readonly data: string;
  /** The budget's balance after this payment, as the simulation left it. */
  readonly balanceAfter: bigint;
  /** The permit's deadline (seconds since the epoch): the batcher drops a payment that would arrive late. */
  readonly deadline: bigint;
}

/** What a valid permit was checked against. */
export interface PaymentCheck {
  budget: BudgetState;
  merchant: MerchantState;
  signer: string;
  /** The latest block's timestamp the deadline and expiry were compared with. */
  chainTime: bigint;
}

/** A bank's transfer reference as the bytes32 the contract stores: its hash, so no text lands on chain. */
export function bankRefOf(reference: string): string {
  if (reference.trim() === "") throw new DomainError("INVALID_INPUT", "A bank reference is required.", { field: "bankRef" });
  return keccak256(toUtf8Bytes(reference));
}

/** A hash as the contract keeps a payment-chain head: its first 20 bytes, the last 12 zero. */
function chainHead(hash: string, width: HeadWidth): string {
  return width === 32 ? hash : hash.slice(0, 42) + "0".repeat(24);
}

/**
 * The bytes of a hash a fund keeps as a payment-chain head: 20 (funds made since issue #24), or all 32
 * (funds made before, still on the chain of a municipality that updated its backend).
 */
export type HeadWidth = 20 | 32;

/** The width of the heads a fund keeps, told by a head it holds (a 20-byte head ends in 12 zero bytes; a full hash does with odds of 2^-96). */
export function headWidthOf(storedHead: string): HeadWidth {
  return /0{24}$/.test(storedHead) ? 20 : 32;
}

/** The head of a budget's payment chain before its first payment, as the contract sets it at issue. */
export function paymentChainGenesis(budgetId: string, width: HeadWidth = 20): string {
  return chainHead(keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32"], [budgetId])), width);
}

/** The head after `link`: `keccak256(abi.encode(head, merchant, amount, nonce))` cut to `width` bytes, as `Fund.pay` computes it. */
export function paymentChainLink(head: string, link: PaymentLink, width: HeadWidth = 20): string {
  return chainHead(keccak256(
    AbiCoder.defaultAbiCoder().encode(["bytes32", "address", "uint256", "uint256"], [head, link.merchant, link.amount, link.nonce]),
  ), width);
}

/** The id the contract gives the payment made from `budgetId` with permit nonce `nonce`. */
export function paymentIdOf(budgetId: string, nonce: bigint): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "uint256"], [budgetId, nonce]));
}

function requireAddress(value: string, field: string): string {
  if (!isAddress(value)) throw new DomainError("INVALID_INPUT", undefined, { field, reason: "not an address" });
  return getAddress(value);
}

function requireBytes32(value: string, field: string): string {
  if (!isHexString(value, 32)) throw new DomainError("INVALID_INPUT", undefined, { field, reason: "not 32 bytes of hex" });
  return value.toLowerCase();
}

function requireCents(value: bigint, field: string): bigint {
  if (typeof value !== "bigint" || value < 0n || value >= 2n ** 256n) {
    throw new DomainError("INVALID_INPUT", undefined, { field, reason: "not a whole number of cents" });
  }
  return value;
}

function permitTuple(permit: PaymentPermit) {
  return [
    requireAddress(permit.fund, "permit.fund"),
    requireBytes32(permit.budgetId, "permit.budgetId"),
    requireCents(permit.maxAmount, "permit.maxAmount"),
    requireCents(permit.nonce, "permit.nonce"),
    requireCents(permit.deadline, "permit.deadline"),
  ] as const;
}

/**
 * One fund contract, driven by the backend's relayers: payments, refunds, settles and staff actions
 * each through the lanes of their purpose (one shared relayer serves all of them alike).
 */
export class FundClient {
  readonly address: string;
  /** The staff actions' relayer; its provider serves the reads. */
  readonly relayer: Relayer;
  readonly lanes: RelayerSet;
  readonly #payments: PayBatcher;

  constructor(relayer: Relayer | RelayerSet, address: string, batching?: PayBatcherOptions) {
    this.lanes = relayer instanceof Relayer ? RelayerSet.shared(relayer) : relayer;
    this.relayer = this.lanes.for("staff");
    this.address = requireAddress(address, "fund");
    this.#payments = new PayBatcher(this.lanes.for("payments"), this.address, batching);
  }

  // ------------------------------------------------------------ writes

  #send(method: string, args: readonly unknown[], from?: string, purpose: Purpose = "staff"): Promise<RelayedTx> {
    let data: string;
    try {
      data = fundInterface.encodeFunctionData(method, args);
    } catch (error) {
      throw new DomainError("INVALID_INPUT", undefined, { reason: `bad arguments for ${method}` }, { cause: error });
    }
    return this.lanes.for(purpose).send({ to: this.address, data, label: method, ...(from !== undefined && { from }) });
  }

  /**
   * Records `amountCents` received in the fund's bank account from `sponsor`, which must be one of the
   * relayer's lanes holding SPONSOR_ROLE: the contract credits the sending account's reserve.
   */
  async deposit(sponsor: string, amountCents: bigint, bankRef: string): Promise<RelayedTx> {
    return this.#send(
      "deposit", [requireCents(amountCents, "amountCents"), requireBytes32(bankRef, "bankRef")], requireAddress(sponsor, "sponsor"),
    );
  }

  /** Takes unallocated reserve of `sponsor` (a relayer lane with SPONSOR_ROLE) back out of the fund. */
  async withdraw(sponsor: string, amountCents: bigint, bankRef: string): Promise<RelayedTx> {
    return this.#send(
      "withdraw", [requireCents(amountCents, "amountCents"), requireBytes32(bankRef, "bankRef")], requireAddress(sponsor, "sponsor"),
    );
  }

  /**
   * Issues budgets from `sponsor`'s reserve, in transactions of at most {@link BUDGET_BATCH_SIZE}, one
   * after the other. The ids, amounts and reserve are checked first, so a batch run does not stop
   * halfway for a reason known in advance; if a later batch is refused anyway, the DomainError's details
   * say how many budgets were issued (`issued`) and in which transactions (`txHashes`).
   */
  async issueBudgets(sponsor: string, grants: readonly BudgetGrant[]): Promise<RelayedTx[]> {
    const sponsorAddress = requireAddress(sponsor, "sponsor");
    if (grants.length === 0) throw new DomainError("INVALID_INPUT", "No budgets to issue.", { field: "grants" });
    const ids = new Set<string>();
    let total = 0n;
    for (const grant of grants) {
      const id = requireBytes32(grant.budgetId, "budgetId");
      if (ids.has(id)) throw new DomainError("BUDGET_EXISTS", undefined, { budgetId: id, reason: "listed twice" });
      ids.add(id);
      if (requireCents(grant.amountCents, "amountCents") === 0n) throw new DomainError("ZERO_AMOUNT", undefined, { budgetId: id });
      total += grant.amountCents;
    }
    const [isSponsor, reserve] = await Promise.all([this.hasRole("SPONSOR", sponsorAddress), this.reserveOf(sponsorAddress)]);
    if (!isSponsor) throw new DomainError("SPONSOR_UNKNOWN", undefined, { contractError: "FundNotSponsor", account: sponsorAddress });
    if (total > reserve) {
      throw new DomainError("RESERVE_INSUFFICIENT", undefined, {
        sponsor: sponsorAddress, reserve: reserve.toString(), amount: total.toString(),
      });
    }
    const batches = chunk(grants, BUDGET_BATCH_SIZE).map((batch) =>
      batch.map((grant) => [grant.budgetId, grant.amountCents, grant.expiry ?? 0n] as const),
    );
    return this.#inBatches(batches, (batch) => this.#send("issueBudgets", [sponsorAddress, batch]));
  }

  /** Adds `amountCents` to each budget, from each budget's own sponsor, in batches. Needs VALIDATOR_ROLE. */
  async topUp(budgetIds: readonly string[], amountCents: bigint): Promise<RelayedTx[]> {
    if (budgetIds.length === 0) throw new DomainError("INVALID_INPUT", "No budgets to top up.", { field: "budgetIds" });
    const ids = budgetIds.map((id) => requireBytes32(id, "budgetId"));
    requireCents(amountCents, "amountCents");
    return this.#inBatches(chunk(ids, BUDGET_BATCH_SIZE), (batch) => this.#send("topUp", [batch, amountCents]));
  }

  /** Returns what is left of expired budgets to their sponsors' reserve, in batches. Needs VALIDATOR_ROLE. */
  async reclaim(budgetIds: readonly string[]): Promise<RelayedTx[]> {
    const ids = budgetIds.map((id) => requireBytes32(id, "budgetId"));
    return this.#inBatches(chunk(ids, BUDGET_BATCH_SIZE), (batch) => this.#send("reclaim", [batch]));
  }

  async #inBatches<T>(batches: readonly (readonly T[])[], send: (batch: readonly T[]) => Promise<RelayedTx>) {
    const done: RelayedTx[] = [];
    let items = 0;
    for (const batch of batches) {
      try {
        done.push(await send(batch));
      } catch (error) {
        if (!(error instanceof DomainError) || done.length === 0) throw error;
        throw new DomainError(error.code, error.message, {
          ...error.details, issued: String(items), txHashes: done.map((tx) => tx.txHash).join(","),
        }, { cause: error });
      }
      items += batch.length;
    }
    return done;
  }

  /** Binds the family's device key on activation. Needs VALIDATOR_ROLE. */
  async setHolder(budgetId: string, holder: string): Promise<RelayedTx> {
    return this.#send("setHolder", [requireBytes32(budgetId, "budgetId"), requireAddress(holder, "holder")]);
  }

  /** Moves a budget to a new device key (lost phone): the old key's QRs die. Needs VALIDATOR_ROLE. */
  async rekey(budgetId: string, newHolder: string): Promise<RelayedTx> {
    return this.#send("rekey", [requireBytes32(budgetId, "budgetId"), requireAddress(newHolder, "newHolder")]);
  }

  async freeze(budgetId: string): Promise<RelayedTx> {
    return this.#send("freeze", [requireBytes32(budgetId, "budgetId")]);
  }

  async unfreeze(budgetId: string): Promise<RelayedTx> {
    return this.#send("unfreeze", [requireBytes32(budgetId, "budgetId")]);
  }

  /** Needs MERCHANT_MANAGER_ROLE. `categories` is a bitmask. */
  async approveMerchant(merchant: string, categories: number): Promise<RelayedTx> {
    if (!Number.isInteger(categories) || categories < 0 || categories > 0xffffffff) {
      throw new DomainError("INVALID_INPUT", undefined, { field: "categories", reason: "not a 32-bit mask" });
    }
    return this.#send("approveMerchant", [requireAddress(merchant, "merchant"), categories]);
  }

  async suspendMerchant(merchant: string): Promise<RelayedTx> {
    return this.#send("suspendMerchant", [requireAddress(merchant, "merchant")]);
  }

  /**
   * Relays a family's signed permit: pays `amountCents` to `merchant`, alone or in one transaction
   * with other payments that are ready at the same moment (see PayBatcher). The call is simulated
   * first, so a dead QR is refused with its code before any gas is spent.
   */
  async pay(permit: PaymentPermit, signature: string, merchant: string, amountCents: bigint): Promise<PaymentResult> {
    return this.paySimulated(await this.simulatePay(permit, signature, merchant, amountCents));
  }

  /**
   * Runs a payment as a call (eth_call) without sending it: the contract itself refuses a dead QR,
   * with the same DomainError codes as {@link pay}. Send what passed with {@link paySimulated}.
   */
  async simulatePay(permit: PaymentPermit, signature: string, merchant: string, amountCents: bigint): Promise<SimulatedPayment> {
    const data = encodePay(permit, signature, merchant, amountCents);
    // The very data a transaction would send, as a call: `pay` answers what the budget has left.
    let result: string;
    try {
      result = await this.relayer.provider.send("eth_call", [{ to: this.address, data }, "latest"]);
    } catch (error) {
      throw toChainDomainError(error);
    }
    return { data, balanceAfter: decodePayBalance(result), deadline: permit.deadline };
  }

  /** Sends a payment {@link simulatePay} passed. */
  async paySimulated(simulated: SimulatedPayment): Promise<PaymentResult> {
    const { tx, log } = await this.#payments.pay(simulated.data, Number(simulated.deadline) * 1000);
    return {
      paymentId: (log.args.paymentId as string).toLowerCase(),
      budgetId: (log.args.budgetId as string).toLowerCase(),
      merchant: log.args.merchant as string,
      amountCents: log.args.amount as bigint,
      nonce: log.args.nonce as bigint,
      txHash: tx.txHash,
      blockNumber: tx.blockNumber,
      ...(tx.blockTime && { blockTime: tx.blockTime }),
      logIndex: log.logIndex,
    };
  }

  /**
   * Returns (part of) a payment to its budget. Needs OPERATOR_ROLE. The contract keeps no record per
   * payment, so the payment is proven from the budget's PaymentMade events ({@link paymentProof}). When
   * another payment of the budget lands between reading them and the refund, the contract refuses the
   * stale proof (PaymentProofInvalid): the proof is built once more from fresh logs and sent again; a
   * second refusal is a CONFLICT. A nonce without a payment is PAYMENT_UNKNOWN, refused before sending.
   */
  async refund(budgetId: string, paymentNonce: bigint, amountCents: bigint): Promise<RefundResult> {
    const id = requireBytes32(budgetId, "budgetId");
    const nonce = requireCents(paymentNonce, "paymentNonce");
    const amount = requireCents(amountCents, "amountCents");
    // The contract's first check, before any logs are read for nothing.
    if (amount === 0n) throw new DomainError("ZERO_AMOUNT", undefined, { contractError: "FundZeroAmount" });
    for (let attempt = 1; ; attempt++) {
      const proof = await this.paymentProof(id, nonce);
      try {
        const tx = await this.#send("refund", [
          id, amount, proof.headBefore, proof.links.map((link) => [link.merchant, link.amount, link.nonce]),
        ], undefined, "refunds");
        const event = findLog(tx.logs, "PaymentRefunded", this.address);
        return { paymentId: event.args.paymentId as string, txHash: tx.txHash, blockNumber: tx.blockNumber };
      } catch (error) {
        if (!(error instanceof DomainError) || error.details.contractError !== "PaymentProofInvalid") throw error;
        if (attempt >= 2) {
          throw new DomainError(
            "CONFLICT",
            "Other payments from this budget were made while the refund was being prepared: please try the refund again.",
            { ...error.details, paymentId: paymentIdOf(id, nonce) },
            { cause: error },
          );
        }
      }
    }
  }

  /**
   * The budget's payments in chain order, from its PaymentMade events (budgetId is the event's second
   * indexed argument), as the links the contract hashed into the budget's head.
   */
  async paymentLinks(budgetId: string): Promise<PaymentLink[]> {
    const id = requireBytes32(budgetId, "budgetId");
    let logs;
    try {
      logs = await this.relayer.provider.getLogs({
        address: this.address, topics: [PAYMENT_MADE_TOPIC, null, id], fromBlock: 0, toBlock: "latest",
      });
    } catch (error) {
      throw toChainDomainError(error);
    }
    return logs
      .filter((log) => !log.removed)
      .sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)
      .map((log) => {
        const args = fundInterface.decodeEventLog("PaymentMade", log.data, log.topics);
        return { merchant: getAddress(args.merchant as string), amount: args.amount as bigint, nonce: args.nonce as bigint };
      });
  }

  /**
   * The refund proof of the payment made from `budgetId` with permit nonce `paymentNonce`: the chain head
   * before it (folded from the genesis over the earlier payments) and the links from it on.
   * PAYMENT_UNKNOWN when no payment used that nonce.
   */
  async paymentProof(budgetId: string, paymentNonce: bigint): Promise<PaymentProof> {
    const id = requireBytes32(budgetId, "budgetId");
    const [links, stored] = await Promise.all([this.paymentLinks(id), this.paymentsHeadOf(id)]);
    const width = headWidthOf(stored);
    const index = links.findIndex((link) => link.nonce === paymentNonce);
    if (index < 0) {
      throw new DomainError("PAYMENT_UNKNOWN", undefined, {
        paymentId: paymentIdOf(id, paymentNonce), budgetId: id, nonce: paymentNonce.toString(),
      });
    }
    const headBefore = links.slice(0, index).reduce((head, link) => paymentChainLink(head, link, width), paymentChainGenesis(id, width));
    return { headBefore, links: links.slice(index) };
  }

  /** Records a payout to the merchant's bank account under the bank's reference. Needs SETTLER_ROLE. */
  async settle(merchant: string, amountCents: bigint, bankRef: string): Promise<RelayedTx> {
    return this.#send("settle", [
      requireAddress(merchant, "merchant"), requireCents(amountCents, "amountCents"), requireBytes32(bankRef, "bankRef"),
    ], undefined, "settle");
  }

  /**
   * Records many payouts: up to `maxBatch` (default 100) settles in one `multicall` transaction, batches
   * side by side (default one per relayer lane). Each batch is simulated with one eth_call under a fixed
   * gas limit per settle; a batch the contract refuses (e.g. one bankRef already used) did nothing and is
   * sent again one settle at a time, so each item gets its own answer. Never throws: one outcome per item,
   * in order (an item's error is the DomainError {@link settle} would give, BANK_REF_USED included).
   * Needs SETTLER_ROLE on every lane.
   */
  async settleMany(items: readonly SettleItem[], options?: SettleManyOptions): Promise<SettleOutcome[]> {
    return settleMany(this.lanes.for("settle"), this.address, items, (item) => {
      if (item.amountCents === 0n) throw new DomainError("ZERO_AMOUNT", undefined, { contractError: "FundZeroAmount" });
      // By hand: ethers' coder (and its address checksum) cost more than the rest of a 10,000-shop run's settling.
      return { data: encodeSettle(item.merchant, item.amountCents, item.bankRef), bankRef: requireBytes32(item.bankRef, "bankRef") };
    }, (item) => this.settle(item.merchant, item.amountCents, item.bankRef), options);
  }

  /** Needs PAUSER_ROLE. */
  async pause(): Promise<RelayedTx> {
    return this.#send("pause", []);
  }

  async unpause(): Promise<RelayedTx> {
    return this.#send("unpause", []);
  }

  // ------------------------------------------------------------ reads

  async #read(method: string, args: readonly unknown[] = [], blockTag?: number) {
    const data = fundInterface.encodeFunctionData(method, args);
    try {
      const result = await this.relayer.provider.call({ to: this.address, data, ...(blockTag !== undefined && { blockTag }) });
      return fundInterface.decodeFunctionResult(method, result);
    } catch (error) {
      throw toChainDomainError(error);
    }
  }

  /**
   * One view for many arguments: {@link READS_PER_CALL} calls in one `multicall` eth_call (one request
   * and one execution on the node instead of one each), `atOnce` such eth_calls side by side. Answers
   * in the order of `calls`; each eth_call reads one block.
   */
  async #readMany<T>(calls: readonly string[], decode: (answer: string) => T, atOnce: number): Promise<T[]> {
    const chunks: (readonly string[])[] = [];
    for (let i = 0; i < calls.length; i += READS_PER_CALL) chunks.push(calls.slice(i, i + READS_PER_CALL));
    const answers = new Array<T[]>(chunks.length);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(Math.max(1, atOnce), chunks.length) }, async () => {
      while (next < chunks.length) {
        const i = next++;
        let raw: string;
        try {
          // Straight to the node: ethers' call() converts the calldata to bytes and back several times.
          raw = await this.relayer.provider.send("eth_call", [{ to: this.address, data: encodeMulticall(chunks[i]!) }, "latest"]);
        } catch (error) {
          throw toChainDomainError(error);
        }
        answers[i] = decodeMulticallResults(raw).map(decode);
        if (answers[i]!.length !== chunks[i]!.length) throw new DomainError("INTERNAL", undefined, { reason: `${answers[i]!.length} answers to ${chunks[i]!.length} calls` });
      }
    }));
    return answers.flat();
  }

  /** The budget now, or as it was after block `blockTag`. */
  async budgetOf(budgetId: string, blockTag?: number): Promise<BudgetState> {
    const id = requireBytes32(budgetId, "budgetId");
    const [view] = await this.#read("budgetOf", [id], blockTag);
    return {
      budgetId: id,
      holder: view.holder as string,
      sponsor: view.sponsor as string,
      balance: view.balance as bigint,
      spent: view.spent as bigint,
      expiry: view.expiry as bigint,
      nonce: view.nonce as bigint,
      frozen: view.frozen as boolean,
      exists: view.sponsor !== ZERO_ADDRESS,
    };
  }

  async merchantOf(merchant: string): Promise<MerchantState> {
    const address = requireAddress(merchant, "merchant");
    const [view] = await this.#read("merchantOf", [address]);
    return {
      address,
      approved: view.approved as boolean,
      suspended: view.suspended as boolean,
      categories: Number(view.categories),
      receivable: view.receivable as bigint,
      paidOut: view.paidOut as bigint,
    };
  }

  /** What the fund owes each of many merchants (their receivable), read in bulk (see `#readMany`); `atOnce` calls side by side. */
  async receivablesOf(merchants: readonly string[], atOnce = 4): Promise<bigint[]> {
    return this.#readMany(merchants.map(encodeReceivableOf), decodeUint, atOnce);
  }

  /** The cents of a payment refunded so far (0 for an id that paid nothing). */
  async refundedOf(paymentId: string): Promise<bigint> {
    const [refunded] = await this.#read("refundedOf", [requireBytes32(paymentId, "paymentId")]);
    return refunded as bigint;
  }

  /** The head of the budget's payment chain; the zero hash for an id the fund never issued. */
  async paymentsHeadOf(budgetId: string): Promise<string> {
    const [head] = await this.#read("paymentsHeadOf", [requireBytes32(budgetId, "budgetId")]);
    return head as string;
  }

  async totals(): Promise<FundTotals> {
    const [view] = await this.#read("totals");
    return {
      deposited: view.deposited as bigint,
      withdrawn: view.withdrawn as bigint,
      reserve: view.reserve as bigint,
      outstanding: view.outstanding as bigint,
      paidOut: view.paidOut as bigint,
    };
  }

  async reserveOf(sponsor: string): Promise<bigint> {
    const [reserve] = await this.#read("reserveOf", [requireAddress(sponsor, "sponsor")]);
    return reserve as bigint;
  }

  /** Whether `account` holds one of the fund's roles. */
  async hasRole(role: FundRoleName, account: string): Promise<boolean> {
    const [has] = await this.#read("hasRole", [FUND_ROLE_IDS[role], requireAddress(account, "account")]);
    return has as boolean;
  }

  async paused(): Promise<boolean> {
    const [paused] = await this.#read("paused");
    return paused as boolean;
  }

  async isBankRefUsed(bankRef: string): Promise<boolean> {
    const [used] = await this.#read("isBankRefUsed", [requireBytes32(bankRef, "bankRef")]);
    return used as boolean;
  }

  /** {@link isBankRefUsed} for many references, read in bulk (see `#readMany`); `atOnce` calls side by side. */
  async bankRefsUsed(bankRefs: readonly string[], atOnce = 4): Promise<boolean[]> {
    return this.#readMany(bankRefs.map((ref) => encodeIsBankRefUsed(requireBytes32(ref, "bankRef"))), decodeBool, atOnce);
  }

  /** The EIP-712 digest the family's key signs for `permit`, as the contract computes it. */
  async permitDigest(permit: PaymentPermit): Promise<string> {
    const [digest] = await this.#read("permitDigest", [permitTuple(permit)]);
    return digest as string;
  }

  /**
   * Checks a permit against the budget as the chain holds it now, in the contract's order, without
   * sending anything: the same DomainError codes as `pay` would give. Passing it does not promise
   * that `pay` will succeed (another payment may land first); failing it spares the gas of a dead QR.
   */
  async checkPaymentOffChain(
    permit: PaymentPermit, signature: string, merchant: string, amountCents: bigint,
  ): Promise<PaymentCheck> {
    permitTuple(permit); // shape and ranges
    const merchantAddress = requireAddress(merchant, "merchant");
    requireCents(amountCents, "amountCents");
    const [paused, budget, merchantState, block, chainId] = await Promise.all([
      this.paused(),
      this.budgetOf(permit.budgetId),
      this.merchantOf(merchantAddress),
      this.relayer.provider.getBlock("latest").catch((error: unknown) => {
        throw toChainDomainError(error);
      }),
      this.relayer.chainId(),
    ]);
    if (!block) throw new DomainError("CHAIN_UNAVAILABLE", undefined, { reason: "no latest block" });
    const chainTime = BigInt(block.timestamp);
    const budgetId = budget.budgetId;

    if (paused) throw new DomainError("FUND_PAUSED", undefined, { contractError: "EnforcedPause" });
    if (amountCents === 0n) throw new DomainError("ZERO_AMOUNT", undefined, { contractError: "FundZeroAmount" });
    if (getAddress(permit.fund) !== this.address) {
      throw new DomainError("PERMIT_WRONG_FUND", undefined, { contractError: "PermitWrongFund", fund: getAddress(permit.fund) });
    }
    if (!budget.exists) throw new DomainError("BUDGET_UNKNOWN", undefined, { contractError: "BudgetUnknown", budgetId });
    if (budget.frozen) throw new DomainError("BUDGET_FROZEN", undefined, { contractError: "BudgetFrozen", budgetId });
    if (chainTime >= budget.expiry) {
      throw new DomainError("BUDGET_EXPIRED", undefined, { contractError: "BudgetExpired", budgetId, expiry: budget.expiry.toString() });
    }
    if (budget.holder === ZERO_ADDRESS) {
      throw new DomainError("BUDGET_NOT_ACTIVATED", undefined, { contractError: "BudgetNotActivated", budgetId });
    }
    // The deadline is compared with the latest block; the block that would carry the payment is later still.
    if (chainTime > permit.deadline) {
      throw new DomainError("PERMIT_EXPIRED", undefined, { contractError: "PermitExpired", deadline: permit.deadline.toString() });
    }
    // The signer before the nonce, as the contract does: a rekeyed-away phone's QR says so, not "used".
    const signer = recoverPermitSigner(permit, signature, chainId);
    if (signer !== budget.holder) {
      throw new DomainError("PERMIT_INVALID_SIGNATURE", undefined, { contractError: "PermitInvalidSigner", signer, holder: budget.holder });
    }
    if (permit.nonce !== budget.nonce) {
      throw new DomainError("PERMIT_USED", undefined, {
        contractError: "PermitNonceUsed", budgetId, current: budget.nonce.toString(), nonce: permit.nonce.toString(),
      });
    }
    if (!merchantState.approved) {
      throw new DomainError("MERCHANT_NOT_APPROVED", undefined, { contractError: "MerchantNotApproved", merchant: merchantAddress });
    }
    if (amountCents > permit.maxAmount) {
      throw new DomainError("PERMIT_AMOUNT_EXCEEDED", undefined, {
        contractError: "PermitAmountExceeded", maxAmount: permit.maxAmount.toString(), amount: amountCents.toString(),
      });
    }
    if (amountCents > budget.balance) {
      throw new DomainError("BUDGET_INSUFFICIENT", undefined, {
        contractError: "BudgetInsufficient", budgetId, balance: budget.balance.toString(), amount: amountCents.toString(),
      });
    }
    return { budget, merchant: merchantState, signer, chainTime };
  }
}

/**
 * The address that signed `permit` (65-byte or 64-byte compact signature); the zero address for a
 * malformed signature, as the contract treats it.
 */
export function recoverPermitSigner(permit: PaymentPermit, signature: string, chainId: bigint): string {
  try {
    const sig = Signature.from(signature);
    return verifyTypedData(fundDomain(permit.fund, chainId), PAYMENT_PERMIT_TYPES, { ...permit }, sig);
  } catch {
    return ZERO_ADDRESS;
  }
}

function findLog(logs: readonly ParsedLog[], name: string, address: string): ParsedLog {
  const log = logs.find((entry) => entry.name === name && entry.address.toLowerCase() === address.toLowerCase());
  if (!log) throw new DomainError("INTERNAL", undefined, { reason: `no ${name} event in the receipt` });
  return log;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
