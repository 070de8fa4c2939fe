// Activation letters arrive as whole HTML pages (one per family). Several become one printable file:
// the first letter's <head>, then each body on its own page.
export function combineLetters(pages: readonly string[]): string {
  if (pages.length === 1) return pages[0]!;
  const head = /<head[^>]*>([\s\S]*?)<\/head>/i.exec(pages[0] ?? "")?.[1] ?? "";
  const bodies = pages.map((page) => /<body[^>]*>([\s\S]*?)<\/body>/i.exec(page)?.[1] ?? page);
  const sections = bodies.map((b) => `<section style="break-after: page; page-break-after: always">${b}</section>`).join("\n");
  return `<!doctype html><html><head>${head}</head><body>${sections}</body></html>`;
}
