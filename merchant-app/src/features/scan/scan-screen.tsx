// The till: scan (or type) the family's QR, see what the budget can pay, type the amount, confirm, and
// read PAID or REFUSED. A dead QR is refused at the lookup, before any amount is typed. A Tegoed card's
// QR is recognised by its prefix and goes its own way (card-charge.tsx: amount, PIN, whose budget).
import { useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { CARD_QR_PREFIX, formatClock, normalizeShortCode, type QrLookup } from "@tegoed/sdk";
import { isTransient, useApi } from "../../lib/api.tsx";
import { formatCents } from "@tegoed/ui/money";
import { refusalText } from "../../lib/refusal.ts";
import { CardCharge } from "./card-charge.tsx";
import { AmountEntry } from "./components/amount-entry.tsx";
import { ChargeResult, type ChargeOutcome } from "./components/charge-result.tsx";
import { QrScanner } from "./components/qr-scanner.tsx";
import { useCharge } from "./use-charge.ts";

type Step =
  | { kind: "scan" }
  | { kind: "looking"; qr: string }
  | { kind: "amount"; qr: string; lookup: QrLookup }
  | { kind: "card"; card: string }
  | { kind: "lookupRefused"; error: unknown }
  /** The check itself did not get through: nothing was charged, the same code can be checked again. */
  | { kind: "lookupFailed"; qr: string; error: unknown };

function ManualEntry({ onText }: { onText: (text: string) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim() !== "") onText(text.trim());
  };
  return (
    <form className="manual-entry" onSubmit={submit}>
      <label htmlFor={id}>{t("scan.manualLabel")}</label>
      <p className="hint" id={`${id}-hint`}>{t("scan.manualHint")}</p>
      <input id={id} dir="ltr" value={text} onChange={(e) => setText(e.target.value)} aria-describedby={`${id}-hint ${id}-online`} autoComplete="off" spellCheck={false}
        autoCapitalize="characters" className="code-input" />
      <button type="submit" className="secondary">{t("scan.manualSubmit")}</button>
      {/* Under the field, so that on a phone as till the field itself stays in sight. */}
      <p className="hint" id={`${id}-online`}>{t("scan.manualOnline")}</p>
    </form>
  );
}

export function ScanScreen({ camera = true }: { camera?: boolean }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [step, setStep] = useState<Step>({ kind: "scan" });
  const { state: charge, charge: doCharge, reset } = useCharge();

  // A scanned or pasted QR text, or the short code typed from under the QR (the backend knows its QR).
  // A Tegoed card's QR goes its own way.
  const lookup = async (text: string) => {
    // A short code may start with the card's prefix too; a card's code is far longer than one.
    if (text.trim().toUpperCase().startsWith(CARD_QR_PREFIX) && normalizeShortCode(text) === null) {
      setStep({ kind: "card", card: text });
      return;
    }
    setStep({ kind: "looking", qr: text });
    try {
      const qr = normalizeShortCode(text) === null ? text : (await api.merchant.lookupPayCode({ code: text })).qr;
      setStep({ kind: "amount", qr, lookup: await api.merchant.lookupQr({ qr }) });
    } catch (error) {
      setStep(isTransient(error) ? { kind: "lookupFailed", qr: text, error } : { kind: "lookupRefused", error });
    }
  };

  const next = () => {
    reset();
    setStep({ kind: "scan" });
  };

  let outcome: ChargeOutcome | null = null;
  if (step.kind === "lookupRefused") outcome = { kind: "refused", reason: refusalText(t, i18n.language, step.error) };
  if (step.kind === "amount" && charge.kind === "paid") {
    outcome = { kind: "paid", amountCents: charge.receipt.amountCents, newBalanceCents: charge.receipt.newBalanceCents };
  }
  if (step.kind === "amount" && charge.kind === "refused") {
    outcome = { kind: "refused", reason: refusalText(t, i18n.language, charge.error, { spendableCents: step.lookup.spendableCents, charging: true }) };
  }

  return (
    <section aria-labelledby="scan-heading" className="screen">
      <h1 id="scan-heading">{t("scan.title")}</h1>
      {outcome && <ChargeResult outcome={outcome} onNext={next} />}

      {!outcome && step.kind === "scan" && (
        <>
          {camera && <QrScanner onText={(text) => void lookup(text)} />}
          <ManualEntry onText={(text) => void lookup(text)} />
        </>
      )}

      {!outcome && step.kind === "card" && <CardCharge card={step.card} onDone={next} />}

      {!outcome && step.kind === "looking" && <p role="status">{t("scan.checking")}</p>}

      {!outcome && step.kind === "lookupFailed" && (
        <div className="notice" role="alert">
          <p>{refusalText(t, i18n.language, step.error)}</p>
          <div className="actions">
            <button type="button" className="primary" onClick={() => void lookup(step.qr)}>{t("scan.checkAgain")}</button>
            <button type="button" className="secondary" onClick={next}>{t("common.cancel")}</button>
          </div>
        </div>
      )}

      {!outcome && step.kind === "amount" && (
        <div className="charge">
          <dl className="budget">
            <div>
              <dt>{t("scan.fund")}</dt>
              <dd>{step.lookup.fundName}</dd>
            </div>
            <div>
              <dt>{t("scan.spendable")}</dt>
              <dd className="spendable" data-testid="spendable"><bdi>{formatCents(step.lookup.spendableCents, i18n.language)}</bdi></dd>
            </div>
            <div>
              <dt>{t("scan.validUntil")}</dt>
              <dd>{formatClock(step.lookup.validUntil, i18n.language)}</dd>
            </div>
          </dl>
          {charge.kind === "interrupted" && (
            <div className="notice" role="alert">
              <p>{t("scan.interrupted")}</p>
              <button type="button" className="primary big" onClick={() => void doCharge(charge.qr, charge.amountCents)}>
                {t("scan.retry", { amount: formatCents(charge.amountCents, i18n.language) })}
              </button>
            </div>
          )}
          <AmountEntry
            spendableCents={step.lookup.spendableCents}
            busy={charge.kind === "charging"}
            onConfirm={(amountCents) => void doCharge(step.qr, amountCents)}
            onCancel={next}
          />
        </div>
      )}
    </section>
  );
}
