// A shop user logs in; every colleague has an own login for the same shop.
import { useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useApi } from "../../lib/api.tsx";
import { refusalCode } from "../../lib/refusal.ts";

export interface LoginScreenProps {
  onLoggedIn: () => void;
  onApply: () => void;
  onStatus?: () => void;
  /** The session ran out while the app was in use. */
  expired?: boolean;
}

export function LoginScreen({ onLoggedIn, onApply, onStatus, expired = false }: LoginScreenProps) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.merchant.login({ email: email.trim(), password });
      onLoggedIn();
    } catch (caught) {
      const code = refusalCode(caught);
      setError(t(code === "UNAUTHENTICATED" || code === "INVALID_INPUT" || code === "FORBIDDEN" ? "login.wrong" : code === "RATE_LIMITED" ? "login.rateLimited" : "login.failed"));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="login-heading" className="screen">
      <h1 id="login-heading">{t("login.title")}</h1>
      {expired && <p className="notice" role="status">{t("login.expired")}</p>}
      <form onSubmit={(e) => void submit(e)} className="stack">
        <label htmlFor={`${id}-email`}>{t("login.email")}</label>
        <input id={`${id}-email`} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor={`${id}-password`}>{t("login.password")}</label>
        <input id={`${id}-password`} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        {error && <p className="field-error" role="alert">{error}</p>}
        <button type="submit" className="primary big" disabled={busy}>{busy ? t("common.busy") : t("login.submit")}</button>
      </form>
      <h2>{t("login.newShop")}</h2>
      <p>{t("login.newShopText")}</p>
      <div className="actions">
        <button type="button" className="secondary" onClick={onApply}>{t("login.apply")}</button>
        {onStatus && <button type="button" className="secondary" onClick={onStatus}>{t("login.status")}</button>}
      </div>
    </section>
  );
}
