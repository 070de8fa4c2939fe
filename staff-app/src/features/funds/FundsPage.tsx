// Funds: every fund with its contract address; an admin creates one (name, period, amount per child,
// expiry, shop categories, payout schedule) and pauses / unpauses it with a reason; finance records deposits.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { categoryLabel, formatDay, type CreateFundRequest, type Fund } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { errorText } from "../../lib/errors.ts";
import { formatCents, parseEuros } from "@tegoed/ui/money";
import { can } from "../../lib/roles.ts";
import { useStaff } from "../../lib/session.ts";
import { Field, Notice } from "../../lib/ui.tsx";

export function FundsPage() {
  const { t, i18n } = useTranslation();
  const { funds, fund, roles, selectFund } = useStaff();
  return (
    <>
      <h1>{t("funds.title")}</h1>
      <table>
        <caption>{t("funds.list")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("funds.name")}</th>
            <th scope="col" className="num">{t("funds.amountPerChild")}</th>
            <th scope="col">{t("funds.expiry")}</th>
            <th scope="col">{t("funds.contract")}</th>
            <th scope="col">{t("funds.state")}</th>
          </tr>
        </thead>
        <tbody>
          {funds.map((f) => (
            <tr key={f.id}>
              <th scope="row">
                <button type="button" aria-pressed={fund?.id === f.id} onClick={() => selectFund(f.id)}>{f.name}</button>
              </th>
              <td className="num">{formatCents(f.amountPerChildCents, i18n.language)}</td>
              <td>{formatDay(f.budgetExpiry, i18n.language)}</td>
              <td className="mono">{f.chainAddress}</td>
              <td>{f.paused ? t("funds.paused", { reason: f.pausedReason ?? "" }) : t("funds.active")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {funds.length === 0 && <p>{t("funds.none")}</p>}
      {fund && <FundDetails fund={fund} />}
      {can(roles, "fund.create") && <CreateFund />}
    </>
  );
}

function FundDetails({ fund }: { fund: Fund }) {
  const { t, i18n } = useTranslation();
  const { roles } = useStaff();
  return (
    <section className="card" aria-labelledby="fund-details">
      <h2 id="fund-details">{fund.name}</h2>
      <dl>
        <dt>{t("funds.contract")}</dt>
        <dd className="mono">{fund.chainAddress}</dd>
        <dt>{t("funds.categories")}</dt>
        <dd>{fund.categories.map((c) => categoryLabel(c, i18n.language)).join(", ") || "—"}</dd>
        <dt>{t("funds.payoutSchedule")}</dt>
        <dd>{fund.payoutSchedule.kind === "daily" ? t("funds.daily", { at: fund.payoutSchedule.at }) : t("funds.instant")}</dd>
        <dt>{t("funds.amountPerChild")}</dt>
        <dd>{formatCents(fund.amountPerChildCents, i18n.language)}</dd>
      </dl>
      {can(roles, "fund.deposit") && <Deposit fund={fund} />}
      {can(roles, "fund.pause") && <PauseFund fund={fund} />}
    </section>
  );
}

function Deposit({ fund }: { fund: Fund }) {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const [amount, setAmount] = useState("");
  const [reference, setReference] = useState("");
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const cents = parseEuros(amount);
    if (cents === null || cents <= 0) return setMessage({ kind: "error", text: t("common.badAmount") });
    setBusy(true);
    try {
      const receipt = await api.funds.deposit(fund.id, { amountCents: cents, bankReference: reference });
      setMessage({ kind: "success", text: t("funds.deposited", { amount: formatCents(receipt.amountCents, i18n.language), reserve: formatCents(receipt.reserveCents, i18n.language) }) });
      setAmount("");
      setReference("");
    } catch (e) {
      setMessage({ kind: "error", text: errorText(t, e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} aria-labelledby="deposit-title">
      <h3 id="deposit-title">{t("funds.deposit")}</h3>
      <div className="row">
        <Field label={t("funds.depositAmount")} value={amount} onChange={setAmount} inputMode="decimal" required />
        <Field label={t("funds.bankReference")} value={reference} onChange={setReference} required />
      </div>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      <button type="submit" className="primary" disabled={busy}>{t("funds.depositSubmit")}</button>
    </form>
  );
}

function PauseFund({ fund }: { fund: Fund }) {
  const api = useApi();
  const { t } = useTranslation();
  const { reloadFunds } = useStaff();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await (fund.paused ? api.funds.unpause(fund.id, { reason }) : api.funds.pause(fund.id, { reason }));
      setReason("");
      await reloadFunds();
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} aria-labelledby="pause-title">
      <h3 id="pause-title">{fund.paused ? t("funds.unpause") : t("funds.pause")}</h3>
      <Field label={t("common.reason")} value={reason} onChange={setReason} required />
      {error && <Notice kind="error">{error}</Notice>}
      <button type="submit" className={fund.paused ? "primary" : "danger"} disabled={busy || reason.trim() === ""}>
        {fund.paused ? t("funds.unpauseSubmit") : t("funds.pauseSubmit")}
      </button>
    </form>
  );
}

function CreateFund() {
  const api = useApi();
  const { t } = useTranslation();
  const { reloadFunds, selectFund } = useStaff();
  const year = new Date().getUTCFullYear() + 1;
  const [name, setName] = useState("");
  const [periodFrom, setPeriodFrom] = useState(`${year}-01-01`);
  const [expiry, setExpiry] = useState(`${year}-12-31`);
  const [amount, setAmount] = useState("300,00");
  const [categories, setCategories] = useState("sport, books, bike, swimming, computer, clothing");
  const [schedule, setSchedule] = useState<"instant" | "daily">("daily");
  const [at, setAt] = useState("17:00");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const cents = parseEuros(amount);
    if (cents === null || cents <= 0) return setError(t("common.badAmount"));
    if (periodFrom > expiry) return setError(t("funds.periodOrder"));
    const body: CreateFundRequest = {
      name: name.trim(),
      amountPerChildCents: cents,
      budgetExpiry: expiry,
      categories: categories.split(",").map((c) => c.trim()).filter(Boolean),
      payoutSchedule: schedule === "daily" ? { kind: "daily", at } : { kind: "instant" },
    };
    setBusy(true);
    try {
      const created = await api.funds.create(body);
      await reloadFunds();
      selectFund(created.id);
      setDone(t("funds.created", { name: created.name, address: created.chainAddress }));
      setName("");
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="create-fund">
      <h2 id="create-fund">{t("funds.create")}</h2>
      <form onSubmit={submit}>
        <Field label={t("funds.name")} value={name} onChange={setName} required hint={t("funds.nameHint")} />
        <div className="row">
          <Field label={t("funds.periodFrom")} type="date" value={periodFrom} onChange={setPeriodFrom} required />
          <Field label={t("funds.expiry")} type="date" value={expiry} onChange={setExpiry} required hint={t("funds.expiryHint")} />
        </div>
        <Field label={t("funds.amountPerChild")} value={amount} onChange={setAmount} inputMode="decimal" required hint={t("funds.amountHint")} />
        <Field label={t("funds.categories")} value={categories} onChange={setCategories} hint={t("funds.categoriesHint")} />
        <fieldset>
          <legend>{t("funds.payoutSchedule")}</legend>
          <label>
            <input type="radio" name="schedule" checked={schedule === "daily"} onChange={() => setSchedule("daily")} /> {t("funds.dailyOption")}
          </label>{" "}
          <label>
            <input type="radio" name="schedule" checked={schedule === "instant"} onChange={() => setSchedule("instant")} /> {t("funds.instant")}
          </label>
          {schedule === "daily" && <Field label={t("funds.dailyAt")} type="time" value={at} onChange={setAt} required />}
        </fieldset>
        {error && <Notice kind="error">{error}</Notice>}
        {done && <Notice kind="success">{done}</Notice>}
        <button type="submit" className="primary" disabled={busy}>{busy ? t("funds.creating") : t("funds.createSubmit")}</button>
      </form>
    </section>
  );
}
