// Unlocks the device key with the PIN; wrong PINs are counted by the keystore, which locks for a while.
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { SigningKey } from "ethers";
import { formatTime } from "../../lib/errors.ts";
import { MAX_PIN_ATTEMPTS, PIN_LENGTH, PinLockedError, unlockDeviceKey, WrongPinError, type KeyStorage } from "../../lib/keystore.ts";

export function PinForm({ keys, submitLabel, children, onUnlocked, forgotLink, beforeUnlock }: {
  keys: KeyStorage;
  submitLabel: string;
  /** Extra fields above the PIN (the amount limit). */
  children?: ReactNode;
  forgotLink?: ReactNode;
  /** False when the extra fields are not right: the PIN is then not tried. */
  beforeUnlock?(): boolean;
  onUnlocked(key: SigningKey): void;
}) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const [pin, setPin] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    if (beforeUnlock && !beforeUnlock()) return;
    setBusy(true);
    try {
      const key = await unlockDeviceKey(keys, pin);
      setPin("");
      onUnlocked(key);
    } catch (error) {
      if (error instanceof WrongPinError) setProblem(t("pin.wrong", { count: error.attemptsLeft }));
      else if (error instanceof PinLockedError) {
        // How long and why, not only until when (WCAG 2.2.1: a time limit the family can understand).
        const count = Math.max(1, Math.ceil((error.until - Date.now()) / 60_000));
        setProblem(t("pin.locked", { count, attempts: MAX_PIN_ATTEMPTS, time: formatTime(error.until, i18n.language) }));
      }
      else setProblem(t("errors.generic"));
      setPin("");
      document.getElementById(`${id}-pin`)?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="stack">
      {children}
      <div className="field">
        <label htmlFor={`${id}-pin`}>{t("pin.label")}</label>
        <input
          id={`${id}-pin`} type="password" inputMode="numeric" autoComplete="off" maxLength={PIN_LENGTH} className="pin-input"
          value={pin} onChange={(e) => setPin(e.target.value)}
          aria-invalid={problem ? true : undefined} aria-describedby={problem ? `${id}-pin-error` : undefined}
        />
        {problem && <p id={`${id}-pin-error`} role="alert" className="field-error">{problem}</p>}
      </div>
      {busy && <p role="status">{t("pin.checking")}</p>}
      <button type="submit" className="primary" disabled={busy}>{submitLabel}</button>
      {forgotLink}
    </form>
  );
}
