// What a document really is, read from its bytes (never from its name or the browser's type): a PDF,
// JPEG or PNG whose start and end are what that format requires, and whose name, if it has an
// extension, says the same. Anything else is refused.
import { DomainError, MAX_DOCUMENT_BYTES, type DOCUMENT_TYPES } from "@tegoed/sdk";

export type DocumentType = (typeof DOCUMENT_TYPES)[number];

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_END = [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]; // the IEND chunk's type and CRC

const EXTENSIONS: Record<DocumentType, readonly string[]> = {
  "application/pdf": ["pdf"],
  "image/jpeg": ["jpg", "jpeg"],
  "image/png": ["png"],
};

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => prefix.every((b, i) => bytes[i] === b);
const endsWith = (bytes: Uint8Array, suffix: readonly number[]) => suffix.every((b, i) => bytes[bytes.length - suffix.length + i] === b);

function sniff(bytes: Uint8Array): DocumentType | null {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) {
    // "%PDF-" … and "%%EOF" in the last kilobyte (writers may add a line end or a few bytes after it).
    const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 1024))).toString("latin1");
    return tail.includes("%%EOF") ? "application/pdf" : null;
  }
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) {
    // End of image marker; some cameras pad after it, so look at the last few bytes.
    const tail = bytes.subarray(Math.max(0, bytes.length - 32));
    for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return "image/jpeg";
    return null;
  }
  if (startsWith(bytes, PNG_SIGNATURE)) return endsWith(bytes, PNG_END) ? "image/png" : null;
  return null;
}

/**
 * The document's type from its content. DOCUMENT_TOO_LARGE over MAX_DOCUMENT_BYTES; DOCUMENT_TYPE_REFUSED
 * when it is none of the three, or its name's extension names another type.
 */
export function checkDocument(bytes: Uint8Array, fileName: string): DocumentType {
  if (bytes.length > MAX_DOCUMENT_BYTES) {
    throw new DomainError("DOCUMENT_TOO_LARGE", undefined, { sizeBytes: String(bytes.length), maxBytes: String(MAX_DOCUMENT_BYTES) });
  }
  const type = bytes.length > 0 ? sniff(bytes) : null;
  if (!type) throw new DomainError("DOCUMENT_TYPE_REFUSED");
  const dot = fileName.lastIndexOf(".");
  const extension = dot > 0 ? fileName.slice(dot + 1).toLowerCase() : "";
  const known = Object.values(EXTENSIONS).flat();
  if (known.includes(extension) && !EXTENSIONS[type].includes(extension)) {
    throw new DomainError("DOCUMENT_TYPE_REFUSED", "This file's content does not match its name.", { contentType: type });
  }
  return type;
}
