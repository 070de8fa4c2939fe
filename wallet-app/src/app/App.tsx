// Composes the features: the shell (header, language, menu, offline banner) and one screen per path.
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from "react";
import { I18nextProvider, useTranslation } from "react-i18next";
import type { i18n } from "i18next";
import { ActivationPage } from "../features/activation/activation-page.tsx";
import { HelpPage } from "../features/help/help-page.tsx";
import { HistoryPage } from "../features/history/history-page.tsx";
import { HomePage } from "../features/home/home-page.tsx";
import { errorMessage, formatTime } from "../lib/errors.ts";
import { isFamilyLanguage } from "@tegoed/sdk";
import { walletLanguages } from "../i18n/index.ts";
import { Link, RouterProvider, useRouter } from "./router.tsx";
import { ServicesContext, useServices, type Services } from "./services.tsx";
import { useWallet } from "./use-wallet.ts";
import { Icon } from "@tegoed/ui/icons";
import { LanguageChooser } from "@tegoed/ui/language-chooser";

// Screens a first visit does not open load when first opened (the QR drawing and signing, the application
// form, mail settings, the shops): the activation form comes up sooner on a slow phone.
const PayPage = lazy(() => import("../features/pay/pay-page.tsx").then((m) => ({ default: m.PayPage })));
const MailPage = lazy(() => import("../features/mail/mail-page.tsx").then((m) => ({ default: m.MailPage })));
const ShopsPage = lazy(() => import("../features/shops/shops-page.tsx").then((m) => ({ default: m.ShopsPage })));
const AccessibilityStatement = lazy(() => import("@tegoed/ui/accessibility-statement").then((m) => ({ default: m.AccessibilityStatement })));
const ApplyPage = lazy(() => import("../features/apply/apply-page.tsx").then((m) => ({
  default: ({ services, ...props }: Omit<import("../features/apply/apply-page.tsx").ApplyPageProps, "api"> & { services: Services }) =>
    <m.ApplyPage api={services.apply ?? (services.apply = m.httpApplyApi())} {...props} />,
})));

export function App({ services, i18n, initialPath }: { services: Services; i18n: i18n; initialPath?: string }) {
  return (
    <I18nextProvider i18n={i18n}>
      <ServicesContext.Provider value={services}>
        <RouterProvider initialPath={initialPath}>
          <Shell />
        </RouterProvider>
      </ServicesContext.Provider>
    </I18nextProvider>
  );
}


const MENU = [
  { to: "/", key: "nav.home", match: (p: string) => p === "/" || p.startsWith("/history") },
  { to: "/pay", key: "nav.pay", match: (p: string) => p.startsWith("/pay") },
  { to: "/shops", key: "nav.shops", match: (p: string) => p.startsWith("/shops") },
  { to: "/help", key: "nav.help", match: (p: string) => p.startsWith("/help") },
] as const;

function Shell() {
  const { t, i18n } = useTranslation();
  const services = useServices();
  const { path, navigate } = useRouter();
  const { state, refresh, activated, retry } = useWallet(services);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => setNow(Date.now()), [state.savedAt]);
  const poll = useCallback(() => refresh(), [refresh]);
  const ready = state.phase === "ready";
  useEffect(() => {
    // Home and history show fresh numbers when opened (a refund may have come in).
    if (ready && (path === "/" || path.startsWith("/history"))) void refresh();
  }, [path]); // on navigation only, not on every state change

  useEffect(() => {
    // The tab is named after the screen's heading.
    const heading = document.querySelector("main h1");
    document.title = heading?.textContent ? `${heading.textContent} – ${t("app.name")}` : t("app.name");
  });
  const firstScreen = state.phase !== "loading";
  useEffect(() => {
    // After the first screen is on it, not competing with it on a slow phone.
    if (firstScreen) services.preload?.();
  }, [firstScreen, services]);
  const shown = useRef<string | null>(null);
  const lastHeading = useRef<Element | null>(null);
  useEffect(() => {
    // A new screen: focus moves to its heading (read out first), for screen readers and keyboards, without
    // scrolling the header and language switch away. Not while the app opens: loading, then its first
    // screen, is no new screen. A screen that loads its code first shows its heading a moment later, while
    // the last one may still be on: the heading taken is the first one that is not the last screen's.
    if (state.phase === "loading") return;
    const screen = `${state.phase} ${path}`;
    const before = shown.current;
    shown.current = screen;
    const focusing = before !== null && before !== screen;
    const fresh = () => {
      const heading = document.querySelector<HTMLElement>("main h1");
      return heading && heading !== lastHeading.current ? heading : null;
    };
    const take = (heading: HTMLElement) => {
      lastHeading.current = heading;
      if (!focusing) return;
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    };
    const now = fresh();
    if (now) return take(now);
    const main = document.getElementById("main");
    if (!main) return;
    const observer = new MutationObserver(() => {
      const heading = fresh();
      if (!heading) return;
      observer.disconnect();
      take(heading);
    });
    observer.observe(main, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [path, state.phase]);

  let screen: React.ReactNode;
  const segments = path.split("/").filter(Boolean);
  if (path.startsWith("/accessibility")) {
    screen = <AccessibilityStatement />;
  } else if (path.startsWith("/help")) {
    screen = <HelpPage mailLink={state.phase === "ready" ? <Link to="/mail">{t("mail.link")}</Link> : undefined} />;
  } else if (path.startsWith("/apply")) {
    screen = (
      <ApplyPage services={services} keys={services.keys} pbkdf2Iterations={services.pbkdf2Iterations}
        returnPath={`${import.meta.env.BASE_URL.replace(/\/$/, "")}/apply`} onActivated={() => { void activated(); navigate("/"); }} />
    );
  } else if (state.phase === "loading") {
    screen = <p role="status">{t("app.loading")}</p>;
  } else if (state.phase === "activate") {
    screen = (
      <ActivationPage api={services.api} keys={services.keys} existingAddress={state.holderAddress} sessionExpired={state.sessionExpired} replaced={state.replaced}
        initialCode={services.letterCode}
        pbkdf2Iterations={services.pbkdf2Iterations}
        helpLink={<><Link to="/apply">{t("apply.noLetter")}</Link> <Link to="/help">{t("activation.help")}</Link></>} onActivated={() => { void activated(); navigate("/"); }} />
    );
  } else if (segments[0] === "pay") {
    screen = (
      <PayPage key={segments[1] ?? ""} children={state.children} keys={services.keys} childId={segments[1]} poll={poll}
        registerPayCode={services.api.registerPayCode}
        onChooseChild={(id) => navigate(`/pay/${id}`)} onDone={() => navigate("/")}
        forgotLink={<Link to="/help">{t("pin.forgot")}</Link>} />
    );
  } else if (segments[0] === "history") {
    screen = <HistoryPage child={state.children.find((c) => c.childId === segments[1])} back={<Link to="/">{t("history.back")}</Link>} />;
  } else if (segments[0] === "mail") {
    screen = <MailPage api={services.api} />;
  } else if (segments[0] === "shops") {
    screen = <ShopsPage api={services.api} fundId={state.children[0]?.fund.id} />;
  } else if (state.offline && state.savedAt === null) {
    screen = (
      <div className="stack">
        <p role="alert">{t("app.offlineNoData")}</p>
        <button type="button" className="secondary" onClick={() => void retry()}>{t("app.retry")}</button>
      </div>
    );
  } else {
    screen = (
      <HomePage children={state.children} now={now}
        payHref={(c) => <Link to={`/pay/${c.childId}`} className="button primary">{t("home.pay", { name: c.firstName })}</Link>}
        historyHref={(c) => <Link to={`/history/${c.childId}`} className="button secondary">{t("home.history", { name: c.firstName })}</Link>} />
    );
  }

  return (
    <>
      <a href="#main" className="skip">{t("app.skip")}</a>
      <header className="top">
        <p className="brand">{t("app.name")}</p>
        {/* Keyed by the path: another screen starts with the language list closed. */}
        <LanguageChooser key={path} languages={walletLanguages.languages} label={t("language.switch")} compact={state.phase === "ready"} onLanguageChosen={(language) => {
          // Offline, the device keeps the choice and the record its last one: the next choice tries again.
          if (ready && isFamilyLanguage(language)) services.api.updateMailSettings({ language }).catch(() => undefined);
          services.onLanguageChosen?.(language);
        }} />
      </header>
      {/* Always there, so a screen reader hears the connection drop: a live region added with its text is often missed. */}
      <div role="status">
        {state.offline && state.savedAt !== null && (
          <p className="offline">
            <Icon name="offline" /> {t("app.offline", { time: formatTime(state.savedAt, i18n.language) })}
          </p>
        )}
      </div>
      {state.failure !== null && state.phase === "ready" && (
        <div className="failure" role="alert">
          <p>{errorMessage(state.failure, t, i18n.language)}</p>
          <button type="button" className="secondary" onClick={() => void refresh()}>{t("app.retry")}</button>
        </div>
      )}
      <main id="main" tabIndex={-1}><Suspense fallback={<p role="status">{t("app.loading")}</p>}>{screen}</Suspense></main>
      <footer className={state.phase === "ready" ? "footer above-menu" : "footer"}>
        <Link to="/accessibility">{t("statement.link")}</Link>
      </footer>
      {state.phase === "ready" && (
        <nav aria-label={t("nav.label")} className="menu">
          <ul role="list">
            {MENU.map((item) => (
              <li key={item.to}>
                <Link to={item.to} aria-current={item.match(path) ? "page" : undefined}>{t(item.key)}</Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
    </>
  );
}
