// Pay: choose a child, unlock with the PIN, show the renewing QR; the app polls (the app's refresh)
// and turns to "Paid €x at Shop" when the chain has the payment.
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { TFunction } from "i18next";
import type { SigningKey } from "ethers";
import type { WalletChild } from "../../lib/api.ts";
import type { KeyStorage } from "../../lib/keystore.ts";
import { centsToInput, formatCents, parseEuros } from "@tegoed/ui/money";
import { detectPayment, watchFrom, type PaidResult, type PaymentWatch } from "./paid.ts";
import { keySigner, nextNonce, signPaymentQr } from "./permit.ts";
import { loadPayLimit, savePayLimit } from "./pay-limit.ts";
import { PinForm } from "./pin-form.tsx";
import { QrCode } from "./qr-code.tsx";
import { MAX_CODES, useRenewingQr, type RenewingQr } from "./use-renewing-qr.ts";
import { Icon } from "@tegoed/ui/icons";

export const POLL_MS = 2000;

export interface PayPageProps {
  children: WalletChild[];
  keys: KeyStorage;
  childId?: string;
  /** Fetches the children again (the app keeps and caches them); called every POLL_MS while the QR shows. */
  poll(): Promise<void>;
  onChooseChild(childId: string): void;
  onDone(): void;
  forgotLink?: ReactNode;
  /** Registers the QR on screen with the backend: the short code a till can type. Absent: no short code. */
  registerPayCode?(qr: string): Promise<string>;
}

const payable = (c: WalletChild) => c.status === "issued" && !c.frozen && (c.balanceCents ?? 0) > 0 &&
  (!c.expiresAt || Date.parse(c.expiresAt) > Date.now());

export function PayPage({ children, keys, childId, poll, onChooseChild, onDone, forgotLink, registerPayCode }: PayPageProps) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const id = useId();
  const choices = children.filter(payable);
  const selectedId = childId ?? (choices.length === 1 ? choices[0]!.childId : undefined);
  const child = children.find((c) => c.childId === selectedId);
  const [key, setKey] = useState<SigningKey | null>(null);
  // The parent's default maximum per payment, remembered from the last QR (€ 50 at first).
  const [limitText, setLimitText] = useState(() => {
    const saved = loadPayLimit();
    return saved === null ? "" : centsToInput(saved, lang);
  });
  const [limitProblem, setLimitProblem] = useState<string | null>(null);
  const [limitCents, setLimitCents] = useState<number | null>(null);
  useEffect(() => {
    // The PIN form is gone: focus goes to the QR screen's heading, not lost on the page.
    if (key) document.getElementById(`${id}-title`)?.focus({ preventScroll: true });
  }, [key, id]);

  if (!child) {
    return (
      <section aria-labelledby={`${id}-title`} className="stack">
        <h1 id={`${id}-title`}>{t("pay.title")}</h1>
        {choices.length === 0 ? <p>{t("pay.notAvailable")}</p> : (
          <fieldset className="stack">
            <legend>{t("pay.chooseChild")}</legend>
            {choices.map((c) => (
              <button key={c.childId} type="button" className="choice" onClick={() => onChooseChild(c.childId)}>
                {t("pay.remainingFor", { name: c.firstName, amount: formatCents(c.balanceCents ?? 0, lang) })}
              </button>
            ))}
          </fieldset>
        )}
      </section>
    );
  }

  const heading = <h1 id={`${id}-title`} tabIndex={-1}>{t("pay.qrFor", { name: child.firstName })}</h1>;
  if (key) {
    // Before the payable check: a payment of the whole balance must still show "Paid".
    return (
      <section aria-labelledby={`${id}-title`} className="stack">
        {heading}
        <ShowQr child={child} signingKey={key} limitCents={limitCents} poll={poll} onDone={onDone} registerPayCode={registerPayCode} />
      </section>
    );
  }
  if (!payable(child)) {
    return <section aria-labelledby={`${id}-title`} className="stack">{heading}<p>{t("pay.notAvailable")}</p></section>;
  }
  const checkLimit = () => {
    if (!limitText.trim()) {
      setLimitCents(null);
      setLimitProblem(null);
      savePayLimit(null);
      return true;
    }
    const cents = parseEuros(limitText);
    if (cents === null || cents <= 0) {
      setLimitProblem(t("pay.limitInvalid"));
      document.getElementById(`${id}-limit`)?.focus();
      return false;
    }
    setLimitCents(cents);
    setLimitProblem(null);
    savePayLimit(cents);
    return true;
  };
  return (
    <section aria-labelledby={`${id}-title`} className="stack">
      {heading}
      <p>{t("pay.remainingFor", { name: child.firstName, amount: formatCents(child.balanceCents ?? 0, lang) })}</p>
      <PinForm keys={keys} submitLabel={t("pay.show")} beforeUnlock={checkLimit} onUnlocked={setKey} forgotLink={forgotLink}>
        <div className="field">
          <label htmlFor={`${id}-limit`}>{t("pay.limit")}</label>
          <p id={`${id}-limit-hint`} className="hint">{t("pay.limitHint", { amount: formatCents(child.balanceCents ?? 0, lang) })}</p>
          <input id={`${id}-limit`} inputMode="decimal" value={limitText} onChange={(e) => setLimitText(e.target.value)}
            aria-invalid={limitProblem ? true : undefined}
            aria-describedby={`${id}-limit-hint${limitProblem ? ` ${id}-limit-error` : ""}`} />
          {limitProblem && <p id={`${id}-limit-error`} className="field-error">{limitProblem}</p>}
        </div>
      </PinForm>
    </section>
  );
}

/** The short code under the QR: asked for each new QR; "offline" when the backend cannot be reached. */
function useShortCode(qrText: string | undefined, register: ((qr: string) => Promise<string>) | undefined) {
  const [state, setState] = useState<{ qr: string; code: string | null; offline: boolean } | null>(null);
  useEffect(() => {
    if (!qrText || !register) return;
    let current = true;
    setState({ qr: qrText, code: null, offline: false });
    register(qrText).then(
      (code) => current && setState({ qr: qrText, code, offline: false }),
      (error: unknown) => {
        const offline = !navigator.onLine || (error as { code?: string })?.code === "NETWORK" || error instanceof TypeError;
        if (current) setState({ qr: qrText, code: null, offline });
      },
    );
    return () => void (current = false);
  }, [qrText, register]);
  return state && state.qr === qrText ? state : null;
}

function ShowQr({ child, signingKey, limitCents, poll, onDone, registerPayCode }: {
  child: WalletChild; signingKey: SigningKey; limitCents: number | null; poll(): Promise<void>; onDone(): void;
  registerPayCode?(qr: string): Promise<string>;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const signer = useMemo(() => keySigner(signingKey), [signingKey]);
  const watch = useRef<PaymentWatch>(watchFrom(child, nextNonce(child)));
  const [paid, setPaid] = useState<PaidResult | null>(null);
  const showing = paid === null;
  const renewing = useRenewingQr((nowMs) => signPaymentQr(signer, child, limitCents, nowMs), showing);
  const shortCode = useShortCode(renewing.qr?.text, registerPayCode);
  const paidTitle = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (paid) paidTitle.current?.focus({ preventScroll: true });
  }, [paid]);
  const screenArea = useRef<HTMLDivElement>(null);
  const qrShown = Boolean(renewing.qr);
  useEffect(() => {
    // The whole code on screen at the till, also on a small phone: the heading may scroll away for it.
    if (qrShown) screenArea.current?.querySelector("svg.qr")?.scrollIntoView?.({ block: "nearest" });
  }, [qrShown]);

  useEffect(() => {
    if (!paid) setPaid(detectPayment(watch.current, child));
  }, [child, paid]);

  useEffect(() => {
    if (!showing) return;
    const timer = setInterval(() => void poll().catch(() => {}), POLL_MS);
    return () => clearInterval(timer);
  }, [showing, poll]);

  useEffect(() => {
    if (!showing) return;
    // A bright, awake screen at the till, where the browser allows it.
    let lock: { release(): Promise<void> } | undefined;
    const wakeLock = (navigator as { wakeLock?: { request(type: "screen"): Promise<{ release(): Promise<void> }> } }).wakeLock;
    wakeLock?.request("screen").then((l) => (lock = l), () => {});
    return () => void lock?.release().catch(() => {});
  }, [showing]);

  const announcement = spoken(t, lang, child.firstName, paid, renewing);
  const live = <p role="status" className="visually-hidden">{announcement}</p>;
  if (paid) {
    const amount = formatCents(paid.amountCents, lang);
    return (
      <div className="paid stack">
        {live}
        <p className="paid-title" ref={paidTitle} tabIndex={-1}><Icon name="check" />{" "}
          {paid.shop ? t("pay.paid", { amount, shop: paid.shop }) : t("pay.paidNoShop", { amount })}
        </p>
        {paid.balanceCents !== null && (
          <p className="paid-balance">{t("pay.newBalance", { name: child.firstName, amount: formatCents(paid.balanceCents, lang) })}</p>
        )}
        <button type="button" className="primary" onClick={onDone}>{t("pay.done")}</button>
      </div>
    );
  }

  const maxAmount = renewing.qr ? Number(renewing.qr.permit.maxAmount) : 0;
  const last = renewing.codes >= MAX_CODES;
  return (
    <div className="stack qr-screen" ref={screenArea}>
      {live}
      {renewing.failed ? (
        <div className="stack">
          <p role="alert">{t("pay.failed")}</p>
          <button type="button" className="primary" onClick={renewing.restart}>{t("pay.again")}</button>
        </div>
      ) : renewing.expired ? (
        <div className="stack">
          <p role="alert">{t("pay.expired")}</p>
          <button type="button" className="primary" onClick={renewing.restart}>{t("pay.again")}</button>
        </div>
      ) : renewing.qr ? (
        <>
          <p>{t("pay.showAtTill")}</p>
          <QrCode text={renewing.qr.text} label={t("pay.qrLabel", { name: child.firstName, amount: formatCents(maxAmount, lang) })} />
          {shortCode && (shortCode.code ? (
            <p className="short-code">
              <span id="short-code-label">{t("pay.shortCode")}</span>{" "}
              <strong className="short-code-value" dir="ltr" aria-describedby="short-code-label" data-testid="short-code">{shortCode.code}</strong>
            </p>
          ) : shortCode.offline ? <p className="notice">{t("pay.shortCodeOffline")}</p> : <p className="muted">{t("pay.shortCodeBusy")}</p>)}
          <p className="upto">{t("pay.upTo", { amount: formatCents(maxAmount, lang) })}</p>
          {/* Read when asked, never every second: the status above speaks at the moments that matter. */}
          <p className="countdown" aria-live="off">
            {t(last ? "pay.lastCountdown" : "pay.countdown", { count: renewing.secondsLeft })}
          </p>
          {last && <button type="button" className="secondary" onClick={renewing.extend}>{t("pay.moreTime")}</button>}
          <p className="muted">{t("pay.waiting")}</p>
        </>
      ) : (
        <p>{t("pay.signing")}</p>
      )}
      <button type="button" className="secondary" onClick={onDone}>{t("pay.cancel")}</button>
    </div>
  );
}

/** Seconds before the last code runs out when the family is told, with time left to ask for more. */
export const WARN_SECONDS = 20;

/**
 * What the status region says: a sentence per moment that matters (code ready, no more renewals, nearly
 * out, paid), never the ticking seconds, which a screen reader would read out every second.
 */
function spoken(t: TFunction, lang: string, name: string, paid: PaidResult | null, renewing: RenewingQr): string {
  if (paid) {
    const amount = formatCents(paid.amountCents, lang);
    const said = paid.shop ? t("pay.paid", { amount, shop: paid.shop }) : t("pay.paidNoShop", { amount });
    return paid.balanceCents === null ? said : `${said}. ${t("pay.newBalance", { name, amount: formatCents(paid.balanceCents, lang) })}`;
  }
  if (renewing.failed || renewing.expired) return ""; // said by the alert
  if (!renewing.qr) return t("pay.signing");
  if (renewing.codes < MAX_CODES) return t("pay.ready");
  return renewing.secondsLeft <= WARN_SECONDS ? t("pay.endingSoon", { count: WARN_SECONDS }) : t("pay.lastCode");
}
