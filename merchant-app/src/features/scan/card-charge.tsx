// A Tegoed card at the till, after its QR was scanned (or its code typed): the assistant types the
// amount, the customer types the PIN on a customer-facing field, then picks whose budget pays (first
// names, shown only once the PIN is right), and the till reads PAID with what is left, or REFUSED.
// One payment attempt = one Idempotency-Key, kept until a definite answer, as for a phone's QR.
import { useId, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import type { CardUnlock } from "@tegoed/sdk";
import { isTransient, useApi } from "../../lib/api.tsx";
import { formatCents } from "@tegoed/ui/money";
import { refusalText } from "../../lib/refusal.ts";
import { AmountEntry } from "./components/amount-entry.tsx";
import { ChargeResult, type ChargeOutcome } from "./components/charge-result.tsx";

type Step =
  | { kind: "amount" }
  | { kind: "pin"; amountCents: number; error?: unknown }
  | { kind: "checking"; amountCents: number }
  | { kind: "child"; amountCents: number; pin: string; unlocked: CardUnlock; busy: boolean; interrupted?: unknown }
  | { kind: "done"; outcome: ChargeOutcome };

/** No amount cap before the PIN: the budget's balance is told only after it. */
const NO_CAP = Number.MAX_SAFE_INTEGER;

function PinEntry({ amountCents, error, onPin, onCancel }: { amountCents: number; error?: unknown; onPin: (pin: string) => void; onCancel: () => void }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const [pin, setPin] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (/^\d{5}$/.test(pin)) onPin(pin);
  };
  return (
    <form className="pin-entry" onSubmit={submit} noValidate>
      <p className="amount-to-pay">{t("card.amountToPay", { amount: formatCents(amountCents, i18n.language) })}</p>
      <p className="hint">{t("card.handOver")}</p>
      <label htmlFor={id}>{t("card.pinLabel")}</label>
      <input
        id={id}
        className="pin"
        type="password"
        inputMode="numeric"
        pattern="[0-9]*"
        maxLength={5}
        autoComplete="off"
        autoFocus
        value={pin}
        onChange={(e) => setPin(e.target.value.replace(/\D/g, "").slice(0, 5))}
        aria-describedby={`${id}-hint`}
        aria-invalid={error !== undefined}
      />
      <p id={`${id}-hint`} className="hint">{t("card.pinHint")}</p>
      {error !== undefined && <p className="field-error" role="alert">{refusalText(t, i18n.language, error)}</p>}
      <div className="actions">
        <button type="submit" className="primary big" disabled={pin.length !== 5}>{t("card.pinSubmit")}</button>
        <button type="button" className="secondary" onClick={onCancel}>{t("common.cancel")}</button>
      </div>
    </form>
  );
}

export function CardCharge({ card, onDone }: { card: string; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [step, setStep] = useState<Step>({ kind: "amount" });
  const attempt = useRef<{ key: string; childId: string; amountCents: number } | null>(null);

  const checkPin = async (amountCents: number, pin: string) => {
    setStep({ kind: "checking", amountCents });
    try {
      const unlocked = await api.cards.unlock({ card, pin });
      setStep({ kind: "child", amountCents, pin, unlocked, busy: false });
    } catch (error) {
      const code = (error as { code?: string }).code;
      // A wrong PIN may be typed again; any other refusal ends this card's turn.
      if (code === "CARD_PIN_WRONG" || isTransient(error)) setStep({ kind: "pin", amountCents, error });
      else setStep({ kind: "done", outcome: { kind: "refused", reason: refusalText(t, i18n.language, error) } });
    }
  };

  const pay = async (s: Extract<Step, { kind: "child" }>, childId: string) => {
    const previous = attempt.current;
    const key = previous && previous.childId === childId && previous.amountCents === s.amountCents ? previous.key : crypto.randomUUID();
    attempt.current = { key, childId, amountCents: s.amountCents };
    setStep({ ...s, busy: true, interrupted: undefined });
    try {
      const receipt = await api.cards.charge({ card, pin: s.pin, amountCents: s.amountCents, childId }, key);
      attempt.current = null;
      setStep({ kind: "done", outcome: { kind: "paid", amountCents: receipt.amountCents, newBalanceCents: receipt.newBalanceCents } });
    } catch (error) {
      if (isTransient(error)) {
        setStep({ ...s, busy: false, interrupted: error });
      } else {
        attempt.current = null;
        setStep({ kind: "done", outcome: { kind: "refused", reason: refusalText(t, i18n.language, error) } });
      }
    }
  };

  if (step.kind === "done") return <ChargeResult outcome={step.outcome} onNext={onDone} />;
  return (
    <div className="charge card-charge">
      <h2>{t("card.title")}</h2>
      {step.kind === "amount" && (
        <AmountEntry spendableCents={NO_CAP} busy={false} onConfirm={(amountCents) => setStep({ kind: "pin", amountCents })} onCancel={onDone} />
      )}
      {step.kind === "pin" && <PinEntry amountCents={step.amountCents} error={step.error} onPin={(pin) => void checkPin(step.amountCents, pin)} onCancel={onDone} />}
      {step.kind === "checking" && <p role="status">{t("card.checkingPin")}</p>}
      {step.kind === "child" && (
        <fieldset className="children" disabled={step.busy} aria-busy={step.busy}>
          <legend>{t("card.childLabel")}</legend>
          {step.interrupted !== undefined && (
            <p className="notice" role="alert">{t("scan.interrupted")}</p>
          )}
          {step.unlocked.children.map((child) => (
            <button key={child.childId} type="button" className="primary big" onClick={() => void pay(step, child.childId)}>
              {t("card.pay", { amount: formatCents(step.amountCents, i18n.language), name: child.firstName })}
            </button>
          ))}
          <button type="button" className="secondary" onClick={onDone}>{t("common.cancel")}</button>
        </fieldset>
      )}
    </div>
  );
}
