// Help: a lost phone or a forgotten PIN, and how to keep the app on the home screen.
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

/** `mailLink`: to the email settings, once the wallet is activated. */
export function HelpPage({ mailLink }: { mailLink?: ReactNode } = {}) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="help-title" className="stack">
      <h1 id="help-title">{t("help.title")}</h1>
      <h2 id="lost-phone">{t("help.lostTitle")}</h2>
      <ol className="steps">
        <li>{t("help.lost1")}</li>
        <li>{t("help.lost2")}</li>
        <li>{t("help.lost3")}</li>
        <li>{t("help.lost4")}</li>
      </ol>
      <h2 id="forgot-pin">{t("help.pinTitle")}</h2>
      <p>{t("help.pinText")}</p>
      <h2>{t("help.installTitle")}</h2>
      <p>{t("help.installText")}</p>
      {mailLink && (
        <>
          <h2>{t("help.mailTitle")}</h2>
          <p>{mailLink}</p>
        </>
      )}
      <p>{t("help.contact")}</p>
    </section>
  );
}
