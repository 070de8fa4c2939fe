// The staff app: the session (login / logout), the header with fund and language choice, the navigation
// filtered by role, and the screen for the current address (#/…). Features never import each other.
import { Suspense, lazy, useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, type Fund, type StaffSession } from "@tegoed/sdk";
import { useApi } from "../lib/api.ts";
import { LanguageChooser } from "@tegoed/ui/language-chooser";
import { staffLanguages } from "../i18n/index.ts";
import { can, type Action } from "../lib/roles.ts";
import { StaffContext, type StaffContextValue } from "../lib/session.ts";
import { Loading } from "../lib/ui.tsx";
import { LoginPage } from "./LoginPage.tsx";
import { SecondFactorPage } from "../features/security/SecondFactorPage.tsx";
import { FundsPage } from "../features/funds/FundsPage.tsx";
import { FamiliesPage } from "../features/eligibility/FamiliesPage.tsx";
import { TopUpPage } from "../features/topup/TopUpPage.tsx";
import { IntervenePage } from "../features/intervene/IntervenePage.tsx";
import { ShopsPage } from "../features/shops/ShopsPage.tsx";
import { AuditLogPage } from "../features/audit/AuditLogPage.tsx";
import { PayoutsPage, payoutsAvailable } from "../features/payouts/PayoutsPage.tsx";
import { MailPage } from "../features/mail/MailPage.tsx";
import { ApplicationsPage } from "../features/applications/ApplicationsPage.tsx";
import { UsersPage } from "../features/users/UsersPage.tsx";
import { AccessibilityStatement } from "@tegoed/ui/accessibility-statement";

const STATEMENT_PATH = "/accessibility";

// The charts library is the biggest part of the app: loaded only when a dashboard is shown.
const DashboardPage = lazy(() => import("../features/dashboard/DashboardPage.tsx").then((m) => ({ default: m.DashboardPage })));

interface Screen {
  path: string;
  label: string;
  action: Action;
  needsFund: boolean;
  render: () => ReactNode;
}

function useHashPath(): [string, (path: string) => void] {
  const read = () => window.location.hash.replace(/^#/, "") || "/";
  const [path, setPath] = useState(read);
  useEffect(() => {
    const onChange = () => setPath(read());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return [path, (next) => (window.location.hash = next)];
}

export function App() {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const [session, setSession] = useState<StaffSession | null | undefined>(undefined);
  const [funds, setFunds] = useState<Fund[]>([]);
  const [fundId, setFundId] = useState<string | null>(() => sessionStorage.getItem("tegoed.staff.fund"));
  const [path, navigate] = useHashPath();

  const [expired, setExpired] = useState(false);
  useEffect(() => {
    api.staff.me().then(setSession, () => setSession(null));
  }, [api]);

  // A session that ends while someone works (timeout, account disabled) brings back the login page,
  // whichever screen made the call: every typed method goes through `request`.
  useEffect(() => {
    const original = api.request.bind(api);
    api.request = (async (...args: Parameters<typeof original>) => {
      try {
        return await original(...args);
      } catch (error) {
        if (error instanceof ApiError && error.code === "UNAUTHENTICATED" && args[1] !== "/api/staff/session") {
          setSession((current) => {
            if (current) setExpired(true);
            return null;
          });
        }
        throw error;
      }
    }) as typeof api.request;
    return () => {
      api.request = original;
    };
  }, [api]);

  const reloadFunds = useCallback(async () => {
    const list = await api.funds.list();
    setFunds(list.funds);
  }, [api]);

  useEffect(() => {
    if (session && !session.user.mustEnrolTotp) void reloadFunds();
  }, [session, reloadFunds]);

  const fund = funds.find((f) => f.id === fundId) ?? funds[0] ?? null;
  const selectFund = (id: string) => {
    setFundId(id);
    sessionStorage.setItem("tegoed.staff.fund", id);
  };

  // The page's title names the screen, so screen-reader users know where a link took them.
  const screens: Screen[] = [
    { path: "/", label: t("nav.dashboard"), action: "dashboard.view", needsFund: true, render: () => <Suspense fallback={<Loading />}><DashboardPage /></Suspense> },
    { path: "/funds", label: t("nav.funds"), action: "dashboard.view", needsFund: false, render: () => <FundsPage /> },
    { path: "/families", label: t("nav.families"), action: "families.import", needsFund: true, render: () => <FamiliesPage /> },
    { path: "/applications", label: t("nav.applications"), action: "applications.view", needsFund: true, render: () => <ApplicationsPage /> },
    { path: "/top-up", label: t("nav.topUp"), action: "budgets.topUp", needsFund: true, render: () => <TopUpPage /> },
    { path: "/intervene", label: t("nav.intervene"), action: "families.search", needsFund: true, render: () => <IntervenePage /> },
    { path: "/shops", label: t("nav.shops"), action: "shops.review", needsFund: false, render: () => <ShopsPage /> },
    ...(payoutsAvailable(api)
      ? [{ path: "/payouts", label: t("nav.payouts"), action: "payouts.view" as const, needsFund: true, render: () => <PayoutsPage /> }]
      : []),
    { path: "/audit", label: t("nav.audit"), action: "audit.view", needsFund: false, render: () => <AuditLogPage /> },
    { path: "/mail", label: t("nav.mail"), action: "mail.view", needsFund: false, render: () => <MailPage /> },
    { path: "/users", label: t("nav.users"), action: "staff.manage", needsFund: false, render: () => <UsersPage /> },
  ];

  const current = screens.find((s) => s.path === path) ?? screens[0]!;
  useEffect(() => {
    document.title = path === STATEMENT_PATH ? `${t("statement.title")} · Tegoed` : session ? `${current.label} · Tegoed` : `${t("login.title")} · Tegoed`;
  }, [current.label, session, t, path]);

  // Another screen: focus goes to its heading, so a screen reader starts there and Tab goes on from it.
  const shown = useRef<string | null>(null);
  useEffect(() => {
    if (session === undefined) return;
    const before = shown.current;
    shown.current = path;
    if (before === null || before === path) return;
    const heading = document.querySelector<HTMLElement>("main h1");
    if (heading) heading.tabIndex = -1;
    (heading ?? document.getElementById("main"))?.focus({ preventScroll: true });
  }, [path, session]);

  const footer = (
    <footer className="footer">
      <a href={`#${STATEMENT_PATH}`} aria-current={path === STATEMENT_PATH ? "page" : undefined}>{t("statement.link")}</a>
    </footer>
  );

  const languageSwitch = <LanguageChooser languages={staffLanguages.languages} label={t("common.language")} />;

  if (session === undefined) return <main id="main"><Loading /></main>;
  if (session === null) {
    return (
      <>
        <header className="topbar">
          <span className="brand">Tegoed</span>
          {languageSwitch}
        </header>
        {path === STATEMENT_PATH
          ? <main id="main" tabIndex={-1}><AccessibilityStatement /></main>
          : <LoginPage onLoggedIn={(next) => { setExpired(false); setSession(next); }} expired={expired} />}
        {footer}
      </>
    );
  }

  const roles = session.user.roles;
  const allowed = screens.filter((s) => can(roles, s.action));
  const screen = allowed.find((s) => s.path === path) ?? allowed[0];
  const value: StaffContextValue = { user: session.user, roles, funds, fund, selectFund, reloadFunds };

  const logout = async () => {
    await api.staff.logout().catch(() => undefined);
    setSession(null);
  };

  return (
    <StaffContext.Provider value={value}>
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>
        {t("common.skip")}
      </a>
      <header className="topbar">
        <span className="brand">Tegoed</span>
        {funds.length > 0 && (
          <div className="fund-select">
            <label htmlFor="fund-select">{t("common.fund")}</label>
            <select id="fund-select" value={fund?.id ?? ""} onChange={(e) => selectFund(e.target.value)}>
              {funds.map((f) => (
                <option key={f.id} value={f.id}>{f.name}</option>
              ))}
            </select>
          </div>
        )}
        {languageSwitch}
        <span className="user">
          {session.user.email} ({roles.map((r) => t(`roles.${r}`)).join(", ")})
        </span>
        {!session.user.totpEnabled && !session.user.mustEnrolTotp && <a href="#/second-factor">{t("security.link")}</a>}
        <button type="button" onClick={logout}>{t("login.logout")}</button>
      </header>
      <nav aria-label={t("nav.label")}>
        <ul>
          {allowed.map((s) => (
            <li key={s.path}>
              <a href={`#${s.path}`} aria-current={s === screen ? "page" : undefined} onClick={(e) => { e.preventDefault(); navigate(s.path); }}>
                {s.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {path === STATEMENT_PATH ? (
          <AccessibilityStatement />
        ) : session.user.mustEnrolTotp || path === "/second-factor" ? (
          <SecondFactorPage user={session.user} onEnabled={(user) => { setSession({ ...session, user }); navigate("/"); }} />
        ) : !screen ? (
          <p>{t("common.nothingAllowed")}</p>
        ) : screen.needsFund && !fund ? (
          <>
            <h1>{screen.label}</h1>
            <p>{t("common.noFund")}</p>
          </>
        ) : (
          // A screen about one fund starts afresh when another fund is chosen; the others keep their state.
          <div key={screen.needsFund ? `${screen.path}:${fund?.id ?? ""}` : screen.path}>{screen.render()}</div>
        )}
      </main>
      {footer}
    </StaffContext.Provider>
  );
}
