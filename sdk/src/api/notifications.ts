// The notifications API's wire format: a family's or shop's mail settings, the unsubscribe link, and
// staff's view of the outbox (mails waiting for a person).
import { z } from "zod";
import { FAMILY_LANGUAGES } from "../languages.ts";

export const NOTIFICATION_KINDS = [
  "merchant_application_received", "merchant_approved", "merchant_declined", "merchant_suspended", "merchant_colleague_added", "payout_sent",
  "payout_run_awaiting_approval", "payout_needs_person", "statement_line_unmatched", "applications_digest",
  "activation_letter", "budget_topped_up", "budget_expiring", "phone_replaced", "payment_receipt",
  "login_code", "application_received", "application_question", "application_approved", "application_declined",
  "card_issued", "card_replaced", "card_blocked",
] as const;
export const NotificationKindSchema = z.enum(NOTIFICATION_KINDS).meta({ id: "NotificationKind" });
export type NotificationKind = z.infer<typeof NotificationKindSchema>;

export const NotificationSettingsSchema = z
  .object({
    /** Where mails go; null: none known (a family without an address gets no mail). */
    email: z.string().nullable(),
    /** The kinds this receiver may switch off, each on or off. Security notices and decisions are not listed: they always go. */
    optional: z.array(z.object({ kind: NotificationKindSchema, on: z.boolean() })),
    /** The language mails (and a family's letters) are written in. */
    language: z.enum(FAMILY_LANGUAGES),
  })
  .meta({ id: "NotificationSettings" });
export type NotificationSettings = z.infer<typeof NotificationSettingsSchema>;

export const UpdateNotificationSettingsSchema = z
  .object({
    /** A family's address: a new one, or null to remove it. Not for shops (their contact address is their application's). */
    email: z.union([z.literal(""), z.string().max(254).trim().toLowerCase().pipe(z.email("must be an email address"))]).nullable().optional(),
    optional: z.partialRecord(NotificationKindSchema, z.boolean()).optional(),
    /** A family's language (the wallet's choice, or staff on the family's page). Not for shops. */
    language: z.enum(FAMILY_LANGUAGES).optional(),
  })
  .meta({ id: "UpdateNotificationSettings" });
export type UpdateNotificationSettings = z.input<typeof UpdateNotificationSettingsSchema>;

export const UnsubscribeRequestSchema = z.object({ token: z.string().min(10).max(1000) }).meta({ id: "UnsubscribeRequest" });
export const UnsubscribeResultSchema = z.object({ kind: NotificationKindSchema }).meta({ id: "UnsubscribeResult" });

export const OUTBOX_STATUSES = ["pending", "sending", "sent", "needs_person"] as const;
export const OutboxStatusSchema = z.enum(OUTBOX_STATUSES).meta({ id: "OutboxStatus" });

export const OutboxMailSchema = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    recipient: z.string(),
    language: z.string(),
    status: OutboxStatusSchema,
    attempts: z.number().int(),
    nextAttemptAt: z.iso.datetime(),
    lastError: z.string().nullable(),
    /** The SMTP server's answer once sent (its queue id). */
    smtpResponse: z.string().nullable(),
    createdAt: z.iso.datetime(),
    sentAt: z.iso.datetime().nullable(),
  })
  .meta({ id: "OutboxMail" });
export type OutboxMail = z.infer<typeof OutboxMailSchema>;

export const OutboxQuerySchema = z.object({ status: OutboxStatusSchema.optional() });
export const OutboxListSchema = z
  .object({
    counts: z.record(OutboxStatusSchema, z.number().int()),
    mails: z.array(OutboxMailSchema),
  })
  .meta({ id: "OutboxList" });
export type OutboxList = z.infer<typeof OutboxListSchema>;
export const OutboxMailIdSchema = z.object({ id: z.uuid("must be a mail id (a UUID)") });
export const FamilyIdParamSchema = z.object({ familyId: z.uuid("must be a family id (a UUID)") });
