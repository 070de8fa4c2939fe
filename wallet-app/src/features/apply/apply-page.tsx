// Applying for a fund, before the wallet is activated: log in (the municipality's identity provider or
// an emailed code), a pre-check, the application with its documents and consent, its status and the
// validator's questions, and, once approved, the activation right here (a PIN; the key made on this phone).
import { useCallback, useEffect, useId, useState, type FormEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import {
  ApiError, applicationsApi, createApiClient, isFamilyLanguage, type ApplicationsApi, type Criterion, type FundApplication, type LoginOptions, type OpenFund,
  type PrecheckResult,
} from "@tegoed/sdk";
import { timedFetch } from "../../lib/api.ts";
import { errorMessage } from "../../lib/errors.ts";
import { createDeviceKey, isValidPin, PIN_LENGTH, type KeyStorage } from "../../lib/keystore.ts";

export function httpApplyApi(): ApplicationsApi {
  return applicationsApi(createApiClient({ baseUrl: "", fetch: timedFetch }));
}

type Phase =
  | { kind: "loading" }
  | { kind: "login"; options: LoginOptions; error?: string }
  | { kind: "ready"; funds: OpenFund[]; applications: FundApplication[] };

export interface ApplyPageProps {
  api: ApplicationsApi;
  keys: KeyStorage;
  pbkdf2Iterations?: number;
  /** Where the identity provider sends the browser back to. */
  returnPath: string;
  onActivated(): void;
}

export function ApplyPage({ api, keys, pbkdf2Iterations, returnPath, onActivated }: ApplyPageProps) {
  const { t, i18n } = useTranslation();
  const [phase, setPhase] = useState<Phase>({ kind: "loading" });
  const loginError = new URLSearchParams(window.location.search).get("loginError");

  const load = useCallback(async () => {
    try {
      await api.session();
      const [{ funds }, { applications }] = await Promise.all([api.openFunds(), api.mine()]);
      setPhase({ kind: "ready", funds, applications });
    } catch (error) {
      if (error instanceof ApiError && error.code === "UNAUTHENTICATED") {
        setPhase({ kind: "login", options: await api.loginOptions(), error: loginError ? t("apply.loginFailed") : undefined });
      } else {
        setPhase({ kind: "login", options: { oidc: false, email: false, oidcLabel: "" }, error: errorMessage(error, t, i18n.language) });
      }
    }
  }, [api]);
  useEffect(() => void load(), [load]);

  if (phase.kind === "loading") return <p role="status">{t("app.loading")}</p>;
  if (phase.kind === "login") return <LoginScreen api={api} options={phase.options} error={phase.error} returnPath={returnPath} onLoggedIn={load} />;
  const current = phase.applications.find((a) => a.status !== "declined") ?? phase.applications[0];
  if (current) return <StatusScreen api={api} application={current} keys={keys} pbkdf2Iterations={pbkdf2Iterations} onChanged={load} onActivated={onActivated} />;
  const fund = phase.funds[0];
  if (!fund) return <section className="stack"><h1>{t("apply.title")}</h1><p role="status">{t("apply.noFunds")}</p></section>;
  return <ApplyScreen api={api} fund={fund} onSubmitted={load} />;
}

function LoginScreen({ api, options, error, returnPath, onLoggedIn }: { api: ApplicationsApi; options: LoginOptions; error?: string; returnPath: string; onLoggedIn(): void }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const [email, setEmail] = useState("");
  const [code, setCode] = useState("");
  const [sent, setSent] = useState(false);
  const [failure, setFailure] = useState<string | null>(error ?? null);
  const run = async (work: () => Promise<void>) => {
    setFailure(null);
    try {
      await work();
    } catch (e) {
      setFailure(errorMessage(e, t, i18n.language));
    }
  };
  return (
    <section className="stack" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t("apply.title")}</h1>
      <p>{t("apply.intro")}</p>
      {failure && <p role="alert" className="error-box">{failure}</p>}
      {options.oidc && (
        <a className="button primary" href={`/api/applicant/oidc/start?returnTo=${encodeURIComponent(returnPath)}`}>{t("apply.loginWith", { name: options.oidcLabel })}</a>
      )}
      {options.email && (
        <form className="stack" noValidate onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void run(async () => {
            if (!sent) {
              await api.requestEmailCode({ email, language: i18n.language === "en" ? "en" : "nl" });
              setSent(true);
            } else {
              await api.emailLogin({ email, code });
              onLoggedIn();
            }
          });
        }}>
          <div className="field">
            <label htmlFor={`${id}-email`}>{t("apply.email")}</label>
            <input id={`${id}-email`} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          {sent && (
            <div className="field">
              <label htmlFor={`${id}-code`}>{t("apply.emailCode")}</label>
              <input id={`${id}-code`} inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} />
            </div>
          )}
          <button type="submit" className={options.oidc ? "secondary" : "primary"}>{sent ? t("apply.emailLogin") : t("apply.emailSend")}</button>
        </form>
      )}
    </section>
  );
}

/** One input per criterion the family answers. */
function CriterionField({ criterion, value, onChange }: { criterion: Criterion; value: unknown; onChange(v: boolean | number | string | undefined): void }) {
  const { t } = useTranslation();
  const id = useId();
  const hint = criterion.explanation ? <p id={`${id}-hint`} className="hint">{criterion.explanation}</p> : null;
  const described = criterion.explanation ? `${id}-hint` : undefined;
  if (criterion.kind === "yes-no" || criterion.kind === "choice") {
    const options = criterion.kind === "yes-no"
      ? [{ value: "true", label: t("apply.yes") }, { value: "false", label: t("apply.no") }]
      : criterion.options;
    return (
      <fieldset className="field" aria-describedby={described}>
        <legend>{criterion.label}</legend>
        {hint}
        {options.map((o) => (
          <label key={o.value} className="choice">
            <input type="radio" name={id} value={o.value} checked={String(value) === o.value}
              onChange={() => onChange(criterion.kind === "yes-no" ? o.value === "true" : o.value)} /> {o.label}
          </label>
        ))}
      </fieldset>
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>{criterion.label}</label>
      {hint}
      <input id={id} aria-describedby={described} type={criterion.kind === "date" ? "date" : "text"} inputMode={criterion.kind === "number" ? "numeric" : undefined}
        value={value === undefined ? "" : String(value)}
        onChange={(e) => onChange(e.target.value === "" ? undefined : criterion.kind === "number" && /^-?\d+$/.test(e.target.value) ? Number(e.target.value) : e.target.value)} />
    </div>
  );
}

interface ChildRow { firstName: string; birthDate: string }

function ApplyScreen({ api, fund, onSubmitted }: { api: ApplicationsApi; fund: OpenFund; onSubmitted(): void }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const [answers, setAnswers] = useState<Record<string, boolean | number | string>>({});
  const [children, setChildren] = useState<ChildRow[]>([{ firstName: "", birthDate: "" }]);
  const [household, setHousehold] = useState({ parentName: "", addressLine1: "", postalCode: "", city: "" });
  const [email, setEmail] = useState("");
  const [files, setFiles] = useState<Record<string, File | undefined>>({});
  const [consent, setConsent] = useState(false);
  const [check, setCheck] = useState<PrecheckResult | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const questions = fund.criteria.filter((c) => !(c.kind === "date" && c.children));
  const birthDates = children.map((c) => c.birthDate).filter(Boolean);

  async function precheck(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    try {
      setCheck(await api.precheck(fund.fundId, { answers, childBirthDates: birthDates }));
    } catch (error) {
      setFailure(errorMessage(error, t, i18n.language));
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    if (!consent) {
      setFailure(t("apply.consentMissing"));
      return;
    }
    setBusy(true);
    try {
      const draft = await api.create({
        // The language the form is filled in: the family's letters and mails follow it.
        fundId: fund.fundId, household: { ...household, language: isFamilyLanguage(i18n.language) ? i18n.language : "nl", email: email.trim() }, children, answers,
      });
      for (const doc of fund.documents) {
        const file = files[doc.key];
        if (!file) continue;
        const bytes = new Uint8Array(await file.arrayBuffer());
        let binary = "";
        for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        await api.upload(draft.id, { documentKey: doc.key, fileName: file.name, contentBase64: btoa(binary) });
      }
      await api.submit(draft.id, { consent: true });
      onSubmitted();
    } catch (error) {
      setFailure(errorMessage(error, t, i18n.language));
    } finally {
      setBusy(false);
    }
  }

  const setChild = (i: number, change: Partial<ChildRow>) => setChildren(children.map((c, j) => (j === i ? { ...c, ...change } : c)));

  return (
    <section className="stack" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t("apply.fundTitle", { fund: fund.name })}</h1>
      <form className="stack" noValidate onSubmit={check?.outcome === "likely" || check?.outcome === "unlikely" ? submit : precheck}>
        <h2>{t("apply.precheckTitle")}</h2>
        {questions.map((c) => (
          <CriterionField key={c.id} criterion={c} value={answers[c.id]}
            onChange={(v) => setAnswers((a) => { const next = { ...a }; if (v === undefined) delete next[c.id]; else next[c.id] = v; return next; })} />
        ))}
        <fieldset className="stack">
          <legend>{t("apply.children")}</legend>
          {children.map((child, i) => (
            <div key={i} className="stack">
              <div className="field">
                <label htmlFor={`${id}-child-${i}-name`}>{t("apply.childName", { n: i + 1 })}</label>
                <input id={`${id}-child-${i}-name`} autoComplete="off" value={child.firstName} onChange={(e) => setChild(i, { firstName: e.target.value })} />
              </div>
              <div className="field">
                <label htmlFor={`${id}-child-${i}-birth`}>{t("apply.childBirth", { n: i + 1 })}</label>
                <input id={`${id}-child-${i}-birth`} type="date" value={child.birthDate} onChange={(e) => setChild(i, { birthDate: e.target.value })} />
              </div>
            </div>
          ))}
          <button type="button" className="secondary" onClick={() => setChildren([...children, { firstName: "", birthDate: "" }])}>{t("apply.addChild")}</button>
        </fieldset>
        <div aria-live="polite">
          {check && <p className={check.outcome === "likely" ? "notice" : "error-box"}>{t(`apply.precheck.${check.outcome}`)}</p>}
        </div>
        {(check?.outcome === "likely" || check?.outcome === "unlikely") && (
          <>
            <h2>{t("apply.householdTitle")}</h2>
            {(["parentName", "addressLine1", "postalCode", "city"] as const).map((name) => (
              <div className="field" key={name}>
                <label htmlFor={`${id}-${name}`}>{t(`apply.${name}`)}</label>
                <input id={`${id}-${name}`} value={household[name]} onChange={(e) => setHousehold({ ...household, [name]: e.target.value })}
                  autoComplete={{ parentName: "name", addressLine1: "address-line1", postalCode: "postal-code", city: "address-level2" }[name]} />
              </div>
            ))}
            <div className="field">
              <label htmlFor={`${id}-email`}>{t("apply.contactEmail")}</label>
              <p className="hint" id={`${id}-email-hint`}>{t("apply.contactEmailHint")}</p>
              <input id={`${id}-email`} type="email" inputMode="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)}
                aria-describedby={`${id}-email-hint`} />
            </div>
            {fund.documents.map((doc) => (
              <div className="field" key={doc.key}>
                <label htmlFor={`${id}-doc-${doc.key}`}>{doc.label}</label>
                {doc.explanation && <p className="hint" id={`${id}-doc-${doc.key}-hint`}>{doc.explanation} {t("apply.fileHint")}</p>}
                <input id={`${id}-doc-${doc.key}`} type="file" accept="application/pdf,image/jpeg,image/png" aria-describedby={`${id}-doc-${doc.key}-hint`}
                  onChange={(e) => setFiles({ ...files, [doc.key]: e.target.files?.[0] })} />
              </div>
            ))}
            <div className="field">
              <p>{fund.consentText}</p>
              <label className="choice"><input type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} /> {t("apply.consent")}</label>
            </div>
          </>
        )}
        {failure && <p role="alert" className="error-box">{failure}</p>}
        {busy && <p role="status">{t("apply.busy")}</p>}
        <button type="submit" className="primary" disabled={busy}>
          {check?.outcome === "likely" || check?.outcome === "unlikely" ? t("apply.submit") : t("apply.precheckButton")}
        </button>
      </form>
    </section>
  );
}

function StatusScreen({ api, application, keys, pbkdf2Iterations, onChanged, onActivated }: {
  api: ApplicationsApi; application: FundApplication; keys: KeyStorage; pbkdf2Iterations?: number; onChanged(): void; onActivated(): void;
}) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const [reply, setReply] = useState("");
  const [pin, setPin] = useState("");
  const [pinRepeat, setPinRepeat] = useState("");
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<void>) => {
    setFailure(null);
    setBusy(true);
    try {
      await work();
    } catch (e) {
      setFailure(errorMessage(e, t, i18n.language));
    } finally {
      setBusy(false);
    }
  };
  let action: ReactNode = null;
  if (application.status === "questions") {
    action = (
      <form className="stack" noValidate onSubmit={(e) => { e.preventDefault(); void run(async () => { await api.reply(application.id, { body: reply }); setReply(""); onChanged(); }); }}>
        <div className="field">
          <label htmlFor={`${id}-reply`}>{t("apply.reply")}</label>
          <textarea id={`${id}-reply`} value={reply} onChange={(e) => setReply(e.target.value)} rows={4} />
        </div>
        <button type="submit" className="primary" disabled={busy}>{t("apply.sendReply")}</button>
      </form>
    );
  } else if (application.canActivate) {
    action = (
      <form className="stack" noValidate onSubmit={(e) => {
        e.preventDefault();
        if (!isValidPin(pin)) return setFailure(t("activation.pinInvalid", { length: PIN_LENGTH }));
        if (pin !== pinRepeat) return setFailure(t("activation.pinMismatch"));
        void run(async () => {
          const { stored } = await createDeviceKey(pin, pbkdf2Iterations);
          await api.activate(application.id, { holderAddress: stored.address });
          await keys.save(stored);
          onActivated();
        });
      }}>
        <h2>{t("activation.pinTitle")}</h2>
        <p>{t("activation.pinIntro", { length: PIN_LENGTH })}</p>
        <div className="field">
          <label htmlFor={`${id}-pin`}>{t("activation.pin", { length: PIN_LENGTH })}</label>
          <input id={`${id}-pin`} type="password" inputMode="numeric" autoComplete="new-password" maxLength={PIN_LENGTH} className="pin-input" value={pin} onChange={(e) => setPin(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-pinRepeat`}>{t("activation.pinRepeat")}</label>
          <input id={`${id}-pinRepeat`} type="password" inputMode="numeric" autoComplete="new-password" maxLength={PIN_LENGTH} className="pin-input" value={pinRepeat} onChange={(e) => setPinRepeat(e.target.value)} />
        </div>
        <button type="submit" className="primary" disabled={busy}>{t("activation.submit")}</button>
      </form>
    );
  }
  return (
    <section className="stack" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t("apply.statusTitle", { fund: application.fundName })}</h1>
      <p role="status" className="notice">{t(`apply.status.${application.status}`)}</p>
      {application.declineReason && <p><strong>{t("apply.declineReason")}</strong> {application.declineReason}</p>}
      {application.messages.length > 0 && (
        <ol className="stack" aria-label={t("apply.messages")}>
          {application.messages.map((m) => (
            <li key={m.id}><strong>{t(`apply.author.${m.author}`)}:</strong> {m.body}</li>
          ))}
        </ol>
      )}
      {failure && <p role="alert" className="error-box">{failure}</p>}
      {busy && <p role="status">{t("apply.busy")}</p>}
      {action}
      <button type="button" className="secondary" onClick={onChanged}>{t("apply.refresh")}</button>
    </section>
  );
}
