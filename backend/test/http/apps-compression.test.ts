// The built apps travel compressed: the build writes brotli and gzip copies (scripts/lib/precompress.ts)
// and the backend answers each browser with the best copy it accepts, the original's type, and caching
// by file kind. Read with node:http, which (unlike fetch) hands over the bytes as sent.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request, type IncomingHttpHeaders, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appsRouter } from "../../src/http/apps.ts";
import { precompressDir } from "../../../scripts/lib/precompress.ts";

// Text that compresses like a bundle: repeated words with some randomness between them.
const bundle = Array.from({ length: 2000 }, (_, i) => `export const value${i} = "${randomBytes(4).toString("hex")}";`).join("\n");
const page = `<!doctype html><html><head><script type="module" src="/wallet/assets/index-abc123.js"></script></head><body>${"<div id=root></div>".repeat(80)}</body></html>`;
const wasm = Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), Buffer.alloc(4000, 7)]);

let root: string;
let server: Server;
let port: number;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function get(path: string, headers: Record<string, string> = {}, method = "GET"): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

const decoded = (a: Answer) =>
  a.headers["content-encoding"] === "br" ? brotliDecompressSync(a.body) : a.headers["content-encoding"] === "gzip" ? gunzipSync(a.body) : a.body;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "tegoed-apps-"));
  const dist = join(root, "wallet-app/dist");
  mkdirSync(join(dist, "assets"), { recursive: true });
  writeFileSync(join(dist, "index.html"), page);
  writeFileSync(join(dist, "assets/index-abc123.js"), bundle);
  writeFileSync(join(dist, "assets/reader-def456.wasm"), wasm);
  writeFileSync(join(dist, "icon.svg"), "<svg/>"); // too small to be worth a copy
  writeFileSync(join(dist, "icon-192.png"), randomBytes(2000)); // already compressed
  const made = await precompressDir(dist);
  expect(made.map((m) => m.file).sort()).toEqual(["assets/index-abc123.js", "assets/reader-def456.wasm", "index.html"]);
  expect(existsSync(join(dist, "icon-192.png.br"))).toBe(false);
  const app = express();
  app.use(appsRouter(root).router);
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  port = (server.address() as { port: number }).port;
});

afterAll(() => {
  server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe("the apps' files, compressed at build", () => {
  it("answers brotli to a browser that takes it, byte for byte the file once decompressed, as JavaScript cached for a year", async () => {
    const a = await get("/wallet/assets/index-abc123.js", { "Accept-Encoding": "gzip, deflate, br, zstd" });
    expect(a.status).toBe(200);
    expect(a.headers["content-encoding"]).toBe("br");
    expect(a.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(a.headers.vary).toMatch(/Accept-Encoding/i);
    expect(a.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(Number(a.headers["content-length"])).toBe(a.body.length);
    expect(a.body.length).toBeLessThan(bundle.length / 2);
    expect(decoded(a).toString()).toBe(bundle);
  });

  it("answers gzip to a browser that takes gzip but not brotli", async () => {
    for (const accept of ["gzip", "br;q=0, gzip"]) {
      const a = await get("/wallet/assets/index-abc123.js", { "Accept-Encoding": accept });
      expect(a.headers["content-encoding"]).toBe("gzip");
      expect(decoded(a).toString()).toBe(bundle);
    }
  });

  it("answers the file itself to a browser that takes no compression, still saying it varies", async () => {
    for (const headers of [{}, { "Accept-Encoding": "identity" }, { "Accept-Encoding": "deflate" }] as Record<string, string>[]) {
      const a = await get("/wallet/assets/index-abc123.js", headers);
      expect(a.headers["content-encoding"]).toBeUndefined();
      expect(a.headers.vary).toMatch(/Accept-Encoding/i);
      expect(a.body.toString()).toBe(bundle);
    }
  });

  it("serves the app's page compressed at its path and at a client-side route, never cached without asking", async () => {
    for (const path of ["/wallet/", "/wallet/pay/some-child"]) {
      const a = await get(path, { "Accept-Encoding": "br" });
      expect(a.status).toBe(200);
      expect(a.headers["content-encoding"]).toBe("br");
      expect(a.headers["content-type"]).toMatch(/^text\/html/);
      expect(a.headers["cache-control"]).toBe("no-cache");
      expect(a.headers.vary).toMatch(/Accept-Encoding/i);
      expect(decoded(a).toString()).toBe(page);
    }
    const plain = await get("/wallet/", { "Accept-Encoding": "identity" });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString()).toBe(page);
  });

  it("serves WebAssembly as application/wasm when compressed (streaming compilation needs the type)", async () => {
    const a = await get("/wallet/assets/reader-def456.wasm", { "Accept-Encoding": "gzip, br" });
    expect(a.headers["content-encoding"]).toBe("br");
    expect(a.headers["content-type"]).toBe("application/wasm");
    expect(decoded(a).equals(wasm)).toBe(true);
  });

  it("answers HEAD with the compressed copy's headers and no body", async () => {
    const full = await get("/wallet/assets/index-abc123.js", { "Accept-Encoding": "br" });
    const head = await get("/wallet/assets/index-abc123.js", { "Accept-Encoding": "br" }, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-encoding"]).toBe("br");
    expect(head.headers["content-length"]).toBe(String(full.body.length));
    expect(head.body.length).toBe(0);
  });

  it("answers a range of the file itself, not of a compressed copy", async () => {
    const a = await get("/wallet/assets/index-abc123.js", { "Accept-Encoding": "br, gzip", Range: "bytes=0-99" });
    expect(a.status).toBe(206);
    expect(a.headers["content-encoding"]).toBeUndefined();
    expect(a.body.toString()).toBe(bundle.slice(0, 100));
  });

  it("sends files without a copy as they are, and a missing file is a 404 whatever the browser accepts", async () => {
    const icon = await get("/wallet/icon.svg", { "Accept-Encoding": "br" });
    expect(icon.headers["content-encoding"]).toBeUndefined();
    expect(icon.body.toString()).toBe("<svg/>");
    const png = await get("/wallet/icon-192.png", { "Accept-Encoding": "br" });
    expect(png.headers["content-encoding"]).toBeUndefined();
    expect(png.headers.vary ?? "").not.toMatch(/Accept-Encoding/i);
    expect((await get("/wallet/assets/missing-000.js", { "Accept-Encoding": "br" })).status).toBe(404);
    // The copies are not a way around the path checks.
    expect((await get("/wallet/../wallet-app/dist/index.html", { "Accept-Encoding": "br" })).body.toString()).not.toContain(root);
  });
});
