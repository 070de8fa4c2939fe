// Scans the letter's QR with the phone's own BarcodeDetector (Android's Chrome has it): no decoder in
// our bundle. Where the browser lacks it the button is not shown and the code is typed.
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
type DetectorClass = new (options: { formats: string[] }) => Detector;

function detectorClass(): DetectorClass | undefined {
  return (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
}

export function CodeScanner({ onCode }: { onCode(code: string): void }) {
  const { t } = useTranslation();
  const [scanning, setScanning] = useState(false);
  const [failed, setFailed] = useState(false);
  const video = useRef<HTMLVideoElement>(null);

  useEffect(() => {
    const Detector = detectorClass();
    if (!scanning || !Detector || !video.current) return;
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setInterval> | undefined;
    let stopped = false;
    const element = video.current;
    (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
        if (stopped) return;
        element.srcObject = stream;
        await element.play();
        const detector = new Detector({ formats: ["qr_code"] });
        timer = setInterval(async () => {
          const found = (await detector.detect(element).catch(() => []))[0];
          if (found && !stopped) {
            onCode(found.rawValue);
            setScanning(false);
          }
        }, 300);
      } catch {
        setFailed(true);
        setScanning(false);
      }
    })();
    return () => {
      stopped = true;
      if (timer) clearInterval(timer);
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, [scanning, onCode]);

  if (!detectorClass()) return null;
  return (
    <div className="stack">
      <button type="button" className="secondary" onClick={() => { setFailed(false); setScanning(!scanning); }} aria-pressed={scanning}>
        {scanning ? t("activation.scanStop") : t("activation.scan")}
      </button>
      {scanning && (
        <>
          <p>{t("activation.scanHelp")}</p>
          <video ref={video} className="scanner" muted playsInline aria-label={t("activation.scanHelp")} />
        </>
      )}
      {failed && <p role="alert">{t("activation.scanFailed")}</p>}
    </div>
  );
}
