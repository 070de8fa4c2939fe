// Small accessible building blocks shared by the features: labelled fields, status and error notices,
// a confirmation panel that takes focus, a progress bar and a tab list of buttons.
import { useEffect, useId, useRef, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

export function Field(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: string;
  hint?: string;
  error?: string | null;
  required?: boolean;
  autoComplete?: string;
  inputMode?: "decimal" | "numeric" | "text" | "email";
  name?: string;
}) {
  const id = useId();
  const described = [props.hint ? `${id}-hint` : null, props.error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.hint && <p id={`${id}-hint`} className="hint">{props.hint}</p>}
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        required={props.required}
        autoComplete={props.autoComplete}
        inputMode={props.inputMode}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={described}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.error && <p id={`${id}-error`} className="field-error">{props.error}</p>}
    </div>
  );
}

export function Notice({ kind, children }: { kind: "error" | "success" | "info"; children: ReactNode }) {
  // Errors interrupt (alert); the rest is announced politely.
  return (
    <div className={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

/** An inline confirmation: takes focus when it opens, says exactly what will happen, and can be cancelled. */
export function Confirm(props: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
  danger?: boolean;
  confirmDisabled?: boolean;
}) {
  const { t } = useTranslation();
  const id = useId();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div ref={ref} className={`confirm${props.danger ? " confirm-danger" : ""}`} role="alertdialog" aria-labelledby={`${id}-title`} aria-describedby={`${id}-body`} tabIndex={-1}>
      <h3 id={`${id}-title`}>{props.title}</h3>
      <div id={`${id}-body`}>{props.children}</div>
      <div className="actions">
        <button type="button" className={props.danger ? "danger" : "primary"} onClick={props.onConfirm} disabled={props.busy || props.confirmDisabled}>
          {props.confirmLabel}
        </button>
        <button type="button" onClick={props.onCancel} disabled={props.busy}>
          {t("common.cancel")}
        </button>
      </div>
    </div>
  );
}

export function Progress({ label, value, max }: { label: string; value: number; max: number }) {
  const id = useId();
  const percent = max > 0 ? Math.floor((value / max) * 100) : 0;
  return (
    <div className="progress">
      <label htmlFor={id}>{label}</label>
      {/* max 0: how long is unknown (one request to the server): an indeterminate bar. */}
      {max > 0 ? (
        <>
          <progress id={id} value={value} max={max}>{percent}%</progress>
          <span aria-hidden="true"> {percent}%</span>
        </>
      ) : (
        <progress id={id} />
      )}
    </div>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return <p role="status">{t("common.loading")}</p>;
}
