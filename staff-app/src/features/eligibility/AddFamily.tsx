// One family typed in by hand: the parent's name and address for the letter, language, and children.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { FAMILY_LANGUAGES, LANGUAGE_NAMES, type FamilyLanguage } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { errorText } from "../../lib/errors.ts";
import { Field, Notice } from "../../lib/ui.tsx";

interface ChildDraft {
  firstName: string;
  birthYear: string;
}

export function AddFamily({ fundId, onAdded }: { fundId: string; onAdded?: () => void }) {
  const api = useApi();
  const { t } = useTranslation();
  const [name, setName] = useState("");
  const [reference, setReference] = useState("");
  const [line1, setLine1] = useState("");
  const [line2, setLine2] = useState("");
  const [language, setLanguage] = useState<FamilyLanguage>("nl");
  const [children, setChildren] = useState<ChildDraft[]>([{ firstName: "", birthYear: "" }]);
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const setChild = (index: number, patch: Partial<ChildDraft>) => setChildren((list) => list.map((c, i) => (i === index ? { ...c, ...patch } : c)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    if (children.some((c) => !/^\d{4}$/.test(c.birthYear.trim()))) return setMessage({ kind: "error", text: t("eligibility.badBirthYear") });
    setBusy(true);
    try {
      const family = await api.eligibility.addFamily(fundId, {
        displayName: name.trim(),
        ...(reference.trim() && { externalRef: reference.trim() }),
        addressLines: [line1, line2].map((l) => l.trim()).filter(Boolean),
        preferredLanguage: language,
        children: children.map((c) => ({ firstName: c.firstName.trim(), birthYear: Number(c.birthYear) })),
      });
      setMessage({ kind: "success", text: t("eligibility.added", { name: family.displayName ?? "", count: family.children.length }) });
      setName("");
      setReference("");
      setLine1("");
      setLine2("");
      setChildren([{ firstName: "", birthYear: "" }]);
      onAdded?.();
    } catch (e) {
      setMessage({ kind: "error", text: errorText(t, e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="add-family-title">
      <h2 id="add-family-title">{t("eligibility.addTitle")}</h2>
      <form onSubmit={submit}>
        <div className="row">
          <Field label={t("eligibility.parentName")} value={name} onChange={setName} required />
          <Field label={t("eligibility.reference")} value={reference} onChange={setReference} hint={t("eligibility.referenceHint")} />
        </div>
        <div className="row">
          <Field label={t("eligibility.addressLine1")} value={line1} onChange={setLine1} required />
          <Field label={t("eligibility.addressLine2")} value={line2} onChange={setLine2} hint={t("eligibility.addressLine2Hint")} />
        </div>
        <div className="field">
          <label htmlFor="family-language">{t("eligibility.letterLanguage")}</label>
          <select id="family-language" value={language} onChange={(e) => setLanguage(e.target.value as FamilyLanguage)}>
            {FAMILY_LANGUAGES.map((l) => <option key={l} value={l} lang={l}>{LANGUAGE_NAMES[l]}</option>)}
          </select>
        </div>
        {children.map((child, i) => (
          <fieldset key={i}>
            <legend>{t("eligibility.childN", { n: i + 1 })}</legend>
            <div className="row">
              <Field label={t("eligibility.childFirstName")} value={child.firstName} onChange={(v) => setChild(i, { firstName: v })} required />
              <Field label={t("eligibility.childBirthYear")} value={child.birthYear} onChange={(v) => setChild(i, { birthYear: v })} inputMode="numeric" required />
              {children.length > 1 && (
                <button type="button" onClick={() => setChildren((list) => list.filter((_, j) => j !== i))}>
                  {t("eligibility.removeChild", { n: i + 1 })}
                </button>
              )}
            </div>
          </fieldset>
        ))}
        <div className="actions">
          <button type="button" onClick={() => setChildren((list) => [...list, { firstName: "", birthYear: "" }])}>{t("eligibility.addChild")}</button>
          <button type="submit" className="primary" disabled={busy}>{t("eligibility.addSubmit")}</button>
        </div>
        {message && <Notice kind={message.kind}>{message.text}</Notice>}
      </form>
    </section>
  );
}
