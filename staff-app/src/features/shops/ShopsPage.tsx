// Shops: review applications (KvK number, IBAN, categories), approve one for the chosen fund or decline
// it with a reason, and suspend an approved shop with a reason.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { categoryLabel, formatDay, MERCHANT_STATUSES, type Merchant } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { errorText } from "../../lib/errors.ts";
import { useStaff } from "../../lib/session.ts";
import { Confirm, Field, Notice } from "../../lib/ui.tsx";

type Status = (typeof MERCHANT_STATUSES)[number];

export function ShopsPage() {
  const api = useApi();
  const { t } = useTranslation();
  const [status, setStatus] = useState<Status>("pending");
  const [shops, setShops] = useState<Merchant[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setShops((await api.merchants.list({ status })).merchants);
    } catch (e) {
      setError(errorText(t, e));
    }
  }, [api, status, t]);
  useEffect(() => void load(), [load]);

  return (
    <>
      <h1>{t("shops.title")}</h1>
      <div className="actions" role="group" aria-label={t("shops.show")}>
        {MERCHANT_STATUSES.map((s) => (
          <button key={s} type="button" aria-pressed={status === s} onClick={() => { setStatus(s); setNotice(null); }}>
            {t(`shops.statuses.${s}`)}
          </button>
        ))}
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {notice && <Notice kind="success">{notice}</Notice>}
      {shops && shops.length === 0 && <p>{t("shops.none")}</p>}
      {shops?.map((shop) => (
        <ShopCard key={shop.id} shop={shop} onChanged={(text) => { setNotice(text); void load(); }} />
      ))}
    </>
  );
}

function ShopCard({ shop, onChanged }: { shop: Merchant; onChanged: (notice: string) => void }) {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const { fund } = useStaff();
  const [open, setOpen] = useState<"approve" | "decline" | "suspend" | null>(null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inFund = fund ? shop.funds.find((f) => f.fundId === fund.id && !f.suspendedAt) : undefined;
  const headingId = `shop-${shop.id}`;

  const act = async (work: () => Promise<Merchant>, done: string) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      setOpen(null);
      onChanged(done);
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{shop.name}</h2>
      <dl>
        <dt>{t("shops.kvk")}</dt>
        <dd>{shop.kvkNumber}</dd>
        <dt>{t("shops.iban")}</dt>
        <dd className="mono" dir="ltr">{shop.iban}{shop.bic ? ` (${shop.bic})` : ""}</dd>
        <dt>{t("shops.categories")}</dt>
        <dd>{shop.categories.map((c) => categoryLabel(c, i18n.language)).join(", ")}</dd>
        <dt>{t("shops.address")}</dt>
        <dd>{shop.address}</dd>
        <dt>{t("shops.contact")}</dt>
        <dd>{shop.contactEmail}</dd>
        <dt>{t("shops.applied")}</dt>
        <dd>{formatDay(shop.createdAt, i18n.language)}</dd>
        {shop.declineReason && (<><dt>{t("shops.declineReason")}</dt><dd>{shop.declineReason}</dd></>)}
        {shop.suspendReason && (<><dt>{t("shops.suspendReason")}</dt><dd>{shop.suspendReason}</dd></>)}
      </dl>
      <div className="actions">
        {fund && !inFund && shop.status !== "declined" && (
          <button type="button" className="primary" onClick={() => setOpen("approve")}>{t("shops.approveFor", { fund: fund.name })}</button>
        )}
        {shop.status === "pending" && <button type="button" onClick={() => { setOpen("decline"); setReason(""); }}>{t("shops.decline")}</button>}
        {shop.status === "approved" && <button type="button" className="danger" onClick={() => { setOpen("suspend"); setReason(""); }}>{t("shops.suspend")}</button>}
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {shop.status === "approved" && <ShopLogin shopId={shop.id} />}
      {open === "approve" && fund && (
        <Confirm title={t("shops.approveTitle", { name: shop.name })} confirmLabel={t("shops.approveConfirm")} busy={busy} onCancel={() => setOpen(null)}
          onConfirm={() => act(() => api.merchants.approve(shop.id, { fundId: fund.id }), t("shops.approved", { name: shop.name, fund: fund.name }))}>
          <p>{t("shops.approveText", { fund: fund.name })}</p>
        </Confirm>
      )}
      {(open === "decline" || open === "suspend") && (
        <Confirm
          danger
          title={open === "decline" ? t("shops.declineTitle", { name: shop.name }) : t("shops.suspendTitle", { name: shop.name })}
          confirmLabel={open === "decline" ? t("shops.declineConfirm") : t("shops.suspendConfirm")}
          busy={busy}
          confirmDisabled={reason.trim() === ""}
          onCancel={() => setOpen(null)}
          onConfirm={() =>
            act(
              () => (open === "decline" ? api.merchants.decline(shop.id, { reason: reason.trim() }) : api.merchants.suspend(shop.id, { reason: reason.trim() })),
              open === "decline" ? t("shops.declined", { name: shop.name }) : t("shops.suspended", { name: shop.name }),
            )
          }
        >
          <p>{open === "decline" ? t("shops.declineText") : t("shops.suspendText")}</p>
          <Field label={t("common.reason")} value={reason} onChange={setReason} required />
        </Confirm>
      )}
    </section>
  );
}

/** A login for the shop's till (merchant app). */
function ShopLogin({ shopId }: { shopId: string }) {
  const api = useApi();
  const { t } = useTranslation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    try {
      const user = await api.merchants.createUser(shopId, { email, password });
      setMessage({ kind: "success", text: t("shops.loginMade", { email: user.email }) });
      setEmail("");
      setPassword("");
    } catch (e) {
      setMessage({ kind: "error", text: errorText(t, e) });
    }
  };
  return (
    <details>
      <summary>{t("shops.login")}</summary>
      <form onSubmit={submit}>
        <div className="row">
          <Field label={t("shops.loginEmail")} type="email" value={email} onChange={setEmail} required autoComplete="off" />
          <Field label={t("shops.loginPassword")} type="password" value={password} onChange={setPassword} required autoComplete="new-password" hint={t("shops.loginPasswordHint")} />
        </div>
        <button type="submit">{t("shops.loginSubmit")}</button>
        {message && <Notice kind={message.kind}>{message.text}</Notice>}
      </form>
    </details>
  );
}
