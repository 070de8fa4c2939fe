// Our own client of bunq's public API (https://doc.bunq.com), for paying shops from the municipality's
// bunq account. The API context is made once: POST /installation (our RSA public key in, a token and
// bunq's public key out), POST /device-server (the API key), POST /session-server (a session token and
// the user). Every request body is signed with our private key (RSA-SHA256, PKCS#1 v1.5, base64) in
// X-Bunq-Client-Signature; every answer's body is checked against X-Bunq-Server-Signature with bunq's
// key before it is believed. 429 (bunq allows a few calls per endpoint per few seconds) is retried
// after a back-off; a timeout or a 5xx on a payment is never simply retried: the bank is asked first
// whether a payment with our reference exists.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DomainError } from "@tegoed/sdk";
import { PAYOUT_REFERENCE_IN_TEXT, type BankRecord, type BankTransfer, type TransferBank } from "./index.ts";
import { euros } from "./sepa/pain001.ts";

export interface BunqContextState {
  installationToken: string;
  serverPublicKey: string;
  deviceServerId?: number;
}

export interface BunqStore {
  load(): BunqContextState | null;
  save(state: BunqContextState): void;
}

export interface BunqOptions {
  /** e.g. https://public-api.sandbox.bunq.com/v1 */
  apiUrl: string;
  apiKey: string;
  /** Our RSA private key (PEM, 2048 bits or more). */
  privateKeyPem: string;
  /** The account payouts are paid from; default: the user's first active bank account. */
  monetaryAccountId?: number;
  deviceDescription?: string;
  userAgent?: string;
  /** Per request. Default 15 s. */
  timeoutMs?: number;
  /** Retries after a 429. Default 5. */
  maxRateLimitRetries?: number;
  /** First back-off after a 429, doubled each time (unless the server says Retry-After). Default 1,000 ms. */
  backoffMs?: number;
  /** Keeps the installation (token, bunq's key) across restarts: a new installation per start is not what bunq wants. */
  store?: BunqStore;
  sleep?: (ms: number) => Promise<void>;
}

export interface BunqPayment {
  id: number;
  amountCents: bigint;
  description: string;
  counterpartyIban: string | null;
}

type Auth = "none" | "installation" | "session";

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Signs `data` as bunq wants it: RSA-SHA256, PKCS#1 v1.5, base64. */
export function bunqSign(data: string, privateKeyPem: string): string {
  return sign("sha256", Buffer.from(data, "utf8"), createPrivateKey(privateKeyPem)).toString("base64");
}

export function bunqVerify(data: string, signature: string, publicKeyPem: string): boolean {
  try {
    return verify("sha256", Buffer.from(data, "utf8"), createPublicKey(publicKeyPem), Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}

/** A new 2048-bit RSA key pair in PEM (PKCS#8 private, SPKI public), as bunq's installation takes it. */
export function generateBunqKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** Our private key from `path`, made (and stored, readable by us only) when there is none yet. */
export function loadOrCreateBunqKey(path: string): string {
  if (existsSync(path)) return readFileSync(path, "utf8");
  mkdirSync(dirname(path), { recursive: true });
  const { privateKeyPem } = generateBunqKeyPair();
  writeFileSync(path, privateKeyPem, { mode: 0o600 });
  return privateKeyPem;
}

/** Keeps the installation in a JSON file (in DATA_DIR), readable by us only. */
export function fileBunqStore(dir: string): BunqStore {
  const file = join(dir, "bunq-context.json");
  return {
    load: () => (existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as BunqContextState) : null),
    save: (state) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
    },
  };
}

function item<T>(response: unknown, key: string): T | undefined {
  const list = (response as { Response?: Record<string, unknown>[] })?.Response ?? [];
  return list.find((entry) => key in entry)?.[key] as T | undefined;
}

function centsOf(value: string): bigint {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(value);
  if (!match) throw new DomainError("BANK_REFUSED", "bunq answered an amount we cannot read.", { value });
  const cents = BigInt(match[2]!) * 100n + BigInt(match[3]!);
  return match[1] ? -cents : cents;
}

export class BunqClient {
  readonly #options: BunqOptions;
  readonly #publicKeyPem: string;
  #state: BunqContextState | null;
  #session: { token: string; userId: number } | null = null;
  #accountId: number | null;

  constructor(options: BunqOptions) {
    this.#options = options;
    this.#publicKeyPem = createPublicKey(createPrivateKey(options.privateKeyPem)).export({ type: "spki", format: "pem" }).toString();
    this.#state = options.store?.load() ?? null;
    this.#accountId = options.monetaryAccountId ?? null;
  }

  /** The raw call: signs the body, checks bunq's signature on the answer, backs off on 429. */
  async request(method: "GET" | "POST" | "PUT", path: string, body: unknown, auth: Auth): Promise<unknown> {
    const text = body === undefined ? "" : JSON.stringify(body);
    const maxRetries = this.#options.maxRateLimitRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {
        "Cache-Control": "no-cache",
        "User-Agent": this.#options.userAgent ?? "tegoed-payouts",
        "X-Bunq-Language": "en_US",
        "X-Bunq-Region": "nl_NL",
        "X-Bunq-Geolocation": "0 0 0 0 000",
        "X-Bunq-Client-Request-Id": randomUUID(),
        "X-Bunq-Client-Signature": bunqSign(text, this.#options.privateKeyPem),
      };
      if (text) headers["Content-Type"] = "application/json";
      if (auth === "installation") headers["X-Bunq-Client-Authentication"] = this.#state!.installationToken;
      if (auth === "session") headers["X-Bunq-Client-Authentication"] = this.#session!.token;

      let response: Response;
      try {
        response = await fetch(`${this.#options.apiUrl.replace(/\/+$/, "")}${path}`, {
          method, headers, body: text || undefined, signal: AbortSignal.timeout(this.#options.timeoutMs ?? 15_000),
        });
      } catch (error) {
        const timedOut = (error as Error)?.name === "TimeoutError" || (error as Error)?.name === "AbortError";
        throw new DomainError("BANK_UNAVAILABLE", undefined, { bank: "bunq", reason: timedOut ? "timeout" : "unreachable", path }, { cause: error });
      }
      const answer = await response.text();
      if (response.status === 429 && attempt < maxRetries) {
        // bunq did not do it: wait and send the same request again.
        const retryAfter = Number(response.headers.get("Retry-After"));
        const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : (this.#options.backoffMs ?? 1_000) * 2 ** attempt;
        await (this.#options.sleep ?? sleepFor)(wait);
        continue;
      }
      if (auth !== "none" || path !== "/installation") this.#verify(answer, response);
      if (response.status === 429) throw new DomainError("BANK_UNAVAILABLE", undefined, { bank: "bunq", reason: "rate limited", path });
      if (response.status >= 500) throw new DomainError("BANK_UNAVAILABLE", undefined, { bank: "bunq", reason: `status ${response.status}`, path });
      if (!response.ok) {
        const description = (JSON.parse(answer || "{}") as { Error?: { error_description?: string }[] }).Error?.[0]?.error_description ?? "";
        throw new DomainError("BANK_REFUSED", undefined, { bank: "bunq", status: String(response.status), reason: description.slice(0, 200), path });
      }
      return answer ? JSON.parse(answer) : {};
    }
  }

  #verify(answer: string, response: Response): void {
    const signature = response.headers.get("X-Bunq-Server-Signature");
    if (!this.#state?.serverPublicKey || !signature || !bunqVerify(answer, signature, this.#state.serverPublicKey)) {
      // An answer bunq did not sign is not believed, whatever it says.
      throw new DomainError("BANK_REFUSED", "The bank's answer is not signed by the bank.", { bank: "bunq", reason: "server signature", status: String(response.status) });
    }
  }

  /** installation → device-server → session-server, each only when not done yet. */
  async openSession(): Promise<{ userId: number }> {
    if (this.#session) return this.#session;
    if (!this.#state) {
      const installed = await this.request("POST", "/installation", { client_public_key: this.#publicKeyPem }, "none");
      const token = item<{ token: string }>(installed, "Token")?.token;
      const serverKey = item<{ server_public_key: string }>(installed, "ServerPublicKey")?.server_public_key;
      if (!token || !serverKey) throw new DomainError("BANK_REFUSED", "bunq's installation answer lacks its token or key.", { bank: "bunq" });
      this.#state = { installationToken: token, serverPublicKey: serverKey };
      this.#options.store?.save(this.#state);
    }
    if (this.#state.deviceServerId === undefined) {
      const device = await this.request("POST", "/device-server", { description: this.#options.deviceDescription ?? "Tegoed payouts", secret: this.#options.apiKey }, "installation");
      this.#state = { ...this.#state, deviceServerId: item<{ id: number }>(device, "Id")?.id ?? 0 };
      this.#options.store?.save(this.#state);
    }
    const session = await this.request("POST", "/session-server", { secret: this.#options.apiKey }, "installation");
    const token = item<{ token: string }>(session, "Token")?.token;
    const user = item<{ id: number }>(session, "UserCompany") ?? item<{ id: number }>(session, "UserPerson") ?? item<{ id: number }>(session, "UserApiKey");
    if (!token || !user) throw new DomainError("BANK_REFUSED", "bunq's session answer lacks its token or user.", { bank: "bunq" });
    this.#session = { token, userId: user.id };
    return this.#session;
  }

  async #accountPath(): Promise<string> {
    const { userId } = await this.openSession();
    if (this.#accountId === null) {
      const accounts = await this.request("GET", `/user/${userId}/monetary-account-bank`, undefined, "session");
      const list = ((accounts as { Response?: { MonetaryAccountBank?: { id: number; status: string } }[] }).Response ?? [])
        .map((entry) => entry.MonetaryAccountBank).filter((a): a is { id: number; status: string } => !!a && a.status === "ACTIVE");
      if (!list[0]) throw new DomainError("BANK_REFUSED", "The bunq user has no active bank account.", { bank: "bunq" });
      this.#accountId = list[0].id;
    }
    return `/user/${userId}/monetary-account/${this.#accountId}`;
  }

  /** The call, opening a new session once when bunq says the old one is gone (401). */
  async #withSession(method: "GET" | "POST", path: (base: string) => string, body?: unknown): Promise<unknown> {
    const base = await this.#accountPath();
    try {
      return await this.request(method, path(base), body, "session");
    } catch (error) {
      if (!(error instanceof DomainError && error.details.status === "401")) throw error;
      this.#session = null;
      return this.request(method, path(await this.#accountPath()), body, "session");
    }
  }

  static paymentBody(transfer: BankTransfer) {
    return {
      amount: { value: euros(transfer.amountCents), currency: "EUR" },
      counterparty_alias: { type: "IBAN", value: transfer.iban, name: transfer.creditorName },
      description: transfer.description,
    };
  }

  /** POST …/payment: one transfer. Returns bunq's payment id. */
  async createPayment(transfer: BankTransfer): Promise<number> {
    const answer = await this.#withSession("POST", (base) => `${base}/payment`, BunqClient.paymentBody(transfer));
    const id = item<{ id: number }>(answer, "Id")?.id;
    if (id === undefined) throw new DomainError("BANK_REFUSED", "bunq's payment answer lacks its id.", { bank: "bunq" });
    return id;
  }

  /** POST …/payment-batch: several transfers in one call. Returns the batch id. */
  async createPaymentBatch(transfers: readonly BankTransfer[]): Promise<number> {
    const answer = await this.#withSession("POST", (base) => `${base}/payment-batch`, { payments: transfers.map((t) => BunqClient.paymentBody(t)) });
    const id = item<{ id: number }>(answer, "Id")?.id;
    if (id === undefined) throw new DomainError("BANK_REFUSED", "bunq's payment batch answer lacks its id.", { bank: "bunq" });
    return id;
  }

  /** The account's payments, newest first, `pages` pages of 200 at most. */
  async listPayments(pages = 5): Promise<BunqPayment[]> {
    const out: BunqPayment[] = [];
    let path: string | null = null;
    for (let page = 0; page < pages; page++) {
      const current: string | null = path;
      const answer = await this.#withSession("GET", (base) => current ?? `${base}/payment?count=200`);
      const list = (answer as { Response?: { Payment?: { id: number; amount: { value: string }; description: string; counterparty_alias?: { iban?: string } } }[] }).Response ?? [];
      for (const entry of list) {
        const p = entry.Payment;
        if (p) out.push({ id: p.id, amountCents: -centsOf(p.amount.value), description: p.description, counterpartyIban: p.counterparty_alias?.iban ?? null });
      }
      const older = (answer as { Pagination?: { older_url?: string | null } }).Pagination?.older_url;
      if (!older) break;
      path = older.replace(/^\/v1/, "");
    }
    return out;
  }
}

/** The `bunq` adapter: one bunq payment per payout; the bank is asked by reference after a timeout. */
export function bunqBank(client: BunqClient): TransferBank {
  async function findByReference(reference: string): Promise<BankRecord | null> {
    const payment = (await client.listPayments()).find((p) => p.description.includes(reference));
    return payment ? { bankId: `BUNQ-${payment.id}`, reference, amountCents: payment.amountCents } : null;
  }
  return {
    kind: "transfer",
    name: "bunq",
    label: "bunq",
    findByReference,
    async recentTransfers() {
      return (await client.listPayments()).flatMap((p) => {
        const reference = PAYOUT_REFERENCE_IN_TEXT.exec(p.description)?.[0];
        return reference ? [{ bankId: `BUNQ-${p.id}`, reference, amountCents: p.amountCents }] : [];
      });
    },
    async transfer(transfer) {
      try {
        const id = await client.createPayment(transfer);
        return { bankId: `BUNQ-${id}`, reference: transfer.reference, amountCents: transfer.amountCents };
      } catch (error) {
        // No answer (timeout, 5xx): bunq may have made it. Ask before anyone tries again.
        if (error instanceof DomainError && error.code === "BANK_UNAVAILABLE") {
          const found = await findByReference(transfer.reference).catch(() => null);
          if (found) return found;
        }
        throw error;
      }
    },
  };
}
