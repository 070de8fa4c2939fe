// The backend's JSON-RPC provider: ethers' JsonRpcProvider with its transport replaced by node:http(s)
// on kept-alive sockets, because ethers' own transport converts every request and answer to bytes and
// back in JavaScript. Batching, errors, formatting: all still ethers'. What it saved is in bench/README.md.
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { JsonRpcProvider, type JsonRpcApiProviderOptions, type JsonRpcPayload, type JsonRpcResult, type Networkish } from "ethers";

/** Without an answer this long, a request fails with code TIMEOUT (the chain adapter's CHAIN_UNAVAILABLE). */
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Methods that only read: sent again, they cannot do anything twice. A send is never repeated here;
 * whether it arrived is for its caller to find out (the relayer looks its transaction up).
 */
const READ_METHOD = /^(eth_(call|blockNumber|chainId|estimateGas|gasPrice|feeHistory|maxPriorityFeePerGas|get\w+)|net_version|web3_clientVersion)$/;

/** A kept-alive socket the node closed while idle fails the next request on it; that many are tried again. */
const STALE_SOCKET_RETRIES = 3;

const onlyReads = (payload: JsonRpcPayload | JsonRpcPayload[]): boolean =>
  (Array.isArray(payload) ? payload : [payload]).every((call) => READ_METHOD.test(call.method));

export class HttpJsonRpcProvider extends JsonRpcProvider {
  readonly #url: URL;
  readonly #agent: HttpAgent | HttpsAgent;
  readonly #timeoutMs: number;

  constructor(url: string, network?: Networkish, options?: JsonRpcApiProviderOptions & { timeoutMs?: number }) {
    super(url, network, options);
    this.#url = new URL(url);
    if (this.#url.protocol !== "http:" && this.#url.protocol !== "https:") throw new Error(`not an http(s) JSON-RPC URL: ${this.#url.protocol}`);
    this.#agent = this.#url.protocol === "https:" ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.#timeoutMs = options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  // ethers declares results only; errors come back in the same array, as from its own transport.
  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    const text = await this.#post(JSON.stringify(payload), onlyReads(payload) ? STALE_SOCKET_RETRIES : 0);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw Object.assign(new Error(`the node answered something that is not JSON: ${text.slice(0, 100)}`), { code: "SERVER_ERROR" });
    }
    return (Array.isArray(json) ? json : [json]) as JsonRpcResult[];
  }

  override destroy(): void {
    this.#agent.destroy();
    super.destroy();
  }

  async #post(body: string, retries: number): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#postOnce(body);
      } catch (error) {
        // The race every keep-alive client meets: the node closes a socket it found idle just as a request
        // goes out on it. No answer came, and a read asked twice does no harm, so it goes again on another socket.
        if (!(error instanceof StaleSocketError) || attempt >= retries) throw error instanceof StaleSocketError ? error.cause : error;
      }
    }
  }

  #postOnce(body: string): Promise<string> {
    const url = this.#url;
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      let answered = false;
      const req = send(
        url,
        {
          method: "POST",
          agent: this.#agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
          ...(url.username && { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` }),
        },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          // A node that stops (a restart) in the middle of an answer closes the socket without 'end' or
          // 'error': unheard, the request would wait forever, and with it its relayer lane.
          res.on("close", () => {
            if (!res.complete) reject(Object.assign(new Error("the node closed the connection in the middle of its answer"), { code: "ECONNRESET" }));
          });
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) {
              reject(Object.assign(new Error(`the node answered HTTP ${status}: ${text.slice(0, 200)}`), { code: "SERVER_ERROR", status }));
            } else {
              resolve(text);
            }
          });
        },
      );
      req.setTimeout(this.#timeoutMs, () => req.destroy(Object.assign(new Error(`no answer from the node within ${this.#timeoutMs} ms`), { code: "TIMEOUT" })));
      req.on("error", (error: NodeJS.ErrnoException) => {
        const stale = req.reusedSocket && !answered && (error.code === "ECONNRESET" || error.code === "EPIPE");
        reject(stale ? new StaleSocketError(error) : error);
      });
      req.end(body);
    });
  }
}

/** A request failed on a kept-alive socket before any answer came. */
class StaleSocketError extends Error {
  override readonly cause: NodeJS.ErrnoException;
  constructor(cause: NodeJS.ErrnoException) {
    super(cause.message);
    this.cause = cause;
  }
}
