// Setting up the second factor: a new secret for an authenticator app (typed in, or opened as an
// otpauth link on the phone), then the app's current code turns it on. Admin and finance users must do
// this first in production; everyone else may.
import { useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import type { StaffUser, TotpEnrolment } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { errorText } from "../../lib/errors.ts";
import { Notice } from "../../lib/ui.tsx";

export function SecondFactorPage({ user, onEnabled }: { user: StaffUser; onEnabled: (user: StaffUser) => void }) {
  const api = useApi();
  const { t } = useTranslation();
  const id = useId();
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  const confirm = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => onEnabled(await api.staff.confirmTotp({ code: code.trim() })));
  };

  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t("security.title")}</h1>
      {user.totpEnabled ? (
        <Notice kind="success">{t("security.enabled")}</Notice>
      ) : (
        <>
          {user.mustEnrolTotp && <Notice kind="info">{t("security.required")}</Notice>}
          <p>{t("security.intro")}</p>
          {!enrolment ? (
            <button type="button" className="primary" disabled={busy} onClick={() => void run(async () => setEnrolment(await api.staff.enrolTotp()))}>
              {t("security.start")}
            </button>
          ) : (
            <form onSubmit={confirm}>
              <p>{t("security.secretIntro")}</p>
              <p className="secret" aria-label={t("security.secret")}><code>{enrolment.secret.replace(/(.{4})(?=.)/g, "$1 ")}</code></p>
              <p><a href={enrolment.uri}>{t("security.openInApp")}</a></p>
              <div className="field">
                <label htmlFor={`${id}-code`}>{t("security.code")}</label>
                <input id={`${id}-code`} value={code} onChange={(e) => setCode(e.target.value)} inputMode="numeric" autoComplete="one-time-code" maxLength={6} required />
              </div>
              <button type="submit" className="primary" disabled={busy}>{t("security.confirm")}</button>
            </form>
          )}
        </>
      )}
      {error && <Notice kind="error">{error}</Notice>}
    </section>
  );
}
