// /api/funds/…: create a fund (its contract is made by the factory), read funds, record a
// sponsor's deposit, pause and unpause. The route parses with the sdk's schemas, the funds service decides.
import {
  CreateFundRequestSchema,
  DepositReceiptSchema,
  DepositRequestSchema,
  FundListSchema,
  FundParamsSchema,
  FundSchema,
  PauseRequestSchema,
  centsToWire,
  type Fund as FundBody,
} from "@tegoed/sdk";
import { createFund, getFund, listFunds, pauseFund, recordDeposit, unpauseFund, type Fund, type FundsDeps } from "../domain/funds/index.ts";
import type { Auth } from "./auth.ts";
import type { Api } from "./validate.ts";

export interface FundsRouteDeps {
  funds: FundsDeps;
  /** The relayer lane that deposits count for (the fund's sponsor). */
  sponsor: string;
  auth: Auth;
}

export function toFundBody(fund: Fund): FundBody {
  return {
    id: fund.id,
    chainAddress: fund.chainAddress,
    name: fund.name,
    currency: fund.currency,
    amountPerChildCents: centsToWire(fund.amountPerChildCents),
    budgetExpiry: fund.budgetExpiry,
    categories: fund.categories,
    payoutSchedule: fund.payoutSchedule as FundBody["payoutSchedule"],
    timeZone: fund.timeZone,
    paused: fund.paused,
    pausedReason: fund.pausedReason,
    createdAt: fund.createdAt.toISOString(),
  };
}

export function registerFundsRoutes(api: Api, { funds, sponsor, auth }: FundsRouteDeps): void {
  const tags = ["funds"];
  const actorOf = (req: Parameters<Auth["staffOf"]>[0]) => auth.staffOf(req).id;

  api.route(
    {
      method: "post",
      path: "/api/funds",
      operationId: "createFund",
      summary: "Create a fund: deploys its contract through the factory and stores its settings",
      tags,
      guard: auth.requireStaffTo("fund.create"),
      body: CreateFundRequestSchema,
      response: FundSchema,
      status: 201,
      errors: ["EXPIRY_IN_PAST", "CHAIN_UNAVAILABLE", "CHAIN_TIMEOUT", "CHAIN_REVERTED"],
    },
    async ({ req, body }) =>
      toFundBody(await createFund(funds, { ...body, actorId: actorOf(req), amountPerChildCents: BigInt(body.amountPerChildCents) })),
  );

  api.route(
    {
      method: "get",
      path: "/api/funds",
      operationId: "listFunds",
      summary: "List funds",
      tags,
      guard: auth.requireStaffTo("fund.view"),
      response: FundListSchema,
    },
    async () => ({ funds: (await listFunds(funds)).map(toFundBody) }),
  );

  api.route(
    {
      method: "get",
      path: "/api/funds/:id",
      operationId: "getFund",
      summary: "A fund's settings and state",
      tags,
      guard: auth.requireStaffTo("fund.view"),
      params: FundParamsSchema,
      response: FundSchema,
      errors: ["FUND_UNKNOWN"],
    },
    async ({ params }) => toFundBody(await getFund(funds, params.id)),
  );

  api.route(
    {
      method: "post",
      path: "/api/funds/:id/deposits",
      operationId: "recordDeposit",
      summary: "Record money received in the fund's bank account: adds it to the sponsor's reserve on chain",
      description: "A bank reference can be recorded once only (409 BANK_REF_USED).",
      tags,
      guard: auth.requireStaffTo("fund.deposit"),
      params: FundParamsSchema,
      body: DepositRequestSchema,
      response: DepositReceiptSchema,
      status: 201,
      errors: ["FUND_UNKNOWN", "BANK_REF_USED", "AMOUNT_TOO_LARGE", "CHAIN_UNAVAILABLE", "CHAIN_TIMEOUT", "CHAIN_REVERTED"],
    },
    async ({ req, params, body }) => {
      const receipt = await recordDeposit(funds, {
        actorId: actorOf(req), fundId: params.id, sponsor, amountCents: BigInt(body.amountCents), bankReference: body.bankReference,
      });
      return { ...receipt, amountCents: centsToWire(receipt.amountCents), reserveCents: centsToWire(receipt.reserveCents) };
    },
  );

  for (const paused of [true, false]) {
    api.route(
      {
        method: "post",
        path: `/api/funds/:id/${paused ? "pause" : "unpause"}`,
        operationId: paused ? "pauseFund" : "unpauseFund",
        summary: paused ? "Pause every payment in the fund, with the reason" : "Let payments in the fund run again",
        tags,
        guard: auth.requireStaffTo("fund.pause"),
        params: FundParamsSchema,
        body: PauseRequestSchema,
        response: FundSchema,
        errors: ["FUND_UNKNOWN", "CHAIN_UNAVAILABLE", "CHAIN_TIMEOUT", "CHAIN_REVERTED"],
      },
      async ({ req, params, body }) => {
        const cmd = { actorId: actorOf(req), fundId: params.id, reason: body.reason };
        return toFundBody(await (paused ? pauseFund(funds, cmd) : unpauseFund(funds, cmd)));
      },
    );
  }
}
