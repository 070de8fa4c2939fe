// Eligibility for the chosen fund: import or add families, approve them, issue their budgets on chain,
// and print or download activation letters.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, type ActivationLetter, type FamilyOverview, type IssueReport } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { downloadFile, downloadText } from "@tegoed/ui/download";
import { errorText } from "../../lib/errors.ts";
import { formatCents, formatNumber } from "@tegoed/ui/money";
import { can } from "../../lib/roles.ts";
import { useStaff } from "../../lib/session.ts";
import { Field, Notice, Progress } from "../../lib/ui.tsx";
import { AddFamily } from "./AddFamily.tsx";
import { ImportFamilies } from "./ImportFamilies.tsx";
import { openHtmlPage } from "../../lib/open-page.ts";
import { formatDay } from "@tegoed/sdk";
import { BulkCards } from "../cards/BulkCards.tsx";

export function FamiliesPage() {
  const { t } = useTranslation();
  const { fund, roles } = useStaff();
  const [version, setVersion] = useState(0);
  const changed = useCallback(() => setVersion((v) => v + 1), []);
  if (!fund) return null;
  return (
    <>
      <h1>{t("eligibility.title", { fund: fund.name })}</h1>
      {can(roles, "families.import") && <ImportFamilies fundId={fund.id} onImported={changed} />}
      {can(roles, "families.import") && <AddFamily fundId={fund.id} onAdded={changed} />}
      {can(roles, "families.approve") && <ApproveAndIssue fundId={fund.id} onChanged={changed} />}
      <FamilyLetters fundId={fund.id} version={version} />
    </>
  );
}

export function ApproveAndIssue({ fundId, onChanged }: { fundId: string; onChanged: () => void }) {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const [busy, setBusy] = useState<"approve" | "issue" | null>(null);
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const [issued, setIssued] = useState<IssueReport | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);

  const approve = async () => {
    setBusy("approve");
    setMessage(null);
    try {
      const result = await api.eligibility.approveFamilies(fundId);
      setMessage({ kind: "success", text: t("eligibility.approved", { count: result.approved.length }) });
      onChanged();
    } catch (e) {
      setMessage({ kind: "error", text: errorText(t, e) });
    } finally {
      setBusy(null);
    }
  };

  const issue = async () => {
    setBusy("issue");
    setMessage(null);
    // Budgets are issued in batches, each marked on its own: the dashboard's counts show how far it got.
    let live = true;
    const follow = async () => {
      const before = (await api.reports.dashboard(fundId)).budgets;
      while (live) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        if (!live) break;
        const now = await api.reports.dashboard(fundId);
        const done = now.budgets - before;
        if (live) setProgress({ done, total: done + now.budgetsPending });
      }
    };
    follow().catch(() => undefined); // progress is a courtesy: the answer below is what counts
    try {
      const report = await api.eligibility.issueBudgets(fundId);
      setIssued(report);
      setMessage({
        kind: "success",
        text: t("eligibility.issued", { count: report.issued, total: formatCents(report.totalCents, i18n.language), batches: report.txHashes.length }),
      });
      onChanged();
    } catch (e) {
      setMessage({ kind: "error", text: errorText(t, e) });
    } finally {
      live = false;
      setProgress(null);
      setBusy(null);
    }
  };

  return (
    <section className="card" aria-labelledby="approve-title">
      <h2 id="approve-title">{t("eligibility.approveTitle")}</h2>
      <p>{t("eligibility.approveHelp")}</p>
      <div className="actions">
        <button type="button" className="primary" onClick={approve} disabled={busy !== null}>{t("eligibility.approveAll")}</button>
        <button type="button" className="primary" onClick={issue} disabled={busy !== null}>{t("eligibility.issueBudgets")}</button>
      </div>
      {busy === "issue" && <Progress label={t("eligibility.issuing")} value={progress?.done ?? 0} max={progress?.total ?? 0} />}
      {busy === "issue" && progress && progress.total > 0 && <p role="status">{t("eligibility.issuingCount", { done: progress.done, total: progress.total })}</p>}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {issued && issued.txHashes.length > 0 && (
        <details>
          <summary>{t("eligibility.transactions", { count: issued.txHashes.length })}</summary>
          <ul>
            {issued.txHashes.map((hash) => (
              <li key={hash} className="mono">{hash}</li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function budgetState(family: FamilyOverview): "none" | "pending" | "issued" | "frozen" | "mixed" {
  const states = new Set(family.children.map((c) => c.budget?.status ?? "none"));
  if (states.size !== 1) return "mixed";
  return [...states][0] as "none" | "pending" | "issued" | "frozen";
}

function FamilyLetters({ fundId, version }: { fundId: string; version: number }) {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const { roles } = useStaff();
  const [query, setQuery] = useState("");
  const [families, setFamilies] = useState<FamilyOverview[] | null>(null);
  const [total, setTotal] = useState(0);
  const [letter, setLetter] = useState<(ActivationLetter & { name: string }) | { unavailable: true; familyId: string; name: string } | null>(null);
  const [confirmNew, setConfirmNew] = useState(false);
  const [batch, setBatch] = useState(false);
  const [message, setMessage] = useState<{ kind: "error" | "success" | "info"; text: string } | null>(null);

  const load = useCallback(async () => {
    try {
      const result = await api.eligibility.listFamilies(fundId, { q: query.trim() || undefined, limit: 100 });
      setFamilies(result.families);
      setTotal(result.total);
    } catch (e) {
      setMessage({ kind: "error", text: errorText(t, e) });
    }
  }, [api, fundId, query, t]);

  // Reload when the fund changes or families were added or issued; not on every keystroke in the search field.
  useEffect(() => void load(), [fundId, version]); // eslint-disable-line react-hooks/exhaustive-deps

  const nameOf = (family: FamilyOverview) => family.displayName ?? family.externalRef ?? family.id;

  // Opening a family's letter shows the code it already has; a first code is made only when it has none.
  const openLetter = async (family: FamilyOverview) => {
    setMessage(null);
    setConfirmNew(false);
    try {
      setLetter({ ...(await api.eligibility.issueLetter(family.id)), name: nameOf(family) });
    } catch (e) {
      if (e instanceof ApiError && e.code === "LETTER_CODE_UNAVAILABLE") setLetter({ unavailable: true, familyId: family.id, name: nameOf(family) });
      else setMessage({ kind: "error", text: errorText(t, e) });
    }
  };

  const newCode = async (familyId: string, name: string) => {
    setMessage(null);
    try {
      setLetter({ ...(await api.eligibility.newActivationCode(familyId)), name });
      setConfirmNew(false);
    } catch (e) {
      setMessage({ kind: "error", text: errorText(t, e) });
    }
  };

  const letterPdf = async (familyId: string, name: string) => {
    try {
      downloadFile(`${t("eligibility.letterFile", { name })}.pdf`, await api.eligibility.letterPdf(familyId), "application/pdf");
    } catch (e) {
      setMessage({ kind: "error", text: errorText(t, e) });
    }
  };

  // Letters for every approved family not yet activated: their existing codes, new ones only where none.
  const allLetters = async (format: "page" | "pdf") => {
    setMessage(null);
    setBatch(true);
    try {
      if (format === "pdf") {
        downloadFile("activation-letters.pdf", await api.eligibility.fundLettersPdf(fundId), "application/pdf");
      } else {
        const all = await api.eligibility.fundLetters(fundId);
        if (all.letters.length > 0 && !openHtmlPage(all.html)) downloadText("activation-letters.html", all.html, "text/html;charset=utf-8");
        const made = all.letters.filter((l) => l.made).length;
        setMessage({
          kind: all.unavailable.length ? "info" : "success",
          text: [
            t("eligibility.lettersShown", { count: all.letters.length, made }),
            all.unavailable.length ? t("eligibility.lettersUnavailable", { count: all.unavailable.length }) : "",
          ].filter(Boolean).join(" "),
        });
      }
    } catch (e) {
      setMessage({ kind: "error", text: errorText(t, e) });
    } finally {
      setBatch(false);
    }
  };

  const mayLetter = can(roles, "letters.issue");
  return (
    <section className="card" aria-labelledby="letters-title">
      <h2 id="letters-title">{t("eligibility.familiesTitle")}</h2>
      <form className="row" role="search" onSubmit={(e) => { e.preventDefault(); void load(); }}>
        <Field label={t("eligibility.searchLabel")} value={query} onChange={setQuery} />
        <button type="submit">{t("common.search")}</button>
      </form>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {letter && (
        <div className="confirm" role="region" aria-labelledby="letter-title">
          <h3 id="letter-title">{t("eligibility.letterFor", { name: letter.name })}</h3>
          {"unavailable" in letter ? (
            <p>{t("eligibility.letterUnavailable")}</p>
          ) : (
            <>
              <p>
                {t("eligibility.letterCode")}: <strong className="mono" data-testid="activation-code">{letter.code}</strong>
                {" · "}
                <span data-testid="activation-code-expires">{t("eligibility.letterExpires", { date: formatDay(letter.expiresAt, i18n.language) })}</span>
              </p>
              <p className="muted">{letter.made ? t("eligibility.letterMade") : t("eligibility.letterSame")}</p>
              <div className="actions">
                <button type="button" className="primary" onClick={() => openHtmlPage(letter.html) || setMessage({ kind: "info", text: t("eligibility.popupBlocked") })}>
                  {t("eligibility.openLetter")}
                </button>
                <button type="button" onClick={() => void letterPdf(letter.familyId, letter.name)}>{t("eligibility.downloadPdf")}</button>
              </div>
            </>
          )}
          {confirmNew ? (
            <div className="confirm" role="group" aria-labelledby="new-code-question">
              <p id="new-code-question"><strong>{t("eligibility.newCodeQuestion")}</strong></p>
              <div className="actions">
                <button type="button" className="danger" onClick={() => void newCode(letter.familyId, letter.name)}>{t("eligibility.newCodeYes")}</button>
                <button type="button" onClick={() => setConfirmNew(false)}>{t("common.cancel")}</button>
              </div>
            </div>
          ) : (
            <div className="actions">
              <button type="button" onClick={() => setConfirmNew(true)}>{t("eligibility.newCode")}</button>
              <button type="button" onClick={() => setLetter(null)}>{t("common.close")}</button>
            </div>
          )}
        </div>
      )}
      {mayLetter && families && families.length > 0 && (
        <div className="actions">
          <button type="button" onClick={() => void allLetters("page")} disabled={batch}>{t("eligibility.allLetters")}</button>
          <button type="button" onClick={() => void allLetters("pdf")} disabled={batch}>{t("eligibility.allLettersPdf")}</button>
          {can(roles, "cards.manage") && <BulkCards fundId={fundId} />}
        </div>
      )}
      {batch && <p role="status">{t("eligibility.makingLetters")}</p>}
      {families === null ? null : families.length === 0 ? (
        <p>{t("eligibility.noFamilies")}</p>
      ) : (
        <table>
          <caption>{t("eligibility.familiesCaption", { shown: formatNumber(families.length, i18n.language), total: formatNumber(total, i18n.language) })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("eligibility.reference")}</th>
              <th scope="col">{t("eligibility.parentName")}</th>
              <th scope="col">{t("eligibility.children")}</th>
              <th scope="col">{t("eligibility.approvedCol")}</th>
              <th scope="col">{t("eligibility.budgetsCol")}</th>
              <th scope="col">{t("eligibility.activatedCol")}</th>
              {mayLetter && <th scope="col">{t("eligibility.letterCol")}</th>}
            </tr>
          </thead>
          <tbody>
            {families.map((f) => (
              <tr key={f.id}>
                <td>{f.externalRef ?? "—"}</td>
                <th scope="row">{f.displayName ?? "—"}</th>
                <td>{f.children.map((c) => `${c.firstName} (${c.birthYear})`).join(", ")}</td>
                <td>{f.approvedAt ? t("common.yes") : t("common.no")}</td>
                <td>{t(`eligibility.budgetState.${budgetState(f)}`)}</td>
                <td>{f.activatedAt ? t("common.yes") : t("common.no")}</td>
                {mayLetter && (
                  <td>
                    <button type="button" onClick={() => void openLetter(f)} disabled={budgetState(f) === "none" || budgetState(f) === "pending"} aria-label={t("eligibility.letterButton", { name: f.displayName ?? f.externalRef ?? "" })}>
                      {t("eligibility.letterCol")}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
