// The backend's JSON-RPC transport: what a node answers reaches ethers unchanged (results, batches,
// revert data), and a node that fails is told apart from a refused call (CHAIN_UNAVAILABLE).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "@tegoed/sdk";
import { toChainDomainError } from "../../src/chain/errors.ts";
import { HttpJsonRpcProvider } from "../../src/chain/http-provider.ts";
import { startLocalChain, type LocalChain } from "../../../scripts/lib/local-chain.ts";
import { freePort } from "../../../scripts/lib/local-chain.ts";

async function chainError(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    return toChainDomainError(error);
  }
  throw new Error("expected the call to fail");
}

describe("HttpJsonRpcProvider against a real node", () => {
  let chain: LocalChain;
  let provider: HttpJsonRpcProvider;

  beforeAll(async () => {
    chain = await startLocalChain({ engine: "hardhat" });
    provider = new HttpJsonRpcProvider(chain.url, undefined, { staticNetwork: true, batchStallTime: 0 });
  }, 120_000);

  afterAll(async () => {
    provider?.destroy();
    await chain?.stop();
  });

  it("answers single calls and calls made together (one JSON-RPC batch) like the node", async () => {
    const [network, block, balance] = await Promise.all([
      provider.send("eth_chainId", []),
      provider.getBlockNumber(),
      provider.getBalance("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
    ]);
    expect(BigInt(network)).toBe(31337n);
    expect(block).toBe(await chain.provider.getBlockNumber());
    expect(balance).toBe(await chain.provider.getBalance("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
  });

  it("passes the node's JSON-RPC errors on as ethers errors", async () => {
    await expect(provider.send("eth_noSuchMethod", [])).rejects.toThrow(/not supported|not found|noSuchMethod/i);
  });
});

describe("HttpJsonRpcProvider against a failing node", () => {
  let server: Server;
  let url: string;
  let answer: (res: import("node:http").ServerResponse) => void = () => {};

  beforeAll(async () => {
    server = createServer((_req, res) => answer(res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const provider = (timeoutMs?: number) => new HttpJsonRpcProvider(url, 31337, { staticNetwork: true, ...(timeoutMs && { timeoutMs }) });

  it("an HTTP error is CHAIN_UNAVAILABLE", async () => {
    answer = (res) => res.writeHead(502).end("bad gateway");
    const p = provider();
    const error = await chainError(p.getBlockNumber());
    p.destroy();
    expect(error.code).toBe("CHAIN_UNAVAILABLE");
  });

  it("an answer that is not JSON is CHAIN_UNAVAILABLE", async () => {
    answer = (res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>maintenance</html>");
    const p = provider();
    const error = await chainError(p.getBlockNumber());
    p.destroy();
    expect(error.code).toBe("CHAIN_UNAVAILABLE");
  });

  it("no answer in time is CHAIN_UNAVAILABLE", async () => {
    answer = () => {}; // never answers
    const p = provider(300);
    const error = await chainError(p.getBlockNumber());
    p.destroy();
    expect(error.code).toBe("CHAIN_UNAVAILABLE");
    expect(String((error.cause as { code?: string } | undefined)?.code ?? "")).toMatch(/TIMEOUT/);
  });

  it("a node that is not listening is CHAIN_UNAVAILABLE", async () => {
    const port = await freePort();
    const p = new HttpJsonRpcProvider(`http://127.0.0.1:${port}`, 31337, { staticNetwork: true });
    const error = await chainError(p.getBlockNumber());
    p.destroy();
    expect(error.code).toBe("CHAIN_UNAVAILABLE");
  });
});

describe("HttpJsonRpcProvider when the node drops a kept-alive socket", () => {
  // Each socket is answered once; a second request on it finds the socket closed, as when the node's
  // keep-alive timer ends just as the request goes out.
  let server: Server;
  let url: string;
  const received: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk));
      req.on("end", () => {
        const call = JSON.parse(body) as { id: number; method: string };
        const socket = req.socket as typeof req.socket & { answered?: boolean };
        received.push(call.method);
        if (socket.answered) return socket.destroy();
        socket.answered = true;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: call.id, result: "0x2a" }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("sends a read again on a new socket, and the caller gets the answer", async () => {
    const p = new HttpJsonRpcProvider(url, 31337, { staticNetwork: true, batchStallTime: 0 });
    received.length = 0;
    expect(await p.send("eth_blockNumber", [])).toBe("0x2a");
    expect(await p.send("eth_blockNumber", [])).toBe("0x2a");
    p.destroy();
    expect(received).toEqual(["eth_blockNumber", "eth_blockNumber", "eth_blockNumber"]);
  });

  it("never sends a transaction twice: the caller hears CHAIN_UNAVAILABLE", async () => {
    const p = new HttpJsonRpcProvider(url, 31337, { staticNetwork: true, batchStallTime: 0 });
    received.length = 0;
    await p.send("eth_chainId", []);
    const error = await chainError(p.send("eth_sendRawTransaction", ["0x02"]));
    p.destroy();
    expect(error.code).toBe("CHAIN_UNAVAILABLE");
    expect(received).toEqual(["eth_chainId", "eth_sendRawTransaction"]);
  });
});

