// The shop's payments for today or any period, with totals, a CSV download and refunds per payment.
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { formatDateTime, FUND_TIME_ZONE, type PaymentList } from "@tegoed/sdk";
import { useApi } from "../../lib/api.tsx";
import { centsToInput, formatCents, parseAmount } from "@tegoed/ui/money";
import { refusalText } from "../../lib/refusal.ts";
import { downloadText } from "@tegoed/ui/download";
import { paymentsCsv } from "./csv.ts";
import { periodQuery, today, type Period } from "./period.ts";

type Payment = PaymentList["payments"][number];

function RefundForm({ payment, onDone, onCancel }: { payment: Payment; onDone: (message: string) => void; onCancel: () => void }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const id = useId();
  const refundable = payment.amountCents - payment.refundedCents;
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Money goes back only after the shop confirmed this exact amount.
  const [confirming, setConfirming] = useState<number | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming !== null) confirmRef.current?.focus();
  }, [confirming]);

  const check = (event: FormEvent) => {
    event.preventDefault();
    const parsed = text.trim() === "" ? ({ ok: true, cents: refundable } as const) : parseAmount(text, refundable);
    if (!parsed.ok) {
      setError(t(`amount.problem.${parsed.problem === "overSpendable" ? "overRefundable" : parsed.problem}`, { amount: formatCents(refundable, i18n.language) }));
      return;
    }
    setError(null);
    setConfirming(parsed.cents);
  };

  const refund = async (cents: number) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const receipt = await api.merchant.refund(payment.paymentId, { amountCents: cents });
      onDone(t("payments.refunded", { amount: formatCents(receipt.amountCents, i18n.language) }));
    } catch (caught) {
      setConfirming(null);
      setError(refusalText(t, i18n.language, caught));
    } finally {
      setBusy(false);
    }
  };

  if (confirming !== null) {
    return (
      <div className="refund-form" role="group" aria-labelledby={`${id}-question`}>
        <p id={`${id}-question`} className="refund-question">{t("payments.refundQuestion", { amount: formatCents(confirming, i18n.language) })}</p>
        <div className="actions">
          <button type="button" className="primary" ref={confirmRef} disabled={busy} onClick={() => void refund(confirming)}>
            {busy ? t("common.busy") : t("payments.refundYes", { amount: formatCents(confirming, i18n.language) })}
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => setConfirming(null)}>{t("payments.refundNo")}</button>
        </div>
      </div>
    );
  }

  return (
    <form className="refund-form" onSubmit={check} noValidate>
      <label htmlFor={`${id}-amount`}>{t("payments.refundAmount")}</label>
      <input
        id={`${id}-amount`}
        inputMode="decimal"
        autoComplete="off"
        value={text}
        placeholder={centsToInput(refundable, i18n.language)}
        onChange={(e) => setText(e.target.value)}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
        aria-invalid={error !== null}
      />
      <p id={`${id}-hint`} className="hint">{t("payments.refundHint", { amount: formatCents(refundable, i18n.language) })}</p>
      {error && <p id={`${id}-error`} className="field-error" role="alert">{error}</p>}
      <div className="actions">
        <button type="submit" className="primary">{t("payments.refundConfirm")}</button>
        <button type="button" className="secondary" onClick={onCancel}>{t("common.cancel")}</button>
      </div>
    </form>
  );
}

/** `timeZone`: the shop's funds' clock (shopTimeZone). */
export function PaymentsScreen({ timeZone = FUND_TIME_ZONE }: { timeZone?: string }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const id = useId();
  const [period, setPeriod] = useState<Period>(() => today(new Date(), timeZone));
  const [draft, setDraft] = useState<Period>(period);
  const [list, setList] = useState<PaymentList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [refunding, setRefunding] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setList(await api.merchant.payments(periodQuery(period, timeZone)));
    } catch (caught) {
      setError(refusalText(t, i18n.language, caught));
    }
  }, [api, period, timeZone, t, i18n.language]);

  useEffect(() => void load(), [load]);

  const show = (event: FormEvent) => {
    event.preventDefault();
    if (draft.from && draft.to && draft.from <= draft.to) setPeriod({ ...draft });
    else setError(t("payments.badPeriod"));
  };

  const now = today(new Date(), timeZone);
  const isToday = period.from === now.from && period.to === now.to;
  const money = (cents: number) => formatCents(cents, i18n.language);

  return (
    <section aria-labelledby="payments-heading" className="screen">
      <h1 id="payments-heading">{t("payments.title")}</h1>
      <form className="period" onSubmit={show}>
        <div>
          <label htmlFor={`${id}-from`}>{t("payments.from")}</label>
          <input id={`${id}-from`} type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </div>
        <div>
          <label htmlFor={`${id}-to`}>{t("payments.to")}</label>
          <input id={`${id}-to`} type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </div>
        <div className="actions">
          <button type="submit" className="secondary">{t("payments.show")}</button>
          <button type="button" className="secondary" aria-pressed={isToday} onClick={() => { const d = today(new Date(), timeZone); setDraft(d); setPeriod(d); }}>
            {t("payments.today")}
          </button>
        </div>
      </form>

      {message && <p className="notice" role="status">{message}</p>}
      {error && <p className="field-error" role="alert">{error}</p>}
      {!list && !error && <p role="status">{t("common.loading")}</p>}

      {list && (
        <>
          <h2>{isToday ? t("payments.todayHeading") : t("payments.periodHeading", { from: period.from, to: period.to })}</h2>
          <dl className="totals">
            <div><dt>{t("payments.count")}</dt><dd>{list.totals.count}</dd></div>
            <div><dt>{t("payments.total")}</dt><dd>{money(list.totals.amountCents)}</dd></div>
            <div><dt>{t("payments.refundedTotal")}</dt><dd>{money(list.totals.refundedCents)}</dd></div>
            <div><dt>{t("payments.net")}</dt><dd data-testid="net-total">{money(list.totals.netCents)}</dd></div>
          </dl>
          <button
            type="button"
            className="secondary"
            disabled={list.payments.length === 0}
            onClick={() => downloadText(`tegoed-${period.from}-${period.to}.csv`, paymentsCsv(list))}
          >
            {t("payments.csv")}
          </button>
          {list.payments.length === 0 ? (
            <p>{t("payments.none")}</p>
          ) : (
            <ul className="payments" aria-label={t("payments.listLabel")}>
              {list.payments.map((p) => {
                const left = p.amountCents - p.refundedCents;
                const time = formatDateTime(p.paidAt, i18n.language, { timeZone });
                return (
                  <li key={p.paymentId} className="payment">
                    <div className="payment-line">
                      <span className="payment-time">{time}</span>
                      <span className="payment-amount"><bdi>{money(p.amountCents)}</bdi></span>
                    </div>
                    {p.refundedCents > 0 && left > 0 && (
                      <p className="hint" data-testid="refund-state">{t("payments.refundedPartLeft", { amount: money(p.refundedCents), left: money(left) })}</p>
                    )}
                    {!p.confirmed && <p className="hint">{t("payments.unconfirmed")}</p>}
                    {refunding === p.paymentId ? (
                      <RefundForm
                        payment={p}
                        onCancel={() => setRefunding(null)}
                        onDone={(text) => {
                          setRefunding(null);
                          setMessage(text);
                          void load();
                        }}
                      />
                    ) : (
                      left > 0 && (
                        <button type="button" className="secondary" onClick={() => { setMessage(null); setRefunding(p.paymentId); }}>
                          {p.refundedCents > 0 ? t("payments.refundRest", { amount: money(left), time }) : t("payments.refund", { amount: money(p.amountCents), time })}
                        </button>
                      )
                    )}
                    {left === 0 && <p className="hint" data-testid="refund-state">{t("payments.fullyRefunded")}</p>}
                  </li>
                );
              })}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
