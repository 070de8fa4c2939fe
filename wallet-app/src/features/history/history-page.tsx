// One child's payments and refunds, newest first.
import { useTranslation } from "react-i18next";
import type { WalletChild } from "../../lib/api.ts";
import { formatCents } from "@tegoed/ui/money";
import { formatDateTime } from "@tegoed/sdk";

export function HistoryPage({ child, back }: { child: WalletChild | undefined; back: React.ReactNode }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  if (!child) {
    return (
      <section className="stack">
        <h1>{t("history.unknownChild")}</h1>
        {back}
      </section>
    );
  }
  return (
    <section aria-labelledby="history-title" className="stack">
      <h1 id="history-title">{t("history.title", { name: child.firstName })}</h1>
      <p>
        {t("home.remaining")}: <strong><bdi>{formatCents(child.balanceCents ?? 0, lang)}</bdi></strong>
      </p>
      {child.history.length === 0 ? (
        <p>{t("history.empty")}</p>
      ) : (
        <ul className="history" role="list">
          {child.history.map((entry) => (
            <li key={`${entry.type}-${entry.txHash}-${entry.paymentId}`} className={`history-entry ${entry.type}`}>
              <div>
                <strong>{entry.merchantName ?? t("history.unknownShop")}</strong>
                <span className="muted"><bdi>{formatDateTime(entry.at, lang, { month: "long", timeZone: child.fund.timeZone })}</bdi></span>
              </div>
              <div className="history-amount">
                <span>{entry.type === "refund" ? t("history.refund") : t("history.payment")}</span>
                <strong><bdi>{entry.type === "refund" ? "+ " : "− "}{formatCents(entry.amountCents, lang)}</bdi></strong>
              </div>
            </li>
          ))}
        </ul>
      )}
      {back}
    </section>
  );
}
