// Which optional mails the shop's contact address gets (each payout, a new colleague). Decisions about
// the shop (approval, suspension) always go and are not listed.
import { useEffect, useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import type { ApiClient, NotificationSettings } from "@tegoed/sdk";

export function MailSettings({ api }: { api: Pick<ApiClient, "notifications"> }) {
  const { t } = useTranslation();
  const id = useId();
  const [settings, setSettings] = useState<NotificationSettings | null>(null);
  const [on, setOn] = useState<Record<string, boolean>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const show = (s: NotificationSettings) => {
    setSettings(s);
    setOn(Object.fromEntries(s.optional.map((o) => [o.kind, o.on])));
  };
  useEffect(() => {
    api.notifications.shop().then(show, () => setError(t("mail.failed")));
  }, [api, t]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    setError(null);
    try {
      show(await api.notifications.updateShop({ optional: on }));
      setMessage(t("mail.saved"));
    } catch {
      setError(t("mail.failed"));
    }
  };

  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t("mail.title")}</h2>
      {settings && (
        <form className="stack" onSubmit={(e) => void submit(e)}>
          <p className="hint">{t("mail.to", { email: settings.email ?? "" })}</p>
          {settings.optional.map((o) => (
            <label key={o.kind} className="check">
              <input type="checkbox" checked={on[o.kind] ?? false} onChange={(e) => setOn({ ...on, [o.kind]: e.target.checked })} /> {t(`mail.kinds.${o.kind}`)}
            </label>
          ))}
          <button type="submit">{t("mail.save")}</button>
        </form>
      )}
      <div aria-live="polite">
        {message && <p className="notice" role="status">{message}</p>}
        {error && <p className="field-error" role="alert">{error}</p>}
      </div>
    </section>
  );
}
