// The Tegoed card: staff issue, block, unblock and replace a family's card and print it (PDFs, base64);
// the till unlocks a scanned card with the PIN and charges it; anyone checks a card's balance with its
// code and PIN. The cards service decides; this only parses, limits per client and till, and maps.
import {
  BalanceLetterSchema,
  BlockCardRequestSchema,
  CardBalanceRequestSchema,
  CardBalanceSchema,
  CardChargeRequestSchema,
  CardListSchema,
  CardParamsSchema,
  CardSettingsSchema,
  CardSchema,
  CardUnlockRequestSchema,
  CardUnlockSchema,
  ChargeReceiptSchema,
  DomainError,
  FamilyParamsSchema,
  FundParamsSchema,
  IDEMPOTENCY_HEADER,
  IssueCardsRequestSchema,
  IssuedCardSchema,
  IssuedCardsSchema,
  centsToWire,
  type Card,
} from "@tegoed/sdk";
import type { Request } from "express";
import {
  blockCard, cardBalance, cardSettings, chargeCard, issueCard, issueCards, listFamilyCards, printBalance, replaceCard, setCardSettings, unblockCard, unlockCard,
  type CardDeps, type CardView, type IssuedCard, type PinGuesser,
} from "../domain/cards/index.ts";
import type { GuessLimiter } from "../domain/eligibility/index.ts";
import type { MerchantDeps } from "../domain/merchants/index.ts";
import type { Auth } from "./auth.ts";
import { merchantGuard } from "./shop.routes.ts";
import type { Api } from "./validate.ts";

export interface CardRouteDeps {
  cards: CardDeps;
  merchants: MerchantDeps;
  auth: Auth;
  /** Wrong PINs and unknown cards per client address (till and public site alike). */
  clientLimiter: GuessLimiter;
  /** Wrong PINs per till login. */
  tillLimiter: GuessLimiter;
}

export function toCardBody(card: CardView): Card {
  return { ...card, lastUsedAt: card.lastUsedAt?.toISOString() ?? null, createdAt: card.createdAt.toISOString() };
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const issuedBody = (issued: IssuedCard) => ({ card: toCardBody(issued.card), cardPdf: base64(issued.cardPdf), pinLetterPdf: base64(issued.pinLetterPdf) });

const USE_REFUSALS = ["QR_NOT_TEGOED", "QR_VERSION_UNSUPPORTED", "QR_MALFORMED", "CARD_UNKNOWN", "CARD_PIN_WRONG", "CARD_BLOCKED", "CARD_REPLACED", "RATE_LIMITED"] as const;
const CHAIN = ["CHAIN_UNAVAILABLE", "CHAIN_TIMEOUT", "CHAIN_REVERTED"] as const;
const PAY_REFUSALS = [
  "FUND_UNKNOWN", "MERCHANT_NOT_APPROVED", "PERMIT_WRONG_FUND", "PERMIT_USED", "BUDGET_FROZEN", "BUDGET_EXPIRED", "BUDGET_INSUFFICIENT", "FUND_PAUSED",
] as const;

export function registerCardRoutes(api: Api, { cards: deps, merchants, auth, clientLimiter, tillLimiter }: CardRouteDeps): void {
  const tags = ["cards"];
  const validator = auth.requireStaffTo("cards.manage");
  const readers = auth.requireStaffTo("families.search");
  const actorOf = (req: Request) => auth.staffOf(req).id;
  const merchant = merchantGuard(auth, merchants);
  const client = (req: Request) => ({ limiter: clientLimiter, key: req.ip ?? "unknown" });

  api.route(
    {
      method: "get", path: "/api/families/:id/cards", operationId: "listFamilyCards",
      summary: "The family's cards, newest first: state, last use, PIN tries left", tags, guard: readers,
      params: FamilyParamsSchema, response: CardListSchema, errors: ["NOT_FOUND"],
    },
    async ({ params }) => ({ cards: (await listFamilyCards(deps, params.id)).map(toCardBody) }),
  );

  api.route(
    {
      method: "post", path: "/api/families/:id/cards", operationId: "issueCard",
      summary: "Issue a Tegoed card for the family: all its children's budgets move to the card's key",
      description:
        "Answers the card and two PDFs (base64): the card (front and back) and the PIN letter, to be printed and sent apart. " +
        "The card's code and PIN exist only in these files: there is no way to get them again (replace the card instead).",
      tags, guard: validator, params: FamilyParamsSchema, response: IssuedCardSchema, status: 201,
      errors: ["NOT_FOUND", "CONFLICT", "CARD_EXISTS", "BUDGETS_NOT_ISSUED", ...CHAIN],
    },
    async ({ req, params }) => issuedBody(await issueCard(deps, { actorId: actorOf(req), familyId: params.id })),
  );

  api.route(
    {
      method: "post", path: "/api/families/:id/balance-letter", operationId: "printBalanceLetter",
      summary: "The family's balance as of now, per child, as a letter to print (for a family without a smartphone that asks)",
      description: "Read from the chain at this moment. Answers the figures and the letter (one A4 page, base64 PDF). In the audit log.",
      tags, guard: validator, params: FamilyParamsSchema, response: BalanceLetterSchema,
      errors: ["NOT_FOUND", "BUDGETS_NOT_ISSUED", "CHAIN_UNAVAILABLE", "CHAIN_TIMEOUT"],
    },
    async ({ req, params }) => {
      const { letter, pdf } = await printBalance(deps, { actorId: actorOf(req), familyId: params.id });
      return {
        familyId: params.id, asOf: letter.asOf.toISOString(), cardNumber: letter.cardNumber,
        children: letter.children.map((c) => ({ firstName: c.firstName, balanceCents: centsToWire(c.balanceCents), expiresAt: c.expiresAt.toISOString() })),
        pdf: base64(pdf),
      };
    },
  );

  api.route(
    {
      method: "post", path: "/api/funds/:id/cards", operationId: "issueCards",
      summary: "Issue cards for many families: one PDF of card sheets (10 per A4) and one PDF of PIN letters",
      description: "Without familyIds: every approved family of the fund with issued budgets, no activated phone and no card in use.",
      tags, guard: validator, params: FundParamsSchema, body: IssueCardsRequestSchema, response: IssuedCardsSchema, status: 201,
      errors: ["FUND_UNKNOWN", ...CHAIN],
    },
    async ({ req, params, body }) => {
      const result = await issueCards(deps, { actorId: actorOf(req), fundId: params.id, familyIds: body.familyIds });
      return { cards: result.cards.map(toCardBody), cardSheetsPdf: base64(result.cardSheetsPdf), pinLettersPdf: base64(result.pinLettersPdf), skipped: result.skipped };
    },
  );

  api.route(
    {
      method: "post", path: "/api/cards/:id/block", operationId: "blockCard",
      summary: "Block a card at once (lost, stolen): the till refuses it", tags, guard: validator,
      params: CardParamsSchema, body: BlockCardRequestSchema, response: CardSchema, errors: ["CARD_UNKNOWN", "CARD_REPLACED"],
    },
    async ({ req, params, body }) => toCardBody(await blockCard(deps, { actorId: actorOf(req), cardId: params.id, reason: body.reason })),
  );

  api.route(
    {
      method: "post", path: "/api/cards/:id/unblock", operationId: "unblockCard",
      summary: "Unblock a card (after wrong PINs, or found again): 5 fresh PIN tries", tags, guard: validator,
      params: CardParamsSchema, response: CardSchema, errors: ["CARD_UNKNOWN", "CARD_REPLACED", "CARD_NOT_BLOCKED"],
    },
    async ({ req, params }) => toCardBody(await unblockCard(deps, { actorId: actorOf(req), cardId: params.id })),
  );

  api.route(
    {
      method: "post", path: "/api/cards/:id/replace", operationId: "replaceCard",
      summary: "Replace a lost card: a new card, the budgets rekeyed to it (the old card is dead on chain too)",
      description: "Answers the new card and its two PDFs, as issuing does.",
      tags, guard: validator, params: CardParamsSchema, response: IssuedCardSchema, status: 201,
      errors: ["CARD_UNKNOWN", "CARD_REPLACED", "BUDGETS_NOT_ISSUED", ...CHAIN],
    },
    async ({ req, params }) => issuedBody(await replaceCard(deps, { actorId: actorOf(req), cardId: params.id })),
  );

  api.route(
    {
      method: "get", path: "/api/funds/:id/card-settings", operationId: "cardSettings",
      summary: "The fund's card settings: the daily limit per card (null: none)", tags, guard: readers,
      params: FundParamsSchema, response: CardSettingsSchema, errors: ["FUND_UNKNOWN"],
    },
    async ({ params }) => settingsBody(await cardSettings(deps, params.id)),
  );

  api.route(
    {
      method: "put", path: "/api/funds/:id/card-settings", operationId: "setCardSettings",
      summary: "Set the daily limit per card of this fund (null: none)", tags, guard: auth.requireStaffTo("fund.create"),
      params: FundParamsSchema, body: CardSettingsSchema, response: CardSettingsSchema, errors: ["FUND_UNKNOWN"],
    },
    async ({ req, params, body }) =>
      settingsBody(await setCardSettings(deps, {
        actorId: actorOf(req), fundId: params.id, dailyLimitCents: body.dailyLimitCents === null ? null : BigInt(body.dailyLimitCents),
      })),
  );

  const tillGuesser = (req: Request): PinGuesser => ({
    limits: [client(req), { limiter: tillLimiter, key: `till:${merchant.userOf(req).id}` }],
  });

  api.route(
    {
      method: "post", path: "/api/merchant/card-unlocks", operationId: "unlockCard",
      summary: "Check the PIN of a scanned card: the children's first names, to choose whose budget pays",
      description: "Every try counts: 5 wrong PINs in a row block the card. How many tries are left is not told here.",
      tags: ["merchant"], guard: merchant, body: CardUnlockRequestSchema, response: CardUnlockSchema, errors: [...USE_REFUSALS, "NOT_FOUND"],
    },
    async ({ req, body }) => {
      const unlocked = await unlockCard(deps, { card: body.card, pin: body.pin, guesser: tillGuesser(req) });
      return { ...unlocked, children: unlocked.children.map((c) => ({ childId: c.childId, firstName: c.firstName })) };
    },
  );

  api.route(
    {
      method: "post", path: "/api/merchant/card-charges", operationId: "chargeCard",
      summary: "Charge a card: the PIN unlocks a permit for exactly this amount, paid as a phone's QR is",
      description:
        `Requires the ${IDEMPOTENCY_HEADER} header: the same request with the same key answers the first receipt and pays nothing again. ` +
        "A blocked or replaced card is refused without a chain call.",
      tags: ["merchant"], guard: merchant, body: CardChargeRequestSchema, response: ChargeReceiptSchema, status: 201,
      errors: [...USE_REFUSALS, ...PAY_REFUSALS, "CARD_DAILY_LIMIT", "CARD_CHILD_UNKNOWN", "NOT_FOUND", "CONFLICT", "AMOUNT_TOO_LARGE", ...CHAIN],
    },
    async ({ req, body }) => {
      const idempotencyKey = req.get(IDEMPOTENCY_HEADER);
      if (idempotencyKey === undefined || idempotencyKey.trim() === "") {
        throw new DomainError("INVALID_INPUT", `The ${IDEMPOTENCY_HEADER} header is required.`, { field: IDEMPOTENCY_HEADER, reason: "required" });
      }
      const user = merchant.userOf(req);
      const receipt = await chargeCard(deps, {
        merchantId: user.merchantId, shop: user.shop, merchantUserId: user.id, card: body.card, pin: body.pin, amountCents: body.amountCents,
        childId: body.childId, idempotencyKey, guesser: tillGuesser(req),
      });
      return { status: "PAID" as const, ...receipt };
    },
  );

  api.route(
    {
      method: "post", path: "/api/public/card-balance", operationId: "cardBalance",
      summary: "A card's balance per child, with the card's code and PIN (no login)",
      description: "Counted and limited as at the till: 5 wrong PINs in a row block the card; wrong tries per client address are limited.",
      tags: ["public"], body: CardBalanceRequestSchema, response: CardBalanceSchema, errors: [...USE_REFUSALS],
    },
    async ({ req, body }) => {
      const balance = await cardBalance(deps, { card: body.card, pin: body.pin, guesser: { limits: [client(req)] } });
      return {
        fundName: balance.fundName,
        children: balance.children.map((c) => ({ firstName: c.firstName, balanceCents: centsToWire(c.balanceCents), expiresAt: c.expiresAt.toISOString() })),
      };
    },
  );
}

function settingsBody(s: { dailyLimitCents: bigint | null }) {
  return { dailyLimitCents: s.dailyLimitCents === null ? null : centsToWire(s.dailyLimitCents) };
}
