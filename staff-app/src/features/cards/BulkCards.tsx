// Cards for every family of the fund that has neither an activated phone nor a card: one PDF of card
// sheets (10 per A4) and one of PIN letters, printed and sent apart.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { IssuedCards } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { errorText } from "../../lib/errors.ts";
import { Notice } from "../../lib/ui.tsx";
import { openPdf } from "./FamilyCards.tsx";

export function BulkCards({ fundId }: { fundId: string }) {
  const api = useApi();
  const { t } = useTranslation();
  const [result, setResult] = useState<IssuedCards | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await api.cards.issueMany(fundId));
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="bulk-cards">
      <button type="button" onClick={() => void run()} disabled={busy} aria-busy={busy}>{t("cards.bulk")}</button>
      {error && <Notice kind="error">{error}</Notice>}
      {result && (
        <Notice kind="success">
          {t("cards.bulkDone", { count: result.cards.length })}{" "}
          {result.cards.length > 0 && (
            <>
              <button type="button" onClick={() => openPdf(result.cardSheetsPdf)}>{t("cards.printSheets")}</button>{" "}
              <button type="button" onClick={() => openPdf(result.pinLettersPdf)}>{t("cards.printPinLetters")}</button>
            </>
          )}
        </Notice>
      )}
    </div>
  );
}
