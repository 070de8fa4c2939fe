// Applications of the chosen fund: the queue (filter by status), one application next to the criteria it
// was submitted under (a mark where an answer fails), its documents inline, a question to the family,
// approve or decline with a reason, the BSN for a validator who asks; and the fund's settings (SettingsForm).
import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import {
  applicationsApi, FUND_APPLICATION_STATUSES, type ApplicationQueue, type ApplicationReview, type FundApplicationStatus,
} from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { errorText } from "../../lib/errors.ts";
import { formatDay } from "@tegoed/sdk";
import { useStaff } from "../../lib/session.ts";
import { can } from "../../lib/roles.ts";
import { Notice } from "../../lib/ui.tsx";
import { SettingsForm } from "./SettingsForm.tsx";

export function ApplicationsPage() {
  const { t } = useTranslation();
  const { fund, roles } = useStaff();
  const [tab, setTab] = useState<"queue" | "settings">("queue");
  if (!fund) return null;
  return (
    <section className="stack" aria-labelledby="applications-title">
      <h1 id="applications-title">{t("applications.title", { fund: fund.name })}</h1>
      <div role="group" aria-label={t("applications.views")} className="tabs">
        <button type="button" aria-pressed={tab === "queue"} onClick={() => setTab("queue")}>{t("applications.queue")}</button>
        {can(roles, "applications.configure") && (
          <button type="button" aria-pressed={tab === "settings"} onClick={() => setTab("settings")}>{t("applications.settings")}</button>
        )}
      </div>
      {tab === "queue" ? <Queue fundId={fund.id} /> : <SettingsForm fundId={fund.id} />}
    </section>
  );
}

function Queue({ fundId }: { fundId: string }) {
  const client = useApi();
  const { fund } = useStaff();
  const api = applicationsApi(client).staff;
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState<FundApplicationStatus | "">("");
  const [queue, setQueue] = useState<ApplicationQueue | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const load = useCallback(async () => {
    setError(null);
    try {
      setQueue(await api.queue(fundId, status ? { status } : {}));
    } catch (e) {
      setError(errorText(t, e));
    }
  }, [client, fundId, status]);
  useEffect(() => void load(), [load]);

  if (open) return <Review id={open} onBack={() => { setOpen(null); void load(); }} />;
  return (
    <div className="stack">
      <div className="field">
        <label htmlFor={`${id}-status`}>{t("applications.filter")}</label>
        <select id={`${id}-status`} value={status} onChange={(e) => setStatus(e.target.value as FundApplicationStatus | "")}>
          <option value="">{t("applications.allOpen")}</option>
          {FUND_APPLICATION_STATUSES.filter((s) => s !== "draft").map((s) => <option key={s} value={s}>{t(`applications.status.${s}`)}</option>)}
        </select>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {queue && (queue.applications.length === 0 ? <p role="status">{t("applications.empty")}</p> : (
        <table>
          <caption>{t("applications.count", { count: queue.total })}</caption>
          <thead><tr><th scope="col">{t("applications.parent")}</th><th scope="col">{t("applications.children")}</th><th scope="col">{t("applications.submitted")}</th><th scope="col">{t("applications.state")}</th><th scope="col">{t("applications.failing")}</th></tr></thead>
          <tbody>
            {queue.applications.map((a) => (
              <tr key={a.id}>
                <td><button type="button" className="link" onClick={() => setOpen(a.id)}>{a.parentName}</button></td>
                <td>{a.children}</td>
                <td>{a.submittedAt ? formatDay(a.submittedAt, i18n.language, { timeZone: fund?.timeZone }) : "—"}</td>
                <td>{t(`applications.status.${a.status}`)}</td>
                <td>{a.failingCriteria > 0 ? <strong>{t("applications.failingCount", { count: a.failingCriteria })}</strong> : t("applications.allMet")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}

function answerText(value: unknown, t: (k: string) => string): string {
  if (value === true) return t("applications.yes");
  if (value === false) return t("applications.no");
  return value === undefined ? "—" : String(value);
}

function Review({ id, onBack }: { id: string; onBack(): void }) {
  const client = useApi();
  const api = applicationsApi(client).staff;
  const { t } = useTranslation();
  const { roles } = useStaff();
  const [review, setReview] = useState<ApplicationReview | null>(null);
  const [question, setQuestion] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [bsn, setBsn] = useState<string | null>(null);
  const fieldId = useId();
  useEffect(() => void api.review(id).then(setReview, (e) => setError(errorText(t, e))), [id]);
  const act = async (work: () => Promise<ApplicationReview>, message: string) => {
    setError(null);
    setDone(null);
    setBusy(true);
    try {
      setReview(await work());
      setDone(message);
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  if (!review) return error ? <Notice kind="error">{error}</Notice> : <p role="status">{t("common.loading")}</p>;
  const undecided = ["submitted", "questions", "awaiting_second"].includes(review.status);
  const validator = can(roles, "applications.review");
  const h = review.household;
  return (
    <article className="stack" aria-labelledby={`${fieldId}-title`}>
      <button type="button" className="secondary" onClick={onBack}>{t("applications.back")}</button>
      <h2 id={`${fieldId}-title`}>{h.parentName}</h2>
      <p>{t(`applications.status.${review.status}`)}{review.fourEyes ? ` · ${t("applications.fourEyes")}` : ""}</p>
      {review.knownFamilyId && <Notice kind="info">{t("applications.known")}</Notice>}
      <p>{[h.addressLine1, h.addressLine2, `${h.postalCode} ${h.city}`].filter(Boolean).join(", ")}</p>
      {review.hasBsn && can(roles, "applications.bsn") && (
        bsn
          ? <p>{t("applications.bsn")}: <strong>{bsn}</strong></p>
          : <button type="button" className="secondary" onClick={() => void api.bsn(review.id).then((b) => setBsn(b.bsn), (e) => setError(errorText(t, e)))}>{t("applications.showBsn")}</button>
      )}
      <h3>{t("applications.children")}</h3>
      <ul>{review.children.map((c, i) => <li key={i}>{c.firstName} ({c.birthDate})</li>)}</ul>
      <table>
        <caption>{t("applications.answers")}</caption>
        <thead><tr><th scope="col">{t("applications.criterion")}</th><th scope="col">{t("applications.answer")}</th><th scope="col">{t("applications.meets")}</th></tr></thead>
        <tbody>
          {review.criteria.map((c) => {
            const result = review.results.find((r) => r.criterionId === c.id);
            const answer = c.kind === "date" && c.children ? review.children.map((k) => k.birthDate).join(", ") : answerText(review.answers[c.id], t);
            return (
              <tr key={c.id} className={result?.passes === false ? "fails" : undefined}>
                <th scope="row">{c.label}</th>
                <td>{answer}</td>
                <td>{result?.passes === false ? <strong>{t("applications.fails")}</strong> : result?.passes ? t("applications.meetsYes") : "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h3>{t("applications.documents")}</h3>
      {review.documents.length === 0 ? <p>{t("applications.noDocuments")}</p> : review.documents.map((d) => {
        const src = applicationsApi(client).staff.documentPath(review.id, d.id);
        const label = review.requestedDocuments.find((r) => r.key === d.documentKey)?.label ?? d.documentKey;
        return (
          <figure key={d.id} className="document">
            {d.contentType === "application/pdf"
              ? <iframe src={src} title={label} sandbox="" style={{ width: "100%", height: "24rem", border: "1px solid #888" }} />
              : <img src={src} alt={label} style={{ maxWidth: "100%" }} />}
            <figcaption>{label} · <a href={src} target="_blank" rel="noopener">{t("applications.openDocument")}</a></figcaption>
          </figure>
        );
      })}
      {review.messages.length > 0 && (
        <>
          <h3>{t("applications.messages")}</h3>
          <ol>{review.messages.map((m) => <li key={m.id}><strong>{t(`applications.author.${m.author}`)}:</strong> {m.body}</li>)}</ol>
        </>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      {done && <Notice kind="success">{done}</Notice>}
      {validator && undecided && (
        <div className="stack">
          <form className="stack" onSubmit={(e: FormEvent) => { e.preventDefault(); void act(() => api.ask(review.id, { body: question }), t("applications.asked")).then(() => setQuestion("")); }}>
            <label htmlFor={`${fieldId}-q`}>{t("applications.question")}</label>
            <textarea id={`${fieldId}-q`} rows={3} value={question} onChange={(e) => setQuestion(e.target.value)} />
            <button type="submit" className="secondary" disabled={busy || !question.trim()}>{t("applications.ask")}</button>
          </form>
          <button type="button" className="primary" disabled={busy} onClick={() => void act(() => api.approve(review.id), t("applications.approved"))}>{t("applications.approve")}</button>
          <form className="stack" onSubmit={(e: FormEvent) => { e.preventDefault(); void act(() => api.decline(review.id, { reason }), t("applications.declined")); }}>
            <label htmlFor={`${fieldId}-r`}>{t("applications.reason")}</label>
            <textarea id={`${fieldId}-r`} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
            <button type="submit" className="danger" disabled={busy || !reason.trim()}>{t("applications.decline")}</button>
          </form>
        </div>
      )}
      {busy && <p role="status">{t("applications.busy")}</p>}
    </article>
  );
}
