// Figures that need no chain: the payment QR's version and the wallet app's first-load JavaScript.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import QRCode from "qrcode";
import { Wallet, hexlify } from "ethers";
import { encodePaymentQr, qrFromPermit, signPaymentPermit } from "@tegoed/sdk";
import { ROOT } from "../lib/artifacts.ts";

export interface QrFigure {
  version: number;
  characters: number;
  ecc: "M";
}

/** The QR version (ECC M) of the largest payment payload: every field at its maximum. */
export async function qrVersion(): Promise<QrFigure> {
  const key = Wallet.createRandom();
  const permit = {
    fund: "0x" + "ff".repeat(20),
    budgetId: hexlify(new Uint8Array(32).fill(0xff)),
    maxAmount: 2n ** 48n - 1n,
    nonce: 2n ** 32n - 1n,
    deadline: 2n ** 40n - 1n,
  };
  const signature = await signPaymentPermit(key, 2n ** 63n, permit);
  const text = encodePaymentQr(qrFromPermit(permit, 2 ** 32 - 1, signature));
  return { version: QRCode.create(text, { errorCorrectionLevel: "M" }).version, characters: text.length, ecc: "M" };
}

export interface BundleFigure {
  gzipKb: number;
  rawKb: number;
  files: { file: string; rawBytes: number; gzipBytes: number }[];
  built: boolean;
  buildSeconds: number;
  note?: string;
}

/** Builds the wallet app with Vite and gzips the JavaScript its index.html loads (scripts and modulepreloads). */
export function walletBundle(options: { build?: boolean } = {}): BundleFigure {
  const dist = join(ROOT, "wallet-app/dist");
  let built = false;
  let note: string | undefined;
  const started = performance.now();
  if (options.build !== false) {
    const result = spawnSync("npm", ["run", "--silent", "build", "-w", "wallet-app"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}` },
      timeout: 300_000,
    });
    built = result.status === 0;
    if (!built) note = `vite build failed (${result.status}): ${(result.stderr || result.stdout || "").trim().split("\n").slice(-3).join(" | ")}`;
  }
  const buildSeconds = Math.round(performance.now() - started) / 1000;
  const indexFile = join(dist, "index.html");
  if (!existsSync(indexFile)) throw new Error(note ?? "wallet-app/dist/index.html is missing");
  const html = readFileSync(indexFile, "utf8");
  const refs = new Set<string>();
  for (const match of html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="([^"]+\.m?js)"[^>]*>/g)) refs.add(match[1]!);
  const files = [...refs].map((ref) => {
    const path = join(dist, ref.replace(/^(\.\/|\/wallet\/|\/)/, ""));
    const bytes = readFileSync(path);
    return { file: ref, rawBytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  });
  const kb = (n: number) => Math.round((n / 1024) * 10) / 10;
  return {
    gzipKb: kb(files.reduce((s, f) => s + f.gzipBytes, 0)),
    rawKb: kb(files.reduce((s, f) => s + f.rawBytes, 0)),
    files,
    built,
    buildSeconds,
    ...(note ? { note } : {}),
  };
}
