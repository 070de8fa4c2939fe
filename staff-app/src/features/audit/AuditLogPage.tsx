// The audit log: who did what when, newest first, filterable by person, action and period. Read-only:
// there is nothing here (nor in the API) that changes it.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { formatDateTime, type AuditLogEntry, type AuditLogQuery } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { toCsv } from "@tegoed/sdk/csv";
import { downloadText } from "@tegoed/ui/download";
import { errorText } from "../../lib/errors.ts";
import { Field, Notice } from "../../lib/ui.tsx";

const PAGE = 50;

/** A date field (YYYY-MM-DD, local day) as the start of that day in UTC ISO form; `end`: the next day. */
function dayBound(day: string, end = false): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const date = new Date(`${day}T00:00:00`);
  if (end) date.setDate(date.getDate() + 1);
  return date.toISOString();
}

export function AuditLogPage() {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const [actor, setActor] = useState("");
  const [action, setAction] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [entries, setEntries] = useState<AuditLogEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);

  const query = useCallback(
    (): AuditLogQuery => ({
      actor: actor.trim() || undefined, action: action.trim() || undefined, from: dayBound(from), to: dayBound(to, true), limit: PAGE,
    }),
    [actor, action, from, to],
  );

  const load = useCallback(async (next?: string) => {
    setError(null);
    try {
      const page = await api.reports.auditLog({ ...query(), cursor: next });
      setEntries((list) => (next ? [...list, ...page.entries] : page.entries));
      setCursor(page.nextCursor);
      setLoaded(true);
    } catch (e) {
      setError(errorText(t, e));
    }
  }, [api, query, t]);

  // The newest entries once on opening; later only when the filters are applied.
  useEffect(() => void load(), []); // eslint-disable-line react-hooks/exhaustive-deps

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void load();
  };

  const who = (e: AuditLogEntry) =>
    e.actorEmail ?? e.actorName ?? (e.actorId ? `${t(`audit.actorTypes.${e.actorType}`)} ${e.actorId.slice(0, 8)}` : t(`audit.actorTypes.${e.actorType}`));
  const subject = (e: AuditLogEntry) =>
    !e.subjectType ? "—" : e.subjectName ? `${t(`audit.subjectTypes.${e.subjectType}`, { defaultValue: e.subjectType })} ${e.subjectName}` : `${e.subjectType} ${e.subjectId?.slice(0, 12) ?? ""}`;
  const exportCsv = () =>
    downloadText("audit-log.csv", toCsv(
      [t("audit.at"), t("audit.who"), t("audit.action"), t("audit.subject"), t("audit.details")],
      entries.map((e) => [e.at, who(e), e.action, e.subjectType ? `${e.subjectType} ${e.subjectId ?? ""}${e.subjectName ? ` (${e.subjectName})` : ""}` : "", JSON.stringify(e.details)]),
    ));

  return (
    <>
      <h1>{t("audit.title")}</h1>
      <p>{t("audit.readOnly")}</p>
      <form onSubmit={submit} className="card" aria-label={t("audit.filters")}>
        <div className="row">
          <Field label={t("audit.actor")} value={actor} onChange={setActor} hint={t("audit.actorHint")} />
          <Field label={t("audit.action")} value={action} onChange={setAction} hint={t("audit.actionHint")} />
          <Field label={t("audit.from")} type="date" value={from} onChange={setFrom} />
          <Field label={t("audit.to")} type="date" value={to} onChange={setTo} />
        </div>
        <div className="actions">
          <button type="submit" className="primary">{t("audit.apply")}</button>
          <button type="button" onClick={exportCsv} disabled={entries.length === 0}>{t("common.downloadCsv")}</button>
        </div>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      {loaded && entries.length === 0 && <p>{t("audit.none")}</p>}
      {entries.length > 0 && (
        <table>
          <caption>{t("audit.caption", { count: entries.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("audit.at")}</th>
              <th scope="col">{t("audit.who")}</th>
              <th scope="col">{t("audit.action")}</th>
              <th scope="col">{t("audit.subject")}</th>
              <th scope="col">{t("audit.details")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>{formatDateTime(e.at, i18n.language)}</td>
                <td>{who(e)}</td>
                <td className="mono">{e.action}</td>
                <td className={e.subjectName ? undefined : "mono"}>{subject(e)}</td>
                <td className="mono">{Object.entries(e.details).map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && <button type="button" onClick={() => load(cursor)}>{t("audit.more")}</button>}
    </>
  );
}
