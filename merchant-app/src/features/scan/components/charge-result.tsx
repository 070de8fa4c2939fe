// PAID or REFUSED, big and unmistakable: colour, an icon and words together, never colour alone.
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { formatCents } from "@tegoed/ui/money";

export type ChargeOutcome =
  | { kind: "paid"; amountCents: number; newBalanceCents: number }
  | { kind: "refused"; reason: string };

function CheckIcon() {
  return (
    <svg className="result-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z" fill="currentColor" />
    </svg>
  );
}

function CrossIcon() {
  return (
    <svg className="result-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z" fill="currentColor" />
    </svg>
  );
}

export function ChargeResult({ outcome, onNext }: { outcome: ChargeOutcome; onNext: () => void }) {
  const { t, i18n } = useTranslation();
  // The next customer is one Enter away; the button names the outcome for a screen reader too.
  const nextRef = useRef<HTMLButtonElement>(null);
  useEffect(() => nextRef.current?.focus(), [outcome]);
  const paid = outcome.kind === "paid";
  return (
    <section className={`result ${paid ? "result-paid" : "result-refused"}`} aria-labelledby="result-heading" data-testid="charge-result">
      {paid ? <CheckIcon /> : <CrossIcon />}
      <h2 id="result-heading">
        {paid ? t("result.paid") : t("result.refused")}
      </h2>
      <div role="status" id="result-details">
        {paid ? (
          <>
            <p className="result-amount"><bdi>{formatCents(outcome.amountCents, i18n.language)}</bdi></p>
            <p>{t("result.newBalance", { amount: formatCents(outcome.newBalanceCents, i18n.language) })}</p>
          </>
        ) : (
          <p className="result-reason">{outcome.reason}</p>
        )}
      </div>
      <button type="button" className="on-result big" onClick={onNext} ref={nextRef} aria-describedby="result-heading result-details">
        {t("result.next")}
      </button>
    </section>
  );
}
