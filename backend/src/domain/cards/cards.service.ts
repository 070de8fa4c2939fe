// The Tegoed card for families without a smartphone (DESIGN.md "The Tegoed card"). A card is one more
// holder of the family's budgets, exactly like a phone key; the contract does not change. Staff issue
// it (the budgets move to the card's key K with setHolder/rekey), block it, unblock it after wrong
// PINs, and replace it (a rekey to the new card's key: the old card is dead on chain too). At the till
// the card's code (S, from the QR) and the PIN unlock K for one permit of exactly the amount, signed
// with a one-minute deadline, and the payment goes through the phone's charge path.
//
// PIN tries are counted before anything is derived (5 wrong in a row block the card until staff
// unblock it), and also per client address and per till in the HTTP layer's GuessLimiters. How many
// tries are left is for staff only: the till hears "wrong PIN" or "blocked", nothing more.
import { DomainError, PaymentQrError, dayIn, decodeCardQr, domainErrorFromQr, encodeCardQr, encodePaymentQr, qrFromPermit, type CardQr } from "@tegoed/sdk";
import { ZeroAddress } from "ethers";
import { auditLogRepository } from "../../db/audit-log.repository.ts";
import { familiesRepository, type Family } from "../../db/families.repository.ts";
import { inTransaction, type Db } from "../../db/transaction.ts";
import type { FundClient } from "../../chain/fund-client.ts";
import { eligibilityRepository, type FamilyBudget } from "../eligibility/eligibility.repository.ts";
import type { GuessLimiter } from "../eligibility/activation-codes.ts";
import { queueFamilyNotice } from "../notifications/notify.ts";
import { getFund } from "../funds/funds.service.ts";
import type { Fund } from "../funds/funds.repository.ts";
import { once } from "../once.ts";
import { charge, type ChargeReceipt, type Till } from "../payments/payments.service.ts";
import { createCardKey, newCardNumber, opensCard, signWithCard, type NewCardKey } from "./card-key.ts";
import { cardsRepository, type CardRecord } from "./cards.repository.ts";
import { renderBalanceLetter, renderCardPdf, renderCardSheets, renderPinLetters, type BalanceLetter, type PinLetter, type PrintedCard } from "./print.ts";

/** Wrong PINs in a row that block a card. */
export const MAX_PIN_ATTEMPTS = 5;
/** A card's permit is valid this long: it is relayed at once. */
export const PERMIT_SECONDS = 60;

export interface CardDeps {
  db: Db;
  fundClient(address: string): FundClient;
  clock: () => Date;
  /** The server's card pepper (CARD_PEPPER_FILE). */
  pepper: Uint8Array;
  /** Printed on the card and the letter. */
  helpPhone: string;
}

/** Who is trying a PIN: each key is counted by its limiter (the HTTP layer's, one per process). */
export interface PinGuesser {
  limits: { limiter: GuessLimiter; key: string }[];
}

/** A card as staff see it. */
export interface CardView {
  id: string;
  familyId: string;
  fundId: string;
  cardNumber: string;
  state: CardRecord["state"];
  blockedReason: CardRecord["blockedReason"];
  pinTriesLeft: number;
  lastUsedAt: Date | null;
  createdAt: Date;
  replacedBy: string | null;
}

export function toCardView(card: CardRecord): CardView {
  return {
    id: card.id, familyId: card.familyId, fundId: card.fundId, cardNumber: card.cardNumber, state: card.state,
    blockedReason: card.blockedReason, pinTriesLeft: Math.max(0, MAX_PIN_ATTEMPTS - card.failedPinAttempts),
    lastUsedAt: card.lastUsedAt, createdAt: card.createdAt, replacedBy: card.replacedBy,
  };
}

/** A new card with its printables. The code and PIN are in the PDFs only: answered once, never stored. */
export interface IssuedCard {
  card: CardView;
  cardPdf: Uint8Array;
  pinLetterPdf: Uint8Array;
  /** For the batch's sheets and letters. */
  printed: PrintedCard;
  letter: PinLetter;
}

async function requireFamily(db: Db, familyId: string): Promise<Family> {
  const family = await familiesRepository(db).findById(familyId);
  if (!family || family.deletedAt) throw new DomainError("NOT_FOUND", "This family was not found.", { familyId });
  return family;
}

async function issuedBudgets(db: Db, family: Family): Promise<FamilyBudget[]> {
  const budgets = await eligibilityRepository(db).budgetsOfFamily(family.id);
  if (budgets.length === 0 || budgets.length < family.children.length || budgets.some((b) => b.status === "pending")) {
    throw new DomainError("BUDGETS_NOT_ISSUED", undefined, { familyId: family.id });
  }
  return budgets;
}

async function freshCardNumber(db: Db): Promise<string> {
  const repo = cardsRepository(db);
  for (;;) {
    const number = newCardNumber();
    if (!(await repo.numberTaken(number))) return number;
  }
}

/** Moves every budget of the family to `holder` on chain (setHolder when unset, else rekey). */
async function moveBudgets(client: FundClient, budgets: readonly FamilyBudget[], holder: string): Promise<string[]> {
  const txHashes: string[] = [];
  for (const budget of budgets) {
    const state = await client.budgetOf(budget.budgetId);
    if (state.holder.toLowerCase() === holder) continue;
    if (state.holder === ZeroAddress) txHashes.push((await client.setHolder(budget.budgetId, holder)).txHash);
    else txHashes.push((await client.rekey(budget.budgetId, holder)).txHash);
  }
  return txHashes;
}

function printables(deps: CardDeps, family: Family, fund: Fund, key: NewCardKey): { printed: PrintedCard; letter: PinLetter } {
  const printed: PrintedCard = {
    language: family.preferredLanguage, fundName: fund.name, cardNumber: key.cardNumber,
    cardCode: encodeCardQr({ cardNumber: key.cardNumber, secret: key.secret }), helpPhone: deps.helpPhone,
  };
  const letter: PinLetter = {
    language: family.preferredLanguage, fundName: fund.name, cardNumber: key.cardNumber, pin: key.pin,
    parentName: family.displayName ?? "", addressLines: family.addressLines ?? [], helpPhone: deps.helpPhone,
  };
  return { printed, letter };
}

/**
 * A card for an approved family whose budgets are issued, covering all its children's budgets (moved to
 * the card's key: a phone the family had stops working). CARD_EXISTS when it has a card in use: replace
 * that one. Nothing is recorded until the chain has moved every budget; a failure part-way leaves some
 * budgets on a key nobody has, which the next issue moves again (no money moves).
 */
export async function issueCard(deps: CardDeps, cmd: { actorId: string; familyId: string; replacing?: CardRecord }): Promise<IssuedCard> {
  const family = await requireFamily(deps.db, cmd.familyId);
  if (!family.approvedAt) throw new DomainError("CONFLICT", "The family is not approved yet.", { familyId: family.id });
  const live = await cardsRepository(deps.db).liveOfFamily(family.id);
  if (live && live.id !== cmd.replacing?.id) throw new DomainError("CARD_EXISTS", undefined, { cardId: live.id });
  const [fund, budgets] = await Promise.all([getFund(deps, family.fundId), issuedBudgets(deps.db, family)]);
  const key = createCardKey(await freshCardNumber(deps.db), deps.pepper);
  const txHashes = await moveBudgets(deps.fundClient(fund.chainAddress), budgets, key.holderAddress);
  const card = await inTransaction(deps.db, async (trx) => {
    const repo = cardsRepository(trx);
    if (cmd.replacing) {
      const old = await repo.byIdForUpdate(cmd.replacing.id);
      if (old?.state === "replaced") throw new DomainError("CARD_REPLACED", undefined, { cardId: old.id });
      // Out of the way of the one-card-in-use index first; pointed at its successor below.
      await repo.markReplaced(cmd.replacing.id, null);
    }
    const inserted = await repo.insert({
      familyId: family.id, fundId: fund.id, cardNumber: key.cardNumber, salt: key.salt, wrappedKey: key.wrappedKey, holderAddress: key.holderAddress,
    });
    if (cmd.replacing) await repo.markReplaced(cmd.replacing.id, inserted.id);
    await eligibilityRepository(trx).setHolder(budgets.map((b) => b.budgetId), key.holderAddress);
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: cmd.actorId, action: cmd.replacing ? "card.replace" : "card.issue", subjectType: "family", subjectId: family.id,
      details: { cardId: inserted.id, cardNumber: key.cardNumber, budgets: budgets.length, txHashes, ...(cmd.replacing && { replacedCardId: cmd.replacing.id }) },
    });
    // A security notice: the budgets now answer to a card (a phone or the old card stopped working).
    await queueFamilyNotice(trx, family.id, {
      kind: cmd.replacing ? "card_replaced" : "card_issued", dedupeKey: `card_issued:${inserted.id}`, data: { senderName: fund.name },
    });
    return inserted;
  });
  const { printed, letter } = printables(deps, family, fund, key);
  const [cardPdf, pinLetterPdf] = await Promise.all([renderCardPdf(printed), renderPinLetters([letter])]);
  return { card: toCardView(card), cardPdf, pinLetterPdf, printed, letter };
}

/** Cards for many families of a fund: one PDF of card sheets, one of PIN letters, in the same order. */
export async function issueCards(
  deps: CardDeps, cmd: { actorId: string; fundId: string; familyIds?: string[] },
): Promise<{ cards: CardView[]; cardSheetsPdf: Uint8Array; pinLettersPdf: Uint8Array; skipped: { familyId: string; code: string }[] }> {
  const fund = await getFund(deps, cmd.fundId);
  const familyIds = cmd.familyIds ?? (await cardlessFamilies(deps.db, fund.id));
  const issued: IssuedCard[] = [];
  const skipped: { familyId: string; code: string }[] = [];
  for (const familyId of familyIds) {
    try {
      const family = await requireFamily(deps.db, familyId);
      if (family.fundId !== fund.id) throw new DomainError("NOT_FOUND", "This family is not in this fund.", { familyId });
      issued.push(await issueCard(deps, { actorId: cmd.actorId, familyId }));
    } catch (error) {
      if (!(error instanceof DomainError) || error.code.startsWith("CHAIN_")) throw error;
      skipped.push({ familyId, code: error.code });
    }
  }
  const [cardSheetsPdf, pinLettersPdf] = await Promise.all([
    renderCardSheets(issued.map((i) => i.printed)), renderPinLetters(issued.map((i) => i.letter)),
  ]);
  return { cards: issued.map((i) => i.card), cardSheetsPdf, pinLettersPdf, skipped };
}

async function cardlessFamilies(db: Db, fundId: string): Promise<string[]> {
  const repo = eligibilityRepository(db);
  const cards = cardsRepository(db);
  const ids = new Set((await repo.budgetsOfFund(fundId, "issued")).map((b) => b.childId).filter((id): id is string => id !== null));
  const families: string[] = [];
  const { families: found } = await repo.searchFamilies(fundId, undefined, 10_000, 0);
  for (const family of found) {
    // A family that activated a phone keeps it unless staff choose a card for it by name.
    if (!family.approvedAt || family.activatedAt || !family.children.some((c) => ids.has(c.id))) continue;
    if (!(await cards.liveOfFamily(family.id))) families.push(family.id);
  }
  return families;
}

export async function listFamilyCards(deps: Pick<CardDeps, "db">, familyId: string): Promise<CardView[]> {
  await requireFamily(deps.db, familyId);
  return (await cardsRepository(deps.db).ofFamily(familyId)).map(toCardView);
}

async function changeCard(
  deps: Pick<CardDeps, "db">, cmd: { actorId: string; cardId: string; reason?: string }, action: string,
  decide: (card: CardRecord, repo: ReturnType<typeof cardsRepository>, trx: Db) => Promise<void>,
): Promise<CardView> {
  return inTransaction(deps.db, async (trx) => {
    const repo = cardsRepository(trx);
    const card = await repo.byIdForUpdate(cmd.cardId);
    if (!card) throw new DomainError("CARD_UNKNOWN", undefined, { cardId: cmd.cardId });
    if (card.state === "replaced") throw new DomainError("CARD_REPLACED", undefined, { cardId: card.id });
    await decide(card, repo, trx);
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: cmd.actorId, action, subjectType: "family", subjectId: card.familyId,
      details: { cardId: card.id, ...(cmd.reason && { reason: cmd.reason }) },
    });
    return toCardView((await repo.byId(card.id))!);
  });
}

/** Blocks a card at once (off chain: no payment is signed for it any more). Blocking again changes nothing. */
export function blockCard(deps: Pick<CardDeps, "db">, cmd: { actorId: string; cardId: string; reason: string }): Promise<CardView> {
  return changeCard(deps, cmd, "card.block", async (card, repo, trx) => {
    if (card.state === "blocked") return;
    await repo.block(card.id, "staff");
    await queueFamilyNotice(trx, card.familyId, { kind: "card_blocked", data: {} });
  });
}

/** A blocked card works again, with 5 fresh PIN tries. CARD_NOT_BLOCKED otherwise. */
export function unblockCard(deps: Pick<CardDeps, "db">, cmd: { actorId: string; cardId: string }): Promise<CardView> {
  return changeCard(deps, cmd, "card.unblock", async (card, repo) => {
    if (card.state !== "blocked") throw new DomainError("CARD_NOT_BLOCKED", undefined, { cardId: card.id });
    await repo.unblock(card.id);
  });
}

/** A new card for a lost one: the budgets are rekeyed to the new card's key, so the old card is dead on chain. */
export async function replaceCard(deps: CardDeps, cmd: { actorId: string; cardId: string }): Promise<IssuedCard> {
  const old = await cardsRepository(deps.db).byId(cmd.cardId);
  if (!old) throw new DomainError("CARD_UNKNOWN", undefined, { cardId: cmd.cardId });
  if (old.state === "replaced") throw new DomainError("CARD_REPLACED", undefined, { cardId: old.id });
  return issueCard(deps, { actorId: cmd.actorId, familyId: old.familyId, replacing: old });
}

/**
 * The balance letter staff print when a family without a smartphone asks: each child's budget left on
 * chain now, and until when, with the family's card number if it has one in use. In the audit log.
 */
export async function printBalance(deps: CardDeps, cmd: { actorId: string; familyId: string }): Promise<{ letter: BalanceLetter; pdf: Uint8Array }> {
  const family = await requireFamily(deps.db, cmd.familyId);
  const budgets = await issuedBudgets(deps.db, family);
  const fund = await getFund(deps, family.fundId);
  const client = deps.fundClient(fund.chainAddress);
  const asOf = deps.clock();
  const children = await Promise.all(budgets.map(async (b) => {
    const state = await client.budgetOf(b.budgetId);
    return { firstName: b.firstName, balanceCents: state.balance, expiresAt: new Date(Number(state.expiry) * 1000) };
  }));
  const card = await cardsRepository(deps.db).liveOfFamily(family.id);
  const letter: BalanceLetter = {
    language: family.preferredLanguage, fundName: fund.name, cardNumber: card?.cardNumber ?? null,
    parentName: family.displayName ?? "", addressLines: family.addressLines ?? [], asOf, timeZone: fund.timeZone, children, helpPhone: deps.helpPhone,
  };
  const pdf = await renderBalanceLetter(letter);
  await auditLogRepository(deps.db).append({
    actorType: "staff", actorId: cmd.actorId, action: "card.balance_print", subjectType: "family", subjectId: family.id,
    details: { budgets: budgets.length, ...(card && { cardId: card.id }) },
  });
  return { letter, pdf };
}

export async function cardSettings(deps: Pick<CardDeps, "db">, fundId: string): Promise<{ dailyLimitCents: bigint | null }> {
  await getFund(deps, fundId);
  return { dailyLimitCents: await cardsRepository(deps.db).dailyLimit(fundId) };
}

export async function setCardSettings(
  deps: Pick<CardDeps, "db">, cmd: { actorId: string; fundId: string; dailyLimitCents: bigint | null },
): Promise<{ dailyLimitCents: bigint | null }> {
  await getFund(deps, cmd.fundId);
  await inTransaction(deps.db, async (trx) => {
    await cardsRepository(trx).setDailyLimit(cmd.fundId, cmd.dailyLimitCents);
    await auditLogRepository(trx).append({
      actorType: "staff", actorId: cmd.actorId, action: "fund.card_settings", subjectType: "fund", subjectId: cmd.fundId,
      details: { dailyLimitCents: cmd.dailyLimitCents === null ? null : cmd.dailyLimitCents.toString() },
    });
  });
  return { dailyLimitCents: cmd.dailyLimitCents };
}

// --- using a card: the till and the public balance check

function readCardCode(text: string): CardQr {
  try {
    return decodeCardQr(text);
  } catch (error) {
    if (error instanceof PaymentQrError) throw domainErrorFromQr(error);
    throw error;
  }
}

function refusedState(card: CardRecord): DomainError | null {
  if (card.state === "replaced") return new DomainError("CARD_REPLACED");
  if (card.state === "blocked") return new DomainError("CARD_BLOCKED");
  return null;
}

interface Attempt {
  card: CardRecord;
  /** The day's limit would be passed by this payment (known before the PIN is judged; told only after). */
  overLimit?: boolean;
  budget?: FamilyBudget;
}

/**
 * Counts one PIN try of the card before anything is derived; refuses an unknown, blocked or replaced
 * card (no chain call). With a payment: finds the child's budget and reserves the amount against the
 * day's limit, in the same transaction that holds the card's row, so two tills at once cannot both pass it.
 */
async function startAttempt(
  deps: CardDeps, code: CardQr, guesser: PinGuesser,
  payment?: { childId: string; merchantId: string; requestKey: string; amountCents: bigint },
): Promise<Attempt> {
  for (const { limiter, key } of guesser.limits) limiter.assertAllowed(key);
  const result = await inTransaction(deps.db, async (trx): Promise<Attempt | DomainError> => {
    const repo = cardsRepository(trx);
    const card = await repo.byNumberForUpdate(code.cardNumber);
    if (!card) return new DomainError("CARD_UNKNOWN");
    const refused = refusedState(card);
    if (refused) return refused;
    if (card.failedPinAttempts >= MAX_PIN_ATTEMPTS) {
      await repo.block(card.id, "pin");
      return new DomainError("CARD_BLOCKED");
    }
    await repo.setAttempts(card.id, card.failedPinAttempts + 1);
    const counted = { ...card, failedPinAttempts: card.failedPinAttempts + 1 };
    if (!payment) return { card: counted };
    const budget = (await eligibilityRepository(trx).budgetsOfFamily(card.familyId)).find((b) => b.childId === payment.childId);
    if (!budget) return { card: counted };
    const limit = await repo.dailyLimit(card.fundId);
    // The daily limit's day is the fund's, wherever the till's clock is.
    const { timeZone } = await getFund({ db: trx }, card.fundId);
    const day = dayIn(deps.clock(), timeZone);
    if (limit !== null && (await repo.spentOn(card.id, day)) + payment.amountCents > limit) return { card: counted, budget, overLimit: true };
    await repo.reserve({ cardId: card.id, merchantId: payment.merchantId, requestKey: payment.requestKey, amountCents: payment.amountCents, day });
    return { card: counted, budget };
  });
  if (result instanceof DomainError) {
    if (result.code === "CARD_UNKNOWN") for (const { limiter, key } of guesser.limits) limiter.recordFailure(key);
    throw result;
  }
  return result;
}

/** A wrong PIN: the try stays counted, the fifth in a row blocks the card. */
async function wrongPin(deps: CardDeps, card: CardRecord, guesser: PinGuesser): Promise<DomainError> {
  for (const { limiter, key } of guesser.limits) limiter.recordFailure(key);
  if (card.failedPinAttempts < MAX_PIN_ATTEMPTS) return new DomainError("CARD_PIN_WRONG");
  await inTransaction(deps.db, async (trx) => {
    const repo = cardsRepository(trx);
    const now = await repo.byIdForUpdate(card.id);
    if (now && now.state !== "blocked" && now.state !== "replaced" && now.failedPinAttempts >= MAX_PIN_ATTEMPTS) {
      await repo.block(card.id, "pin");
      await queueFamilyNotice(trx, card.familyId, { kind: "card_blocked", data: {} });
    }
    await auditLogRepository(trx).append({
      actorType: "system", action: "card.block", subjectType: "family", subjectId: card.familyId, details: { cardId: card.id, reason: "pin" },
    });
  });
  return new DomainError("CARD_BLOCKED", "Wrong PIN too many times: this card is now blocked. The family should contact the municipality.");
}

interface CardChild {
  childId: string;
  firstName: string;
  balanceCents: bigint;
  expiresAt: Date;
}

/** The PIN checked (counted like any try): the card and its children with their balances. */
async function openCard(deps: CardDeps, cmd: { card: string; pin: string; guesser: PinGuesser }): Promise<{ card: CardRecord; fund: Fund; children: CardChild[] }> {
  const code = readCardCode(cmd.card);
  const { card } = await startAttempt(deps, code, cmd.guesser);
  if (!opensCard(card, code.secret, cmd.pin, deps.pepper)) throw await wrongPin(deps, card, cmd.guesser);
  await cardsRepository(deps.db).setAttempts(card.id, 0);
  const fund = await getFund(deps, card.fundId);
  const client = deps.fundClient(fund.chainAddress);
  const budgets = await eligibilityRepository(deps.db).budgetsOfFamily(card.familyId);
  const children = await Promise.all(
    budgets.map(async (b) => {
      const state = await client.budgetOf(b.budgetId);
      return { childId: b.childId, firstName: b.firstName, balanceCents: state.balance, expiresAt: new Date(Number(state.expiry) * 1000), holder: state.holder };
    }),
  );
  // Budgets moved to another holder (a phone, a newer card) are not this card's any more.
  const held = children.filter((c) => c.holder.toLowerCase() === card.holderAddress).map(({ holder: _, ...c }) => c);
  if (held.length === 0) throw new DomainError("CARD_REPLACED", "This card no longer holds any budget: it was moved to a phone or another card.");
  return { card, fund, children: held };
}

/** At the till: the PIN is right; the children (the route answers their first names), to pick whose budget pays. */
export async function unlockCard(deps: CardDeps, cmd: { card: string; pin: string; guesser: PinGuesser }) {
  const { card, fund, children } = await openCard(deps, cmd);
  return { fundId: fund.id, fundName: fund.name, cardNumber: card.cardNumber, children };
}

/** The public balance check: card code and PIN, counted and limited like the till's. */
export async function cardBalance(deps: CardDeps, cmd: { card: string; pin: string; guesser: PinGuesser }) {
  const { fund, children } = await openCard(deps, cmd);
  return { fundName: fund.name, children: children.map(({ firstName, balanceCents, expiresAt }) => ({ firstName, balanceCents, expiresAt })) };
}

export interface CardChargeCommand extends Till {
  merchantUserId?: string;
  card: string;
  pin: string;
  amountCents: number;
  childId: string;
  idempotencyKey: string;
  guesser: PinGuesser;
}

/** Charges on one card are taken one at a time in this process, so two tills do not race for a nonce. */
const cardQueues = new Map<string, Promise<unknown>>();

function oneAtATime<T>(cardNumber: string, work: () => Promise<T>): Promise<T> {
  const before = cardQueues.get(cardNumber) ?? Promise.resolve();
  const run = before.then(work, work);
  const tail = run.catch(() => {});
  cardQueues.set(cardNumber, tail);
  void tail.then(() => {
    if (cardQueues.get(cardNumber) === tail) cardQueues.delete(cardNumber);
  });
  return run;
}

/**
 * Pays `amountCents` from the chosen child's budget with the card. Same Idempotency-Key and request
 * again → the first receipt (no PIN try counted); another request with that key → CONFLICT.
 */
export async function chargeCard(deps: CardDeps, cmd: CardChargeCommand): Promise<ChargeReceipt> {
  const code = readCardCode(cmd.card);
  if (typeof cmd.amountCents !== "number" || !Number.isSafeInteger(cmd.amountCents) || cmd.amountCents <= 0) {
    throw new DomainError("INVALID_INPUT", undefined, { field: "amountCents", reason: "a positive whole number of cents" });
  }
  const request = { cardNumber: code.cardNumber, amountCents: cmd.amountCents, childId: cmd.childId };
  return once(deps.db, { scope: `card-charge:${cmd.merchantId}`, key: cmd.idempotencyKey, request }, () =>
    oneAtATime(code.cardNumber, () => payOnce(deps, cmd, code)));
}

async function payOnce(deps: CardDeps, cmd: CardChargeCommand, code: CardQr): Promise<ChargeReceipt> {
  const amount = BigInt(cmd.amountCents);
  const repo = cardsRepository(deps.db);
  const attempt = await startAttempt(deps, code, cmd.guesser, {
    childId: cmd.childId, merchantId: cmd.merchantId, requestKey: cmd.idempotencyKey, amountCents: amount,
  });
  const { card } = attempt;
  let paid = false;
  try {
    const fund = await getFund(deps, card.fundId);
    const client = deps.fundClient(fund.chainAddress);
    const [chainId, state, latest] = await Promise.all([
      client.relayer.chainId(), attempt.budget ? client.budgetOf(attempt.budget.budgetId) : null, client.relayer.provider.getBlock("latest"),
    ]);
    // The limit and the child are told only to whoever knows the PIN.
    if (!attempt.budget || !state || attempt.overLimit) {
      if (!opensCard(card, code.secret, cmd.pin, deps.pepper)) throw await wrongPin(deps, card, cmd.guesser);
      await repo.setAttempts(card.id, 0);
      throw attempt.overLimit ? new DomainError("CARD_DAILY_LIMIT") : new DomainError("CARD_CHILD_UNKNOWN", undefined, { childId: cmd.childId });
    }
    const budget = attempt.budget;
    let nonce = state.nonce;
    let holder = state.holder;
    for (let round = 0; ; round++) {
      if (holder.toLowerCase() !== card.holderAddress) {
        if (!opensCard(card, code.secret, cmd.pin, deps.pepper)) throw await wrongPin(deps, card, cmd.guesser);
        throw new DomainError("CARD_REPLACED", "This card no longer holds this budget: it was moved to a phone or another card.");
      }
      // A minute from now by the chain's clock, which is what the contract compares with (it may run ahead of ours).
      const now = Math.max(Math.floor(deps.clock().getTime() / 1000), latest?.timestamp ?? 0);
      const permit = { fund: fund.chainAddress, budgetId: budget.budgetId, maxAmount: amount, nonce, deadline: BigInt(now + PERMIT_SECONDS) };
      const signature = signWithCard(card, code.secret, cmd.pin, deps.pepper, chainId, permit);
      if (signature === null) throw await wrongPin(deps, card, cmd.guesser);
      if (round === 0) await repo.setAttempts(card.id, 0);
      const qr = encodePaymentQr(qrFromPermit(permit, fund.factoryIndex, signature));
      try {
        const receipt = await charge(
          { db: deps.db, fund: deps.fundClient, clock: deps.clock },
          { merchantId: cmd.merchantId, shop: cmd.shop, merchantUserId: cmd.merchantUserId, qr, amountCents: cmd.amountCents, idempotencyKey: `${cmd.idempotencyKey}#${round}` },
        );
        paid = true;
        await inTransaction(deps.db, async (trx) => {
          const cards = cardsRepository(trx);
          await cards.markPaid(cmd.merchantId, cmd.idempotencyKey, receipt.paymentId);
          await cards.markUsed(card.id, deps.clock());
          await auditLogRepository(trx).append({
            actorType: "merchant", actorId: cmd.merchantUserId ?? null, action: "card.payment", subjectType: "family", subjectId: card.familyId,
            details: { cardId: card.id, merchantId: cmd.merchantId, paymentId: receipt.paymentId, amountCents: receipt.amountCents },
          });
        });
        return receipt;
      } catch (error) {
        // Another replica's payment took this nonce between our read and our send: sign again, once.
        if (!(error instanceof DomainError && error.code === "PERMIT_USED") || round >= 2) throw error;
        const fresh = await client.budgetOf(budget.budgetId);
        nonce = fresh.nonce;
        holder = fresh.holder;
      }
    }
  } catch (error) {
    const certain = error instanceof DomainError && !["CHAIN_TIMEOUT", "CHAIN_UNAVAILABLE", "CHAIN_REVERTED", "INTERNAL"].includes(error.code);
    if (!paid && certain) await repo.dropReservation(cmd.merchantId, cmd.idempotencyKey);
    throw error;
  }
}
