// The amount in euros as the assistant types it (comma or dot), checked to whole cents and against what
// the budget can pay; the confirm button stays disabled while a charge is on its way.
import { useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { formatCents, parseAmount, type AmountProblem } from "@tegoed/ui/money";

export interface AmountEntryProps {
  spendableCents: number;
  busy: boolean;
  onConfirm: (amountCents: number) => void;
  onCancel?: () => void;
}

export function AmountEntry({ spendableCents, busy, onConfirm, onCancel }: AmountEntryProps) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<AmountProblem | null>(null);
  const parsed = parseAmount(text, spendableCents);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    if (!parsed.ok) {
      setProblem(parsed.problem);
      return;
    }
    setProblem(null);
    onConfirm(parsed.cents);
  };

  const errorId = `${id}-error`;
  return (
    <form className="amount-entry" onSubmit={submit} noValidate>
      <label htmlFor={`${id}-amount`}>{t("amount.label")}</label>
      <div className="euro-input">
        <span aria-hidden="true">€</span>
        <input
          id={`${id}-amount`}
          name="amount"
          type="text"
          inputMode="decimal"
          autoComplete="off"
          // The next step of the till: the cursor goes where the assistant types next.
          autoFocus
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setProblem(null);
          }}
          aria-invalid={problem !== null}
          aria-describedby={problem ? errorId : `${id}-hint`}
          disabled={busy}
        />
      </div>
      <p id={`${id}-hint`} className="hint">{t("amount.hint")}</p>
      {problem && (
        <p id={errorId} className="field-error" role="alert">
          {t(`amount.problem.${problem}`, { amount: formatCents(spendableCents, i18n.language) })}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary big" disabled={busy} aria-busy={busy}>
          {busy ? t("amount.charging") : parsed.ok ? t("amount.confirmAmount", { amount: formatCents(parsed.cents, i18n.language) }) : t("amount.confirm")}
        </button>
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
            {t("common.cancel")}
          </button>
        )}
      </div>
    </form>
  );
}
