// The public page: each fund's figures without login, privacy-safe (the backend suppresses small
// groups), with the contract addresses and the block they were read at, so anyone can check them.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { PublicFund, PublicFundList } from "@tegoed/sdk";
import { LanguageChooser } from "@tegoed/ui/language-chooser";
import { staffLanguages } from "../i18n/index.ts";
import { formatCents, formatNumber } from "@tegoed/ui/money";
// Not the sdk's index: keeps this page's bundle small.
import { categoryLabel, OTHER_CATEGORY, PUBLIC_MIN_FAMILIES_PER_CATEGORY } from "@tegoed/sdk/categories";
import { formatDateTime, formatDay } from "@tegoed/sdk/dates";
import { CardBalanceCheck } from "./CardBalance.tsx";
import { AccessibilityStatement } from "@tegoed/ui/accessibility-statement";

/** The fund id in /public/<id>, if the page was opened for one fund. */
export function fundIdInPath(path: string): string | null {
  return /^\/public\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i.exec(path)?.[1] ?? null;
}

/** Plain fetch, not the sdk client: keeps this page's bundle small. One fund when the address names it. */
export async function fetchPublicFunds(fetcher: typeof fetch = fetch, path = window.location.pathname): Promise<PublicFundList> {
  const id = fundIdInPath(path);
  const response = await fetcher(id ? `/api/public/funds/${id}` : "/api/public/funds", { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return id ? { funds: [(await response.json()) as PublicFund] } : ((await response.json()) as PublicFundList);
}

export function PublicFundFigures({ fund }: { fund: PublicFund }) {
  const { t, i18n } = useTranslation();
  const money = (c: number | null) => (c === null ? t("public.suppressed") : formatCents(c, i18n.language, fund.currency));
  const count = (c: number | string) => (typeof c === "number" ? formatNumber(c, i18n.language) : t("public.fewer", { n: c.replace("<", "") }));
  const id = `fund-${fund.id}`;
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{fund.name}</h2>
      <p>{t("public.validUntil", { amount: formatCents(fund.amountPerChildCents, i18n.language, fund.currency), date: formatDay(fund.budgetExpiry, i18n.language) })}</p>
      <p data-figure="as-of">{t("public.asOf", { time: formatDateTime(fund.asOf, i18n.language) })}</p>
      <dl className="figures">
        <div data-figure="children"><dt>{t("public.children")}</dt><dd>{count(fund.children)}</dd></div>
        <div data-figure="total"><dt>{t("public.totalBudget")}</dt><dd>{money(fund.totalBudgetCents)}</dd></div>
        <div data-figure="spent"><dt>{t("public.spent")}</dt><dd>{money(fund.spentCents)}</dd></div>
        <div data-figure="paid"><dt>{t("public.paidToShops")}</dt><dd>{money(fund.paidToShopsCents)}</dd></div>
        <div data-figure="shops"><dt>{t("public.shops")}</dt><dd>{formatNumber(fund.shops, i18n.language)}</dd></div>
      </dl>
      {fund.totalBudgetCents === null && <p>{t("public.whySuppressed")}</p>}
      {fund.byCategory.length > 0 && (
        <>
        <table>
          <caption>{t("public.byCategory")}</caption>
          <thead>
            <tr><th scope="col">{t("public.category")}</th><th scope="col" className="num">{t("public.spent")}</th></tr>
          </thead>
          <tbody>
            {fund.byCategory.map((c) => (
              <tr key={c.category}><th scope="row">{c.category === OTHER_CATEGORY ? t("public.other") : categoryLabel(c.category, i18n.language)}</th><td className="num">{money(c.spentCents)}</td></tr>
            ))}
          </tbody>
        </table>
        <p className="hint">{t("public.categoryRule", { n: PUBLIC_MIN_FAMILIES_PER_CATEGORY })}</p>
        </>
      )}
      <h3>{t("public.checkTitle")}</h3>
      <dl>
        <dt>{t("public.fundContract")}</dt>
        <dd className="mono">{fund.contracts.fund}</dd>
        {fund.contracts.factory && (<><dt>{t("public.factoryContract")}</dt><dd className="mono">{fund.contracts.factory}</dd></>)}
        <dt>{t("public.block")}</dt>
        <dd>{fund.blockNumber === null ? t("public.noBlock") : formatNumber(fund.blockNumber, i18n.language)}</dd>
      </dl>
      <p>{t("public.checkHow")}</p>
      <p>
        <a href={`/public/${fund.id}`}>{t("public.link", { name: fund.name })}</a>
      </p>
    </section>
  );
}

/** The figures change slowly: a fresh read every half minute, none while the tab is hidden. */
export const PUBLIC_REFRESH_MS = 30_000;

const loadFromServer = () => fetchPublicFunds();

export function PublicPage({ load = loadFromServer }: { load?: () => Promise<PublicFundList> }) {
  const { t, i18n } = useTranslation();
  const [funds, setFunds] = useState<PublicFund[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastRead = -Infinity;
    let stopped = false;
    // One timer at a time; a shown tab reads when the last read is 30 s old, a hidden one never.
    const schedule = () => {
      clearTimeout(timer);
      if (stopped || document.hidden) return;
      timer = setTimeout(refresh, Math.max(0, lastRead + PUBLIC_REFRESH_MS - performance.now()));
    };
    const refresh = () => {
      lastRead = performance.now();
      load().then(
        (list) => {
          setFunds(list.funds);
          setFailed(false);
        },
        () => setFailed(true),
      ).finally(schedule);
    };
    refresh();
    document.addEventListener("visibilitychange", schedule);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", schedule);
    };
  }, [load]);
  // The accessibility statement on this page itself (#accessibility): visitors need no staff app.
  const [statement, setStatement] = useState(() => window.location.hash === "#accessibility");
  useEffect(() => {
    const onHash = () => {
      setStatement(window.location.hash === "#accessibility");
      document.getElementById("main")?.focus({ preventScroll: true });
    };
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => {
    document.title = statement ? `${t("statement.title")} · ${t("public.title")}` : t("public.title");
  }, [t, statement]);
  return (
    <>
      <header className="topbar">
        <span className="brand">Tegoed</span>
        <LanguageChooser languages={staffLanguages.languages} label={t("common.language")} />
      </header>
      {statement ? (
        <main id="main" tabIndex={-1}>
          <AccessibilityStatement />
          <p><a href="#">{t("public.title")}</a></p>
        </main>
      ) : (
      <main id="main" tabIndex={-1}>
        <h1>{t("public.title")}</h1>
        <p>{t("public.intro")}</p>
        {failed && <div className="notice notice-error" role="alert">{t("public.failed")}</div>}
        {funds === null && !failed && <p role="status">{t("common.loading")}</p>}
        {funds?.length === 0 && <p>{t("public.none")}</p>}
        {funds?.map((fund) => <PublicFundFigures key={fund.id} fund={fund} />)}
        <CardBalanceCheck />
      </main>
      )}
      <footer className="footer">
        <a href="#accessibility" aria-current={statement ? "page" : undefined}>{t("statement.link")}</a>
      </footer>
    </>
  );
}
