// The card's balance for a family without a smartphone: the code under the card's QR and the PIN, on the
// public site. Every try counts as at the till (5 wrong PINs block the card). Plain fetch, as the rest
// of this page, to keep its bundle small.
import { useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import type { CardBalance } from "@tegoed/sdk";
import { formatCents } from "@tegoed/ui/money";
import { formatDay } from "@tegoed/sdk/dates";

export function CardBalanceCheck({ fetcher = fetch }: { fetcher?: typeof fetch }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const [card, setCard] = useState("");
  const [pin, setPin] = useState("");
  const [balance, setBalance] = useState<CardBalance | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setBalance(null);
    try {
      const response = await fetcher("/api/public/card-balance", {
        method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify({ card, pin }),
      });
      const body = (await response.json()) as CardBalance | { error: { code: string } };
      if ("error" in body) setError(t(`errors.${body.error.code}`, { defaultValue: t("errors.INTERNAL") }));
      else setBalance(body);
    } catch {
      setError(t("errors.INTERNAL"));
    } finally {
      setBusy(false);
      setPin("");
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("cardBalance.title")}</h2>
      <p>{t("cardBalance.intro")}</p>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor={`${id}-card`}>{t("cardBalance.code")}</label>
          <p id={`${id}-card-hint`} className="hint">{t("cardBalance.codeHint")}</p>
          <input id={`${id}-card`} value={card} onChange={(e) => setCard(e.target.value)} aria-describedby={`${id}-card-hint`} autoComplete="off" spellCheck={false} required />
        </div>
        <div className="field">
          <label htmlFor={`${id}-pin`}>{t("cardBalance.pin")}</label>
          <input id={`${id}-pin`} type="password" inputMode="numeric" maxLength={5} value={pin} onChange={(e) => setPin(e.target.value.replace(/\D/g, ""))} autoComplete="off" required />
        </div>
        <button type="submit" className="primary" disabled={busy || pin.length !== 5 || card.trim() === ""}>{t("cardBalance.submit")}</button>
      </form>
      <div aria-live="polite">
        {error && <div className="notice notice-error" role="alert">{error}</div>}
        {balance && (
          <table>
            <caption>{balance.fundName}</caption>
            <thead>
              <tr>
                <th scope="col">{t("cardBalance.child")}</th>
                <th scope="col" className="num">{t("cardBalance.balance")}</th>
                <th scope="col">{t("cardBalance.validUntil")}</th>
              </tr>
            </thead>
            <tbody>
              {balance.children.map((c) => (
                <tr key={c.firstName}>
                  <th scope="row">{c.firstName}</th>
                  <td className="num" data-testid="card-balance">{formatCents(c.balanceCents, i18n.language)}</td>
                  <td>{formatDay(c.expiresAt, i18n.language)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
