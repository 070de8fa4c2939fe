// A fund's application settings as a form: questions (add, remove, reorder; per type the answer that
// passes), documents asked for, consent text, retention, four-eyes, the BSN. Checked with the sdk's
// schema before it is sent, each refusal said in the user's language with the field it is about.
import { useEffect, useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import type { TFunction } from "i18next";
import { applicationsApi, ApplicationSettingsSchema, type ApplicationSettings, type Criterion, type RequestedDocument } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { errorText } from "../../lib/errors.ts";
import { Notice } from "../../lib/ui.tsx";

type Kind = Criterion["kind"];
type Issue = NonNullable<ReturnType<typeof ApplicationSettingsSchema.safeParse>["error"]>["issues"][number];
type Direction = "max" | "min" | "between";

/** A question as the form edits it: every field as typed text, turned into a Criterion on save. */
interface QuestionDraft {
  id: string;
  kind: Kind;
  label: string;
  explanation: string;
  expected: boolean;
  direction: Direction;
  min: string;
  max: string;
  unit: string;
  from: string;
  to: string;
  children: boolean;
  options: { value: string; label: string; accepted: boolean }[];
}

interface DocumentDraft {
  key: string;
  label: string;
  explanation: string;
  required: boolean;
}

const KINDS: Kind[] = ["yes-no", "number", "date", "choice"];

/** A key the form makes for a new question, option or document (the wire's lower-case key). */
function newKey(prefix: string, taken: readonly string[]): string {
  for (let n = taken.length + 1; ; n++) if (!taken.includes(`${prefix}-${n}`)) return `${prefix}-${n}`;
}

function emptyQuestion(id: string): QuestionDraft {
  return {
    id, kind: "yes-no", label: "", explanation: "", expected: true, direction: "max", min: "", max: "", unit: "", from: "", to: "", children: false,
    options: [{ value: "option-1", label: "", accepted: true }, { value: "option-2", label: "", accepted: false }],
  };
}

function toDraft(c: Criterion): QuestionDraft {
  const base = emptyQuestion(c.id);
  const common = { ...base, kind: c.kind, label: c.label, explanation: c.explanation };
  switch (c.kind) {
    case "yes-no":
      return { ...common, expected: c.expected };
    case "number":
      return {
        ...common, unit: c.unit, min: c.min === undefined ? "" : String(c.min), max: c.max === undefined ? "" : String(c.max),
        direction: c.min !== undefined && c.max !== undefined ? "between" : c.min !== undefined ? "min" : "max",
      };
    case "date":
      return { ...common, from: c.from ?? "", to: c.to ?? "", children: c.children };
    case "choice":
      return { ...common, options: c.options.map((o) => ({ value: o.value, label: o.label, accepted: c.accepted.includes(o.value) })) };
  }
}

const whole = (text: string): number | string | undefined => (text.trim() === "" ? undefined : /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text);

/** The wire's input for one question (what the schema then checks). */
function fromDraft(q: QuestionDraft): unknown {
  const common = { id: q.id, kind: q.kind, label: q.label, explanation: q.explanation };
  switch (q.kind) {
    case "yes-no":
      return { ...common, expected: q.expected };
    case "number":
      return { ...common, unit: q.unit, ...(q.direction !== "max" && { min: whole(q.min) ?? "" }), ...(q.direction !== "min" && { max: whole(q.max) ?? "" }) };
    case "date":
      return { ...common, children: q.children, ...(q.from && { from: q.from }), ...(q.to && { to: q.to }) };
    case "choice":
      return { ...common, options: q.options.map((o) => ({ value: o.value, label: o.label })), accepted: q.options.filter((o) => o.accepted).map((o) => o.value) };
  }
}

/** Where an issue is, in words: "Question 2, text". */
function place(t: TFunction, path: readonly PropertyKey[]): string {
  const [top, index, field, sub] = path;
  if (top === "criteria" && typeof index === "number") {
    const where = t("applications.editor.questionN", { n: index + 1 });
    if (field === "options" && typeof sub === "number") return `${where}, ${t("applications.editor.optionN", { n: sub + 1 })}`;
    return field ? `${where}, ${t(`applications.editor.field.${String(field)}`, { defaultValue: String(field) })}` : where;
  }
  if (top === "documents" && typeof index === "number") {
    const where = t("applications.editor.documentN", { n: index + 1 });
    return field ? `${where}, ${t(`applications.editor.field.${String(field)}`, { defaultValue: String(field) })}` : where;
  }
  return t(`applications.editor.field.${String(top)}`, { defaultValue: String(top) });
}

/** What is wrong, in words, from the kind of issue zod found. */
function problem(t: TFunction, issue: Issue): string {
  switch (issue.code) {
    case "too_small":
      return issue.origin === "string" ? t("applications.editor.problem.empty") : t("applications.editor.problem.tooFew", { count: Number(issue.minimum) });
    case "too_big":
      return t("applications.editor.problem.tooLong", { count: Number(issue.maximum) });
    case "invalid_type":
      return t("applications.editor.problem.number");
    case "invalid_format":
      return t("applications.editor.problem.date");
    default:
      return t("applications.editor.problem.invalid");
  }
}

/** The settings' input, or the list of what is wrong (in the user's language). */
export function checkSettings(t: TFunction, input: unknown): { ok: true; settings: ApplicationSettings } | { ok: false; problems: string[] } {
  const parsed = ApplicationSettingsSchema.safeParse(input);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${place(t, issue.path)}: ${problem(t, issue)}`);
  if (parsed.success) {
    parsed.data.criteria.forEach((c, i) => {
      if (c.kind === "number" && c.min !== undefined && c.max !== undefined && c.min > c.max) {
        problems.push(`${place(t, ["criteria", i, "max"])}: ${t("applications.editor.problem.range")}`);
      }
      if (c.kind === "date" && c.from && c.to && c.from > c.to) problems.push(`${place(t, ["criteria", i, "to"])}: ${t("applications.editor.problem.range")}`);
    });
  }
  return parsed.success && problems.length === 0 ? { ok: true, settings: parsed.data } : { ok: false, problems: [...new Set(problems)] };
}

export function SettingsForm({ fundId }: { fundId: string }) {
  const client = useApi();
  const api = applicationsApi(client).staff;
  const { t } = useTranslation();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [fourEyes, setFourEyes] = useState(false);
  const [bsnRequired, setBsnRequired] = useState(false);
  const [retention, setRetention] = useState("365");
  const [consent, setConsent] = useState("");
  const [questions, setQuestions] = useState<QuestionDraft[]>([]);
  const [documents, setDocuments] = useState<DocumentDraft[]>([]);
  const [problems, setProblems] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => void api.settings(fundId).then((s) => {
    setOpen(s.open); setFourEyes(s.fourEyes); setBsnRequired(s.bsnRequired ?? false); setRetention(String(s.retentionDays)); setConsent(s.consentText);
    setQuestions(s.criteria.map(toDraft)); setDocuments(s.documents.map((d: RequestedDocument) => ({ ...d })));
  }, (e) => setError(errorText(t, e))), [fundId]);

  const change = (i: number, patch: Partial<QuestionDraft>) => setQuestions((qs) => qs.map((q, j) => (j === i ? { ...q, ...patch } : q)));
  const move = (i: number, by: -1 | 1) => setQuestions((qs) => {
    const next = [...qs];
    [next[i], next[i + by]] = [next[i + by]!, next[i]!];
    return next;
  });
  const changeDoc = (i: number, patch: Partial<DocumentDraft>) => setDocuments((ds) => ds.map((d, j) => (j === i ? { ...d, ...patch } : d)));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    const checked = checkSettings(t, {
      open, fourEyes, bsnRequired, retentionDays: whole(retention) ?? "", consentText: consent,
      criteria: questions.map(fromDraft), documents,
    });
    if (!checked.ok) {
      setProblems(checked.problems);
      return;
    }
    setProblems([]);
    try {
      await api.saveSettings(fundId, checked.settings);
      setSaved(true);
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  return (
    <form className="stack" onSubmit={save} noValidate>
      <label className="check"><input type="checkbox" checked={open} onChange={(e) => setOpen(e.target.checked)} /> {t("applications.open")}</label>
      <label className="check"><input type="checkbox" checked={fourEyes} onChange={(e) => setFourEyes(e.target.checked)} /> {t("applications.fourEyesSetting")}</label>
      <label className="check"><input type="checkbox" checked={bsnRequired} onChange={(e) => setBsnRequired(e.target.checked)} /> {t("applications.bsnSetting")}</label>
      <div className="field">
        <label htmlFor={`${id}-ret`}>{t("applications.retention")}</label>
        <input id={`${id}-ret`} inputMode="numeric" value={retention} onChange={(e) => setRetention(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-consent`}>{t("applications.consentText")}</label>
        <textarea id={`${id}-consent`} rows={3} value={consent} onChange={(e) => setConsent(e.target.value)} />
      </div>

      <h2>{t("applications.editor.questions")}</h2>
      {questions.length === 0 && <p>{t("applications.editor.noQuestions")}</p>}
      {questions.map((q, i) => {
        const f = `${id}-q${i}`;
        const n = i + 1;
        return (
          <fieldset key={q.id} className="stack">
            <legend>{t("applications.editor.questionN", { n })}</legend>
            <div className="field">
              <label htmlFor={`${f}-label`}>{t("applications.editor.field.label")}</label>
              <input id={`${f}-label`} value={q.label} onChange={(e) => change(i, { label: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor={`${f}-explanation`}>{t("applications.editor.field.explanation")}</label>
              <textarea id={`${f}-explanation`} rows={2} value={q.explanation} onChange={(e) => change(i, { explanation: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor={`${f}-kind`}>{t("applications.editor.field.kind")}</label>
              <select id={`${f}-kind`} value={q.kind} onChange={(e) => change(i, { kind: e.target.value as Kind })}>
                {KINDS.map((k) => <option key={k} value={k}>{t(`applications.editor.kind.${k}`)}</option>)}
              </select>
            </div>
            {q.kind === "yes-no" && (
              <div className="field">
                <label htmlFor={`${f}-expected`}>{t("applications.editor.field.expected")}</label>
                <select id={`${f}-expected`} value={q.expected ? "yes" : "no"} onChange={(e) => change(i, { expected: e.target.value === "yes" })}>
                  <option value="yes">{t("applications.yes")}</option>
                  <option value="no">{t("applications.no")}</option>
                </select>
              </div>
            )}
            {q.kind === "number" && (
              <>
                <div className="field">
                  <label htmlFor={`${f}-direction`}>{t("applications.editor.field.direction")}</label>
                  <select id={`${f}-direction`} value={q.direction} onChange={(e) => change(i, { direction: e.target.value as Direction })}>
                    {(["max", "min", "between"] as const).map((d) => <option key={d} value={d}>{t(`applications.editor.direction.${d}`)}</option>)}
                  </select>
                </div>
                {q.direction !== "max" && (
                  <div className="field">
                    <label htmlFor={`${f}-min`}>{t("applications.editor.field.min")}</label>
                    <input id={`${f}-min`} inputMode="numeric" value={q.min} onChange={(e) => change(i, { min: e.target.value })} />
                  </div>
                )}
                {q.direction !== "min" && (
                  <div className="field">
                    <label htmlFor={`${f}-max`}>{t("applications.editor.field.max")}</label>
                    <input id={`${f}-max`} inputMode="numeric" value={q.max} onChange={(e) => change(i, { max: e.target.value })} />
                  </div>
                )}
                <div className="field">
                  <label htmlFor={`${f}-unit`}>{t("applications.editor.field.unit")}</label>
                  <input id={`${f}-unit`} value={q.unit} onChange={(e) => change(i, { unit: e.target.value })} />
                </div>
              </>
            )}
            {q.kind === "date" && (
              <>
                <div className="field">
                  <label htmlFor={`${f}-from`}>{t("applications.editor.field.from")}</label>
                  <input id={`${f}-from`} type="date" value={q.from} onChange={(e) => change(i, { from: e.target.value })} />
                </div>
                <div className="field">
                  <label htmlFor={`${f}-to`}>{t("applications.editor.field.to")}</label>
                  <input id={`${f}-to`} type="date" value={q.to} onChange={(e) => change(i, { to: e.target.value })} />
                </div>
                <label className="check"><input type="checkbox" checked={q.children} onChange={(e) => change(i, { children: e.target.checked })} /> {t("applications.editor.field.children")}</label>
              </>
            )}
            {q.kind === "choice" && (
              <fieldset className="stack">
                <legend>{t("applications.editor.field.options")}</legend>
                {q.options.map((o, k) => (
                  <div key={o.value} className="row">
                    <label htmlFor={`${f}-o${k}`}>{t("applications.editor.optionN", { n: k + 1 })}</label>
                    <input id={`${f}-o${k}`} value={o.label} onChange={(e) => change(i, { options: q.options.map((x, j) => (j === k ? { ...x, label: e.target.value } : x)) })} />
                    <label className="check">
                      <input type="checkbox" checked={o.accepted} onChange={(e) => change(i, { options: q.options.map((x, j) => (j === k ? { ...x, accepted: e.target.checked } : x)) })} />
                      {" "}{t("applications.editor.accepted", { n: k + 1 })}
                    </label>
                    <button type="button" className="secondary" disabled={q.options.length <= 2}
                      onClick={() => change(i, { options: q.options.filter((_, j) => j !== k) })}>{t("applications.editor.removeOption", { n: k + 1 })}</button>
                  </div>
                ))}
                <button type="button" className="secondary" disabled={q.options.length >= 20}
                  onClick={() => change(i, { options: [...q.options, { value: newKey("option", q.options.map((o) => o.value)), label: "", accepted: false }] })}>
                  {t("applications.editor.addOption")}
                </button>
              </fieldset>
            )}
            <div className="row">
              <button type="button" className="secondary" disabled={i === 0} onClick={() => move(i, -1)}>{t("applications.editor.up", { n })}</button>
              <button type="button" className="secondary" disabled={i === questions.length - 1} onClick={() => move(i, 1)}>{t("applications.editor.down", { n })}</button>
              <button type="button" className="danger" onClick={() => setQuestions((qs) => qs.filter((_, j) => j !== i))}>{t("applications.editor.remove", { n })}</button>
            </div>
          </fieldset>
        );
      })}
      <button type="button" className="secondary" disabled={questions.length >= 30}
        onClick={() => setQuestions((qs) => [...qs, emptyQuestion(newKey("question", qs.map((q) => q.id)))])}>{t("applications.editor.addQuestion")}</button>

      <h2>{t("applications.editor.documents")}</h2>
      {documents.map((d, i) => {
        const f = `${id}-d${i}`;
        return (
          <fieldset key={d.key} className="stack">
            <legend>{t("applications.editor.documentN", { n: i + 1 })}</legend>
            <div className="field">
              <label htmlFor={`${f}-label`}>{t("applications.editor.field.documentLabel")}</label>
              <input id={`${f}-label`} value={d.label} onChange={(e) => changeDoc(i, { label: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor={`${f}-explanation`}>{t("applications.editor.field.explanation")}</label>
              <textarea id={`${f}-explanation`} rows={2} value={d.explanation} onChange={(e) => changeDoc(i, { explanation: e.target.value })} />
            </div>
            <label className="check"><input type="checkbox" checked={d.required} onChange={(e) => changeDoc(i, { required: e.target.checked })} /> {t("applications.editor.field.required")}</label>
            <button type="button" className="danger" onClick={() => setDocuments((ds) => ds.filter((_, j) => j !== i))}>{t("applications.editor.removeDocument", { n: i + 1 })}</button>
          </fieldset>
        );
      })}
      <button type="button" className="secondary" disabled={documents.length >= 10}
        onClick={() => setDocuments((ds) => [...ds, { key: newKey("document", ds.map((d) => d.key)), label: "", explanation: "", required: true }])}>{t("applications.editor.addDocument")}</button>

      {problems.length > 0 && (
        <Notice kind="error">
          <p>{t("applications.settingsInvalid")}</p>
          <ul>{problems.map((p) => <li key={p}>{p}</li>)}</ul>
        </Notice>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      {saved && <Notice kind="success">{t("applications.saved")}</Notice>}
      <button type="submit" className="primary">{t("applications.save")}</button>
    </form>
  );
}
