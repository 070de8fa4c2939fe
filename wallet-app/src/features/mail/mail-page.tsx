// Email: the family may give an address (or remove it) and choose the optional mails: a receipt per
// payment, top-ups, expiry reminders. Security notices (a new phone) always go and are not listed.
import { useEffect, useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import type { MailSettings, WalletApi } from "../../lib/api.ts";
import { errorMessage } from "../../lib/errors.ts";

export function MailPage({ api }: { api: Pick<WalletApi, "mailSettings" | "updateMailSettings"> }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const [settings, setSettings] = useState<MailSettings | null>(null);
  const [email, setEmail] = useState("");
  const [on, setOn] = useState<Record<string, boolean>>({});
  const [status, setStatus] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const show = (s: MailSettings) => {
    setSettings(s);
    setEmail(s.email ?? "");
    setOn(Object.fromEntries(s.optional.map((o) => [o.kind, o.on])));
  };
  useEffect(() => {
    api.mailSettings().then(show, setFailure);
  }, [api]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setStatus(null);
    setFailure(null);
    try {
      const saved = await api.updateMailSettings({ email: email.trim() === "" ? null : email.trim(), optional: on });
      show(saved);
      setStatus(saved.email ? t("mail.saved", { email: saved.email }) : t("mail.removed"));
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby={`${id}-title`} className="stack">
      <h1 id={`${id}-title`}>{t("mail.title")}</h1>
      <p>{t("mail.intro")}</p>
      {settings && (
        <form onSubmit={submit} className="stack">
          <div className="field">
            <label htmlFor={`${id}-email`}>{t("mail.email")}</label>
            <input id={`${id}-email`} type="email" inputMode="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <fieldset className="stack">
            <legend>{t("mail.optional")}</legend>
            {settings.optional.map((o) => (
              <label key={o.kind} className="check">
                <input type="checkbox" checked={on[o.kind] ?? false} disabled={email.trim() === ""} onChange={(e) => setOn({ ...on, [o.kind]: e.target.checked })} />{" "}
                {t(`mail.kinds.${o.kind}`)}
              </label>
            ))}
          </fieldset>
          <p className="hint">{t("mail.security")}</p>
          <button type="submit" className="primary" disabled={busy}>{t("mail.save")}</button>
        </form>
      )}
      <div aria-live="polite">
        {status && <p role="status">{status}</p>}
        {failure !== null && <p role="alert">{errorMessage(failure, t, i18n.language)}</p>}
      </div>
    </section>
  );
}
