// Deleting a family's personal data (GDPR): irreversible, so the confirmation says what goes and what
// stays, asks for the reason, and needs an explicit tick before the button works.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { FamilyDeletion, FamilyOverview } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { errorText } from "../../lib/errors.ts";
import { Confirm, Field, Notice } from "../../lib/ui.tsx";

export function GdprDelete({ family, onDeleted, onCancel }: { family: FamilyOverview; onDeleted: (result: FamilyDeletion) => void; onCancel: () => void }) {
  const api = useApi();
  const { t } = useTranslation();
  const [reason, setReason] = useState("");
  const [understood, setUnderstood] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const name = family.displayName ?? family.externalRef ?? family.id;

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      onDeleted(await api.eligibility.deleteFamily(family.id, { reason: reason.trim() }));
    } catch (e) {
      setError(errorText(t, e));
      setBusy(false);
    }
  };

  return (
    <Confirm danger title={t("intervene.deleteTitle", { name })} confirmLabel={t("intervene.deleteConfirm", { name })} onConfirm={run} onCancel={onCancel} busy={busy} confirmDisabled={!understood || reason.trim() === ""}>
      <p>{t("intervene.deleteWhat", { count: family.children.length })}</p>
      <p>{t("intervene.deleteStays")}</p>
      <p><strong>{t("intervene.deleteIrreversible")}</strong></p>
      <Field label={t("common.reason")} value={reason} onChange={setReason} required />
      <label>
        <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} /> {t("intervene.deleteUnderstood", { name })}
      </label>
      {error && <Notice kind="error">{error}</Notice>}
    </Confirm>
  );
}
