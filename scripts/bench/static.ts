// Figures that need no chain: the payment QR's version and the wallet app's first-load JavaScript.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import QRCode from "qrcode";
import { Wallet, hexlify, randomBytes } from "ethers";
import { decodePaymentQr, encodePaymentQr, qrFromPermit, signPaymentPermit } from "@tegoed/sdk";
import { ROOT } from "../lib/artifacts.ts";

export interface QrFigure {
  /** The highest version over the random permits: the figure with the goal. */
  version: number;
  /** How many permits of each version. */
  versions: Record<string, number>;
  permits: number;
  characters: number;
  /** The version any payload of this length needs at most: the whole text as one alphanumeric segment. */
  worst_case_version: number;
  /** The old figure, every field at its maximum (base32 of 0xff bytes is digits, which pack tighter). */
  all_ones_version: number;
  ecc: "M";
}

const ECC = { errorCorrectionLevel: "M" } as const;

/**
 * The QR version (ECC M) the wallet draws, over `count` realistic permits: random fund and budget ids,
 * amounts up to a budget of EUR 300, nonces, a deadline 90 s ahead, each signed by its own random key;
 * the `qrcode` package picks the segments (numeric runs of base32's digits pack tighter), as the wallet's.
 */
export async function qrVersion(count = 1_000): Promise<QrFigure> {
  const versions: Record<string, number> = {};
  const now = BigInt(Math.floor(Date.now() / 1000));
  let characters = 0;
  let text = "";
  for (let i = 0; i < count; i++) {
    const key = new Wallet(hexlify(randomBytes(32))); // no mnemonic: createRandom derives one, slowly
    const random = (n: number) => BigInt(Math.floor(Math.random() * n));
    const permit = {
      fund: hexlify(randomBytes(20)),
      budgetId: hexlify(randomBytes(32)),
      maxAmount: 1n + random(30_000),
      nonce: random(200),
      deadline: now + 90n + random(86_400 * 365),
    };
    const signature = await signPaymentPermit(key, 1n + random(2 ** 31), permit);
    text = encodePaymentQr(qrFromPermit(permit, Number(random(1_000)), signature));
    if (decodePaymentQr(text).budgetId !== permit.budgetId) throw new Error("payment QR does not read back");
    characters = Math.max(characters, text.length);
    const v = QRCode.create(text, ECC).version;
    versions[v] = (versions[v] ?? 0) + 1;
  }
  const worst = QRCode.create([{ data: text, mode: "alphanumeric" }], ECC).version;
  // Every field at its maximum, as measured before.
  const permit = { fund: "0x" + "ff".repeat(20), budgetId: hexlify(new Uint8Array(32).fill(0xff)), maxAmount: 2n ** 48n - 1n, nonce: 2n ** 32n - 1n, deadline: 2n ** 40n - 1n };
  const allOnes = encodePaymentQr(qrFromPermit(permit, 2 ** 32 - 1, await signPaymentPermit(new Wallet(hexlify(randomBytes(32))), 2n ** 63n, permit)));
  return {
    version: Math.max(...Object.keys(versions).map(Number)),
    versions,
    permits: count,
    characters,
    worst_case_version: worst,
    all_ones_version: QRCode.create(allOnes, ECC).version,
    ecc: "M",
  };
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
