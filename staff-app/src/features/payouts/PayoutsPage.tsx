// Payouts to shops for the chosen fund: what is owed per shop, start a run (finance), approve or reject
// a run someone else started (four eyes, above the bank's threshold), follow its progress, download the
// SEPA file and mark it sent when that bank adapter is used. Auditors and admins read only.
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import type { ApiClient, FundPayoutSchedule, OwedList, PayoutRun, PayoutRunDetail } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { downloadText } from "@tegoed/ui/download";
import { errorText } from "../../lib/errors.ts";
import { centsToInput, formatCents, formatNumber, parseEuros } from "@tegoed/ui/money";
import { can } from "../../lib/roles.ts";
import { useStaff } from "../../lib/session.ts";
import { Confirm, Field, Notice, Progress } from "../../lib/ui.tsx";
import { formatDateTime } from "@tegoed/sdk";

export function payoutsAvailable(api: ApiClient): boolean {
  return typeof (api as unknown as { payouts?: unknown }).payouts === "object";
}

const OPEN: readonly PayoutRun["status"][] = ["awaiting_approval", "processing", "awaiting_sent"];

export function PayoutsPage() {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const { fund, roles, user } = useStaff();
  const [owed, setOwed] = useState<OwedList | null>(null);
  const [runs, setRuns] = useState<PayoutRun[] | null>(null);
  const [detail, setDetail] = useState<PayoutRunDetail | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const finance = can(roles, "payouts.run");

  const load = useCallback(async () => {
    if (!fund) return;
    try {
      const [o, r] = await Promise.all([api.payouts.owed(fund.id), api.payouts.runs({ fundId: fund.id })]);
      setOwed(o);
      setRuns(r.runs);
    } catch (e) {
      setMessage({ kind: "error", text: errorText(t, e) });
    }
  }, [api, fund, t]);
  useEffect(() => void load(), [load]);

  // Follow an open run until it is done: the bank pays in the background.
  useEffect(() => {
    if (!detail || !OPEN.includes(detail.status) || detail.status === "awaiting_approval") return;
    const timer = setTimeout(() => {
      api.payouts.run(detail.id).then(setDetail, () => undefined);
      void load();
    }, 1500);
    return () => clearTimeout(timer);
  }, [api, detail, load]);

  if (!fund) return null;
  const money = (c: number) => formatCents(c, i18n.language, fund.currency);

  const act = async (work: () => Promise<PayoutRun>, done: (run: PayoutRun) => string) => {
    setBusy(true);
    setMessage(null);
    try {
      const run = await work();
      setMessage({ kind: "success", text: done(run) });
      setDetail(await api.payouts.run(run.id));
      await load();
    } catch (e) {
      setMessage({ kind: "error", text: errorText(t, e) });
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  const sepa = async (run: PayoutRun) => {
    try {
      const file = await api.payouts.sepaFile(run.id);
      downloadText(file.fileName, file.xml, "application/xml");
    } catch (e) {
      setMessage({ kind: "error", text: errorText(t, e) });
    }
  };

  return (
    <>
      <h1>{t("payouts.title", { fund: fund.name })}</h1>
      {owed && <p>{t("payouts.bank", { bank: t(`payouts.bankName.${owed.bank.name}`) })}</p>}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      <section className="card" aria-labelledby="owed-title">
        <h2 id="owed-title">{t("payouts.owedTitle")}</h2>
        {owed && owed.shops.length === 0 && <p>{t("payouts.nothingOwed")}</p>}
        {owed && owed.shops.length > 0 && (
          <table>
            <caption>{t("payouts.owedCaption", { total: money(owed.totalOwedCents) })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("payouts.shop")}</th>
                <th scope="col" className="num">{t("payouts.receivable")}</th>
                <th scope="col" className="num">{t("payouts.open")}</th>
                <th scope="col" className="num">{t("payouts.owed")}</th>
              </tr>
            </thead>
            <tbody>
              {owed.shops.map((s) => (
                <tr key={s.merchantId}>
                  <th scope="row">{s.name}</th>
                  <td className="num">{money(s.receivableCents)}</td>
                  <td className="num">{money(s.openCents)}</td>
                  <td className="num">{money(s.owedCents)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {finance && owed && owed.totalOwedCents > 0 && !confirming && (
          <button type="button" className="primary" onClick={() => setConfirming(true)}>{t("payouts.start")}</button>
        )}
        {confirming && owed && (
          <Confirm title={t("payouts.startTitle")} confirmLabel={t("payouts.startConfirm", { total: money(owed.totalOwedCents) })} busy={busy}
            onCancel={() => setConfirming(false)}
            // A run started by hand pays every shop in the table above, below the automatic runs' minimum too.
            onConfirm={() => act(() => api.payouts.start({ fundId: fund.id, minimumCents: 0 }), (run) => run.status === "awaiting_approval" ? t("payouts.awaitingApproval") : t("payouts.started"))}>
            <p>{t("payouts.startText", { count: owed.shops.filter((s) => s.owedCents > 0).length, total: money(owed.totalOwedCents), bank: t(`payouts.bankName.${owed.bank.name}`) })}</p>
          </Confirm>
        )}
      </section>

      {detail && (
        <section className="card" aria-labelledby="run-title">
          <h2 id="run-title">{t("payouts.runTitle", { date: formatDateTime(detail.createdAt, i18n.language, { timeZone: fund?.timeZone }) })}</h2>
          <p>{t(`payouts.status.${detail.status}`)} · {money(detail.totalCents)} · {t("payouts.count", { count: detail.payoutCount })}</p>
          <Progress label={t("payouts.progress")} value={detail.progress.settled + detail.progress.failed} max={detail.payoutCount} />
          <p>{t("payouts.progressText", { ...detail.progress })}</p>
          <table>
            <caption>{t("payouts.payoutsCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("payouts.reference")}</th>
                <th scope="col">{t("payouts.shop")}</th>
                <th scope="col" className="num">{t("payouts.amount")}</th>
                <th scope="col">{t("common.status")}</th>
              </tr>
            </thead>
            <tbody>
              {detail.payouts.map((p) => (
                <tr key={p.id}>
                  <td className="mono">{p.reference}</td>
                  <td>{p.shopName}</td>
                  <td className="num">{money(p.amountCents)}</td>
                  <td>{t(`payouts.payoutStatus.${p.status}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      <PayoutSchedule fundId={fund.id} mayChange={can(roles, "payouts.schedule")} />

      <section className="card" aria-labelledby="runs-title">
        <h2 id="runs-title">{t("payouts.runsTitle")}</h2>
        {runs && runs.length === 0 && <p>{t("payouts.noRuns")}</p>}
        {runs && runs.length > 0 && (
          <table>
            <caption>{t("payouts.runsCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("payouts.startedAt")}</th>
                <th scope="col">{t("common.status")}</th>
                <th scope="col" className="num">{t("payouts.amount")}</th>
                <th scope="col" className="num">{t("payouts.shops")}</th>
                <th scope="col">{t("payouts.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => {
                const mine = run.startedBy === user.id;
                return (
                  <tr key={run.id}>
                    <td>{formatDateTime(run.createdAt, i18n.language, { timeZone: fund?.timeZone })}</td>
                    <td>{t(`payouts.status.${run.status}`)}</td>
                    <td className="num">{money(run.totalCents)}</td>
                    <td className="num">{formatNumber(run.payoutCount, i18n.language)}</td>
                    <td>
                      <div className="actions">
                        <button type="button" onClick={() => api.payouts.run(run.id).then(setDetail, (e: unknown) => setMessage({ kind: "error", text: errorText(t, e) }))}>
                          {t("payouts.follow")}
                        </button>
                        {finance && run.status === "awaiting_approval" && !mine && (
                          <>
                            <button type="button" className="primary" disabled={busy} onClick={() => act(() => api.payouts.approve(run.id), () => t("payouts.approved"))}>{t("payouts.approve")}</button>
                            <button type="button" disabled={busy} onClick={() => act(() => api.payouts.reject(run.id), () => t("payouts.rejected"))}>{t("payouts.reject")}</button>
                          </>
                        )}
                        {finance && run.status === "awaiting_approval" && mine && <span>{t("payouts.otherMustApprove")}</span>}
                        {finance && run.hasFile && <button type="button" onClick={() => sepa(run)}>{t("payouts.sepa")}</button>}
                        {finance && run.status === "awaiting_sent" && (
                          <button type="button" disabled={busy} onClick={() => act(() => api.payouts.markSent(run.id), () => t("payouts.markedSent"))}>{t("payouts.markSent")}</button>
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

/** When the fund pays shops by itself (instantly or once a day) and the smallest amount worth a transfer. */
function PayoutSchedule({ fundId, mayChange }: { fundId: string; mayChange: boolean }) {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const [current, setCurrent] = useState<FundPayoutSchedule | null>(null);
  const [kind, setKind] = useState<"instant" | "daily">("daily");
  const [at, setAt] = useState("17:00");
  const [minimum, setMinimum] = useState("0,00");
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);

  // The form is filled from the server once, and after a save: a later reload (the effect runs again
  // when the language or translations change) must not overwrite what the user is typing.
  const filled = useRef(false);
  const show = useCallback((s: FundPayoutSchedule, fill: boolean) => {
    setCurrent(s);
    if (!fill) return;
    filled.current = true;
    setKind(s.schedule.kind);
    if (s.schedule.kind === "daily") setAt(s.schedule.at);
    setMinimum(centsToInput(s.minimumCents, i18n.language));
  }, [i18n.language]);

  useEffect(() => {
    api.payouts.schedule(fundId).then((s) => show(s, !filled.current), (e: unknown) => setMessage({ kind: "error", text: errorText(t, e) }));
  }, [api, fundId, show, t]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const cents = parseEuros(minimum);
    if (cents === null) return setMessage({ kind: "error", text: t("common.badAmount") });
    try {
      show(await api.payouts.setSchedule(fundId, { schedule: kind === "daily" ? { kind, at } : { kind }, minimumCents: cents }), true);
      setMessage({ kind: "success", text: t("payouts.scheduleSaved") });
    } catch (e) {
      setMessage({ kind: "error", text: errorText(t, e) });
    }
  };

  if (!current) return message ? <Notice kind={message.kind}>{message.text}</Notice> : null;
  const describe = current.schedule.kind === "daily" ? t("funds.daily", { at: current.schedule.at }) : t("funds.instant");
  return (
    <section className="card" aria-labelledby="schedule-title">
      <h2 id="schedule-title">{t("payouts.scheduleTitle")}</h2>
      <p>{t("payouts.scheduleNow", { schedule: describe, minimum: formatCents(current.minimumCents, i18n.language) })}</p>
      {mayChange && (
        <form onSubmit={submit}>
          <fieldset>
            <legend>{t("funds.payoutSchedule")}</legend>
            <label><input type="radio" name="payout-kind" checked={kind === "daily"} onChange={() => setKind("daily")} /> {t("funds.dailyOption")}</label>{" "}
            <label><input type="radio" name="payout-kind" checked={kind === "instant"} onChange={() => setKind("instant")} /> {t("funds.instant")}</label>
            {kind === "daily" && <Field label={t("funds.dailyAt")} type="time" value={at} onChange={setAt} required />}
          </fieldset>
          <Field label={t("payouts.minimum")} value={minimum} onChange={setMinimum} inputMode="decimal" hint={t("payouts.minimumHint")} />
          <button type="submit">{t("payouts.scheduleSave")}</button>
        </form>
      )}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
    </section>
  );
}
