// The accessibility statement (toegankelijkheidsverklaring) in the parts the Dutch government's model
// has: the standard, the status, the date, how it was checked, the known gaps with their plan, and
// where to give feedback, with the time an answer takes.
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { ACCESSIBILITY_STATEMENT as FACTS } from "@tegoed/sdk/accessibility";
import { formatDay } from "@tegoed/sdk/dates";

export function AccessibilityStatement() {
  const { t, i18n } = useTranslation();
  const id = useId();
  const app = t("statement.app");
  return (
    <section aria-labelledby={`${id}-title`} className="stack statement">
      <h1 id={`${id}-title`}>{t("statement.title")}</h1>
      <p>{t("statement.intro", { app })}</p>
      <h2>{t("statement.standardTitle")}</h2>
      <p>{t("statement.standard", { standard: FACTS.standard, norm: FACTS.norm })}</p>
      <h2>{t("statement.statusTitle")}</h2>
      <p><strong>{t(`statement.status${FACTS.status}`)}</strong> {t("statement.statusWhy")}</p>
      <p>{t("statement.updated", { date: formatDay(FACTS.updated, i18n.language, { style: "long" }) })}</p>
      <h2>{t("statement.checkedTitle")}</h2>
      <p>{t("statement.checked")}</p>
      <h2>{t("statement.gapsTitle")}</h2>
      <ul>
        <li>{t("statement.gapAudit")}</li>
        <li>{t("statement.gapPeople")}</li>
        <li>{t("statement.gapApp")}</li>
      </ul>
      <h2>{t("statement.contactTitle")}</h2>
      <p>{t("statement.contact", { app, count: FACTS.answerWithinWorkingDays })}</p>
      <p>{t("statement.complaint")}</p>
    </section>
  );
}
