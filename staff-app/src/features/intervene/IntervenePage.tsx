// Intervene: find a family or child, freeze / unfreeze a budget, re-issue access after a lost phone,
// delete a family's personal data. Each action is shown only to a role that may do it.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import type { ActivationLetter, FamilyOverview } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { errorText } from "../../lib/errors.ts";
import { formatCents } from "@tegoed/ui/money";
import { openHtmlPage } from "../../lib/open-page.ts";
import { can } from "../../lib/roles.ts";
import { useStaff } from "../../lib/session.ts";
import { Confirm, Field, Notice } from "../../lib/ui.tsx";
import { FamilyCards } from "../cards/FamilyCards.tsx";
import { FamilyEmail } from "./FamilyEmail.tsx";
import { GdprDelete } from "./GdprDelete.tsx";
import { formatDay } from "@tegoed/sdk";


type Budget = NonNullable<FamilyOverview["children"][number]["budget"]>;

export function IntervenePage() {
  const api = useApi();
  const { t } = useTranslation();
  const { fund } = useStaff();
  const [query, setQuery] = useState("");
  const [families, setFamilies] = useState<FamilyOverview[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  if (!fund) return null;

  const search = async (event?: FormEvent) => {
    event?.preventDefault();
    setError(null);
    try {
      setFamilies((await api.eligibility.listFamilies(fund.id, { q: query.trim() || undefined, limit: 50 })).families);
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  return (
    <>
      <h1>{t("intervene.title", { fund: fund.name })}</h1>
      <form className="row" role="search" onSubmit={search}>
        <Field label={t("intervene.search")} value={query} onChange={setQuery} hint={t("intervene.searchHint")} />
        <button type="submit" className="primary">{t("common.search")}</button>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      {notice && <Notice kind="success">{notice}</Notice>}
      {families && families.length === 0 && <p>{t("intervene.noneFound")}</p>}
      {families?.map((family) => (
        <FamilyCard
          key={family.id}
          family={family}
          onChanged={(text) => {
            setNotice(text);
            void search();
          }}
        />
      ))}
    </>
  );
}

function FamilyCard({ family, onChanged }: { family: FamilyOverview; onChanged: (notice: string) => void }) {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const { roles, fund } = useStaff();
  const [open, setOpen] = useState<null | { kind: "freeze"; budget: Budget; child: string } | { kind: "reissue" } | { kind: "delete" }>(null);
  const [reason, setReason] = useState("");
  const [letter, setLetter] = useState<ActivationLetter | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const name = family.displayName ?? family.externalRef ?? family.id;
  const headingId = `family-${family.id}`;

  const act = async (work: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    try {
      const text = await work();
      setOpen(null);
      setReason("");
      onChanged(text);
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{name}</h2>
      <p>
        {family.externalRef && <>{t("intervene.reference")}: {family.externalRef} · </>}
        {family.activatedAt ? t("intervene.activatedOn", { date: formatDay(family.activatedAt, i18n.language, { timeZone: fund?.timeZone }) }) : t("intervene.notActivated")}
      </p>
      <table>
        <caption>{t("intervene.childrenOf", { name })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("intervene.child")}</th>
            <th scope="col">{t("intervene.budgetId")}</th>
            <th scope="col" className="num">{t("intervene.issued")}</th>
            <th scope="col" className="num">{t("intervene.left")}</th>
            <th scope="col">{t("common.status")}</th>
            {can(roles, "budgets.freeze") && <th scope="col">{t("intervene.action")}</th>}
          </tr>
        </thead>
        <tbody>
          {family.children.map((c) => (
            <tr key={c.id}>
              <th scope="row">{c.firstName} ({c.birthYear})</th>
              <td className="mono">{c.budget ? `${c.budget.budgetId.slice(0, 10)}…${c.budget.budgetId.slice(-6)}` : "—"}</td>
              <td className="num">{c.budget ? formatCents(c.budget.issuedCents, i18n.language) : "—"}</td>
              <td className="num" data-testid="left">{c.budget ? formatCents(c.budget.leftCents, i18n.language) : "—"}</td>
              <td className={c.budget?.status === "frozen" ? "status-frozen" : undefined}>{t(`intervene.status.${c.budget?.status ?? "none"}`)}</td>
              {can(roles, "budgets.freeze") && (
                <td>
                  {c.budget && c.budget.status !== "pending" && (
                    <button type="button" onClick={() => { setOpen({ kind: "freeze", budget: c.budget!, child: c.firstName }); setReason(""); }}>
                      {c.budget.status === "frozen" ? t("intervene.unfreezeChild", { name: c.firstName }) : t("intervene.freezeChild", { name: c.firstName })}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <FamilyCards familyId={family.id} name={name} />
      {can(roles, "family.email") && <FamilyEmail familyId={family.id} />}
      <div className="actions">
        {can(roles, "access.reissue") && family.activatedAt && (
          <button type="button" onClick={() => setOpen({ kind: "reissue" })}>{t("intervene.reissue")}</button>
        )}
        {can(roles, "families.delete") && (
          <button type="button" className="danger" onClick={() => setOpen({ kind: "delete" })}>{t("intervene.delete")}</button>
        )}
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {open?.kind === "freeze" && (
        <Confirm
          title={open.budget.status === "frozen" ? t("intervene.unfreezeTitle", { name: open.child }) : t("intervene.freezeTitle", { name: open.child })}
          confirmLabel={open.budget.status === "frozen" ? t("intervene.unfreezeConfirm") : t("intervene.freezeConfirm")}
          danger={open.budget.status !== "frozen"}
          busy={busy}
          confirmDisabled={reason.trim() === ""}
          onCancel={() => setOpen(null)}
          onConfirm={() =>
            act(async () => {
              const body = { reason: reason.trim() };
              if (open.budget.status === "frozen") {
                await api.eligibility.unfreezeBudget(open.budget.budgetId, body);
                return t("intervene.unfrozen", { name: open.child });
              }
              await api.eligibility.freezeBudget(open.budget.budgetId, body);
              return t("intervene.frozen", { name: open.child });
            })
          }
        >
          <p>{t("intervene.leftOn", { name: open.child, amount: formatCents(open.budget.leftCents, i18n.language), issued: formatCents(open.budget.issuedCents, i18n.language) })}</p>
          <p>{open.budget.status === "frozen" ? t("intervene.unfreezeText") : t("intervene.freezeText")}</p>
          <Field label={t("common.reason")} value={reason} onChange={setReason} required />
        </Confirm>
      )}
      {open?.kind === "reissue" && (
        <Confirm
          title={t("intervene.reissueTitle", { name })}
          confirmLabel={t("intervene.reissueConfirm")}
          busy={busy}
          onCancel={() => setOpen(null)}
          onConfirm={async () => {
            setBusy(true);
            setError(null);
            try {
              setLetter(await api.eligibility.reissueAccess(family.id));
              setOpen(null);
            } catch (e) {
              setError(errorText(t, e));
            } finally {
              setBusy(false);
            }
          }}
        >
          <p>{t("intervene.reissueText")}</p>
        </Confirm>
      )}
      {letter && (
        <Notice kind="success">
          {t("intervene.reissued")} <strong className="mono">{letter.code}</strong>{" "}
          <button type="button" onClick={() => openHtmlPage(letter.html)}>{t("intervene.openLetter")}</button>
        </Notice>
      )}
      {open?.kind === "delete" && (
        <GdprDelete
          family={family}
          onCancel={() => setOpen(null)}
          onDeleted={(result) => {
            setOpen(null);
            onChanged(t("intervene.deleted", { name, children: result.childrenDeleted, budgets: result.budgetsAnonymised }));
          }}
        />
      )}
    </section>
  );
}
