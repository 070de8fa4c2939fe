// Offers a file to save, the same way in every app. The CSV itself is written by @tegoed/sdk/csv (one
// definition for the backend and the apps); PDFs come as bytes from the server.

/** Offers text or bytes as a file to save. */
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

/** Offers CSV text (or other text, by type) as a file to save. */
export function downloadText(filename: string, text: string, type = "text/csv;charset=utf-8"): void {
  downloadFile(filename, text, type);
}
