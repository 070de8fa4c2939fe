import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, STAFF_LANGUAGES, type StaffSession } from "@tegoed/sdk";
import { useApi } from "../lib/api.ts";
import { errorText } from "../lib/errors.ts";
import { Field, Notice } from "../lib/ui.tsx";

export function LoginPage({ onLoggedIn, expired = false }: { onLoggedIn: (session: StaffSession) => void; expired?: boolean }) {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  // Asked for once the backend says the account has a second factor.
  const [otp, setOtp] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const language = STAFF_LANGUAGES.find((l) => l === i18n.language);
      onLoggedIn(await api.staff.login({ email, password, ...(otp ? { otp: otp.trim() } : {}), ...(language && { language }) }));
    } catch (e) {
      if (e instanceof ApiError && (e.code === "OTP_REQUIRED" || e.code === "OTP_INVALID")) setOtp("");
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="login">
      <h1>{t("login.title")}</h1>
      {expired && <Notice kind="info">{t("login.expired")}</Notice>}
      <form onSubmit={submit}>
        <Field label={t("login.email")} type="email" value={email} onChange={setEmail} autoComplete="username" required />
        <Field label={t("login.password")} type="password" value={password} onChange={setPassword} autoComplete="current-password" required />
        {otp !== null && (
          <Field label={t("login.otp")} hint={t("login.otpHint")} value={otp} onChange={setOtp} autoComplete="one-time-code" inputMode="numeric" required />
        )}
        {error && <Notice kind="error">{error}</Notice>}
        <button type="submit" className="primary" disabled={busy}>{t("login.submit")}</button>
      </form>
    </main>
  );
}
