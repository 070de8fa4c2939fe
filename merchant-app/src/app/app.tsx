// Composes the features: who is logged in decides between the public screens (login, apply, status)
// and the till (scan, payments, payouts, team). The screen is kept in the URL for the back button.
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { SESSION_LOST, sessionEvents, useApi } from "../lib/api.tsx";
import { fetchMe, shopTimeZone, type ShopMe } from "../lib/shop-api.ts";
import { LanguageChooser } from "@tegoed/ui/language-chooser";
import { tillLanguages } from "../lib/i18n/index.ts";
import { ApplyScreen } from "../features/apply/apply-screen.tsx";
import { StatusScreen } from "../features/apply/status-screen.tsx";
import { loadApplication } from "../features/apply/application-store.ts";
import { LoginScreen } from "../features/login/login-screen.tsx";
import { ScanScreen } from "../features/scan/scan-screen.tsx";
import { PaymentsScreen } from "../features/payments/payments-screen.tsx";
import { TeamScreen } from "../features/team/team-screen.tsx";
import { PayoutsScreen } from "../features/payouts/payouts-screen.tsx";
import { AccessibilityStatement } from "@tegoed/ui/accessibility-statement";

type PublicView = "login" | "apply" | "status";
type ShopView = "scan" | "payments" | "payouts" | "team";
/** The accessibility statement: open to everyone, logged in or not. */
type View = PublicView | ShopView | "accessibility";

const SHOP_VIEWS: ShopView[] = ["scan", "payments", "payouts", "team"];
const PUBLIC_VIEWS: PublicView[] = ["login", "apply", "status"];
const BASE = import.meta.env.BASE_URL;

function viewFromUrl(): View | null {
  const path = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : "";
  const name = path.split("/")[0] ?? "";
  return ([...SHOP_VIEWS, ...PUBLIC_VIEWS, "accessibility"] as string[]).includes(name) ? (name as View) : null;
}

type Session = { state: "checking" } | { state: "out" } | { state: "in"; me: ShopMe | null; email: string };

function LanguageSwitch({ compact }: { compact: boolean }) {
  const { t } = useTranslation();
  return <LanguageChooser languages={tillLanguages.languages} label={t("app.language")} compact={compact} />;
}

export function App() {
  const { t } = useTranslation();
  const api = useApi();
  const [session, setSession] = useState<Session>({ state: "checking" });
  const [view, setViewState] = useState<View>(() => viewFromUrl() ?? "scan");

  const setView = useCallback((next: View) => {
    setViewState(next);
    const url = `${BASE}${next}`;
    if (window.location.pathname !== url) window.history.pushState(null, "", url);
  }, []);

  useEffect(() => {
    const onPop = () => setViewState(viewFromUrl() ?? "scan");
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  const [expired, setExpired] = useState(false);
  useEffect(() => {
    const onLost = () => {
      setSession((now) => (now.state === "in" ? { state: "out" } : now));
      setExpired(true);
    };
    sessionEvents.addEventListener(SESSION_LOST, onLost);
    return () => sessionEvents.removeEventListener(SESSION_LOST, onLost);
  }, []);

  const restore = useCallback(async () => {
    try {
      const me = await fetchMe(api);
      setSession({ state: "in", me, email: me.user.email });
    } catch {
      setSession({ state: "out" });
    }
  }, [api]);
  useEffect(() => void restore(), [restore]);

  const logout = async () => {
    try {
      await api.merchant.logout();
    } finally {
      setSession({ state: "out" });
      setView("login");
    }
  };

  const signedIn = session.state === "in";
  const current: View = view === "accessibility" ? view : signedIn
    ? (SHOP_VIEWS as View[]).includes(view) ? view : "scan"
    : (PUBLIC_VIEWS as View[]).includes(view) ? view : "login";

  useEffect(() => {
    document.title = `${current === "accessibility" ? t("statement.title") : t(`nav.${current}`)} · ${t("app.name")}`;
  }, [current, t]);

  // Another screen: focus goes to its heading, so a screen reader starts there and Tab goes on from it.
  const shown = useRef<View | null>(null);
  useEffect(() => {
    if (session.state === "checking") return;
    const before = shown.current;
    shown.current = current;
    if (before === null || before === current) return;
    const heading = document.querySelector<HTMLElement>("main h1");
    if (heading) heading.tabIndex = -1;
    (heading ?? document.getElementById("main"))?.focus({ preventScroll: true });
  }, [current, session.state]);

  let screen: ReactNode = null;
  if (current === "accessibility") screen = <AccessibilityStatement />;
  else if (session.state === "checking") screen = <p role="status">{t("common.loading")}</p>;
  else if (!signedIn) {
    if (current === "apply") screen = <ApplyScreen onApplied={() => setView("status")} onBack={() => setView("login")} />;
    else if (current === "status") screen = <StatusScreen onBack={() => setView("login")} />;
    else
      screen = (
        <LoginScreen
          expired={expired}
          onLoggedIn={() => {
            setExpired(false);
            setView("scan");
            void restore();
          }}
          onApply={() => setView("apply")}
          onStatus={loadApplication() ? () => setView("status") : undefined}
        />
      );
  } else {
    const timeZone = shopTimeZone(session.me);
    if (current === "payments") screen = <PaymentsScreen timeZone={timeZone} />;
    else if (current === "team") screen = <TeamScreen />;
    else if (current === "payouts") screen = <PayoutsScreen timeZone={timeZone} />;
    else screen = <ScanScreen />;
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main">{t("app.skip")}</a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-name">{t("app.name")}</span>
          {session.state === "in" && <span className="shop-name">{session.me?.merchant.name ?? session.email}</span>}
        </div>
        {/* Signed in, the list opens from one button: a phone as till keeps the code field in sight. Keyed
            by the screen: another one starts with the list closed. */}
        <LanguageSwitch key={current} compact={signedIn} />
        {signedIn && (
          <button type="button" className="link" onClick={() => void logout()}>
            {t("app.logout")}
          </button>
        )}
      </header>
      {signedIn && (
        <nav className="tabs" aria-label={t("nav.label")}>
          {SHOP_VIEWS.map((name) => (
            <a key={name} href={`${BASE}${name}`} aria-current={current === name ? "page" : undefined} onClick={(e) => { e.preventDefault(); setView(name); }}>
              {t(`nav.${name}`)}
            </a>
          ))}
        </nav>
      )}
      <main id="main" tabIndex={-1}>{screen}</main>
      <footer className="footer">
        <a href={`${BASE}accessibility`} aria-current={current === "accessibility" ? "page" : undefined}
          onClick={(e) => { e.preventDefault(); setView("accessibility"); }}>{t("statement.link")}</a>
      </footer>
    </div>
  );
}
