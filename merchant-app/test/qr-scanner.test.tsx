// The camera path in jsdom with a stand-in camera and worker: rear camera asked for, frames handed to the
// worker (never decoded on the main thread), the decoded text reported once, the camera switched off.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { QrScanner } from "../src/features/scan/components/qr-scanner.tsx";
import { renderWith } from "./support/render.tsx";

class FakeWorker {
  static instances: FakeWorker[] = [];
  static codeInView = true;
  onmessage: ((event: { data: { text: string | null } }) => void) | null = null;
  frames: { width: number; height: number }[] = [];
  terminated = false;
  readonly url: URL;
  readonly options: WorkerOptions;
  constructor(url: URL, options: WorkerOptions) {
    this.url = url;
    this.options = options;
    FakeWorker.instances.push(this);
  }
  postMessage(frame: { width: number; height: number }) {
    this.frames.push(frame);
    // The first frame has no code in view; the second one has.
    const text = FakeWorker.codeInView && this.frames.length >= 2 ? "TGQRTEXT" : null;
    queueMicrotask(() => this.onmessage?.({ data: { text } }));
  }
  terminate() {
    this.terminated = true;
  }
}

function fakeCamera(options: { torch?: boolean; fail?: string } = {}) {
  const track = {
    stop: vi.fn(),
    getCapabilities: () => ({ torch: options.torch ?? false }),
    applyConstraints: vi.fn(async () => undefined),
  };
  const stream = { getTracks: () => [track], getVideoTracks: () => [track] };
  const getUserMedia = vi.fn(async () => {
    if (options.fail) throw Object.assign(new Error(options.fail), { name: options.fail });
    return stream;
  });
  Object.defineProperty(navigator, "mediaDevices", { value: { getUserMedia }, configurable: true });
  return { track, getUserMedia };
}

beforeEach(() => {
  FakeWorker.instances = [];
  FakeWorker.codeInView = true;
  vi.stubGlobal("Worker", FakeWorker);
  vi.spyOn(HTMLMediaElement.prototype, "play").mockResolvedValue(undefined);
  vi.spyOn(HTMLMediaElement.prototype, "readyState", "get").mockReturnValue(4);
  vi.spyOn(HTMLVideoElement.prototype, "videoWidth", "get").mockReturnValue(1280);
  vi.spyOn(HTMLVideoElement.prototype, "videoHeight", "get").mockReturnValue(720);
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue({
    drawImage: vi.fn(),
    getImageData: (_x: number, _y: number, width: number, height: number) => ({ data: new Uint8ClampedArray(width * height * 4), width, height }),
  } as unknown as CanvasRenderingContext2D);
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  Reflect.deleteProperty(navigator, "mediaDevices");
});

describe("QrScanner", () => {
  it("asks for the rear camera, decodes in a worker, reports the text once and switches the camera off", async () => {
    const { track, getUserMedia } = fakeCamera();
    const onText = vi.fn();
    renderWith(<QrScanner onText={onText} />);
    await waitFor(() => expect(onText).toHaveBeenCalledWith("TGQRTEXT"), { timeout: 3000 });
    expect(getUserMedia).toHaveBeenCalledWith({ video: { facingMode: { ideal: "environment" } }, audio: false });
    const worker = FakeWorker.instances[0]!;
    expect(worker.options).toEqual({ type: "module" });
    expect(String(worker.url)).toContain("decoder.worker");
    expect(worker.frames[0]).toMatchObject({ width: 640, height: 360 }); // scaled down before it is sent
    expect(onText).toHaveBeenCalledTimes(1);
    expect(track.stop).toHaveBeenCalled();
    expect(worker.terminated).toBe(true);
    expect(screen.queryByRole("button", { name: "Lamp" })).toBeNull();
  });

  it("offers the torch when the camera has one", async () => {
    const { track } = fakeCamera({ torch: true });
    FakeWorker.codeInView = false;
    renderWith(<QrScanner onText={() => {}} />);
    const torch = await screen.findByRole("button", { name: "Lamp" });
    expect(torch).toHaveAttribute("aria-pressed", "false");
    await userEvent.setup().click(torch);
    expect(track.applyConstraints).toHaveBeenCalledWith({ advanced: [{ torch: true }] });
    expect(torch).toHaveAttribute("aria-pressed", "true");
  });

  it("says how to go on when the camera is refused", async () => {
    fakeCamera({ fail: "NotAllowedError" });
    renderWith(<QrScanner onText={() => {}} />);
    expect(await screen.findByText(/De camera mag niet worden gebruikt/)).toBeInTheDocument();
  });

  it("says so when there is no camera at all", async () => {
    renderWith(<QrScanner onText={() => {}} />, { language: "en" });
    expect(await screen.findByText("No camera available. Type or paste the code below.")).toBeInTheDocument();
  });
});
