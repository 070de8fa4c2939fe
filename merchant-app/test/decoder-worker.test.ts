// The worker's own code, fed an RGBA frame of a real payment-QR-sized code drawn from qrcode's matrix.
import { afterEach, describe, expect, it, vi } from "vitest";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import QRCode from "qrcode";
import { prepareZXingModule } from "zxing-wasm/reader";

function frameOf(text: string, scale = 4, quiet = 4) {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const size = qr.modules.size;
  const side = (size + 2 * quiet) * scale;
  const data = new Uint8ClampedArray(side * side * 4);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const mx = Math.floor(x / scale) - quiet, my = Math.floor(y / scale) - quiet;
      const dark = mx >= 0 && my >= 0 && mx < size && my < size && qr.modules.get(my, mx) === 1;
      const i = (y * side + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = dark ? 0 : 255;
      data[i + 3] = 255;
    }
  }
  return { data, width: side, height: side };
}

afterEach(() => vi.restoreAllMocks());

describe("decoder.worker", () => {
  it("answers the text of a QR in the frame, and null for a frame without one", async () => {
    const posted: unknown[] = [];
    vi.spyOn(self, "postMessage").mockImplementation(((message: unknown) => void posted.push(message)) as typeof self.postMessage);
    await import("../src/features/scan/decoder.worker.ts");
    // The browser loads the .wasm from the build's URL; here it is read from the package.
    const wasm = readFileSync(createRequire(import.meta.url).resolve("zxing-wasm/reader/zxing_reader.wasm"));
    prepareZXingModule({ overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) }, fireImmediately: true });
    // 188 characters of base32, as a v1 payment QR carries.
    const text = `TG${"AEAAAAAAB2RRVAKZ7V3C4QX6".repeat(8)}`.slice(0, 188);
    self.onmessage!(new MessageEvent("message", { data: frameOf(text) }));
    const blank = { data: new Uint8ClampedArray(100 * 100 * 4).fill(255), width: 100, height: 100 };
    self.onmessage!(new MessageEvent("message", { data: blank }));
    await vi.waitFor(() => expect(posted).toHaveLength(2), { timeout: 10_000 });
    expect(posted).toEqual(expect.arrayContaining([{ text }, { text: null }]));
  });
});
