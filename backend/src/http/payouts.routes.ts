// Settlement routes. Staff (finance; auditors and admins read): what is owed per shop, payout runs
// (start, approve / reject under four eyes, progress, SEPA file, mark sent), what each shop was paid
// over a period, each fund's payout schedule. A shop user: its own payouts and what it is owed.
// Runs pay in the background: the answer is the run as it stands, its progress is read with GET.
import {
  DomainError,
  FundParamsSchema,
  ImportStatementRequestSchema,
  StatementImportSchema,
  FundPayoutScheduleSchema,
  MerchantPayoutsSchema,
  OwedListSchema,
  PaidPerShopQuerySchema,
  PaidPerShopSchema,
  PayoutRunDetailSchema,
  PayoutRunListQuerySchema,
  PayoutRunListSchema,
  PayoutRunParamsSchema,
  PayoutRunSchema,
  SepaFileQuerySchema,
  SepaFileSchema,
  SetPayoutScheduleRequestSchema,
  StartPayoutRunRequestSchema,
  centsToWire,
  type Payout as PayoutBody,
  type PayoutRun as PayoutRunBody,
} from "@tegoed/sdk";
import type { MerchantDeps } from "../domain/merchants/index.ts";
import {
  approveRun, importStatement, getPayoutSchedule, getRun, listRuns, markRunSent, merchantPayouts, owedPerShop, owedToShop, paidPerShop, processRun,
  rejectRun, runFile, runPayouts, setPayoutSchedule, settleSentRun, startRun, type Payout, type PayoutDeps, type RunView,
} from "../domain/payouts/index.ts";
import type { Logger } from "./errors.ts";
import type { Auth } from "./auth.ts";
import { merchantGuard } from "./shop.routes.ts";
import type { Api } from "./validate.ts";

export interface PayoutRouteDeps {
  payouts: PayoutDeps;
  merchants: MerchantDeps;
  auth: Auth;
  logger: Logger;
}

export function toPayoutRunBody(run: RunView): PayoutRunBody {
  return {
    id: run.id, fundId: run.fundId, trigger: run.trigger, bank: { name: run.bank, label: run.bankLabel }, status: run.status,
    totalCents: centsToWire(run.totalCents), payoutCount: run.payoutCount, progress: run.progress, startedBy: run.startedBy,
    approvedBy: run.approvedBy, approvedAt: run.approvedAt?.toISOString() ?? null, messageId: run.messageId, hasFile: run.hasFile,
    sentAt: run.sentAt?.toISOString() ?? null, createdAt: run.createdAt.toISOString(), completedAt: run.completedAt?.toISOString() ?? null,
  };
}

function toPayoutBody(p: Payout): PayoutBody {
  return {
    id: p.id, reference: p.reference, runId: p.runId, fundId: p.fundId, merchantId: p.merchantId, shopName: p.creditorName,
    amountCents: centsToWire(p.amountCents), status: p.status, description: p.description, periodFrom: p.periodFrom.toISOString(),
    periodTo: p.periodTo.toISOString(), createdAt: p.createdAt.toISOString(), confirmedAt: p.confirmedAt?.toISOString() ?? null,
    settledAt: p.settledAt?.toISOString() ?? null, settleTxHash: p.settleTxHash, lastError: p.lastError,
  };
}

export function registerPayoutRoutes(api: Api, { payouts: deps, merchants, auth, logger }: PayoutRouteDeps): void {
  const tags = ["payouts"];
  const finance = auth.requireStaffTo("payouts.run");
  const reader = auth.requireStaffTo("payouts.view");
  const shop = merchantGuard(auth, merchants);
  const bank = { name: deps.bank.name, label: deps.bank.label };
  const chainErrors = ["CHAIN_UNAVAILABLE", "CHAIN_TIMEOUT", "CHAIN_REVERTED"] as const;

  /** Paying goes on after the answer; a failure is logged and left to reconciliation. */
  const inBackground = (what: string, work: () => Promise<unknown>) => {
    void work().catch((error: unknown) =>
      logger.error(`payout ${what} stopped; reconciliation finishes it`, { error: error instanceof DomainError ? error.code : (error as Error)?.name ?? "unknown" }),
    );
  };

  api.route(
    {
      method: "get", path: "/api/funds/:id/payouts/owed", operationId: "owedPayouts", tags, guard: reader,
      summary: "What the fund owes each shop now: its receivable on chain, the payout being made, what a new run would pay",
      params: FundParamsSchema, response: OwedListSchema, errors: ["FUND_UNKNOWN", ...chainErrors],
    },
    async ({ params }) => {
      const lines = await owedPerShop(deps, params.id);
      return {
        fundId: params.id, bank,
        shops: lines.map((l) => ({ merchantId: l.merchantId, name: l.name, receivableCents: centsToWire(l.receivableCents), openCents: centsToWire(l.openCents), owedCents: centsToWire(l.owedCents) })),
        totalOwedCents: centsToWire(lines.reduce((sum, l) => sum + l.owedCents, 0n)),
      };
    },
  );

  api.route(
    {
      method: "get", path: "/api/funds/:id/payout-schedule", operationId: "getPayoutSchedule", tags, guard: reader,
      summary: "The fund's payout schedule: instant after payments, or daily at a time (Europe/Amsterdam), and the minimum amount",
      params: FundParamsSchema, response: FundPayoutScheduleSchema, errors: ["FUND_UNKNOWN"],
    },
    async ({ params }) => scheduleBody(await getPayoutSchedule(deps, params.id)),
  );

  api.route(
    {
      method: "put", path: "/api/funds/:id/payout-schedule", operationId: "setPayoutSchedule", tags, guard: auth.requireStaffTo("payouts.schedule"),
      summary: "Set the fund's payout schedule and minimum amount", params: FundParamsSchema, body: SetPayoutScheduleRequestSchema,
      response: FundPayoutScheduleSchema, errors: ["FUND_UNKNOWN"],
    },
    async ({ req, params, body }) =>
      scheduleBody(await setPayoutSchedule(deps, { fundId: params.id, schedule: body.schedule, minimumCents: BigInt(body.minimumCents), staffUserId: auth.staffOf(req).id })),
  );

  api.route(
    {
      method: "post", path: "/api/payout-runs", operationId: "startPayoutRun", tags, guard: finance, status: 201,
      summary: "Start a payout run by hand: one payout per shop owed at least the minimum",
      description: "Above the four-eyes threshold the run waits for a second finance user's approval; else it pays in the background.",
      body: StartPayoutRunRequestSchema, response: PayoutRunSchema, errors: ["FUND_UNKNOWN", "PAYOUT_NOTHING_OWED", ...chainErrors],
    },
    async ({ req, body }) => {
      const run = await startRun(deps, {
        fundId: body.fundId, trigger: "manual", staffUserId: auth.staffOf(req).id, ...(body.minimumCents !== undefined && { minimumCents: BigInt(body.minimumCents) }),
      });
      if (run.status === "processing") inBackground("run", () => processRun(deps, run.id));
      return toPayoutRunBody(await getRun(deps, run.id));
    },
  );

  api.route(
    {
      method: "post", path: "/api/payout-runs/:id/approve", operationId: "approvePayoutRun", tags, guard: auth.requireStaffTo("payouts.approve"),
      summary: "Approve a run waiting for four eyes (not by the finance user who started it); it then pays in the background",
      params: PayoutRunParamsSchema, response: PayoutRunSchema, errors: ["PAYOUT_RUN_NOT_FOUND", "PAYOUT_RUN_STATE", "PAYOUT_FOUR_EYES"],
    },
    async ({ req, params }) => {
      await approveRun(deps, params.id, auth.staffOf(req).id);
      inBackground("run", () => processRun(deps, params.id));
      return toPayoutRunBody(await getRun(deps, params.id));
    },
  );

  api.route(
    {
      method: "post", path: "/api/payout-runs/:id/reject", operationId: "rejectPayoutRun", tags, guard: auth.requireStaffTo("payouts.approve"),
      summary: "Refuse a run waiting for approval: nothing is paid, the money stays owed",
      params: PayoutRunParamsSchema, response: PayoutRunSchema, errors: ["PAYOUT_RUN_NOT_FOUND", "PAYOUT_RUN_STATE"],
    },
    async ({ req, params }) => {
      await rejectRun(deps, params.id, auth.staffOf(req).id);
      return toPayoutRunBody(await getRun(deps, params.id));
    },
  );

  api.route(
    {
      method: "get", path: "/api/payout-runs", operationId: "listPayoutRuns", tags, guard: reader,
      summary: "Payout runs, newest first, with their status and progress", query: PayoutRunListQuerySchema, response: PayoutRunListSchema,
    },
    async ({ query }) => ({ runs: (await listRuns(deps, { fundId: query.fundId })).map(toPayoutRunBody) }),
  );

  api.route(
    {
      method: "get", path: "/api/payout-runs/:id", operationId: "getPayoutRun", tags, guard: reader,
      summary: "One run: status, progress and each payout", params: PayoutRunParamsSchema, response: PayoutRunDetailSchema, errors: ["PAYOUT_RUN_NOT_FOUND"],
    },
    async ({ params }) => ({ ...toPayoutRunBody(await getRun(deps, params.id)), payouts: (await runPayouts(deps, params.id)).map(toPayoutBody) }),
  );

  api.route(
    {
      method: "get", path: "/api/payout-runs/:id/sepa-file", operationId: "getPayoutRunSepaFile", tags, guard: finance,
      summary: "The run's SEPA credit-transfer file (pain.001.001.03) for the municipality's bank",
      description: "With ?download=1 the answer is the XML file itself (Content-Disposition: attachment).",
      params: PayoutRunParamsSchema, query: SepaFileQuerySchema, response: SepaFileSchema, errors: ["PAYOUT_RUN_NOT_FOUND", "PAYOUT_RUN_STATE"],
    },
    async ({ req, res, params, query }) => {
      const file = await runFile(deps, params.id, auth.staffOf(req).id);
      if (query.download === "1") {
        res.status(200).type("application/xml").set("Content-Disposition", `attachment; filename="${file.fileName}"`).send(file.xml);
      }
      return { runId: params.id, ...file };
    },
  );

  api.route(
    {
      method: "post", path: "/api/payout-runs/:id/mark-sent", operationId: "markPayoutRunSent", tags, guard: finance,
      summary: "The run's SEPA file was uploaded to the bank: its payouts count as paid and are recorded on chain (in the background)",
      params: PayoutRunParamsSchema, response: PayoutRunSchema, errors: ["PAYOUT_RUN_NOT_FOUND", "PAYOUT_RUN_STATE"],
    },
    async ({ req, params }) => {
      const run = await markRunSent(deps, params.id, auth.staffOf(req).id, { settle: false });
      inBackground("settlement", () => settleSentRun(deps, params.id));
      return toPayoutRunBody(run);
    },
  );

  api.route(
    {
      method: "post", path: "/api/payout-statements", operationId: "importPayoutStatement", tags, guard: finance,
      summary: "Import a camt.053 statement of the municipality's account: the SEPA payouts it shows booked are confirmed and recorded on chain",
      body: ImportStatementRequestSchema, response: StatementImportSchema, errors: [...chainErrors],
    },
    async ({ req, body }) => importStatement(deps, body.camt053, auth.staffOf(req).id),
  );

  api.route(
    {
      method: "get", path: "/api/payouts/paid", operationId: "paidPerShop", tags, guard: reader,
      summary: "What each shop was paid (settled payouts) in [from, to)", query: PaidPerShopQuerySchema, response: PaidPerShopSchema,
    },
    async ({ query }) => {
      const from = new Date(query.from);
      const to = new Date(query.to);
      if (!(from < to)) throw new DomainError("INVALID_INPUT", "`from` must be before `to`.", { field: "from" });
      const shops = await paidPerShop(deps, { fundId: query.fundId, from, to });
      return {
        from: from.toISOString(), to: to.toISOString(),
        shops: shops.map((s) => ({ merchantId: s.merchantId, name: s.name, payoutCount: s.payoutCount, paidCents: centsToWire(s.paidCents) })),
        totalCents: centsToWire(shops.reduce((sum, s) => sum + s.paidCents, 0n)),
      };
    },
  );

  api.route(
    {
      method: "get", path: "/api/merchant/payouts", operationId: "listMerchantPayouts", tags: ["merchant"], guard: shop,
      summary: "This shop's payouts (amount, date, reference, status) and what each fund owes it now",
      response: MerchantPayoutsSchema, errors: [...chainErrors],
    },
    async ({ req }) => {
      const { merchantId } = shop.userOf(req);
      const [payouts, owed] = await Promise.all([merchantPayouts(deps, merchantId), owedToShop(deps, merchantId)]);
      return {
        bank,
        payouts: payouts.map((p) => ({
          reference: p.reference, fundId: p.fundId, amountCents: centsToWire(p.amountCents), status: p.status, description: p.description,
          periodFrom: p.periodFrom.toISOString(), periodTo: p.periodTo.toISOString(), createdAt: p.createdAt.toISOString(),
          paidAt: p.confirmedAt?.toISOString() ?? null,
        })),
        owed: owed.map((o) => ({ fundId: o.fundId, fundName: o.fundName, owedCents: centsToWire(o.owedCents), openCents: centsToWire(o.openCents) })),
      };
    },
  );
}

function scheduleBody(s: Awaited<ReturnType<typeof getPayoutSchedule>>) {
  return { fundId: s.fundId, schedule: s.schedule, minimumCents: centsToWire(s.minimumCents), lastDailyRunOn: s.lastDailyRunOn };
}
