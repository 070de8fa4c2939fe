// One charge attempt = one Idempotency-Key. The key is kept until the backend gives a definite answer,
// so a retry after a lost connection asks for the same payment again and can never pay twice.
import { useCallback, useRef, useState } from "react";
import type { ChargeReceipt } from "@tegoed/sdk";
import { ApiError, isTransient, useApi } from "../../lib/api.tsx";

export type ChargeState =
  | { kind: "idle" }
  | { kind: "charging" }
  | { kind: "paid"; receipt: ChargeReceipt }
  | { kind: "refused"; error: unknown }
  /** No definite answer (network, chain timeout): the payment may or may not have happened. */
  | { kind: "interrupted"; error: unknown; qr: string; amountCents: number };

interface Attempt {
  key: string;
  qr: string;
  amountCents: number;
}

export function useCharge() {
  const api = useApi();
  const [state, setState] = useState<ChargeState>({ kind: "idle" });
  const inFlight = useRef(false); // a ref, not state: a second tap in the same frame must see it
  const attempt = useRef<Attempt | null>(null);

  const charge = useCallback(
    async (qr: string, amountCents: number) => {
      if (inFlight.current) return;
      inFlight.current = true;
      const previous = attempt.current;
      const key = previous && previous.qr === qr && previous.amountCents === amountCents ? previous.key : crypto.randomUUID();
      attempt.current = { key, qr, amountCents };
      setState({ kind: "charging" });
      try {
        const receipt = await api.merchant.charge({ qr, amountCents }, key);
        attempt.current = null;
        setState({ kind: "paid", receipt });
      } catch (error) {
        // Once an attempt was interrupted, only a definite answer ends it: a "database away" answer to its
        // retry says nothing about the first try, so the key is kept for the next retry.
        const wasInterrupted = previous?.key === key;
        if (isTransient(error) || (wasInterrupted && error instanceof ApiError && error.code === "SERVICE_UNAVAILABLE")) {
          setState({ kind: "interrupted", error, qr, amountCents });
        } else {
          attempt.current = null;
          setState({ kind: "refused", error });
        }
      } finally {
        inFlight.current = false;
      }
    },
    [api],
  );

  const reset = useCallback(() => {
    attempt.current = null;
    setState({ kind: "idle" });
  }, []);

  return { state, charge, reset };
}
