// /api/merchant/…: the till of a logged-in shop user. Look up a scanned QR, charge it (exactly once per
// Idempotency-Key), refund, list. The payments service decides; this only parses and maps.
import {
  ChargeReceiptSchema,
  ChargeRequestSchema,
  DomainError,
  IDEMPOTENCY_HEADER,
  PaymentListQuerySchema,
  PaymentListSchema,
  PaymentParamsSchema,
  PayCodeLookupRequestSchema,
  PayCodeLookupSchema,
  QrLookupRequestSchema,
  QrLookupSchema,
  RefundReceiptSchema,
  RefundRequestSchema,
  type ChargeReceipt,
} from "@tegoed/sdk";
import type { ShopUser } from "../domain/merchants/index.ts";
import { GuessLimiter } from "../domain/eligibility/index.ts";
import { charge, listPayments, lookupQr, refund, resolvePayCode, type PaymentDeps } from "../domain/payments/index.ts";
import { once } from "../domain/once.ts";
import type { Auth } from "./auth.ts";
import { merchantGuard } from "./shop.routes.ts";
import type { Api } from "./validate.ts";

export interface PaymentRouteDeps {
  payments: PaymentDeps & { clock: () => Date };
  auth: Auth;
  /** Unknown short codes per shop: one per process. Default: 20 per 15 minutes. */
  payCodeGuesses?: GuessLimiter;
}

const DAY_MS = 24 * 60 * 60_000;
const DEFAULT_RANGE_MS = 30 * DAY_MS;
const QR_REFUSALS = [
  "QR_NOT_TEGOED", "QR_VERSION_UNSUPPORTED", "QR_MALFORMED", "FUND_UNKNOWN", "MERCHANT_NOT_APPROVED", "PERMIT_WRONG_FUND", "PERMIT_EXPIRED",
  "PERMIT_USED", "PERMIT_INVALID_SIGNATURE", "PERMIT_AMOUNT_EXCEEDED", "BUDGET_UNKNOWN", "BUDGET_FROZEN", "BUDGET_EXPIRED", "BUDGET_INSUFFICIENT",
  "BUDGET_NOT_ACTIVATED",
] as const;
const CHAIN = ["CHAIN_UNAVAILABLE", "CHAIN_TIMEOUT", "CHAIN_REVERTED"] as const;

export function registerPaymentRoutes(api: Api, { payments: deps, auth, payCodeGuesses }: PaymentRouteDeps): void {
  const tags = ["merchant"];
  const merchant = merchantGuard(auth, deps);
  // Lookups and charges come by the hundred, two per payment: their session is reused a moment.
  const till = merchantGuard(auth, deps, true);
  const shopUser = (req: Parameters<typeof merchant.userOf>[0]): ShopUser => merchant.userOf(req);
  const guesses = payCodeGuesses ?? new GuessLimiter({ maxFailures: 20, windowMs: 15 * 60_000, clock: deps.clock });

  api.route(
    {
      method: "post",
      path: "/api/merchant/pay-code-lookups",
      operationId: "lookupPayCode",
      summary: "The payment QR a short code typed at the till stands for",
      description:
        "The code is the one the family's wallet shows under its QR (case, spaces and dashes do not matter); answer the QR to look up " +
        "and charge as if scanned. Unknown codes are limited per shop (RATE_LIMITED).",
      tags,
      guard: till,
      body: PayCodeLookupRequestSchema,
      response: PayCodeLookupSchema,
      errors: ["PAY_CODE_UNKNOWN", "RATE_LIMITED"],
    },
    async ({ req, body }) => {
      const { merchantId } = shopUser(req);
      guesses.assertAllowed(merchantId);
      try {
        return { qr: await resolvePayCode(deps, body.code) };
      } catch (error) {
        guesses.recordFailure(merchantId);
        throw error;
      }
    },
  );

  api.route(
    {
      method: "post",
      path: "/api/merchant/qr-lookups",
      operationId: "lookupQr",
      summary: "What the shop may see of a scanned QR: the scheme, what may be charged now, until when",
      description: "Nothing personal: no name, no family, no budget id. Sends nothing to the chain.",
      tags,
      guard: till,
      body: QrLookupRequestSchema,
      response: QrLookupSchema,
      errors: [...QR_REFUSALS, "NOT_FOUND", "CHAIN_UNAVAILABLE"],
    },
    async ({ req, body }) => {
      const { merchantId, shop } = shopUser(req);
      return lookupQr(deps, { merchantId, shop }, body.qr);
    },
  );

  api.route(
    {
      method: "post",
      path: "/api/merchant/charges",
      operationId: "charge",
      summary: "Charge a scanned QR",
      description:
        `Requires the ${IDEMPOTENCY_HEADER} header (8 to 200 characters; one per intended payment): the same request with the same key ` +
        "answers the first receipt and pays nothing again; another request with that key is 409 CONFLICT. A dead QR is refused before " +
        "anything is sent to the chain.",
      tags,
      guard: till,
      body: ChargeRequestSchema,
      response: ChargeReceiptSchema,
      status: 201,
      errors: [...QR_REFUSALS, "NOT_FOUND", "CONFLICT", "AMOUNT_TOO_LARGE", ...CHAIN],
    },
    async ({ req, body }): Promise<ChargeReceipt> => {
      const idempotencyKey = req.get(IDEMPOTENCY_HEADER);
      if (idempotencyKey === undefined || idempotencyKey.trim() === "") {
        throw new DomainError("INVALID_INPUT", `The ${IDEMPOTENCY_HEADER} header is required.`, { field: IDEMPOTENCY_HEADER, reason: "required" });
      }
      const user = shopUser(req);
      const receipt = await charge(deps, { merchantId: user.merchantId, shop: user.shop, merchantUserId: user.id, qr: body.qr, amountCents: body.amountCents, idempotencyKey });
      return { status: "PAID", ...receipt };
    },
  );

  api.route(
    {
      method: "post",
      path: "/api/merchant/payments/:paymentId/refunds",
      operationId: "refundPayment",
      summary: "Return (part of) one of this shop's payments to the family's budget",
      description:
        `Send an ${IDEMPOTENCY_HEADER} header (one per intended refund): a retry answers the first receipt and refunds nothing ` +
        "again; when the first attempt's outcome is unknown the retry is 409 CONFLICT, never a second refund.",
      tags,
      guard: merchant,
      params: PaymentParamsSchema,
      body: RefundRequestSchema,
      response: RefundReceiptSchema,
      status: 201,
      errors: ["PAYMENT_UNKNOWN", "REFUND_EXCEEDED", "AMOUNT_TOO_LARGE", "CONFLICT", ...CHAIN],
    },
    async ({ req, params, body }) => {
      const user = shopUser(req);
      const paymentId = params.paymentId.toLowerCase();
      return once(deps.db, { scope: `refund:${user.merchantId}`, key: req.get(IDEMPOTENCY_HEADER), request: { paymentId, ...body } }, () =>
        refund(deps, { merchantId: user.merchantId, merchantUserId: user.id, paymentId, amountCents: body.amountCents }));
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/merchant/payments",
      operationId: "listMerchantPayments",
      summary: "This shop's payments in [from, to) (default: the last 30 days up to now), newest first, with the totals",
      tags,
      guard: merchant,
      query: PaymentListQuerySchema,
      response: PaymentListSchema,
      errors: ["AMOUNT_TOO_LARGE"],
    },
    async ({ req, query }) => {
      // Without `to`: up to now, and a day beyond, since a block's time may run ahead of our clock.
      const now = deps.clock();
      const to = query.to ? new Date(query.to) : new Date(now.getTime() + DAY_MS);
      const from = query.from ? new Date(query.from) : new Date((query.to ? to.getTime() : now.getTime()) - DEFAULT_RANGE_MS);
      return listPayments(deps, shopUser(req).merchantId, from, to);
    },
  );
}
