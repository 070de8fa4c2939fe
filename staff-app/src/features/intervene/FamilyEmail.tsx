// A family's email address for notifications (letter, top-ups, expiry, security notices), as the family
// gave it on a form: staff may set or remove it. The family can change it in the wallet too.
import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useApi } from "../../lib/api.ts";
import { errorText } from "../../lib/errors.ts";
import { Field, Notice } from "../../lib/ui.tsx";

export function FamilyEmail({ familyId }: { familyId: string }) {
  const api = useApi();
  const { t } = useTranslation();
  const [email, setEmail] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.notifications.ofFamily(familyId).then((s) => setEmail(s.email ?? ""), (e: unknown) => setError(errorText(t, e)));
  }, [api, familyId, t]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const settings = await api.notifications.updateOfFamily(familyId, { email: email.trim() === "" ? null : email.trim() });
      setEmail(settings.email ?? "");
      setSaved(settings.email ? t("intervene.emailSaved", { email: settings.email }) : t("intervene.emailRemoved"));
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="row" aria-label={t("intervene.emailForm")}>
      <Field label={t("intervene.email")} type="email" inputMode="email" autoComplete="off" value={email} onChange={setEmail} hint={t("intervene.emailHint")} />
      <div className="actions">
        <button type="submit" disabled={busy}>{t("intervene.emailSave")}</button>
      </div>
      <div aria-live="polite">
        {saved && <Notice kind="success">{saved}</Notice>}
        {error && <Notice kind="error">{error}</Notice>}
      </div>
    </form>
  );
}
