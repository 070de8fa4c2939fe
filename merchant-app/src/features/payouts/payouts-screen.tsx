// What the fund owes the shop now, and every payout to the shop's bank account: amount, when, reference.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { formatDay, type MerchantPayouts } from "@tegoed/sdk";
import { useApi } from "../../lib/api.tsx";
import { formatCents } from "@tegoed/ui/money";
import { refusalText } from "../../lib/refusal.ts";
import { Icon, type IconName } from "@tegoed/ui/icons";

const STATUS_ICON: Record<MerchantPayouts["payouts"][number]["status"], IconName> = {
  pending: "pending", sent: "sent", confirmed: "check", settled: "check", failed: "cross",
};

/** `timeZone`: the shop's funds' clock (shopTimeZone). */
export function PayoutsScreen({ timeZone }: { timeZone?: string }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [data, setData] = useState<MerchantPayouts | null>(null);
  const [error, setError] = useState<string | null>(null);
  const money = (cents: number) => formatCents(cents, i18n.language);
  const day = (iso: string) => formatDay(iso, i18n.language, { style: "medium", timeZone });

  const load = useCallback(async () => {
    setError(null);
    try {
      setData(await api.merchant.payouts());
    } catch (caught) {
      setError(refusalText(t, i18n.language, caught));
    }
  }, [api, t, i18n.language]);
  useEffect(() => void load(), [load]);

  return (
    <section aria-labelledby="payouts-heading" className="screen">
      <h1 id="payouts-heading">{t("payouts.title")}</h1>
      {error && <p className="field-error" role="alert">{error}</p>}
      {!data && !error && <p role="status">{t("common.loading")}</p>}
      {data && (
        <>
          {data.bank.name === "simulated" && <p className="notice">{t("payouts.simulated")}</p>}
          <h2>{t("payouts.owedHeading")}</h2>
          {data.owed.length === 0 ? (
            <p>{t("payouts.nothingOwed")}</p>
          ) : (
            <dl className="totals" data-testid="owed">
              {data.owed.map((o) => (
                <div key={o.fundId}>
                  <dt>{o.fundName}</dt>
                  <dd>
                    {money(o.owedCents)}
                    {o.openCents > 0 && <span className="hint"> · {t("payouts.open", { amount: money(o.openCents) })}</span>}
                  </dd>
                </div>
              ))}
            </dl>
          )}
          <h2>{t("payouts.paidHeading")}</h2>
          {data.payouts.length === 0 ? (
            <p>{t("payouts.none")}</p>
          ) : (
            <ul className="payments" aria-label={t("payouts.listLabel")}>
              {data.payouts.map((p) => (
                <li key={p.reference} className="payment">
                  <div className="payment-line">
                    <span>{day(p.paidAt ?? p.createdAt)}</span>
                    <span className="payment-amount">{money(p.amountCents)}</span>
                  </div>
                  <p className="hint">
                    <Icon name={STATUS_ICON[p.status]} />{" "}
                    {t(`payouts.status.${p.status}`)} · {t("payouts.reference")}: <span className="reference">{p.reference}</span>
                  </p>
                  <p className="hint">{t("payouts.period", { from: day(p.periodFrom), to: day(p.periodTo) })}</p>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
