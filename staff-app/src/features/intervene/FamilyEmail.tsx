// A family's email address for notifications (letter, top-ups, expiry, security notices), as the family
// gave it on a form: staff may set or remove it; and the language of its letters and mails. The family can
// change both in the wallet too.
import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { FAMILY_LANGUAGES, LANGUAGE_NAMES, type FamilyLanguage } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { errorText } from "../../lib/errors.ts";
import { Field, Notice } from "../../lib/ui.tsx";

export function FamilyEmail({ familyId }: { familyId: string }) {
  const api = useApi();
  const { t } = useTranslation();
  const [email, setEmail] = useState("");
  const [language, setLanguage] = useState<FamilyLanguage>("nl");
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.notifications.ofFamily(familyId).then((s) => {
      setEmail(s.email ?? "");
      setLanguage(s.language);
    }, (e: unknown) => setError(errorText(t, e)));
  }, [api, familyId, t]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const settings = await api.notifications.updateOfFamily(familyId, { email: email.trim() === "" ? null : email.trim(), language });
      setEmail(settings.email ?? "");
      setLanguage(settings.language);
      const address = settings.email ? t("intervene.emailSaved", { email: settings.email }) : t("intervene.emailRemoved");
      setSaved(`${address} ${t("intervene.languageSaved", { language: LANGUAGE_NAMES[settings.language] })}`);
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="row" aria-label={t("intervene.emailForm")}>
      <Field label={t("intervene.email")} type="email" inputMode="email" autoComplete="off" value={email} onChange={setEmail} hint={t("intervene.emailHint")} />
      <div className="field">
        <label htmlFor={`family-language-${familyId}`}>{t("intervene.language")}</label>
        <select id={`family-language-${familyId}`} value={language} onChange={(e) => setLanguage(e.target.value as FamilyLanguage)}>
          {FAMILY_LANGUAGES.map((l) => <option key={l} value={l} lang={l}>{LANGUAGE_NAMES[l]}</option>)}
        </select>
      </div>
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
