// Passwords: a staff or shop user changes their own (the current one needed; every other session ends,
// this browser goes on), an administrator or merchant manager sets a new one for someone who lost it.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { ApiClient } from "@tegoed/sdk";
import { ENGINES } from "../support/engines.ts";
import { PASSWORD, randomEmail, refusal, useApp } from "./harness.ts";

const NEW_PASSWORD = "a brand new passphrase 2027";

describe.each(ENGINES)("passwords on $name", (engine) => {
  const app = useApp(engine);
  let manager: ApiClient;
  beforeAll(async () => {
    if (engine.skipReason) return;
    manager = (await app.loginAs(["merchant_manager"])).client;
  });

  it("a staff user changes their own password: other sessions end, this one goes on, the old password stops working", async () => {
    const { email, client } = await app.loginAs(["validator"]);
    const elsewhere = app.client();
    await elsewhere.staff.login({ email, password: PASSWORD });
    const session = await client.staff.changePassword({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(session.user.email).toBe(email);
    await expect(client.staff.me()).resolves.toMatchObject({ user: { email } });
    expect(await refusal(elsewhere.staff.me())).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    expect(await refusal(app.client().staff.login({ email, password: PASSWORD }))).toMatchObject({ status: 401 });
    await expect(app.client().staff.login({ email, password: NEW_PASSWORD })).resolves.toMatchObject({ user: { email } });
    const audit = await app.db.selectFrom("audit_log").select("action").where("action", "=", "staff.password_change").where("actor_id", "=", session.user.id).execute();
    expect(audit).toHaveLength(1);
  });

  it("a wrong current password or a short new one is refused (400 naming the field) and changes nothing", async () => {
    const { email, client } = await app.loginAs(["auditor"]);
    expect(await refusal(client.staff.changePassword({ currentPassword: "not it at all", newPassword: NEW_PASSWORD }))).toMatchObject({
      status: 400, code: "INVALID_INPUT", details: { field: "currentPassword" },
    });
    expect(await refusal(client.staff.changePassword({ currentPassword: PASSWORD, newPassword: "short" }))).toMatchObject({
      status: 400, code: "INVALID_INPUT", details: { field: "newPassword" },
    });
    await expect(app.client().staff.login({ email, password: PASSWORD })).resolves.toBeDefined();
  });

  it("an admin sets a new password for a staff user: their sessions end; only admins may (403), unknown user 404", async () => {
    const { id, email, client } = await app.loginAs(["finance"]);
    expect(await refusal(client.staff.resetPassword(id, { newPassword: NEW_PASSWORD }))).toMatchObject({ status: 403, code: "FORBIDDEN" });
    await app.admin.client.staff.resetPassword(id, { newPassword: NEW_PASSWORD });
    expect(await refusal(client.staff.me())).toMatchObject({ status: 401 });
    await expect(app.client().staff.login({ email, password: NEW_PASSWORD })).resolves.toBeDefined();
    expect(await refusal(app.admin.client.staff.resetPassword(randomUUID(), { newPassword: NEW_PASSWORD }))).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });

  async function shopUser() {
    const { id } = await app.client().merchants.apply({
      name: "Speelgoed Tol", kvkNumber: String(10_000_000 + Math.floor(Math.random() * 89_999_999)), iban: "NL91ABNA0417164300",
      categories: ["toys"], address: "Kerkstraat 2, Zuidhorn", contactEmail: `tol-${randomUUID().slice(0, 6)}@shop.example`,
    });
    const user = { email: randomEmail("kassa"), password: PASSWORD };
    const created = await manager.merchants.createUser(id, user);
    const client = app.client();
    await client.merchant.login(user);
    return { merchantId: id, userId: created.id, ...user, client };
  }

  it("a shop user changes their own password; a wrong current one is refused; other sessions end", async () => {
    const shop = await shopUser();
    const elsewhere = app.client();
    await elsewhere.merchant.login({ email: shop.email, password: PASSWORD });
    expect(await refusal(shop.client.merchant.changePassword({ currentPassword: "wrong password", newPassword: NEW_PASSWORD }))).toMatchObject({
      status: 400, details: { field: "currentPassword" },
    });
    await shop.client.merchant.changePassword({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    await expect(shop.client.merchant.me()).resolves.toMatchObject({ user: { email: shop.email } });
    expect(await refusal(elsewhere.merchant.me())).toMatchObject({ status: 401 });
    await expect(app.client().merchant.login({ email: shop.email, password: NEW_PASSWORD })).resolves.toBeDefined();
  });

  it("a merchant manager sets a new password for a shop's user (of that shop only); the user's sessions end", async () => {
    const shop = await shopUser();
    const other = await shopUser();
    expect(await refusal(manager.merchants.resetUserPassword(other.merchantId, shop.userId, { newPassword: NEW_PASSWORD }))).toMatchObject({
      status: 404, code: "NOT_FOUND",
    });
    await manager.merchants.resetUserPassword(shop.merchantId, shop.userId, { newPassword: NEW_PASSWORD });
    expect(await refusal(shop.client.merchant.me())).toMatchObject({ status: 401 });
    await expect(app.client().merchant.login({ email: shop.email, password: NEW_PASSWORD })).resolves.toBeDefined();
    const validator = (await app.loginAs(["validator"])).client;
    expect(await refusal(validator.merchants.resetUserPassword(shop.merchantId, shop.userId, { newPassword: NEW_PASSWORD }))).toMatchObject({ status: 403 });
    expect(await refusal(shop.client.staff.changePassword({ currentPassword: NEW_PASSWORD, newPassword: PASSWORD }))).toMatchObject({ status: 401 });
  });
});
