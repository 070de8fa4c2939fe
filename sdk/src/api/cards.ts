// The Tegoed card's wire format: staff issue, block, unblock and replace a family's card and print it;
// the till unlocks a scanned card with the PIN and charges it; anyone checks a card's balance with its
// code and PIN. The card code is the card QR's text (sdk/src/qr.ts), as scanned or typed from the card.
import { z } from "zod";
import { ChildIdSchema, FamilyIdSchema } from "./eligibility.ts";
import { CentsAmountSchema, CentsSchema, FundIdSchema } from "./funds.ts";

export const CardIdSchema = z.uuid("must be a card id (a UUID)");
export const CardParamsSchema = z.object({ id: CardIdSchema });
export const CARD_STATES = ["printed", "active", "blocked", "replaced"] as const;
export const CardStateSchema = z.enum(CARD_STATES);
export type CardState = z.infer<typeof CardStateSchema>;

/** The card code: the card QR's text as scanned, or as typed from the card (spaces and dashes allowed). */
const CardCodeSchema = z.string().trim().min(1, "must not be empty").max(300, "must be at most 300 characters");
/** Five digits, typed by the parent. */
export const PinSchema = z.string().regex(/^\d{5}$/, "must be 5 digits");

/** A card as staff see it (the tries left are shown to staff only, never at the till). */
export const CardSchema = z
  .object({
    id: CardIdSchema,
    familyId: FamilyIdSchema,
    fundId: FundIdSchema,
    /** 12 digits; printed in groups of four. */
    cardNumber: z.string(),
    state: CardStateSchema,
    /** Why a blocked card is blocked: too many wrong PINs, or staff (lost). */
    blockedReason: z.enum(["pin", "staff"]).nullable(),
    pinTriesLeft: z.number().int().nonnegative(),
    lastUsedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    /** The card that replaced this one. */
    replacedBy: CardIdSchema.nullable(),
  })
  .meta({ id: "Card" });
export type Card = z.infer<typeof CardSchema>;

export const CardListSchema = z.object({ cards: z.array(CardSchema) }).meta({ id: "CardList" });
export type CardList = z.infer<typeof CardListSchema>;

// --- POST /api/families/:id/cards, POST /api/cards/:id/replace
/** A new card and its two printables, answered once: the PIN exists only in the letter. Base64 PDFs. */
export const IssuedCardSchema = z
  .object({
    card: CardSchema,
    /** Front and back, credit-card sized: fund, QR, card number, help phone. No name, no amount, no PIN. */
    cardPdf: z.string(),
    /** The PIN letter, to be sent separately from the card. */
    pinLetterPdf: z.string(),
  })
  .meta({ id: "IssuedCard" });
export type IssuedCard = z.infer<typeof IssuedCardSchema>;

// --- POST /api/funds/:id/cards: cards for many families at once
export const IssueCardsRequestSchema = z
  .object({
    /** Absent: every approved family of the fund with issued budgets, no activated phone and no card in use. */
    familyIds: z.array(FamilyIdSchema).min(1).max(500).optional(),
  })
  .strict()
  .meta({ id: "IssueCardsRequest" });
export type IssueCardsRequest = z.input<typeof IssueCardsRequestSchema>;
export const IssuedCardsSchema = z
  .object({
    cards: z.array(CardSchema),
    /** Card sheets, 10 cards per A4 page (fronts, then backs mirrored for double-sided printing). */
    cardSheetsPdf: z.string(),
    /** One PIN letter per card, in the same order: a separate file and print job. */
    pinLettersPdf: z.string(),
    /** Families left out, with the refusal's code. */
    skipped: z.array(z.object({ familyId: FamilyIdSchema, code: z.string() })),
  })
  .meta({ id: "IssuedCards" });
export type IssuedCards = z.infer<typeof IssuedCardsSchema>;

export const BlockCardRequestSchema = z
  .object({ reason: z.string().trim().min(1).max(500).default("lost") })
  .strict()
  .meta({ id: "BlockCardRequest" });
export type BlockCardRequest = z.input<typeof BlockCardRequestSchema>;

// --- GET/PUT /api/funds/:id/card-settings
export const CardSettingsSchema = z
  .object({
    /** What one card may spend per day in this fund; null: no limit (the default). */
    dailyLimitCents: CentsSchema.nullable(),
  })
  .strict()
  .meta({ id: "CardSettings" });
export type CardSettings = z.infer<typeof CardSettingsSchema>;

// --- POST /api/merchant/card-unlocks: the PIN checked, the card's children shown
export const CardUnlockRequestSchema = z.object({ card: CardCodeSchema, pin: PinSchema }).strict().meta({ id: "CardUnlockRequest" });
export type CardUnlockRequest = z.input<typeof CardUnlockRequestSchema>;
/** First names only: the shop learns no more of the family than whose budget pays. */
export const CardChildSchema = z.object({ childId: ChildIdSchema, firstName: z.string() }).meta({ id: "CardChild" });
export const CardUnlockSchema = z
  .object({ fundId: FundIdSchema, fundName: z.string(), cardNumber: z.string(), children: z.array(CardChildSchema) })
  .meta({ id: "CardUnlock" });
export type CardUnlock = z.infer<typeof CardUnlockSchema>;

// --- POST /api/merchant/card-charges (header Idempotency-Key): answers a ChargeReceipt
export const CardChargeRequestSchema = z
  .object({ card: CardCodeSchema, pin: PinSchema, amountCents: CentsSchema, childId: ChildIdSchema })
  .strict()
  .meta({ id: "CardChargeRequest" });
export type CardChargeRequest = z.input<typeof CardChargeRequestSchema>;

// --- POST /api/public/card-balance
export const CardBalanceRequestSchema = z.object({ card: CardCodeSchema, pin: PinSchema }).strict().meta({ id: "CardBalanceRequest" });
export type CardBalanceRequest = z.input<typeof CardBalanceRequestSchema>;
export const CardBalanceSchema = z
  .object({
    fundName: z.string(),
    children: z.array(z.object({ firstName: z.string(), balanceCents: CentsAmountSchema, expiresAt: z.iso.datetime() })),
  })
  .meta({ id: "CardBalance" });
export type CardBalance = z.infer<typeof CardBalanceSchema>;

// --- POST /api/families/:id/balance-letter: staff print the balance for a family that asks
export const BalanceLetterSchema = z
  .object({
    familyId: FamilyIdSchema,
    asOf: z.iso.datetime(),
    /** The family's card in use, if any. */
    cardNumber: z.string().nullable(),
    children: z.array(z.object({ firstName: z.string(), balanceCents: CentsAmountSchema, expiresAt: z.iso.datetime() })),
    /** One A4 page (base64): each child's budget left and until when, addressed to the parent. */
    pdf: z.string(),
  })
  .meta({ id: "BalanceLetter" });
export type BalanceLetter = z.infer<typeof BalanceLetterSchema>;
