// QR decoders of the till side by side: jsQR (what the merchant app's worker runs) and zxing-wasm
// (ZXing-C++ as WebAssembly), on the frames the browser tests' fake camera plays (640×480, the QR as the
// wallet shows it on a grey table), clean and made hard: blurred, tilted, low light, and all three.
// Per decoder and set: the share of frames decoded right, and frames decoded per second on one core.
// Run: node scripts/bench-qr-decoders.ts [frames per set, default 40]. The machine is shared: compare
// the two decoders within one run, not runs with each other.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import QRCode from "qrcode";
import jsQR from "jsqr";
import { prepareZXingModule, readBarcodes } from "zxing-wasm/reader";

const require = createRequire(import.meta.url);
const W = 640, H = 480;
const PER_SET = Number(process.argv[2] ?? 40);

/** A deterministic random source, so every run judges the same frames. */
function random(seed: number) {
  let s = seed;
  return () => (s = (s * 48_271) % 2_147_483_647) / 2_147_483_647;
}

/** A payment-QR-like text: base45 of the permit's size (≈ 130 bytes → 195 characters). */
function payload(rand: () => number): string {
  const abc = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  return "TG1" + Array.from({ length: 192 }, () => abc[Math.floor(rand() * abc.length)]).join("");
}

/** The fake camera's frame (test/support/browser.ts writeQrVideo) as grey levels. */
function frame(text: string): Float32Array {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const size = qr.modules.size, quiet = 4;
  const scale = Math.floor((H - 40) / (size + 2 * quiet));
  const side = (size + 2 * quiet) * scale;
  const left = Math.floor((W - side) / 2), top = Math.floor((H - side) / 2);
  const luma = new Float32Array(W * H).fill(0x60);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const mx = Math.floor(x / scale) - quiet, my = Math.floor(y / scale) - quiet;
      const dark = mx >= 0 && my >= 0 && mx < size && my < size && qr.modules.get(my, mx) === 1;
      luma[(top + y) * W + left + x] = dark ? 0x10 : 0xeb;
    }
  }
  return luma;
}

function blur(src: Float32Array, radius: number): Float32Array {
  const tmp = new Float32Array(src.length), out = new Float32Array(src.length), n = 2 * radius + 1;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    let s = 0;
    for (let k = -radius; k <= radius; k++) s += src[y * W + Math.min(W - 1, Math.max(0, x + k))]!;
    tmp[y * W + x] = s / n;
  }
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    let s = 0;
    for (let k = -radius; k <= radius; k++) s += tmp[Math.min(H - 1, Math.max(0, y + k)) * W + x]!;
    out[y * W + x] = s / n;
  }
  return out;
}

/** Held further off (¾ the size), turned by `degrees` and seen at a slant (the far edge smaller). */
function tilt(src: Float32Array, degrees: number, slant: number): Float32Array {
  const zoom = 0.75;
  const out = new Float32Array(src.length).fill(0x60);
  const a = (degrees * Math.PI) / 180, cx = W / 2, cy = H / 2;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const k = 1 + slant * ((y - cy) / H); // rows further down are wider
    const dx = (x - cx) / k / zoom, dy = (y - cy) / zoom;
    const sx = Math.round(cx + dx * Math.cos(a) + dy * Math.sin(a)), sy = Math.round(cy - dx * Math.sin(a) + dy * Math.cos(a));
    if (sx >= 0 && sy >= 0 && sx < W && sy < H) out[y * W + x] = src[sy * W + sx]!;
  }
  return out;
}

/** A dim room: little contrast, and the sensor's noise. */
function lowLight(src: Float32Array, rand: () => number): Float32Array {
  return src.map((v) => 20 + (v / 255) * 45 + (rand() - 0.5) * 24);
}

function rgba(luma: Float32Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray(W * H * 4);
  for (let i = 0; i < luma.length; i++) {
    const v = luma[i]!;
    out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = v;
    out[4 * i + 3] = 255;
  }
  return out;
}

type Decoder = (data: Uint8ClampedArray) => Promise<string | null>;
const decodeJsqr = jsQR as unknown as (d: Uint8ClampedArray, w: number, h: number, o: object) => { data: string } | null;

async function main() {
  prepareZXingModule({ overrides: { wasmBinary: readFileSync(require.resolve("zxing-wasm/reader/zxing_reader.wasm")).buffer }, fireImmediately: true });
  const decoders: Record<string, Decoder> = {
    jsqr: async (data) => decodeJsqr(data, W, H, { inversionAttempts: "attemptBoth" })?.data ?? null,
    "zxing-wasm": async (data) => {
      const [found] = await readBarcodes({ data, width: W, height: H, colorSpace: "srgb" } as ImageData, { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 });
      return found?.isValid ? found.text : null;
    },
  };
  const rand = random(7);
  const sets: Record<string, (f: Float32Array) => Float32Array> = {
    clean: (f) => f,
    blurred: (f) => blur(f, 3),
    tilted: (f) => tilt(f, 18, 0.35),
    "low light": (f) => lowLight(f, rand),
    "blurred, tilted, low light": (f) => lowLight(tilt(blur(f, 2), 12, 0.25), rand),
  };
  const texts = Array.from({ length: PER_SET }, () => payload(rand));
  console.log(`| set | decoder | decoded | frames/s |\n| --- | --- | --- | --- |`);
  for (const [name, make] of Object.entries(sets)) {
    const frames = texts.map((t) => ({ text: t, data: rgba(make(frame(t))) }));
    for (const [decoder, decode] of Object.entries(decoders)) {
      await decode(frames[0]!.data); // warm up (zxing compiles its WebAssembly on first use)
      let ok = 0;
      const started = process.hrtime.bigint();
      for (const f of frames) if ((await decode(f.data)) === f.text) ok++;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      console.log(`| ${name} | ${decoder} | ${ok}/${frames.length} | ${(frames.length / seconds).toFixed(1)} |`);
    }
  }
}

await main();
