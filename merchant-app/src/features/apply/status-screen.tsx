// Where the application stands: pending, approved (log in), declined with the municipality's reason.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { formatDay } from "@tegoed/sdk";
import { useApi } from "../../lib/api.tsx";
import { fetchApplicationStatus, type ApplicationStatus } from "../../lib/shop-api.ts";
import { loadApplication } from "./application-store.ts";
import { Icon, type IconName } from "@tegoed/ui/icons";

const STATUS_ICON: Record<ApplicationStatus["status"], IconName> = { pending: "pending", approved: "check", declined: "cross", suspended: "attention" };

export function StatusScreen({ onBack }: { onBack: () => void }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const stored = loadApplication();
  const id = stored?.id;
  const token = stored?.token;
  const [status, setStatus] = useState<ApplicationStatus | null>(null);
  const [failed, setFailed] = useState(false);

  const refresh = useCallback(async () => {
    if (!id || token === undefined) return;
    setFailed(false);
    try {
      setStatus(await fetchApplicationStatus(api, id, token));
    } catch {
      setFailed(true);
    }
  }, [api, id, token]);

  useEffect(() => void refresh(), [refresh]);

  return (
    <section aria-labelledby="status-heading" className="screen">
      <h1 id="status-heading">{t("status.title")}</h1>
      {!stored && <p>{t("status.none")}</p>}
      {stored && !status && !failed && <p role="status">{t("common.loading")}</p>}
      {failed && <p className="field-error" role="alert">{t("status.failed")}</p>}
      {status && (
        <div className={`application application-${status.status}`} role="status">
          <p className="application-name">{status.name}</p>
          <p className="application-state">
            <Icon name={STATUS_ICON[status.status]} />{" "}
            {t(`status.${status.status}`)}
          </p>
          {status.declineReason && (
            <p>
              {t("status.reason")}: {status.declineReason}
            </p>
          )}
          <p className="hint">{t("status.appliedOn", { date: formatDay(status.createdAt, i18n.language) })}</p>
        </div>
      )}
      <div className="actions">
        {stored && <button type="button" className="secondary" onClick={() => void refresh()}>{t("status.refresh")}</button>}
        <button type="button" className="secondary" onClick={onBack}>{t("status.toLogin")}</button>
      </div>
    </section>
  );
}
