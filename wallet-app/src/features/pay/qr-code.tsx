// The QR as an SVG of its modules: crisp at any size, no canvas, and the text stays readable for tests
// in data-qr. Error correction M keeps a permit at QR version 8.
import { useMemo } from "react";
import QRCode from "qrcode";

export function QrCode({ text, label }: { text: string; label: string }) {
  const { size, path } = useMemo(() => {
    const modules = QRCode.create(text, { errorCorrectionLevel: "M" }).modules;
    let d = "";
    for (let y = 0; y < modules.size; y++) {
      for (let x = 0; x < modules.size; x++) if (modules.get(y, x)) d += `M${x + 4} ${y + 4}h1v1h-1z`;
    }
    return { size: modules.size + 8, path: d };
  }, [text]);
  return (
    <svg className="qr" role="img" aria-label={label} data-qr={text} viewBox={`0 0 ${size} ${size}`} shapeRendering="crispEdges">
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
