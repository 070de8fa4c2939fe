// Home: one card per child with what is left, what was spent and until when it is valid.
import { useTranslation } from "react-i18next";
import type { WalletChild } from "../../lib/api.ts";
import { formatLastDay } from "@tegoed/sdk/dates";
import { formatCents } from "@tegoed/ui/money";
import { Icon } from "@tegoed/ui/icons";

/** Warn this long before the budget expires. */
export const EXPIRY_WARNING_DAYS = 42;
const DAY_MS = 24 * 60 * 60 * 1000;

export type ExpiryState = "ok" | "soon" | "expired";

export function expiryState(expiresAt: string | null, now: number): ExpiryState {
  if (!expiresAt) return "ok";
  const left = Date.parse(expiresAt) - now;
  if (left <= 0) return "expired";
  return left <= EXPIRY_WARNING_DAYS * DAY_MS ? "soon" : "ok";
}

export interface HomePageProps {
  children: WalletChild[];
  now: number;
  /** Links are the app's: home knows no routes. */
  payHref(child: WalletChild): React.ReactNode;
  historyHref(child: WalletChild): React.ReactNode;
}

export function HomePage({ children, now, payHref, historyHref }: HomePageProps) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="home-title" className="stack">
      <h1 id="home-title">{t("home.title")}</h1>
      {children.length === 0 && <p>{t("home.none")}</p>}
      <ul className="cards" role="list">
        {children.map((child) => (
          <li key={child.childId}>
            <ChildCard child={child} now={now} pay={payHref(child)} history={historyHref(child)} />
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ChildCard({ child, now, pay, history }: { child: WalletChild; now: number; pay: React.ReactNode; history: React.ReactNode }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const expiry = expiryState(child.expiresAt, now);
  const headingId = `child-${child.childId}`;
  const usable = child.status === "issued" && !child.frozen && expiry !== "expired";
  return (
    <article className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{child.firstName}</h2>
      {child.status === "pending" ? (
        <p>{t("home.pending")}</p>
      ) : (
        <dl className="amounts">
          <div className="remaining">
            <dt>{t("home.remaining")}</dt>
            <dd><bdi>{formatCents(child.balanceCents ?? 0, lang)}</bdi></dd>
          </div>
          <div>
            <dt>{t("home.spent")}</dt>
            <dd><bdi>{formatCents(child.spentCents ?? 0, lang)}</bdi></dd>
          </div>
          {child.expiresAt && (
            <div>
              <dt>{t("home.validUntil")}</dt>
              <dd><bdi>{formatLastDay(child.expiresAt, lang)}</bdi></dd>
            </div>
          )}
        </dl>
      )}
      {child.frozen && <p className="warning"><Icon name="blocked" /> {t("home.frozen")}</p>}
      {expiry === "soon" && child.expiresAt && (
        <p className="warning" role="note">
          <Icon name="warning" />{" "}
          {t("home.expiryWarning", { name: child.firstName, date: formatLastDay(child.expiresAt, lang) })}
        </p>
      )}
      {expiry === "expired" && child.expiresAt && (
        <p className="warning"><Icon name="blocked" /> {t("home.expired", { date: formatLastDay(child.expiresAt, lang) })}</p>
      )}
      <div className="actions">
        {usable && pay}
        {history}
      </div>
    </article>
  );
}
