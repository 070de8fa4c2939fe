// A whole HTML page (an activation letter) opened in a new tab to read or print. A blob: address keeps
// it off the server; the tab inherits the app's CSP, which the letter (inline styles, data: QR) fits.
export function openHtmlPage(html: string): boolean {
  const url = URL.createObjectURL(new Blob([html], { type: "text/html;charset=utf-8" }));
  const opened = window.open(url, "_blank");
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return opened !== null;
}
