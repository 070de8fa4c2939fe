// The letter's QR opens the wallet as `…/wallet/#code=ABCDEFGHJKMN`: the code travels in the fragment,
// which browsers never send to a server (no access log holds it). It is taken once at start and the
// fragment removed, so a reload, a bookmark or a shared link does not carry the code along.
export function takeLetterCode(location: Location = window.location, history: History = window.history): string | undefined {
  const match = /(?:^#|&)code=([^&]*)/.exec(location.hash);
  if (!match) return undefined;
  history.replaceState(history.state, "", location.pathname + location.search);
  const code = decodeURIComponent(match[1] ?? "").trim();
  return code || undefined;
}
