// Activation: the code from the letter and a new PIN. The key is made and encrypted here, on the phone;
// only its address goes to the backend. The code works once: after a lost session the phone logs in
// again with its key (the PIN unlocks it, it signs the backend's challenge).
import { useId, useState, type FormEvent } from "react";
import type { SigningKey } from "ethers";
import { useTranslation } from "react-i18next";
import type { WalletApi } from "../../lib/api.ts";
import { errorMessage } from "../../lib/errors.ts";
import { createDeviceKey, isValidPin, PIN_LENGTH, type KeyStorage } from "../../lib/keystore.ts";
import { PinForm } from "../pay/pin-form.tsx";
import { CodeScanner } from "./code-scanner.tsx";

export interface ActivationPageProps {
  api: WalletApi;
  keys: KeyStorage;
  /** Set when this phone has its key already (the session ran out): no new PIN then. */
  existingAddress?: string;
  sessionExpired?: boolean;
  /** Another phone holds the budgets now: this one stops working until activated with a new letter. */
  replaced?: boolean;
  pbkdf2Iterations?: number;
  /** The code from the letter's QR (the link it opened): filled in, so only the PIN is left to choose. */
  initialCode?: string;
  /** A link to the help page (the app's router). */
  helpLink?: React.ReactNode;
  onActivated(): void;
}

export function ActivationPage({ api, keys, existingAddress, sessionExpired, replaced, initialCode, pbkdf2Iterations, helpLink, onActivated }: ActivationPageProps) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const [code, setCode] = useState(initialCode ?? "");
  const [pin, setPin] = useState("");
  const [pinRepeat, setPinRepeat] = useState("");
  const [problems, setProblems] = useState<{ code?: string; pin?: string; pinRepeat?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function loginWithKey(key: SigningKey) {
    setFailure(null);
    setBusy(true);
    try {
      await api.loginWithKey(key, existingAddress!);
      onActivated();
    } catch (error) {
      setFailure(errorMessage(error, t, i18n.language));
    } finally {
      setBusy(false);
    }
  }

  if (existingAddress && !replaced) {
    return (
      <section aria-labelledby={`${id}-title`} className="stack">
        <h1 id={`${id}-title`}>{t("activation.loginTitle")}</h1>
        {sessionExpired && <p className="notice" role="status">{t("app.sessionExpired")}</p>}
        <p>{t("activation.loginIntro")}</p>
        <PinForm keys={keys} submitLabel={t("activation.loginSubmit")} onUnlocked={(key) => void loginWithKey(key)} />
        {failure && (
          <div role="alert" className="error-box">
            <h2>{t("activation.errorTitle")}</h2>
            <p>{failure}</p>
          </div>
        )}
        {busy && <p role="status">{t("activation.loginBusy")}</p>}
        {helpLink}
      </section>
    );
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: typeof problems = {};
    if (!code.trim()) found.code = t("activation.codeMissing");
    if (!existingAddress) {
      if (!isValidPin(pin)) found.pin = t("activation.pinInvalid", { length: PIN_LENGTH });
      else if (pin !== pinRepeat) found.pinRepeat = t("activation.pinMismatch");
    }
    setProblems(found);
    setFailure(null);
    if (Object.keys(found).length > 0) {
      document.getElementById(`${id}-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      if (existingAddress) {
        await api.activate(code.trim(), existingAddress);
      } else {
        const { stored } = await createDeviceKey(pin, pbkdf2Iterations);
        await api.activate(code.trim(), stored.address);
        await keys.save(stored);
      }
      onActivated();
    } catch (error) {
      setFailure(errorMessage(error, t, i18n.language));
    } finally {
      setBusy(false);
    }
  }

  const field = (name: keyof typeof problems) => ({
    id: `${id}-${name}`,
    "aria-invalid": problems[name] ? true : undefined,
    "aria-describedby": [problems[name] ? `${id}-${name}-error` : "", name === "code" ? `${id}-code-hint` : ""].filter(Boolean).join(" ") || undefined,
  });

  return (
    <section aria-labelledby={`${id}-title`} className="stack">
      <h1 id={`${id}-title`}>{t("activation.title")}</h1>
      {replaced ? <p className="notice" role="status">{t("app.replaced")}</p>
        : sessionExpired && <p className="notice" role="status">{t("app.sessionExpired")}</p>}
      <p>{initialCode ? t("activation.fromLetter") : t("activation.intro")}</p>
      <form onSubmit={submit} noValidate className="stack">
        <div className="field">
          <label htmlFor={`${id}-code`}>{t("activation.code")}</label>
          <p id={`${id}-code-hint`} className="hint">{t("activation.codeHint")}</p>
          <input
            {...field("code")} value={code} onChange={(e) => setCode(e.target.value)}
            autoComplete="one-time-code" autoCapitalize="characters" spellCheck={false} className="code-input" dir="ltr"
          />
          {problems.code && <p id={`${id}-code-error`} className="field-error">{problems.code}</p>}
          <CodeScanner onCode={setCode} />
        </div>
        {!existingAddress && (
          <fieldset className="stack">
            <legend>{t("activation.pinTitle")}</legend>
            <p>{t("activation.pinIntro", { length: PIN_LENGTH })}</p>
            <div className="field">
              <label htmlFor={`${id}-pin`}>{t("activation.pin", { length: PIN_LENGTH })}</label>
              <input {...field("pin")} value={pin} onChange={(e) => setPin(e.target.value)} type="password" inputMode="numeric"
                autoComplete="new-password" maxLength={PIN_LENGTH} className="pin-input" />
              {problems.pin && <p id={`${id}-pin-error`} className="field-error">{problems.pin}</p>}
            </div>
            <div className="field">
              <label htmlFor={`${id}-pinRepeat`}>{t("activation.pinRepeat")}</label>
              <input {...field("pinRepeat")} value={pinRepeat} onChange={(e) => setPinRepeat(e.target.value)} type="password"
                inputMode="numeric" autoComplete="new-password" maxLength={PIN_LENGTH} className="pin-input" />
              {problems.pinRepeat && <p id={`${id}-pinRepeat-error`} className="field-error">{problems.pinRepeat}</p>}
            </div>
          </fieldset>
        )}
        {failure && (
          <div role="alert" className="error-box">
            <h2>{t("activation.errorTitle")}</h2>
            <p>{failure}</p>
          </div>
        )}
        {busy && <p role="status">{t("activation.busy")}</p>}
        <button type="submit" className="primary" disabled={busy}>{t("activation.submit")}</button>
      </form>
      {helpLink}
    </section>
  );
}
