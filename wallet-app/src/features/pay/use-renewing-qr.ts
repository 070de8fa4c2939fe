// The QR on screen is re-signed each minute (a fresh deadline) with a visible countdown. After
// MAX_CODES codes it stops renewing and, once the last one's deadline has passed, shows "expired":
// a phone left open on a table should not keep a live payment code for ever. The family can always ask
// for more time (WCAG 2.2.1): the device key is still unlocked in memory, so a fresh code needs no PIN.
import { useCallback, useEffect, useRef, useState } from "react";
import type { SignedQr } from "./permit.ts";

export const RENEW_MS = 60_000;
export const MAX_CODES = 10;

export interface RenewingQr {
  qr: SignedQr | null;
  /** Seconds until this code is replaced (or, the last one, runs out). */
  secondsLeft: number;
  /** How many codes were signed since the start. */
  codes: number;
  expired: boolean;
  failed: boolean;
  /** Start again after "expired". */
  restart(): void;
  /** One more code now, with the last code's full time: "one more minute" without the PIN. */
  extend(): void;
}

export function useRenewingQr(sign: (nowMs: number) => Promise<SignedQr>, active = true): RenewingQr {
  const signRef = useRef(sign);
  signRef.current = sign; // a poll that changes the nonce reaches the next renewal
  const busy = useRef(false);
  const [now, setNow] = useState(() => Date.now());
  const [state, setState] = useState<{ qr: SignedQr | null; signedAt: number; codes: number; expired: boolean; failed: boolean }>(
    { qr: null, signedAt: 0, codes: 0, expired: false, failed: false },
  );

  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);

  useEffect(() => {
    if (!active || busy.current || state.expired || state.failed) return;
    const due = state.qr === null || now - state.signedAt >= RENEW_MS;
    if (!due) return;
    if (state.codes >= MAX_CODES) {
      if (state.qr && now >= Number(state.qr.permit.deadline) * 1000) setState((s) => ({ ...s, expired: true, qr: null }));
      return;
    }
    busy.current = true;
    const at = Date.now();
    signRef.current(at).then(
      (qr) => setState((s) => ({ ...s, qr, signedAt: at, codes: s.codes + 1 })),
      () => setState((s) => ({ ...s, failed: true })),
    ).finally(() => {
      busy.current = false;
    });
  }, [now, active, state]);

  const restart = useCallback(() => {
    setState({ qr: null, signedAt: 0, codes: 0, expired: false, failed: false });
    setNow(Date.now());
  }, []);

  const extend = useCallback(() => {
    // Only on the last code (earlier ones renew by themselves): one short of the limit and due at once,
    // so the next tick signs a new last code.
    setState((s) => (s.expired || s.failed || s.codes < MAX_CODES ? s : { ...s, codes: MAX_CODES - 1, signedAt: 0 }));
    setNow(Date.now());
  }, []);

  const last = state.codes >= MAX_CODES && state.qr;
  const endsAt = last ? Number(state.qr!.permit.deadline) * 1000 : state.signedAt + RENEW_MS;
  const longest = last ? Number(state.qr!.permit.deadline) * 1000 - state.signedAt : RENEW_MS;
  // `now` is from the last tick, a little before the code was signed: never show more than the full span.
  const secondsLeft = state.qr ? Math.min(Math.ceil(longest / 1000), Math.max(0, Math.ceil((endsAt - now) / 1000))) : 0;
  return { qr: state.qr, secondsLeft, codes: state.codes, expired: state.expired, failed: state.failed, restart, extend };
}
