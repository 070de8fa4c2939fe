// Reports: a fund's dashboard (any staff role), the audit log (admin and auditor, read-only) and the
// public figures of each fund (no login). The reports service decides what may be shown.
import {
  AuditLogPageSchema,
  AuditLogQuerySchema,
  DashboardQuerySchema,
  DashboardSchema,
  FundParamsSchema,
  PublicFundListSchema,
  PublicFundParamsSchema,
  PublicFundSchema,
  SpendingByShopSchema,
  centsToWire,
  type Dashboard as DashboardBody,
  type PublicFund as PublicFundBody,
} from "@tegoed/sdk";
import type { Db } from "../db/index.ts";
import { auditLogPage, fundDashboard, publicFund, publicFunds, spendingByShop, type Dashboard, type PublicFigures, type ShopLine } from "../domain/reports/index.ts";
import type { Auth } from "./auth.ts";
import type { ChainProbe } from "./health.ts";
import { sharedAnswers } from "./shared-answer.ts";
import type { Api } from "./validate.ts";

/** How long the public figures are shared between visitors (server) and kept by browsers and proxies. */
export const PUBLIC_FIGURES_MAX_AGE_S = 5;
const PUBLIC_CACHE_CONTROL = `public, max-age=${PUBLIC_FIGURES_MAX_AGE_S}`;

export interface ReportsRouteDeps {
  db: Db;
  auth: Auth;
  /** For the public page's block number and factory address; absent or failing: both null. */
  chain?: ChainProbe;
  clock?: () => Date;
  /** The public figures are as of the last full period of this length. Default: an hour. */
  publicFiguresPeriodMs?: number;
}

const n = (value: bigint) => Number(value);

const line = (l: { payments: bigint; spentCents: bigint; refundedCents: bigint }) => ({
  payments: n(l.payments), spentCents: centsToWire(l.spentCents), refundedCents: centsToWire(l.refundedCents),
});
const shopBody = (s: ShopLine) => ({ merchantId: s.merchantId, name: s.name, address: s.address, ...line(s) });

function toDashboardBody(d: Dashboard): DashboardBody {
  return {
    fundId: d.fund.id,
    currency: d.fund.currency,
    families: n(d.families),
    familiesApproved: n(d.familiesApproved),
    familiesActivated: n(d.familiesActivated),
    children: n(d.children),
    budgets: n(d.budgets),
    budgetsFrozen: n(d.budgetsFrozen),
    budgetsPending: n(d.budgetsPending),
    issuedCents: centsToWire(d.issuedCents),
    spentCents: centsToWire(d.spentCents),
    refundedCents: centsToWire(d.refundedCents),
    leftCents: centsToWire(d.leftCents),
    paidOutCents: centsToWire(d.paidOutCents),
    owedToShopsCents: centsToWire(d.owedToShopsCents),
    shops: n(d.shops),
    interval: d.interval,
    byCategory: d.byCategory.map((c) => ({ category: c.category, ...line(c) })),
    byShop: d.byShop.map(shopBody),
    otherShops: { shops: d.otherShops.shops, ...line(d.otherShops) },
    overTime: d.overTime.map((p) => ({
      period: p.period, ...line(p), categories: Object.fromEntries([...p.categories].map(([c, cents]) => [c, centsToWire(cents < 0n ? 0n : cents)])),
    })),
    generatedAt: d.generatedAt.toISOString(),
  };
}

function toPublicBody(p: PublicFigures & { asOf: Date }, chain: { factory: string | null; blockNumber: number | null }, at: Date): PublicFundBody {
  const cents = (v: bigint | null) => (v === null ? null : centsToWire(v));
  return {
    id: p.fund.id,
    name: p.fund.name,
    currency: p.fund.currency,
    budgetExpiry: p.fund.budgetExpiry,
    amountPerChildCents: centsToWire(p.fund.amountPerChildCents),
    children: p.children,
    totalBudgetCents: cents(p.totalBudgetCents),
    spentCents: cents(p.spentCents),
    paidToShopsCents: cents(p.paidToShopsCents),
    shops: p.shops,
    byCategory: p.byCategory.map((c) => ({ category: c.category, spentCents: centsToWire(c.spentCents < 0n ? 0n : c.spentCents) })),
    contracts: { factory: chain.factory, fund: p.fund.chainAddress },
    blockNumber: chain.blockNumber,
    generatedAt: at.toISOString(),
    asOf: p.asOf.toISOString(),
  };
}

export function registerReportsRoutes(api: Api, deps: ReportsRouteDeps): void {
  const { auth } = deps;
  const service = { db: deps.db, clock: deps.clock ?? (() => new Date()), publicFiguresPeriodMs: deps.publicFiguresPeriodMs };
  const shared = sharedAnswers<PublicFundBody[]>(PUBLIC_FIGURES_MAX_AGE_S * 1000, service.clock);

  /** The head block, read before the figures: they hold at least everything up to it. */
  async function chainState(): Promise<{ factory: string | null; blockNumber: number | null }> {
    if (!deps.chain) return { factory: null, blockNumber: null };
    try {
      const status = await deps.chain();
      return { factory: status.contracts.factory, blockNumber: status.blockNumber };
    } catch {
      return { factory: null, blockNumber: null }; // the figures are still worth showing
    }
  }

  api.route(
    {
      method: "get",
      path: "/api/funds/:id/dashboard",
      operationId: "fundDashboard",
      summary: "A fund's figures: families, children, budgets issued / spent / left, payouts, spending per category, shop and period",
      tags: ["reports"],
      guard: auth.requireStaffTo("dashboard.view"),
      params: FundParamsSchema,
      query: DashboardQuerySchema,
      response: DashboardSchema,
      errors: ["FUND_UNKNOWN"],
    },
    async ({ params, query }) => toDashboardBody(await fundDashboard(service, params.id, query.interval)),
  );

  api.route(
    {
      method: "get",
      path: "/api/funds/:id/spending-by-shop",
      operationId: "spendingByShop",
      summary: "Spending at every shop the fund paid, most first (the dashboard names the largest only): its export",
      tags: ["reports"],
      guard: auth.requireStaffTo("dashboard.view"),
      params: FundParamsSchema,
      response: SpendingByShopSchema,
      errors: ["FUND_UNKNOWN"],
    },
    async ({ params }) => {
      const { fund, shops } = await spendingByShop(service, params.id);
      return { fundId: fund.id, currency: fund.currency, shops: shops.map(shopBody), generatedAt: service.clock().toISOString() };
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/audit-log",
      operationId: "auditLog",
      summary: "Who did what when, newest first; filter by actor, action (prefix) and period; page on with `cursor`",
      tags: ["reports"],
      guard: auth.requireStaffTo("audit.view"),
      query: AuditLogQuerySchema,
      response: AuditLogPageSchema,
    },
    async ({ query }) => {
      const page = await auditLogPage(service, {
        actor: query.actor, action: query.action, limit: query.limit, cursor: query.cursor,
        from: query.from ? new Date(query.from) : undefined, to: query.to ? new Date(query.to) : undefined,
      });
      return {
        entries: page.entries.map((e) => ({
          id: e.id.toString(), at: e.at.toISOString(), actorType: e.actorType, actorId: e.actorId, actorEmail: e.actorEmail,
          action: e.action, subjectType: e.subjectType, subjectId: e.subjectId, actorName: e.actorName, subjectName: e.subjectName, details: e.details,
        })),
        nextCursor: page.nextCursor,
      };
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/public/funds",
      operationId: "publicFunds",
      summary: "Every fund's public figures (no login) as of the last full hour: small groups suppressed, with the contract addresses and block",
      tags: ["public"],
      response: PublicFundListSchema,
    },
    async ({ res }) => {
      const funds = await shared.get("*", async () => {
        const chain = await chainState();
        const at = service.clock();
        return (await publicFunds(service)).map((p) => toPublicBody(p, chain, at));
      });
      res.set("Cache-Control", PUBLIC_CACHE_CONTROL);
      return { funds };
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/public/funds/:id",
      operationId: "publicFund",
      summary: "One fund's public figures (no login)",
      tags: ["public"],
      params: PublicFundParamsSchema,
      response: PublicFundSchema,
      errors: ["FUND_UNKNOWN"],
    },
    async ({ params, res }) => {
      const [fund] = await shared.get(params.id, async () => {
        const chain = await chainState();
        return [toPublicBody(await publicFund(service, params.id), chain, service.clock())];
      });
      res.set("Cache-Control", PUBLIC_CACHE_CONTROL);
      return fund!;
    },
  );
}
