// /api/…/notifications: a family's and a shop's mail settings, staff setting a family's address, the
// unsubscribe link, and staff's view of the outbox (mails waiting for a person, retry).
import express, { type Express } from "express";
import {
  DomainError, FamilyIdParamSchema, NotificationSettingsSchema, OutboxListSchema, OutboxMailIdSchema, OutboxQuerySchema, UnsubscribeRequestSchema,
  UnsubscribeResultSchema, UpdateNotificationSettingsSchema, type NotificationSettings,
} from "@tegoed/sdk";
import type { Db } from "../db/index.ts";
import {
  familySettings, listOutbox, retryMail, shopSettings, unsubscribe, unsubscribeTarget, updateFamilySettings, updateShopSettings,
  type NotificationSettings as Settings,
} from "../domain/notifications/index.ts";
import type { MerchantDeps } from "../domain/merchants/index.ts";
import type { Auth } from "./auth.ts";
import { merchantGuard } from "./shop.routes.ts";
import type { Api } from "./validate.ts";

export interface NotificationRouteDeps {
  db: Db;
  merchants: MerchantDeps;
  auth: Auth;
  /** Signs unsubscribe links. */
  secret: string;
  clock: () => Date;
}

const wire = (s: Settings): NotificationSettings => s as NotificationSettings;
const emailChange = (email: string | null | undefined) => (email === "" ? null : email);

export function registerNotificationRoutes(api: Api, { db, merchants, auth, secret, clock }: NotificationRouteDeps): void {
  const tags = ["notifications"];
  const family = auth.requireSubject("family", async (id) => ({ id }));
  const shop = merchantGuard(auth, merchants);
  const staffFamilies = auth.requireStaffTo("family.email");
  const outboxReaders = auth.requireStaffTo("mail.view");
  const outboxFixers = auth.requireStaffTo("mail.retry");

  api.route(
    { method: "get", path: "/api/family/notifications", operationId: "familyNotificationSettings", summary: "The family's email address and optional mails", tags, guard: family, response: NotificationSettingsSchema },
    async ({ req }) => wire(await familySettings(db, family.userOf(req).id)),
  );
  api.route(
    {
      method: "put", path: "/api/family/notifications", operationId: "updateFamilyNotificationSettings", tags, guard: family,
      summary: "Set the family's email address (or remove it with null), its language (the wallet's choice), and switch optional mails (such as a receipt per payment) on or off",
      body: UpdateNotificationSettingsSchema, response: NotificationSettingsSchema, errors: ["NOT_FOUND"],
    },
    async ({ req, body }) => {
      const { id } = family.userOf(req);
      return wire(await updateFamilySettings(db, {
        familyId: id, actor: { type: "family", id }, email: emailChange(body.email), optional: body.optional, ...(body.language && { language: body.language }),
      }));
    },
  );
  api.route(
    {
      method: "get", path: "/api/staff/families/:familyId/notifications", operationId: "staffFamilyNotificationSettings", tags, guard: staffFamilies,
      summary: "A family's email address and optional mails", params: FamilyIdParamSchema, response: NotificationSettingsSchema, errors: ["NOT_FOUND"],
    },
    async ({ params }) => wire(await familySettings(db, params.familyId)),
  );
  api.route(
    {
      method: "put", path: "/api/staff/families/:familyId/notifications", operationId: "updateStaffFamilyNotificationSettings", tags, guard: staffFamilies,
      summary: "Set a family's email address (null removes it), e.g. from a form the family signed, or its language", params: FamilyIdParamSchema,
      body: UpdateNotificationSettingsSchema, response: NotificationSettingsSchema, errors: ["NOT_FOUND"],
    },
    async ({ req, params, body }) => wire(await updateFamilySettings(db, {
      familyId: params.familyId, actor: { type: "staff", id: auth.staffOf(req).id }, email: emailChange(body.email), optional: body.optional,
      ...(body.language && { language: body.language }),
    })),
  );
  api.route(
    { method: "get", path: "/api/merchant/notifications", operationId: "shopNotificationSettings", summary: "The shop's optional mails (to its contact address)", tags, guard: shop, response: NotificationSettingsSchema },
    async ({ req }) => wire(await shopSettings(db, shop.userOf(req).merchantId)),
  );
  api.route(
    {
      method: "put", path: "/api/merchant/notifications", operationId: "updateShopNotificationSettings", tags, guard: shop,
      summary: "Switch the shop's optional mails (payout sent, colleague added) on or off", body: UpdateNotificationSettingsSchema, response: NotificationSettingsSchema,
    },
    async ({ req, body }) => wire(await updateShopSettings(db, shop.userOf(req).merchantId, body.optional ?? {})),
  );
  api.route(
    {
      method: "post", path: "/api/notifications/unsubscribe", operationId: "unsubscribe", tags,
      summary: "Switch off one kind of optional mail with the signed link from such a mail (also RFC 8058 one-click)",
      body: UnsubscribeRequestSchema, response: UnsubscribeResultSchema,
    },
    async ({ body }) => unsubscribe(db, secret, body.token),
  );
  api.route(
    {
      method: "get", path: "/api/staff/notifications", operationId: "listOutbox", tags, guard: outboxReaders,
      summary: "The outbox: counts per status and the latest mails (filter needs_person for those waiting for a person)",
      query: OutboxQuerySchema, response: OutboxListSchema,
    },
    async ({ query }) => {
      const { counts, mails } = await listOutbox(db, { ...(query.status && { status: query.status }) });
      return {
        counts,
        mails: mails.map((m) => ({
          id: m.id, kind: m.kind, recipient: m.recipient, language: m.language, status: m.status, attempts: m.attempts,
          nextAttemptAt: m.nextAttemptAt.toISOString(), lastError: m.lastError, smtpResponse: m.smtpResponse,
          createdAt: m.createdAt.toISOString(), sentAt: m.sentAt?.toISOString() ?? null,
        })),
      };
    },
  );
  api.route(
    {
      method: "post", path: "/api/staff/notifications/:id/retry", operationId: "retryMail", tags, guard: outboxFixers,
      summary: "Give a mail that waits for a person another round of tries", params: OutboxMailIdSchema, errors: ["NOT_FOUND", "CONFLICT"],
    },
    async ({ req, params }) => retryMail(db, { id: params.id, staffUserId: auth.staffOf(req).id, now: clock() }),
  );
}

/**
 * The page an unsubscribe link opens: it asks before it acts (mail scanners follow links), in Dutch and
 * English, with a plain form (no script) that posts back to the same address; a mail program's RFC 8058
 * one-click POST (form-encoded, token in the address) lands there too. Mounted before the JSON routes.
 */
export function unsubscribePages(app: Express, db: Db, secret: string): void {
  const path = "/api/notifications/unsubscribe";
  const page = (body: string) => `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Berichten uitzetten / Unsubscribe</title>
<style>body{font-family:sans-serif;max-width:32em;margin:2em auto;padding:0 1em;line-height:1.5}button{font-size:1em;padding:.6em 1.2em}</style></head>
<body><main><h1>Berichten uitzetten <span lang="en">/ Unsubscribe</span></h1>
${body}
</main></body></html>`;
  const invalid = `<p role="alert">Deze link is niet geldig. <span lang="en">This link is not valid.</span></p>`;
  const tokenOf = (query: unknown) => (typeof query === "string" ? query : "");
  app.get(path, (req, res) => {
    const token = tokenOf(req.query.token);
    let valid = true;
    try {
      unsubscribeTarget(secret, token);
    } catch {
      valid = false;
    }
    res.status(valid ? 200 : 400).type("html").send(page(valid
      ? `<p>Wilt u dit soort berichten niet meer per e-mail ontvangen? <span lang="en">Stop receiving mails of this kind?</span></p>
<form method="post" action="${path}?token=${encodeURIComponent(token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Uitzetten <span lang="en">/ Switch off</span></button></form>`
      : invalid));
  });
  app.post(path, express.urlencoded({ extended: false, limit: "1kb" }), (req, res, next) => {
    if (!req.is("application/x-www-form-urlencoded")) return next();
    unsubscribe(db, secret, tokenOf(req.query.token)).then(
      () => res.type("html").send(page(`<p role="status">Uitgezet: u krijgt deze berichten niet meer. <span lang="en">Switched off: you will not get these mails any more.</span></p>`)),
      (error: unknown) => (error instanceof DomainError ? res.status(400).type("html").send(page(invalid)) : next(error)),
    );
  });
}
