// The load generator's HTTP client for the tills: the sdk's API client over node:http on kept-alive
// sockets instead of the global fetch. A till is its own device; here every till shares the 2 cores with
// what is measured, and undici's fetch spent about 0.5 ms of CPU per request where this spends under 0.1
// (bench/README.md), CPU the backend, the node and PostgreSQL would otherwise not get.
import { Agent, request } from "node:http";

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** What the sdk's client reads of an answer, the status, the session cookie and the body. */
class TillResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly body: Buffer;
  readonly headers: { get(name: string): string | null; getSetCookie(): string[] };
  constructor(status: number, headers: Record<string, string | string[] | undefined>, body: Buffer) {
    this.status = status;
    this.body = body;
    this.ok = status >= 200 && status < 300;
    this.headers = {
      get: (name) => {
        const value = headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
      },
      getSetCookie: () => {
        const value = headers["set-cookie"];
        return value === undefined ? [] : Array.isArray(value) ? value : [value];
      },
    };
  }
  async text() { return this.body.toString("utf8"); }
  async json() { return JSON.parse(this.body.toString("utf8")) as unknown; }
  async arrayBuffer() { return this.body.buffer.slice(this.body.byteOffset, this.body.byteOffset + this.body.byteLength); }
}

/** A fetch for plain http:// URLs, with the parts of RequestInit the sdk's client passes. */
export const tillFetch = ((url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
  new Promise<TillResponse>((resolve, reject) => {
    const req = request(url, { method: init.method ?? "GET", headers: init.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => resolve(new TillResponse(res.statusCode ?? 0, res.headers, Buffer.concat(chunks))));
    });
    req.on("error", reject);
    req.end(init.body);
  })) as unknown as typeof fetch;
