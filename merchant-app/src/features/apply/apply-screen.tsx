// A shop applies to join: name, KvK, IBAN (checked while typing), categories, address, contact.
import { useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { categoryLabel, SHOP_CATEGORIES } from "@tegoed/sdk";
import { useApi } from "../../lib/api.tsx";
import { checkIban, normalizeIban } from "../../lib/iban.ts";
import { refusalCode } from "../../lib/refusal.ts";
import { saveApplication } from "./application-store.ts";
import { Icon } from "@tegoed/ui/icons";

type Field = "name" | "kvk" | "iban" | "categories" | "address" | "email";

export function ApplyScreen({ onApplied, onBack }: { onApplied: () => void; onBack: () => void }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const id = useId();
  const [name, setName] = useState("");
  const [kvk, setKvk] = useState("");
  const [iban, setIban] = useState("");
  const [bic, setBic] = useState("");
  const [categories, setCategories] = useState<string[]>([]);
  const [address, setAddress] = useState("");
  const [email, setEmail] = useState("");
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const ibanState = checkIban(iban);
  const kvkDigits = kvk.replace(/\s+/g, "");

  const validate = (): Partial<Record<Field, string>> => {
    const found: Partial<Record<Field, string>> = {};
    if (name.trim() === "") found.name = t("apply.error.required");
    if (!/^\d{8}$/.test(kvkDigits)) found.kvk = t("apply.error.kvk");
    if (ibanState !== "valid") found.iban = t("apply.error.iban");
    if (categories.length === 0) found.categories = t("apply.error.categories");
    if (address.trim() === "") found.address = t("apply.error.required");
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) found.email = t("apply.error.email");
    return found;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const receipt = await api.merchants.apply({
        name: name.trim(), kvkNumber: kvkDigits, iban: normalizeIban(iban), bic: bic.trim() === "" ? null : bic.trim().toUpperCase(),
        categories, address: address.trim(), contactEmail: email.trim(), language: i18n.language === "en" ? "en" : "nl",
      });
      saveApplication({ id: receipt.id, token: receipt.statusToken });
      onApplied();
    } catch (caught) {
      setFailure(t(refusalCode(caught) === "INVALID_INPUT" ? "apply.error.rejected" : "apply.error.failed"));
    } finally {
      setBusy(false);
    }
  };

  const described = (field: Field, hint?: string) => [errors[field] ? `${id}-${field}-error` : null, hint ?? null].filter(Boolean).join(" ") || undefined;
  const fieldError = (field: Field) =>
    errors[field] ? <p id={`${id}-${field}-error`} className="field-error">{errors[field]}</p> : null;

  return (
    <section aria-labelledby="apply-heading" className="screen">
      <h1 id="apply-heading">{t("apply.title")}</h1>
      <p>{t("apply.intro")}</p>
      <form onSubmit={(e) => void submit(e)} className="stack" noValidate>
        <label htmlFor={`${id}-name`}>{t("apply.name")}</label>
        <input id={`${id}-name`} autoComplete="organization" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={!!errors.name} aria-describedby={described("name")} />
        {fieldError("name")}

        <label htmlFor={`${id}-kvk`}>{t("apply.kvk")}</label>
        <input id={`${id}-kvk`} inputMode="numeric" value={kvk} onChange={(e) => setKvk(e.target.value)} aria-invalid={!!errors.kvk} aria-describedby={described("kvk", `${id}-kvk-hint`)} />
        <p id={`${id}-kvk-hint`} className="hint">{t("apply.kvkHint")}</p>
        {fieldError("kvk")}

        <label htmlFor={`${id}-iban`}>{t("apply.iban")}</label>
        <input id={`${id}-iban`} dir="ltr" autoComplete="off" autoCapitalize="characters" spellCheck={false} value={iban} onChange={(e) => setIban(e.target.value)} aria-invalid={!!errors.iban || ibanState === "invalid"} aria-describedby={described("iban", `${id}-iban-state`)} />
        <p id={`${id}-iban-state`} className={`hint iban-${ibanState}`} aria-live="polite">
          {(ibanState === "valid" || ibanState === "invalid") && <><Icon name={ibanState === "valid" ? "check" : "cross"} />{" "}</>}
          {t(`apply.ibanState.${ibanState}`)}
        </p>
        {fieldError("iban")}

        <label htmlFor={`${id}-bic`}>{t("apply.bic")}</label>
        <input id={`${id}-bic`} autoComplete="off" autoCapitalize="characters" value={bic} onChange={(e) => setBic(e.target.value)} />

        <fieldset aria-describedby={described("categories")}>
          <legend>{t("apply.categories")}</legend>
          <div className="checks">
            {SHOP_CATEGORIES.map((category) => (
              <label key={category} className="check">
                <input
                  type="checkbox"
                  checked={categories.includes(category)}
                  onChange={(e) => setCategories((now) => (e.target.checked ? [...now, category] : now.filter((c) => c !== category)))}
                />
                {categoryLabel(category, i18n.language)}
              </label>
            ))}
          </div>
          {fieldError("categories")}
        </fieldset>

        <label htmlFor={`${id}-address`}>{t("apply.address")}</label>
        <textarea id={`${id}-address`} rows={2} autoComplete="street-address" value={address} onChange={(e) => setAddress(e.target.value)} aria-invalid={!!errors.address} aria-describedby={described("address")} />
        {fieldError("address")}

        <label htmlFor={`${id}-email`}>{t("apply.email")}</label>
        <input id={`${id}-email`} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} aria-invalid={!!errors.email} aria-describedby={described("email")} />
        {fieldError("email")}

        {Object.keys(errors).length > 0 && <p className="field-error" role="alert">{t("apply.error.summary")}</p>}
        {failure && <p className="field-error" role="alert">{failure}</p>}
        <div className="actions">
          <button type="submit" className="primary big" disabled={busy}>{busy ? t("common.busy") : t("apply.submit")}</button>
          <button type="button" className="secondary" onClick={onBack}>{t("common.back")}</button>
        </div>
      </form>
    </section>
  );
}
