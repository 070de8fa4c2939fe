// Decodes camera frames off the main thread, so the till stays responsive while it looks for a QR.
// ZXing-C++ as WebAssembly (zxing-wasm): on the fake-camera frames it decoded tilted and dim QRs that
// jsQR missed, several times faster (scripts/bench-qr-decoders.ts, bench/README.md). Its .wasm is part
// of the build, served from our own origin like the scripts: nothing is fetched from elsewhere.
import { prepareZXingModule, readBarcodes } from "zxing-wasm/reader";
import wasmUrl from "zxing-wasm/reader/zxing_reader.wasm?url";

prepareZXingModule({ overrides: { locateFile: (path: string, prefix: string) => (path.endsWith(".wasm") ? wasmUrl : prefix + path) } });

export interface FrameMessage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

const scope = self as unknown as { postMessage(message: { text: string | null }): void; onmessage: ((event: MessageEvent<FrameMessage>) => void) | null };

/** The QR's text in the frame, or null. */
export async function decodeFrame({ data, width, height }: FrameMessage): Promise<string | null> {
  const image = { data, width, height, colorSpace: "srgb" } as ImageData;
  const [found] = await readBarcodes(image, { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 });
  return found?.isValid && found.text !== "" ? found.text : null;
}

scope.onmessage = (event) => {
  decodeFrame(event.data).then(
    (text) => scope.postMessage({ text }),
    () => scope.postMessage({ text: null }),
  );
};
