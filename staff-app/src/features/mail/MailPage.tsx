// The outbox of email notifications: how many wait, are sent, or need a person, and the latest mails
// with their last error. A mail that gave up after its tries can be sent again from here (finance, admin).
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { OutboxList } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { errorText } from "../../lib/errors.ts";
import { formatDateTime } from "@tegoed/sdk";
import { can } from "../../lib/roles.ts";
import { useStaff } from "../../lib/session.ts";
import { Notice } from "../../lib/ui.tsx";

const STATUSES = ["needs_person", "pending", "sending", "sent"] as const;
type Status = (typeof STATUSES)[number];

export function MailPage() {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const { roles } = useStaff();
  const [status, setStatus] = useState<Status>("needs_person");
  const [list, setList] = useState<OutboxList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setList(await api.notifications.outbox({ status }));
    } catch (e) {
      setError(errorText(t, e));
    }
  }, [api, status, t]);
  useEffect(() => void load(), [load]);

  const retry = async (id: string) => {
    setError(null);
    setDone(null);
    try {
      await api.notifications.retry(id);
      setDone(t("mail.retried"));
      await load();
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  return (
    <>
      <h1>{t("mail.title")}</h1>
      <p>{t("mail.intro")}</p>
      {list && (
        <dl className="figures" aria-label={t("mail.countsLabel")}>
          {STATUSES.map((s) => <div key={s}><dt>{t(`mail.status.${s}`)}</dt><dd>{list.counts[s] ?? 0}</dd></div>)}
        </dl>
      )}
      <label>
        {t("mail.show")}{" "}
        <select value={status} onChange={(e) => setStatus(e.target.value as Status)}>
          {STATUSES.map((s) => <option key={s} value={s}>{t(`mail.status.${s}`)}</option>)}
        </select>
      </label>
      <div aria-live="polite">
        {error && <Notice kind="error">{error}</Notice>}
        {done && <Notice kind="success">{done}</Notice>}
      </div>
      {list && list.mails.length === 0 && <p>{t("mail.none")}</p>}
      {list && list.mails.length > 0 && (
        <table>
          <caption>{t("mail.caption", { count: list.mails.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("mail.created")}</th>
              <th scope="col">{t("mail.kind")}</th>
              <th scope="col">{t("mail.to")}</th>
              <th scope="col">{t("mail.attempts")}</th>
              <th scope="col">{t("mail.result")}</th>
              <th scope="col">{t("mail.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {list.mails.map((m) => (
              <tr key={m.id}>
                <td>{formatDateTime(m.createdAt, i18n.language)}</td>
                <td>{t(`mail.kinds.${m.kind}`, { defaultValue: m.kind })}</td>
                <td>{m.recipient}</td>
                <td>{m.attempts}</td>
                <td className="mono">{m.status === "sent" ? m.smtpResponse ?? "" : m.lastError ?? "—"}</td>
                <td>
                  {m.status === "needs_person" && can(roles, "mail.retry") && (
                    <button type="button" onClick={() => void retry(m.id)} aria-label={t("mail.retryFor", { to: m.recipient })}>{t("mail.retry")}</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
