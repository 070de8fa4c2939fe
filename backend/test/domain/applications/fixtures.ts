// Documents as a phone would send them: a real PDF (pdf-lib), a 1x1 PNG, a JPEG's frame, and things
// that only pretend.
import { PDFDocument, StandardFonts } from "pdf-lib";

export async function pdfBytes(text = "Inkomensverklaring 2026"): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([300, 200]);
  page.drawText(text, { x: 20, y: 100, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) });
  return doc.save();
}

export const PNG_1x1 = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64",
);

/** Start and end markers of a JPEG with some bytes between (what the sniffing reads). */
export const JPEG_FRAME = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]), Buffer.alloc(200, 7), Buffer.from([0xff, 0xd9])]);

/** An HTML page with a script, named as a PDF. */
export const HTML_AS_PDF = Buffer.from("<html><script>alert(1)</script></html>");
/** A PDF's first bytes, then garbage: no end of file. */
export const TRUNCATED_PDF = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(500, 0x41)]);

export const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
