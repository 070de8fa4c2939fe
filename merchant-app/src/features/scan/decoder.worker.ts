// Decodes camera frames off the main thread, so the till stays responsive while it looks for a QR.
import jsQR from "jsqr";

type Decode = (data: Uint8ClampedArray, width: number, height: number, options?: { inversionAttempts?: "attemptBoth" }) => { data: string } | null;
// jsqr is CommonJS: depending on the bundler's interop the default import is the function or its module.
const decode: Decode = typeof jsQR === "function" ? (jsQR as Decode) : (jsQR as unknown as { default: Decode }).default;

export interface FrameMessage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

const scope = self as unknown as { postMessage(message: { text: string | null }): void; onmessage: ((event: MessageEvent<FrameMessage>) => void) | null };

scope.onmessage = (event) => {
  const { data, width, height } = event.data;
  const code = decode(data, width, height, { inversionAttempts: "attemptBoth" });
  scope.postMessage({ text: code && code.data !== "" ? code.data : null });
};
