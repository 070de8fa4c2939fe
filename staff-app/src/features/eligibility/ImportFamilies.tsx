// Upload a CSV of families and children: checked in the browser with a progress bar (10,000 rows and
// more stay responsive), a preview and a report of each rejected row and why; then imported — all
// valid families, or the whole file only when every row is valid. The backend's own report follows.
import { useState, type ChangeEvent } from "react";
import { useTranslation } from "react-i18next";
import type { ImportReport } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { toCsv } from "@tegoed/sdk/csv";
import { downloadText } from "@tegoed/ui/download";
import { errorText } from "../../lib/errors.ts";
import { Notice, Progress } from "../../lib/ui.tsx";
import { previewImport, REQUIRED_COLUMNS, type ImportPreview, type PreviewRejection } from "./import-preview.ts";

export function RejectedRows({ rows, caption }: { rows: readonly PreviewRejection[]; caption: string }) {
  const { t } = useTranslation();
  const reason = (r: PreviewRejection) => t(`eligibility.reasons.${r.reason}`, { defaultValue: r.reason, ...r.params });
  return (
    <>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="num">{t("eligibility.row")}</th>
            <th scope="col">{t("eligibility.column")}</th>
            <th scope="col">{t("eligibility.reason")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, 200).map((r, i) => (
            <tr key={`${r.row}-${r.field}-${i}`}>
              <td className="num">{r.row}</td>
              <td>{r.field}</td>
              <td>{reason(r)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > 200 && <p>{t("eligibility.moreRejected", { count: rows.length - 200 })}</p>}
      <button type="button" onClick={() => downloadText("rejected-rows.csv", toCsv([t("eligibility.row"), t("eligibility.column"), t("eligibility.reason")], rows.map((r) => [r.row, r.field, reason(r)])))}>
        {t("eligibility.downloadRejected")}
      </button>
    </>
  );
}

export function ImportFamilies({ fundId, onImported, currentYear = new Date().getUTCFullYear() }: { fundId: string; onImported?: () => void; currentYear?: number }) {
  const api = useApi();
  const { t } = useTranslation();
  const [csv, setCsv] = useState<string | null>(null);
  const [fileName, setFileName] = useState("");
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    setPreview(null);
    setReport(null);
    setError(null);
    if (!file) return;
    setFileName(file.name);
    const text = await file.text();
    setCsv(text);
    setProgress({ done: 0, total: 1 });
    const result = await previewImport(text, { currentYear, onProgress: (done, total) => setProgress({ done, total }) });
    setPreview(result);
  };

  const runImport = async (mode: "all-or-nothing" | "valid-rows") => {
    if (!csv) return;
    setBusy(true);
    setError(null);
    try {
      const result = await api.eligibility.importFamilies(fundId, { csv, mode });
      setReport(result);
      if (result.committed) onImported?.();
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="import-title">
      <h2 id="import-title">{t("eligibility.importTitle")}</h2>
      <p className="hint" id="import-columns">{t("eligibility.columns", { columns: REQUIRED_COLUMNS.join(", ") })}</p>
      <div className="field">
        <label htmlFor="import-file">{t("eligibility.chooseFile")}</label>
        <input id="import-file" type="file" accept=".csv,text/csv" aria-describedby="import-columns" onChange={choose} />
      </div>
      {progress && !preview && <Progress label={t("eligibility.checking", { name: fileName })} value={progress.done} max={progress.total} />}
      {preview && (
        <div aria-live="polite">
          {preview.unreadable ? (
            <Notice kind="error">{t("errors.CSV_UNREADABLE")}</Notice>
          ) : preview.missingColumns.length > 0 ? (
            <Notice kind="error">{t("eligibility.missingColumns", { columns: preview.missingColumns.join(", ") })}</Notice>
          ) : (
            <>
              <h3>{t("eligibility.previewTitle")}</h3>
              <p role="status">
                {t("eligibility.previewSummary", { rows: preview.rows, valid: preview.validRows, families: preview.validFamilies, rejected: preview.rows - preview.validRows })}
              </p>
              <table>
                <caption>{t("eligibility.sampleCaption")}</caption>
                <thead>
                  <tr>
                    {["family_ref", "parent_name", "postal_code", "city", "child_first_name", "child_birth_year"].map((c) => (
                      <th key={c} scope="col">{c}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {preview.sample.map((r, i) => (
                    <tr key={i}>
                      {["family_ref", "parent_name", "postal_code", "city", "child_first_name", "child_birth_year"].map((c) => (
                        <td key={c}>{r[c]}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
              {preview.rejected.length > 0 && <RejectedRows rows={preview.rejected} caption={t("eligibility.rejectedCaption")} />}
              <div className="actions">
                {preview.validFamilies > 0 && (
                  <button type="button" className="primary" disabled={busy} onClick={() => runImport("valid-rows")}>
                    {t("eligibility.importValid", { count: preview.validFamilies })}
                  </button>
                )}
                {preview.rejected.length === 0 && preview.rows > 0 && (
                  <button type="button" disabled={busy} onClick={() => runImport("all-or-nothing")}>{t("eligibility.importAll")}</button>
                )}
              </div>
              {busy && <Progress label={t("eligibility.importing")} value={0} max={0} />}
            </>
          )}
        </div>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      {report && (
        <div>
          <Notice kind={report.committed ? "success" : "error"}>
            {report.committed
              ? t("eligibility.imported", { families: report.families, children: report.accepted, rejected: report.rejected.length })
              : t("eligibility.notImported", { rejected: report.rejected.length })}
          </Notice>
          {report.rejected.length > 0 && (
            <RejectedRows rows={report.rejected.map((r) => ({ row: r.row, field: r.field, reason: r.code, params: r.params }))} caption={t("eligibility.serverRejectedCaption")} />
          )}
        </div>
      )}
    </section>
  );
}
