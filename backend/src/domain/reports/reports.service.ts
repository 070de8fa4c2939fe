// Reports: a fund's dashboard for staff, the audit log's pages, and the public figures of each fund.
// The public figures never single out a family: counts below PUBLIC_MIN_GROUP show as "<10", the money
// sums are withheld until that many children hold a budget, and categories in which few families paid are merged.
import { PUBLIC_MIN_FAMILIES_PER_CATEGORY, PUBLIC_MIN_GROUP, type SuppressedCount } from "@tegoed/sdk";
import { getFund, type Fund } from "../funds/index.ts";
import type { Db } from "../../db/transaction.ts";
import { reportsRepository, type AuditRow, type FundFigures, type ShopSpending, type SpendingLine } from "./reports.repository.ts";

export interface ReportsDeps {
  db: Db;
  clock: () => Date;
  /** The public figures are as of the last full period of this length. Default: an hour; 0: real time. */
  publicFiguresPeriodMs?: number;
}

export type { SpendingLine };

export interface Dashboard extends FundFigures {
  fund: Fund;
  leftCents: bigint;
  owedToShopsCents: bigint;
  interval: "day" | "week";
  byCategory: (SpendingLine & { category: string })[];
  /** The TOP_SHOPS shops with the most net spending, most first. */
  byShop: ShopLine[];
  /** The paid shops after those: how many, and their spending together. */
  otherShops: SpendingLine & { shops: number };
  overTime: (SpendingLine & { period: string; categories: Map<string, bigint> })[];
  generatedAt: Date;
}

export type ShopLine = SpendingLine & { merchantId: string | null; name: string; address: string };

/** How many shops the dashboard names; the others are one line (the export lists them all). */
export const TOP_SHOPS = 10;

const OTHER = "other";
const clamp0 = (n: bigint) => (n < 0n ? 0n : n);

/** The category a shop's payments count under: its first category in this fund, else its own first one. */
export function categoryOf(fundCategories: readonly string[], shop: Pick<ShopSpending, "categoriesMask" | "shopCategories">): string {
  if (shop.categoriesMask !== null) {
    for (let i = 0; i < fundCategories.length; i++) {
      if ((shop.categoriesMask >> BigInt(i)) & 1n) return fundCategories[i]!;
    }
  }
  return shop.shopCategories[0] ?? OTHER;
}

const noSpending = (): SpendingLine => ({ payments: 0n, spentCents: 0n, refundedCents: 0n });
const plus = (a: SpendingLine, b: SpendingLine, sign = 1n): SpendingLine => ({
  payments: a.payments + sign * b.payments, spentCents: a.spentCents + sign * b.spentCents, refundedCents: a.refundedCents + sign * b.refundedCents,
});

/**
 * Spending per category: the rollup's sums per category it counted the shops under, with each shop whose
 * category changed since (`moved`) taken from the old one and added to its current one.
 */
function byCategory(counted: readonly (SpendingLine & { category: string })[], moved: readonly { shop: ShopSpending; now: string }[]): Dashboard["byCategory"] {
  const lines = new Map(counted.map((c) => [c.category, c as SpendingLine]));
  for (const { shop, now } of moved) {
    lines.set(shop.countedAs, plus(lines.get(shop.countedAs) ?? noSpending(), shop, -1n));
    lines.set(now, plus(lines.get(now) ?? noSpending(), shop));
  }
  return [...lines]
    .filter(([, line]) => line.payments !== 0n)
    .map(([category, line]) => ({ category, payments: line.payments, spentCents: line.spentCents, refundedCents: line.refundedCents }))
    .sort((a, b) => Number(b.spentCents - a.spentCents) || a.category.localeCompare(b.category));
}

/** Spending per category of each shop's current category (every shop in hand). */
function byCurrentCategory(fund: Fund, shops: readonly ShopSpending[]): Dashboard["byCategory"] {
  const lines = new Map<string, SpendingLine>();
  for (const shop of shops) {
    const category = categoryOf(fund.categories, shop);
    lines.set(category, plus(lines.get(category) ?? noSpending(), shop));
  }
  return byCategory([...lines].map(([category, line]) => ({ category, ...line })), []);
}

const shopLine = (s: ShopSpending): ShopLine => ({
  merchantId: s.merchantId, name: s.name ?? s.merchantAddress, address: s.merchantAddress,
  payments: s.payments, spentCents: s.spentCents, refundedCents: s.refundedCents,
});

/** Every paid shop of the fund, most spending first: the dashboard's export. */
export async function spendingByShop(deps: ReportsDeps, fundId: string): Promise<{ fund: Fund; shops: ShopLine[] }> {
  const fund = await getFund(deps, fundId);
  return { fund, shops: (await reportsRepository(deps.db).byShop(fund.id)).map(shopLine) };
}

export async function fundDashboard(deps: ReportsDeps, fundId: string, interval: "day" | "week" = "day"): Promise<Dashboard> {
  const fund = await getFund(deps, fundId);
  const repo = reportsRepository(deps.db);
  const [figures, top, counted, listed, lines] = await Promise.all([
    repo.figures(fund.id), repo.topShops(fund.id, TOP_SHOPS), repo.byCountedCategory(fund.id), repo.maybeRecategorised(fund.id),
    repo.overTime(fund.id, interval),
  ]);
  // The rollup counts a shop under its category when its first payment was folded in: one whose category changed since is moved.
  const moved = listed.map((shop) => ({ shop, now: categoryOf(fund.categories, shop) })).filter((m) => m.now !== m.shop.countedAs);
  // Each period's total, and its net spending per category (through the shop that was paid).
  const perPeriod = new Map<string, Map<string, SpendingLine>>();
  const add = (period: string, category: string, sign: bigint, line: SpendingLine) => {
    let categories = perPeriod.get(period);
    if (!categories) perPeriod.set(period, (categories = new Map()));
    categories.set(category, plus(categories.get(category) ?? noSpending(), line, sign));
  };
  for (const line of lines) add(line.period, line.category, 1n, line);
  if (moved.length) {
    const byAddress = new Map(moved.map((m) => [m.shop.merchantAddress, m]));
    for (const line of await repo.shopsOverTime(fund.id, interval, [...byAddress.keys()])) {
      const m = byAddress.get(line.merchant)!;
      add(line.period, m.shop.countedAs, -1n, line);
      add(line.period, m.now, 1n, line);
    }
  }
  const overTime: Dashboard["overTime"] = [];
  for (const [period, categories] of perPeriod) {
    const total = { period, payments: 0n, spentCents: 0n, refundedCents: 0n, categories: new Map<string, bigint>() };
    for (const [category, line] of categories) {
      if (line.payments === 0n) continue; // every payment of it moved to another category
      total.payments += line.payments;
      total.spentCents += line.spentCents;
      total.refundedCents += line.refundedCents;
      total.categories.set(category, line.spentCents - line.refundedCents);
    }
    overTime.push(total);
  }
  // From the same rollup rows as the categories (read beside the top shops: a payment in between is
  // counted in one and not yet in the other, so none of the rest goes below zero).
  const rest = plus(counted.categories.reduce((sum, c) => plus(sum, c), noSpending()), top.reduce((sum, s) => plus(sum, s), noSpending()), -1n);
  return {
    ...figures,
    fund,
    leftCents: clamp0(figures.issuedCents - figures.spentCents + figures.refundedCents),
    owedToShopsCents: clamp0(figures.spentCents - figures.refundedCents - figures.paidOutCents),
    interval,
    byCategory: byCategory(counted.categories, moved),
    byShop: top.map(shopLine),
    otherShops: {
      shops: Math.max(0, counted.shops - top.length),
      payments: clamp0(rest.payments), spentCents: clamp0(rest.spentCents), refundedCents: clamp0(rest.refundedCents),
    },
    overTime,
    generatedAt: deps.clock(),
  };
}

export interface AuditPageQuery {
  actor?: string;
  action?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  cursor?: string;
}

export async function auditLogPage(deps: ReportsDeps, query: AuditPageQuery): Promise<{ entries: AuditRow[]; nextCursor: string | null }> {
  const limit = query.limit ?? 100;
  // One more than asked tells whether another page follows.
  const rows = await reportsRepository(deps.db).auditLog({
    actor: query.actor, action: query.action, from: query.from, to: query.to,
    beforeId: query.cursor === undefined ? undefined : BigInt(query.cursor), limit: limit + 1,
  });
  const entries = rows.slice(0, limit);
  return { entries, nextCursor: rows.length > limit ? entries[entries.length - 1]!.id.toString() : null };
}

export interface PublicFigures {
  fund: Fund;
  children: SuppressedCount;
  totalBudgetCents: bigint | null;
  spentCents: bigint | null;
  paidToShopsCents: bigint | null;
  shops: number;
  byCategory: { category: string; spentCents: bigint }[];
}

/** A category's spending with the families (device keys) that paid in it. */
export type CategoryPayers = SpendingLine & { category: string; payers: ReadonlySet<string> };

/**
 * Small groups suppressed: see the file's head. A category is shown apart once PUBLIC_MIN_FAMILIES_PER_CATEGORY
 * families paid in it; the rest merge into "other". When "other" would hold fewer families than that (yet some),
 * the smallest shown categories join it: otherwise the total minus the shown categories would give away the
 * small group's amount.
 */
export function suppress(fund: Fund, figures: FundFigures, categories: readonly CategoryPayers[]): PublicFigures {
  // Children with a budget count here, not families on file: only they take part in the figures.
  const children = Number(figures.budgets);
  const enough = children >= PUBLIC_MIN_GROUP;
  const net = (line: SpendingLine) => line.spentCents - line.refundedCents;
  const shown = categories
    .filter((line) => line.payers.size >= PUBLIC_MIN_FAMILIES_PER_CATEGORY && line.category !== OTHER)
    .sort((a, b) => (net(b) > net(a) ? 1 : net(b) < net(a) ? -1 : a.category.localeCompare(b.category)));
  const merged = categories.filter((line) => !shown.includes(line) && line.payments > 0n);
  const familiesIn = (lines: readonly CategoryPayers[]) => new Set(lines.flatMap((line) => [...line.payers])).size;
  while (merged.length > 0 && shown.length > 0 && familiesIn(merged) < PUBLIC_MIN_FAMILIES_PER_CATEGORY) merged.push(shown.pop()!);
  const byCategory = shown.map((line) => ({ category: line.category, spentCents: net(line) }));
  if (merged.length > 0 && familiesIn(merged) >= PUBLIC_MIN_FAMILIES_PER_CATEGORY) {
    byCategory.push({ category: OTHER, spentCents: merged.reduce((sum, line) => sum + net(line), 0n) });
  }
  return {
    fund,
    children: enough ? children : `<${PUBLIC_MIN_GROUP}`,
    totalBudgetCents: enough ? figures.issuedCents : null,
    spentCents: enough ? clamp0(figures.spentCents - figures.refundedCents) : null,
    paidToShopsCents: enough ? figures.paidOutCents : null,
    shops: Number(figures.shops),
    byCategory: enough ? byCategory : [],
  };
}

/** The start of the period `now` is in: public figures are as of then, so polling around a purchase does not reveal its amount. */
export function lastFullPeriod(now: Date, periodMs = 3_600_000): Date {
  return periodMs > 0 ? new Date(Math.floor(now.getTime() / periodMs) * periodMs) : now;
}

// Who paid where before a full hour does not change within the hour: read once per fund and hour (the payments
// table, not a rollup), not at every visitor's poll.
const payersCache = new WeakMap<Db, Map<string, { asOf: number; payers: Promise<Map<string, Set<string>>> }>>();
function payersAsOf(db: Db, fundId: string, asOf: Date): Promise<Map<string, Set<string>>> {
  let funds = payersCache.get(db);
  if (!funds) payersCache.set(db, (funds = new Map()));
  const cached = funds.get(fundId);
  if (cached?.asOf === asOf.getTime()) return cached.payers;
  const payers = reportsRepository(db).payersByShop(fundId, asOf);
  funds.set(fundId, { asOf: asOf.getTime(), payers });
  payers.catch(() => funds.delete(fundId));
  return payers;
}

/** The fund's public figures as of the last full hour (`asOf`; another period when configured). */
export async function publicFund(deps: ReportsDeps, fundId: string): Promise<PublicFigures & { asOf: Date }> {
  const fund = await getFund(deps, fundId);
  const asOf = lastFullPeriod(deps.clock(), deps.publicFiguresPeriodMs);
  const repo = reportsRepository(deps.db);
  // Real time takes nothing off: a block's time may run ahead of this server's clock.
  const realTime = deps.publicFiguresPeriodMs === 0;
  const nothingSince = { byMerchant: new Map(), paidOutCents: 0n } as Awaited<ReturnType<typeof repo.since>>;
  const [figures, shops, since, payers] = await Promise.all([
    repo.figures(fund.id), repo.byShop(fund.id), realTime ? nothingSince : repo.since(fund.id, asOf),
    realTime ? repo.payersByShop(fund.id, null) : payersAsOf(deps.db, fund.id, asOf),
  ]);
  // What came after the hour is taken off the rollups' figures.
  const then = shops.map((shop) => {
    const later = since.byMerchant.get(shop.merchantAddress);
    return later
      ? { ...shop, payments: shop.payments - later.payments, spentCents: shop.spentCents - later.spentCents, refundedCents: shop.refundedCents - later.refundedCents }
      : shop;
  });
  const sum = (pick: (l: { payments: bigint; spentCents: bigint; refundedCents: bigint }) => bigint) =>
    [...since.byMerchant.values()].reduce((total, l) => total + pick(l), 0n);
  const figuresThen: FundFigures = {
    ...figures,
    payments: figures.payments - sum((l) => l.payments),
    spentCents: figures.spentCents - sum((l) => l.spentCents),
    refundedCents: figures.refundedCents - sum((l) => l.refundedCents),
    paidOutCents: figures.paidOutCents - since.paidOutCents,
  };
  const payersOf = new Map<string, Set<string>>();
  for (const shop of then) {
    const category = categoryOf(fund.categories, shop);
    const families = payersOf.get(category) ?? new Set<string>();
    for (const payer of payers.get(shop.merchantAddress) ?? []) families.add(payer);
    payersOf.set(category, families);
  }
  const lines = byCurrentCategory(fund, then).map((line) => ({ ...line, payers: payersOf.get(line.category) ?? new Set<string>() }));
  return { ...suppress(fund, figuresThen, lines), asOf };
}

export async function publicFunds(deps: ReportsDeps): Promise<(PublicFigures & { asOf: Date })[]> {
  const ids = await reportsRepository(deps.db).fundIds();
  const out: (PublicFigures & { asOf: Date })[] = [];
  for (const id of ids) out.push(await publicFund(deps, id));
  return out;
}
