// Payments at many tills at once. While two payment transactions are in flight, payments that are
// ready wait, and the next one sends all of them as one `multicall` of `pay` calls: one signature,
// one send, one block and one receipt for many charges, and all or none of them happen. Two keep the
// chain busy (one is mined while the next gathers); more go out only full (a burst on a chain with
// slow blocks), up to the relayer's lanes. A lone payment goes out at once, as a plain `pay`, so a
// quiet shop waits for nobody. On a chain that mines a block every second or two (QBFT) the transactions
// in flight wait for their block, so payments that have waited `lingerMs` go out on a free lane as they
// are, and still make that block, instead of waiting a whole block for a full batch or a mined one.
//
// Nothing here judges a QR: every payment was simulated on its own before it got here. One thing can
// change while it waits: time. A permit whose deadline will have passed by the time its transaction is
// mined (now plus `deadlineMarginMs`) is dropped before sending, refused as PERMIT_EXPIRED, so it never
// reverts on chain. A batch the contract refuses anyway (a payment lost a race between its simulation and
// the send) is sent again one payment at a time, so each charge gets its own answer and the good ones
// still pay.
import { DomainError } from "@tegoed/sdk";
import { isUncertain, multicall } from "./multicall.ts";
import type { ParsedLog, RelayedTx, Relayer } from "./relayer.ts";

/** Gas limit of one payment: ample above what `pay` uses (≈ 60–75k), the rest is never charged. */
export const PAY_GAS_LIMIT = 150_000n;


export interface PayBatcherOptions {
  /** Transactions in flight before payments wait to be batched. Default 2. */
  eagerInFlight?: number;
  /** Transactions in flight at most (beyond `eagerInFlight` only full ones). Default: the relayer's lanes. */
  maxInFlight?: number;
  /** At most this many payments in one transaction. Default 40. */
  maxBatch?: number;
  /** Payments waiting this long go out on a free lane even in a batch that is not full. Default 100 ms. */
  lingerMs?: number;
  /** How long a transaction may take to be mined: a permit whose deadline is closer is dropped. Default 3 s. */
  deadlineMarginMs?: number;
  /** The clock the deadlines are compared with. Default Date.now. */
  now?: () => number;
}

/** One relayed payment: its transaction and its own PaymentMade log. */
export interface RelayedPayment {
  tx: RelayedTx;
  log: ParsedLog;
}

interface Waiting {
  data: string;
  /** When it started waiting (performance.now()). */
  since: number;
  /** The permit's deadline in ms since the epoch, when known. */
  deadlineMs?: number;
  resolve(payment: RelayedPayment): void;
  reject(error: unknown): void;
}

export class PayBatcher {
  readonly #relayer: Relayer;
  readonly #fund: string;
  readonly #eagerInFlight: number;
  readonly #maxInFlight: number;
  readonly #maxBatch: number;
  readonly #deadlineMarginMs: number;
  readonly #now: () => number;
  readonly #lingerMs: number;
  #waiting: Waiting[] = [];
  #inFlight = 0;
  #lingerTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(relayer: Relayer, fund: string, options: PayBatcherOptions = {}) {
    this.#relayer = relayer;
    this.#fund = fund;
    this.#maxInFlight = options.maxInFlight ?? relayer.addresses.length;
    this.#eagerInFlight = Math.min(options.eagerInFlight ?? 2, this.#maxInFlight);
    this.#maxBatch = options.maxBatch ?? 40;
    this.#deadlineMarginMs = options.deadlineMarginMs ?? 3_000;
    this.#now = options.now ?? Date.now;
    this.#lingerMs = options.lingerMs ?? 100;
    if (this.#eagerInFlight < 1 || this.#maxBatch < 1) throw new RangeError("eagerInFlight, maxInFlight and maxBatch must be at least 1");
  }

  /**
   * Sends an encoded `pay` call, alone or with others; resolves with its transaction and PaymentMade log.
   * `deadlineMs` is the permit's deadline (ms since the epoch).
   */
  pay(data: string, deadlineMs?: number): Promise<RelayedPayment> {
    return new Promise<RelayedPayment>((resolve, reject) => {
      this.#waiting.push({ data, since: performance.now(), deadlineMs, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight && this.#waiting.length > 0) {
      if (this.#inFlight >= this.#eagerInFlight && this.#waiting.length < this.#maxBatch) {
        const waited = performance.now() - this.#waiting[0]!.since;
        if (waited < this.#lingerMs) return this.#lingerUntil(this.#lingerMs - waited);
      }
      const batch = this.#inTime(this.#waiting.splice(0, this.#maxBatch));
      if (batch.length === 0) continue;
      this.#inFlight++;
      void this.#send(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  /** Pumps again once the oldest waiting payment has waited `lingerMs` (one timer at a time). */
  #lingerUntil(ms: number): void {
    if (this.#lingerTimer) return;
    this.#lingerTimer = setTimeout(() => {
      this.#lingerTimer = undefined;
      this.#pump();
    }, Math.max(1, Math.ceil(ms)));
  }

  async #send(batch: Waiting[]): Promise<void> {
    if (batch.length === 1) return this.#sendAlone(batch[0]!);
    let tx: RelayedTx;
    try {
      const { data, gasLimit } = multicall(batch.map((w) => w.data), PAY_GAS_LIMIT);
      tx = await this.#relayer.send({ to: this.#fund, data, label: `pay×${batch.length}`, simulate: false, gasLimit });
    } catch (error) {
      if (isUncertain(error)) {
        for (const w of batch) w.reject(error);
        return;
      }
      // Refused as a whole, so nothing of it happened: each payment on its own gets its own answer.
      await Promise.all(this.#inTime(batch).map((w) => this.#sendAlone(w)));
      return;
    }
    const logs = paymentLogs(tx, this.#fund);
    if (logs.length !== batch.length) {
      const error = new DomainError("INTERNAL", undefined, { reason: `${logs.length} PaymentMade events for ${batch.length} payments`, txHash: tx.txHash });
      for (const w of batch) w.reject(error);
      return;
    }
    // `multicall` runs the calls in order, and each pay emits exactly one PaymentMade.
    batch.forEach((w, i) => w.resolve({ tx, log: logs[i]! }));
  }

  /** The payments whose permit will still be valid when mined; the others are refused here. */
  #inTime(batch: Waiting[]): Waiting[] {
    const minedBy = this.#now() + this.#deadlineMarginMs;
    return batch.filter((w) => {
      if (w.deadlineMs === undefined || w.deadlineMs > minedBy) return true;
      w.reject(new DomainError("PERMIT_EXPIRED", undefined, { deadline: new Date(w.deadlineMs).toISOString() }));
      return false;
    });
  }

  async #sendAlone(w: Waiting): Promise<void> {
    try {
      const tx = await this.#relayer.send({ to: this.#fund, data: w.data, label: "pay", simulate: false, gasLimit: PAY_GAS_LIMIT });
      const [log] = paymentLogs(tx, this.#fund);
      if (!log) throw new DomainError("INTERNAL", undefined, { reason: "no PaymentMade event in the receipt", txHash: tx.txHash });
      w.resolve({ tx, log });
    } catch (error) {
      w.reject(error);
    }
  }
}


function paymentLogs(tx: RelayedTx, fund: string): ParsedLog[] {
  return tx.logs
    .filter((log) => log.name === "PaymentMade" && log.address.toLowerCase() === fund.toLowerCase())
    .sort((a, b) => a.logIndex - b.logIndex);
}
