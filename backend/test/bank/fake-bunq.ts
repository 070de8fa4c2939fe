// A local fake of bunq's public API for the tests: installation → device-server → session-server, a
// bank account with payments and payment batches. It checks every request as bunq would: the body's
// X-Bunq-Client-Signature against the installation's public key, the X-Bunq-Client-Authentication
// token; and it signs every answer (X-Bunq-Server-Signature). It can be told to fail (5xx), answer 429,
// time out (book the payment, never answer), or sign an answer wrongly.
import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakePayment {
  id: number;
  amount: { value: string; currency: string };
  counterparty_alias: { type: string; value: string; name: string };
  description: string;
  batchId?: number;
}

type Fault = "fail" | "rate-limit" | "stall" | "bad-signature";

export interface FakeBunq {
  url: string;
  /** Every payment booked, oldest first. */
  payments: FakePayment[];
  /** Requests refused for a missing or wrong client signature. */
  badSignatures: number;
  /** Every request, method and path, in order. */
  log: string[];
  /** The next `count` requests to paths matching `path` get this fault. */
  fault(fault: Fault, path: RegExp, count?: number): void;
  /** Drops every session (bunq's sessions expire). */
  expireSessions(): void;
  close(): Promise<void>;
}

const USER_ID = 4242;
const ACCOUNT_ID = 77;

export async function startFakeBunq(apiKey: string): Promise<FakeBunq> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const serverPublicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const installations = new Map<string, string>(); // token → client public key PEM
  const sessions = new Map<string, string>(); // session token → installation token
  const faults: { fault: Fault; path: RegExp; left: number }[] = [];
  const stalled: ServerResponse[] = [];
  let nextId = 1000;
  const state = { payments: [] as FakePayment[], badSignatures: 0, log: [] as string[] };

  const token = () => randomBytes(24).toString("hex");

  function answer(res: ServerResponse, status: number, body: unknown, badSignature = false) {
    const text = JSON.stringify(body);
    const signature = sign("sha256", Buffer.from(badSignature ? `${text} ` : text), privateKey).toString("base64");
    res.writeHead(status, { "Content-Type": "application/json", "X-Bunq-Server-Signature": signature });
    res.end(text);
  }
  const error = (res: ServerResponse, status: number, description: string) => answer(res, status, { Error: [{ error_description: description }] });

  function checkSignature(req: IncomingMessage, body: string, publicKeyPem: string): boolean {
    const signature = req.headers["x-bunq-client-signature"];
    if (typeof signature !== "string") return false;
    try {
      return verify("sha256", Buffer.from(body), createPublicKey(publicKeyPem), Buffer.from(signature, "base64"));
    } catch {
      return false;
    }
  }

  function book(body: { amount: FakePayment["amount"]; counterparty_alias: FakePayment["counterparty_alias"]; description: string }, batchId?: number): FakePayment {
    if (!/^\d+\.\d{2}$/.test(body.amount.value) || body.counterparty_alias.type !== "IBAN") throw new Error("bad payment");
    const payment = { id: nextId++, amount: body.amount, counterparty_alias: body.counterparty_alias, description: body.description, batchId };
    state.payments.push(payment);
    return payment;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const path = (req.url ?? "").replace(/^\/v1/, "");
    state.log.push(`${req.method} ${path}`);

    const active = faults.find((f) => f.left > 0 && f.path.test(path));
    if (active) active.left--;
    if (active?.fault === "rate-limit") return error(res, 429, "Too many requests. You can do a maximum of 3 calls per 3 second to this endpoint.");
    if (active?.fault === "fail") return error(res, 503, "Service unavailable.");

    const json = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    if (req.method === "POST" && path === "/installation") {
      const key = json.client_public_key;
      if (typeof key !== "string") return error(res, 400, "client_public_key missing");
      const t = token();
      installations.set(t, key);
      return answer(res, 200, { Response: [{ Id: { id: installations.size } }, { Token: { token: t } }, { ServerPublicKey: { server_public_key: serverPublicKeyPem } }] });
    }

    const auth = req.headers["x-bunq-client-authentication"];
    const installationToken = typeof auth === "string" ? (installations.has(auth) ? auth : sessions.get(auth)) : undefined;
    if (!installationToken) return error(res, 401, "Insufficient authorisation.");
    if (!checkSignature(req, body, installations.get(installationToken)!)) {
      state.badSignatures++;
      return error(res, 466, "Request signature is invalid.");
    }
    const isSession = typeof auth === "string" && sessions.has(auth);
    const bad = active?.fault === "bad-signature";

    if (req.method === "POST" && path === "/device-server") {
      if (json.secret !== apiKey) return error(res, 400, "Invalid API key.");
      return answer(res, 200, { Response: [{ Id: { id: 1 } }] }, bad);
    }
    if (req.method === "POST" && path === "/session-server") {
      if (json.secret !== apiKey) return error(res, 400, "Invalid API key.");
      const t = token();
      sessions.set(t, installationToken);
      return answer(res, 200, { Response: [{ Id: { id: sessions.size } }, { Token: { token: t } }, { UserCompany: { id: USER_ID, name: "Gemeente Westerkwartier" } }] }, bad);
    }
    if (!isSession) return error(res, 401, "Insufficient authorisation.");
    const base = `/user/${USER_ID}/monetary-account/${ACCOUNT_ID}`;
    if (req.method === "GET" && path === `/user/${USER_ID}/monetary-account-bank`) {
      return answer(res, 200, { Response: [{ MonetaryAccountBank: { id: ACCOUNT_ID, status: "ACTIVE" } }] }, bad);
    }
    if (req.method === "POST" && (path === `${base}/payment` || path === `${base}/payment-batch`)) {
      let ids: number[];
      try {
        if (path.endsWith("/payment")) ids = [book(json as never).id];
        else {
          const batchId = nextId++;
          (json.payments as never[]).forEach((p) => book(p, batchId));
          ids = [batchId];
        }
      } catch {
        return error(res, 400, "Invalid payment.");
      }
      // Booked, but the answer never comes: the client times out.
      if (active?.fault === "stall") return void stalled.push(res);
      return answer(res, 200, { Response: [{ Id: { id: ids[0] } }] }, bad);
    }
    if (req.method === "GET" && path.startsWith(`${base}/payment`)) {
      const url = new URL(`http://x${path}`);
      const count = Number(url.searchParams.get("count") ?? 10);
      const olderId = url.searchParams.get("older_id");
      const newestFirst = [...state.payments].reverse().filter((p) => olderId === null || p.id < Number(olderId));
      const page = newestFirst.slice(0, count);
      const older = newestFirst.length > count ? `/v1${base}/payment?count=${count}&older_id=${page.at(-1)!.id}` : null;
      return answer(res, 200, {
        Response: page.map((p) => ({ Payment: { id: p.id, amount: { value: `-${p.amount.value}`, currency: "EUR" }, description: p.description, counterparty_alias: { iban: p.counterparty_alias.value, display_name: p.counterparty_alias.name } } })),
        Pagination: { older_url: older, newer_url: null, future_url: null },
      }, bad);
    }
    return error(res, 404, "Route not found.");
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => error(res, 500, "fake bunq failed"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get payments() {
      return state.payments;
    },
    get badSignatures() {
      return state.badSignatures;
    },
    get log() {
      return state.log;
    },
    fault(fault, path, count = 1) {
      faults.push({ fault, path, left: count });
    },
    expireSessions() {
      sessions.clear();
    },
    async close() {
      for (const res of stalled) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
