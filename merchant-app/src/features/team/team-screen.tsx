// Colleagues: every assistant at the till gets an own login for the same shop.
import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useApi } from "../../lib/api.tsx";
import { refusalCode } from "../../lib/refusal.ts";
import { createShopUser, listShopUsers, type ShopUser } from "../../lib/shop-api.ts";
import { MailSettings } from "./mail-settings.tsx";

const MIN_PASSWORD = 10;

export function TeamScreen() {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [users, setUsers] = useState<ShopUser[] | null>(null);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setUsers(await listShopUsers(api));
    } catch {
      setUsers([]);
    }
  }, [api]);
  useEffect(() => void load(), [load]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) return setError(t("team.badEmail"));
    if (password.length < MIN_PASSWORD) return setError(t("team.shortPassword", { min: MIN_PASSWORD }));
    setBusy(true);
    setError(null);
    try {
      const user = await createShopUser(api, { email: email.trim(), password });
      setMessage(t("team.added", { email: user.email }));
      setEmail("");
      setPassword("");
      await load();
    } catch (caught) {
      const code = refusalCode(caught);
      setError(t(code === "CONFLICT" ? "team.exists" : code === "INVALID_INPUT" ? "team.invalid" : "team.failed"));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="team-heading" className="screen">
      <h1 id="team-heading">{t("team.title")}</h1>
      {users === null && <p role="status">{t("common.loading")}</p>}
      {users && users.length > 0 && (
        <ul className="users" aria-label={t("team.listLabel")}>
          {users.map((user) => <li key={user.id}>{user.email}</li>)}
        </ul>
      )}
      <h2>{t("team.add")}</h2>
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <label htmlFor={`${id}-email`}>{t("team.email")}</label>
        <input id={`${id}-email`} type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor={`${id}-password`}>{t("team.password")}</label>
        <input id={`${id}-password`} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} aria-describedby={`${id}-hint`} />
        <p id={`${id}-hint`} className="hint">{t("team.passwordHint", { min: MIN_PASSWORD })}</p>
        {error && <p className="field-error" role="alert">{error}</p>}
        {message && <p className="notice" role="status">{message}</p>}
        <button type="submit" className="primary" disabled={busy}>{busy ? t("common.busy") : t("team.submit")}</button>
      </form>
      <MailSettings api={api} />
    </section>
  );
}
