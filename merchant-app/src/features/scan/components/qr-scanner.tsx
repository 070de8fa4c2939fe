// Camera → QR text, nothing more. Rear camera first; frames go to a worker that runs ZXing (WebAssembly); the torch
// button appears only when the camera says it has one.
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { FrameMessage } from "../decoder.worker.ts";

type CameraState = "starting" | "running" | "denied" | "unavailable";

// Frames are scaled down to this width: enough for a version 8 QR filling part of the view, cheap to decode.
const FRAME_WIDTH = 640;
const FRAME_EVERY_MS = 120;

interface TorchTrack {
  getCapabilities?: () => { torch?: boolean };
  applyConstraints(constraints: { advanced: { torch: boolean }[] }): Promise<void>;
}

export function QrScanner({ onText }: { onText: (text: string) => void }) {
  const { t } = useTranslation();
  const videoRef = useRef<HTMLVideoElement>(null);
  const trackRef = useRef<TorchTrack | null>(null);
  const onTextRef = useRef(onText);
  onTextRef.current = onText;
  const [state, setState] = useState<CameraState>("starting");
  const [torchAvailable, setTorchAvailable] = useState(false);
  const [torchOn, setTorchOn] = useState(false);

  useEffect(() => {
    let stopped = false;
    let stream: MediaStream | undefined;
    let worker: Worker | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      worker?.terminate();
      stream?.getTracks().forEach((track) => track.stop());
      trackRef.current = null;
    };
    if (!navigator.mediaDevices?.getUserMedia) {
      setState("unavailable");
      return stop;
    }
    void (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false });
      } catch (error) {
        if (!stopped) setState((error as Error).name === "NotAllowedError" ? "denied" : "unavailable");
        return;
      }
      if (stopped) return stop();
      const video = videoRef.current;
      if (!video) return stop();
      video.srcObject = stream;
      try {
        await video.play(); // muted + playsInline: autoplay is allowed
      } catch {
        // frames are still grabbed once the stream runs
      }
      const track = stream.getVideoTracks()[0] as unknown as TorchTrack | undefined;
      trackRef.current = track ?? null;
      setTorchAvailable(track?.getCapabilities?.().torch === true);
      setState("running");

      worker = new Worker(new URL("../decoder.worker.ts", import.meta.url), { type: "module" });
      const canvas = document.createElement("canvas");
      const context = canvas.getContext("2d", { willReadFrequently: true });
      let decoding = false;
      worker.onmessage = (event: MessageEvent<{ text: string | null }>) => {
        decoding = false;
        if (event.data.text && !stopped) {
          const text = event.data.text;
          stop();
          onTextRef.current(text);
        }
      };
      const grab = () => {
        if (stopped) return;
        if (!decoding && context && video.readyState >= 2 && video.videoWidth > 0) {
          const scale = Math.min(1, FRAME_WIDTH / video.videoWidth);
          const width = Math.round(video.videoWidth * scale);
          const height = Math.round(video.videoHeight * scale);
          canvas.width = width;
          canvas.height = height;
          context.drawImage(video, 0, 0, width, height);
          const image = context.getImageData(0, 0, width, height);
          decoding = true;
          const message: FrameMessage = { data: image.data, width, height };
          worker?.postMessage(message, [image.data.buffer]);
        }
        timer = setTimeout(grab, FRAME_EVERY_MS);
      };
      grab();
    })();
    return stop;
  }, []);

  const toggleTorch = async () => {
    const next = !torchOn;
    try {
      await trackRef.current?.applyConstraints({ advanced: [{ torch: next }] });
      setTorchOn(next);
    } catch {
      setTorchAvailable(false);
    }
  };

  return (
    <div className="scanner">
      <video ref={videoRef} className="scanner-video" muted playsInline aria-label={t("scan.cameraLabel")} hidden={state !== "running"} />
      <p className="scanner-status" role="status">
        {state === "starting" && t("scan.cameraStarting")}
        {state === "running" && t("scan.cameraRunning")}
        {state === "denied" && t("scan.cameraDenied")}
        {state === "unavailable" && t("scan.cameraUnavailable")}
      </p>
      {torchAvailable && state === "running" && (
        <button type="button" className="secondary" aria-pressed={torchOn} onClick={() => void toggleTorch()}>
          {t("scan.torch")}
        </button>
      )}
    </div>
  );
}
