// Top up budgets: one child, a selection, or the whole fund. The server computes what it would do first
// (previewTopUp); the confirmation states the number of budgets and the total before anything moves.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import type { FamilyOverview, TopUpReceipt, TopUpRequest, TopUpSummary } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { errorText } from "../../lib/errors.ts";
import { formatCents, formatNumber, parseEuros } from "@tegoed/ui/money";
import { useStaff } from "../../lib/session.ts";
import { Confirm, Field, Notice } from "../../lib/ui.tsx";

export function TopUpConfirmation(props: { summary: TopUpSummary; onConfirm: () => void; onCancel: () => void; busy: boolean }) {
  const { t, i18n } = useTranslation();
  const money = (cents: number) => formatCents(cents, i18n.language);
  return (
    <Confirm title={t("topUp.confirmTitle")} confirmLabel={t("topUp.confirmButton", { total: money(props.summary.totalCents) })} onConfirm={props.onConfirm} onCancel={props.onCancel} busy={props.busy}>
      <p>
        {t("topUp.confirmText", { count: props.summary.budgets, budgets: formatNumber(props.summary.budgets, i18n.language), amount: money(props.summary.amountCents), total: money(props.summary.totalCents) })}
      </p>
    </Confirm>
  );
}

export function TopUpPage() {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const { fund } = useStaff();
  const [mode, setMode] = useState<"all" | "children">("children");
  const [amount, setAmount] = useState("");
  const [query, setQuery] = useState("");
  const [families, setFamilies] = useState<FamilyOverview[] | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [pending, setPending] = useState<{ request: TopUpRequest; summary: TopUpSummary } | null>(null);
  const [receipt, setReceipt] = useState<TopUpReceipt | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!fund) return null;

  const search = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      setFamilies((await api.eligibility.listFamilies(fund.id, { q: query.trim() || undefined, limit: 100 })).families);
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  const toggle = (childId: string) =>
    setChosen((set) => {
      const next = new Set(set);
      if (next.has(childId)) next.delete(childId);
      else next.add(childId);
      return next;
    });

  const prepare = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setReceipt(null);
    const cents = parseEuros(amount);
    if (cents === null || cents <= 0) return setError(t("common.badAmount"));
    if (mode === "children" && chosen.size === 0) return setError(t("topUp.chooseChildren"));
    const request: TopUpRequest = { target: mode === "all" ? { all: true } : { childIds: [...chosen] }, amountCents: cents };
    setBusy(true);
    try {
      setPending({ request, summary: await api.eligibility.previewTopUp(fund.id, request) });
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  const confirm = async () => {
    if (!pending) return;
    setBusy(true);
    try {
      setReceipt(await api.eligibility.topUp(fund.id, pending.request));
      setPending(null);
      setChosen(new Set());
    } catch (e) {
      setError(errorText(t, e));
      setPending(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>{t("topUp.title", { fund: fund.name })}</h1>
      <form onSubmit={prepare} className="card">
        <fieldset>
          <legend>{t("topUp.who")}</legend>
          <label>
            <input type="radio" name="target" checked={mode === "children"} onChange={() => setMode("children")} /> {t("topUp.someChildren")}
          </label>{" "}
          <label>
            <input type="radio" name="target" checked={mode === "all"} onChange={() => setMode("all")} /> {t("topUp.wholeFund")}
          </label>
        </fieldset>
        <Field label={t("topUp.amount")} value={amount} onChange={setAmount} inputMode="decimal" required hint={t("topUp.amountHint")} />
        {mode === "children" && <p role="status">{t("topUp.chosen", { count: chosen.size })}</p>}
        <button type="submit" className="primary" disabled={busy}>{t("topUp.prepare")}</button>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      {pending && <TopUpConfirmation summary={pending.summary} onConfirm={confirm} onCancel={() => setPending(null)} busy={busy} />}
      {receipt && (
        <Notice kind="success">
          {t("topUp.done", { count: receipt.budgets, total: formatCents(receipt.totalCents, i18n.language) })}
        </Notice>
      )}
      {mode === "children" && (
        <section className="card" aria-labelledby="choose-title">
          <h2 id="choose-title">{t("topUp.chooseTitle")}</h2>
          <form className="row" role="search" onSubmit={search}>
            <Field label={t("topUp.search")} value={query} onChange={setQuery} />
            <button type="submit">{t("common.search")}</button>
          </form>
          {families && families.length === 0 && <p>{t("topUp.noneFound")}</p>}
          {families && families.length > 0 && (
            <table>
              <caption>{t("topUp.childrenCaption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("topUp.choose")}</th>
                  <th scope="col">{t("topUp.child")}</th>
                  <th scope="col">{t("topUp.family")}</th>
                  <th scope="col" className="num">{t("topUp.issued")}</th>
                </tr>
              </thead>
              <tbody>
                {families.flatMap((f) =>
                  f.children.map((c) => (
                    <tr key={c.id}>
                      <td>
                        <input
                          type="checkbox"
                          id={`child-${c.id}`}
                          checked={chosen.has(c.id)}
                          disabled={!c.budget || c.budget.status === "pending"}
                          onChange={() => toggle(c.id)}
                          aria-label={t("topUp.chooseChild", { name: c.firstName, family: f.displayName ?? "" })}
                        />
                      </td>
                      <td>{c.firstName} ({c.birthYear})</td>
                      <td>{f.displayName ?? "—"}</td>
                      <td className="num">{c.budget ? formatCents(c.budget.issuedCents, i18n.language) : t("topUp.noBudget")}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          )}
        </section>
      )}
    </>
  );
}
