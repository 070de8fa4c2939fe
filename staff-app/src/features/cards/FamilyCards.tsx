// The family's Tegoed cards on its page: state, last use and PIN tries left (staff only see those);
// issue a card, block a lost one at once, unblock after wrong PINs, replace (the old card is dead on
// chain too). A new card comes with two PDFs printed apart: the card, and the PIN letter. A family that
// asks gets its balance as of now on paper.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { formatCardNumber, type Card, type IssuedCard } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { errorText } from "../../lib/errors.ts";
import { formatDateTime } from "@tegoed/sdk";
import { can } from "../../lib/roles.ts";
import { useStaff } from "../../lib/session.ts";
import { Notice } from "../../lib/ui.tsx";

/** A base64 PDF opened in a new tab to print; a blob: address keeps it off the server. */
export function openPdf(base64: string): boolean {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: "application/pdf" }));
  const opened = window.open(url, "_blank");
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return opened !== null;
}

export function FamilyCards({ familyId, name }: { familyId: string; name: string }) {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const { roles, fund } = useStaff();
  const [cards, setCards] = useState<Card[] | null>(null);
  const [issued, setIssued] = useState<IssuedCard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const manage = can(roles, "cards.manage");

  const load = useCallback(async () => {
    try {
      setCards((await api.cards.ofFamily(familyId)).cards);
    } catch (e) {
      setError(errorText(t, e));
    }
  }, [api, familyId, t]);
  useEffect(() => void load(), [load]);

  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      const result = await work();
      if (result && typeof result === "object" && "cardPdf" in result) setIssued(result as IssuedCard);
      await load();
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  const live = cards?.find((c) => c.state !== "replaced");
  return (
    <div className="family-cards">
      <h3>{t("cards.title")}</h3>
      {cards && cards.length === 0 && <p>{t("cards.none")}</p>}
      {cards && cards.length > 0 && (
        <table>
          <caption>{t("cards.of", { name })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("cards.number")}</th>
              <th scope="col">{t("common.status")}</th>
              <th scope="col">{t("cards.lastUsed")}</th>
              <th scope="col" className="num">{t("cards.triesLeft")}</th>
              {manage && <th scope="col">{t("intervene.action")}</th>}
            </tr>
          </thead>
          <tbody>
            {cards.map((card) => (
              <tr key={card.id}>
                <th scope="row" className="mono">{formatCardNumber(card.cardNumber)}</th>
                <td className={card.state === "blocked" ? "status-frozen" : undefined}>
                  {t(`cards.state.${card.state}`)}{card.blockedReason && ` (${t(`cards.blockedBy.${card.blockedReason}`)})`}
                </td>
                <td>{card.lastUsedAt ? formatDateTime(card.lastUsedAt, i18n.language, { timeZone: fund?.timeZone }) : "—"}</td>
                <td className="num">{card.state === "replaced" ? "—" : card.pinTriesLeft}</td>
                {manage && (
                  <td>
                    {(card.state === "printed" || card.state === "active") && (
                      <button type="button" className="danger" disabled={busy} onClick={() => void act(() => api.cards.block(card.id, { reason: "lost" }))}>
                        {t("cards.block")}
                      </button>
                    )}
                    {card.state === "blocked" && (
                      <button type="button" disabled={busy} onClick={() => void act(() => api.cards.unblock(card.id))}>{t("cards.unblock")}</button>
                    )}
                    {card.state !== "replaced" && (
                      <button type="button" disabled={busy} onClick={() => void act(() => api.cards.replace(card.id))}>{t("cards.replace")}</button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {manage && cards && !live && (
        <button type="button" className="primary" disabled={busy} onClick={() => void act(() => api.cards.issue(familyId))}>{t("cards.issue")}</button>
      )}
      {manage && cards && cards.length > 0 && (
        <button type="button" disabled={busy} onClick={() => void act(async () => openPdf((await api.cards.balanceLetter(familyId)).pdf))}>
          {t("cards.printBalance")}
        </button>
      )}
      {busy && <p role="status">{t("cards.busy")}</p>}
      {error && <Notice kind="error">{error}</Notice>}
      {issued && (
        <Notice kind="success">
          {t("cards.issued", { number: formatCardNumber(issued.card.cardNumber) })}{" "}
          <button type="button" onClick={() => openPdf(issued.cardPdf)}>{t("cards.printCard")}</button>{" "}
          <button type="button" onClick={() => openPdf(issued.pinLetterPdf)}>{t("cards.printPinLetter")}</button>
        </Notice>
      )}
    </div>
  );
}
