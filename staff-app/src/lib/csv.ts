// Offers a file to save. The CSV itself is written and read by @tegoed/sdk/csv, the same for every app
// and the backend.

/** Offers text as a file to save. */
export function downloadText(filename: string, text: string, type = "text/csv;charset=utf-8"): void {
  downloadFile(filename, text, type);
}

/** Offers text or bytes (a PDF from the server) as a file to save. */
export function downloadFile(filename: string, content: string | Uint8Array, type: string): void {
  const url = URL.createObjectURL(new Blob([content as BlobPart], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
