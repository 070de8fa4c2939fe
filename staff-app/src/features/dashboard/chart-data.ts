// The dashboard's numbers shaped for charts, tables and CSV files. Cents stay integers; charts plot
// cents and only their labels format euros.
import type { Dashboard, ShopSpending } from "@tegoed/sdk";
import { centsToDecimal } from "@tegoed/ui/money";

export interface ChartPoint {
  label: string;
  /** Net spending: spent minus refunded, in cents. */
  netCents: number;
  spentCents: number;
  refundedCents: number;
  payments: number;
}

const net = (l: { spentCents: number; refundedCents: number }) => l.spentCents - l.refundedCents;

/** Per category, labelled by `label` (the category's name in the reader's language). */
export function categoryPoints(d: Dashboard, label: (category: string) => string = (c) => c): ChartPoint[] {
  return d.byCategory
    .map((c) => ({ label: label(c.category), netCents: net(c), spentCents: c.spentCents, refundedCents: c.refundedCents, payments: c.payments }))
    .sort((a, b) => b.netCents - a.netCents || a.label.localeCompare(b.label));
}

/** The shops the dashboard names, largest net spending first, and the other shops as one line labelled `restLabel`. */
export function shopPoints(d: Pick<Dashboard, "byShop" | "otherShops">, restLabel = "…"): ChartPoint[] {
  const named = allShopPoints(d.byShop);
  const o = d.otherShops;
  return o.shops > 0 ? [...named, { label: restLabel, netCents: net(o), spentCents: o.spentCents, refundedCents: o.refundedCents, payments: o.payments }] : named;
}

/** Every shop of a list (the export), largest net spending first. */
export function allShopPoints(shops: readonly ShopSpending[]): ChartPoint[] {
  return shops
    .map((s) => ({ label: s.name, netCents: net(s), spentCents: s.spentCents, refundedCents: s.refundedCents, payments: s.payments }))
    .sort((a, b) => b.netCents - a.netCents || a.label.localeCompare(b.label));
}

export interface TimePoint extends ChartPoint {
  /** Net spending up to and including this period. */
  cumulativeCents: number;
  /** Net spending per category in this period (every category of the dashboard, zero when none). */
  categories: Record<string, number>;
}

/** The categories that had spending in any period, largest total first. */
export function timeCategories(d: Dashboard): string[] {
  const totals = new Map<string, number>();
  for (const p of d.overTime) for (const [c, cents] of Object.entries(p.categories)) totals.set(c, (totals.get(c) ?? 0) + cents);
  return [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c]) => c);
}

/** Oldest first, with the days or weeks without payments filled in as zero so the line keeps time. */
export function timePoints(d: Dashboard): TimePoint[] {
  const byPeriod = new Map(d.overTime.map((p) => [p.period, p]));
  const periods = d.overTime.map((p) => p.period).sort();
  const out: TimePoint[] = [];
  if (periods.length === 0) return out;
  const step = d.interval === "week" ? 7 : 1;
  const categories = timeCategories(d);
  const perCategory = (from: Record<string, number> | undefined) => Object.fromEntries(categories.map((c) => [c, from?.[c] ?? 0]));
  let cumulative = 0;
  const last = new Date(`${periods[periods.length - 1]}T00:00:00Z`).getTime();
  for (let at = new Date(`${periods[0]}T00:00:00Z`).getTime(); at <= last; at += step * 86_400_000) {
    const period = new Date(at).toISOString().slice(0, 10);
    const line = byPeriod.get(period);
    const point = line
      ? { label: period, netCents: net(line), spentCents: line.spentCents, refundedCents: line.refundedCents, payments: line.payments }
      : { label: period, netCents: 0, spentCents: 0, refundedCents: 0, payments: 0 };
    cumulative += point.netCents;
    out.push({ ...point, cumulativeCents: cumulative, categories: perCategory(line?.categories) });
  }
  return out;
}

/** Cents as a plain decimal for CSV files ("1234.50"): spreadsheets read it in any locale setting. */
export const centsCell = centsToDecimal;

export function pointsTable(points: readonly ChartPoint[]): (string | number)[][] {
  return points.map((p) => [p.label, p.payments, centsCell(p.spentCents), centsCell(p.refundedCents), centsCell(p.netCents)]);
}
