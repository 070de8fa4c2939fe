// Staff accounts, for the administrator: who may do what (roles), who may log in (disabled), and help for a
// colleague who lost the phone with the authenticator (the second factor removed) or the password (a new one).
// Every change is in the audit log; the backend refuses what the administrator's own role does not allow.
import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { STAFF_ROLES, formatDay, type StaffRole, type StaffUser } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { errorText } from "../../lib/errors.ts";
import { useStaff } from "../../lib/session.ts";
import { Confirm, Field, Loading, Notice } from "../../lib/ui.tsx";

type Pending = { kind: "resetTotp" | "disable" | "enable"; user: StaffUser } | { kind: "password"; user: StaffUser; password: string };

export function UsersPage() {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const { user: me } = useStaff();
  const id = useId();
  const [users, setUsers] = useState<StaffUser[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [editing, setEditing] = useState<{ id: string; roles: StaffRole[] } | null>(null);
  const [busy, setBusy] = useState(false);

  const reload = useCallback(async () => setUsers((await api.staff.listUsers()).users), [api]);
  useEffect(() => {
    reload().catch((e: unknown) => setError(errorText(t, e)));
  }, [reload, t]);

  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone(await work());
      setPending(null);
      setEditing(null);
      await reload();
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  const confirmPending = () => {
    if (!pending) return;
    const { user } = pending;
    if (pending.kind === "resetTotp") void run(async () => (await api.staff.resetTotp(user.id), t("users.totpReset", { email: user.email })));
    if (pending.kind === "disable") void run(async () => (await api.staff.updateUser(user.id, { disabled: true }), t("users.disabledDone", { email: user.email })));
    if (pending.kind === "enable") void run(async () => (await api.staff.updateUser(user.id, { disabled: false }), t("users.enabledDone", { email: user.email })));
    if (pending.kind === "password") {
      const newPassword = pending.password;
      void run(async () => (await api.staff.resetPassword(user.id, { newPassword }), t("users.passwordDone", { email: user.email })));
    }
  };

  const roleNames = (roles: readonly StaffRole[]) => roles.map((role) => t(`roles.${role}`)).join(", ");

  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t("users.title")}</h1>
      <p>{t("users.intro")}</p>
      {done && <Notice kind="success">{done}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
      {users === null ? (
        !error && <Loading />
      ) : (
          <table>
            <caption className="visually-hidden">{t("users.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("users.email")}</th>
                <th scope="col">{t("users.roles")}</th>
                <th scope="col">{t("users.secondFactor")}</th>
                <th scope="col">{t("users.since")}</th>
                <th scope="col"><span className="visually-hidden">{t("users.actions")}</span></th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id}>
                  <th scope="row">
                    {user.email}
                    {user.disabled && <> <span className="badge">{t("users.disabled")}</span></>}
                  </th>
                  <td>
                    {editing?.id === user.id ? (
                      <RolesEditor
                        roles={editing.roles}
                        onChange={(roles) => setEditing({ id: user.id, roles })}
                        onSave={() => void run(async () => (await api.staff.updateUser(user.id, { roles: editing.roles }), t("users.rolesDone", { email: user.email })))}
                        onCancel={() => setEditing(null)}
                        busy={busy}
                      />
                    ) : (
                      roleNames(user.roles)
                    )}
                  </td>
                  <td>{user.totpEnabled ? t("users.totpOn") : t("users.totpOff")}</td>
                  <td>{formatDay(user.createdAt, i18n.language)}</td>
                  <td className="actions">
                    {user.id !== me.id && editing?.id !== user.id && (
                      <>
                        <button type="button" onClick={() => setEditing({ id: user.id, roles: [...user.roles] })} >
                          {t("users.editRoles")} <span className="visually-hidden">{user.email}</span>
                        </button>
                        {user.totpEnabled && (
                          <button type="button" onClick={() => setPending({ kind: "resetTotp", user })} >
                            {t("users.resetTotp")} <span className="visually-hidden">{user.email}</span>
                          </button>
                        )}
                        <button type="button" onClick={() => setPending({ kind: "password", user, password: "" })} >
                          {t("users.password")} <span className="visually-hidden">{user.email}</span>
                        </button>
                        <button
                          type="button"
                          onClick={() => setPending({ kind: user.disabled ? "enable" : "disable", user })}
                        >
                          {t(user.disabled ? "users.enable" : "users.disable")} <span className="visually-hidden">{user.email}</span>
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
      )}
      {pending && (
        <Confirm
          title={t(`users.confirm.${pending.kind}.title`, { email: pending.user.email })}
          confirmLabel={t(`users.confirm.${pending.kind}.action`)}
          onConfirm={confirmPending}
          onCancel={() => setPending(null)}
          busy={busy}
          danger={pending.kind !== "enable"}
          confirmDisabled={pending.kind === "password" && pending.password.length === 0}
        >
          <p>{t(`users.confirm.${pending.kind}.body`, { email: pending.user.email })}</p>
          {pending.kind === "password" && (
            <Field
              label={t("users.newPassword")}
              hint={t("users.passwordHint")}
              type="password"
              autoComplete="new-password"
              value={pending.password}
              onChange={(password) => setPending({ ...pending, password })}
            />
          )}
        </Confirm>
      )}
      <NewUser onCreated={(user) => { setDone(t("users.created", { email: user.email })); void reload(); }} />
    </section>
  );
}

function RolesEditor(props: { roles: StaffRole[]; onChange: (roles: StaffRole[]) => void; onSave: () => void; onCancel: () => void; busy: boolean }) {
  const { t } = useTranslation();
  return (
    <fieldset className="roles">
      <legend>{t("users.roles")}</legend>
      <RoleChoices roles={props.roles} onChange={props.onChange} />
      <div className="actions">
        <button type="button" className="primary" onClick={props.onSave} disabled={props.busy || props.roles.length === 0}>{t("users.saveRoles")}</button>
        <button type="button" onClick={props.onCancel} disabled={props.busy}>{t("common.cancel")}</button>
      </div>
    </fieldset>
  );
}

function RoleChoices({ roles, onChange }: { roles: StaffRole[]; onChange: (roles: StaffRole[]) => void }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <>
      {STAFF_ROLES.map((role) => (
        <div key={role} className="check">
          <input
            id={`${id}-${role}`}
            type="checkbox"
            checked={roles.includes(role)}
            onChange={(e) => onChange(e.target.checked ? [...roles, role] : roles.filter((r) => r !== role))}
          />
          <label htmlFor={`${id}-${role}`}>{t(`roles.${role}`)}</label>
        </div>
      ))}
    </>
  );
}

function NewUser({ onCreated }: { onCreated: (user: StaffUser) => void }) {
  const api = useApi();
  const { t } = useTranslation();
  const id = useId();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [roles, setRoles] = useState<StaffRole[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await api.staff.createUser({ email: email.trim(), password, roles });
      setEmail("");
      setPassword("");
      setRoles([]);
      onCreated(user);
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("users.newTitle")}</h2>
      <Field label={t("users.email")} type="email" autoComplete="off" value={email} onChange={setEmail} required />
      <Field label={t("users.firstPassword")} hint={t("users.passwordHint")} type="password" autoComplete="new-password" value={password} onChange={setPassword} required />
      <fieldset className="roles">
        <legend>{t("users.roles")}</legend>
        <RoleChoices roles={roles} onChange={setRoles} />
      </fieldset>
      {error && <Notice kind="error">{error}</Notice>}
      <button type="submit" className="primary" disabled={busy || roles.length === 0}>{t("users.create")}</button>
    </form>
  );
}
