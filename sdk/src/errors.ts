// The API's error wire format: one closed list of codes, each with its HTTP status and a default
// English message a shop assistant or a family understands. Apps pick their own wording by code;
// `details` carries the facts (amounts in cents, ids) as strings, never as text to parse.
import type { ErrorBody } from "./api/error-body.ts";
import type { PaymentQrError } from "./qr.ts";

interface ErrorSpec {
  status: number;
  message: string;
}

/** Every error code the backend answers with. Adding one is an API change: add it here only. */
export const ERROR_CODES = {
  // --- generic, for the HTTP layer
  INVALID_INPUT: { status: 400, message: "Some of the information sent is missing or not valid." },
  UNAUTHENTICATED: { status: 401, message: "Please log in first." },
  FORBIDDEN: { status: 403, message: "You are not allowed to do this." },
  CSRF_REJECTED: { status: 403, message: "This request lacks its security token: please reload the page and try again." },
  NOT_FOUND: { status: 404, message: "This was not found." },
  CONFLICT: { status: 409, message: "This conflicts with a change made at the same time: please try again." },
  RATE_LIMITED: { status: 429, message: "Too many attempts: please wait a moment and try again." },
  OTP_REQUIRED: { status: 401, message: "Enter the 6-digit code from your authenticator app." },
  OTP_INVALID: { status: 401, message: "The code from the authenticator app is not right: enter the current one." },
  TOTP_REQUIRED: { status: 403, message: "Set up a second factor (an authenticator app) before you go on." },
  INTERNAL: { status: 500, message: "Something went wrong on our side. Please try again later." },
  SERVICE_UNAVAILABLE: {
    status: 503,
    message: "Tegoed cannot reach its database right now. Please try again in a few seconds.",
  },

  // --- the payment QR (sdk/src/qr.ts)
  QR_NOT_TEGOED: { status: 400, message: "This QR code is not a Tegoed payment code." },
  QR_VERSION_UNSUPPORTED: {
    status: 400,
    message: "This payment code is from a newer app version: ask the customer to update the app.",
  },
  QR_MALFORMED: { status: 400, message: "The payment code is damaged: it could not be read." },
  PAY_CODE_UNKNOWN: {
    status: 404,
    message: "No payment code like this: check the code under the QR, or ask the customer to refresh it.",
  },

  // --- budgets
  BUDGET_UNKNOWN: { status: 404, message: "This budget does not exist in this fund." },
  BUDGET_EXISTS: { status: 409, message: "A budget with this id exists already." },
  BUDGET_FROZEN: { status: 422, message: "This budget is frozen by the municipality." },
  BUDGET_NOT_FROZEN: { status: 409, message: "This budget is not frozen." },
  BUDGET_EXPIRED: { status: 422, message: "This budget has expired." },
  BUDGET_NOT_EXPIRED: { status: 409, message: "This budget has not expired yet." },
  BUDGET_INSUFFICIENT: { status: 422, message: "There is not enough money left in this budget." },
  BUDGET_NOT_ACTIVATED: {
    status: 422,
    message: "This budget has not been activated yet: the family must first activate it in the app.",
  },
  BUDGET_ALREADY_ACTIVATED: {
    status: 409,
    message: "This budget is already activated on a phone: re-issue access to move it to another one.",
  },

  // --- payment permits (the QR's signed content)
  PERMIT_EXPIRED: { status: 422, message: "The QR code has expired: ask the customer to refresh it." },
  PERMIT_USED: {
    status: 422,
    message: "This QR code was already used or replaced: ask the customer to show a new one.",
  },
  PERMIT_INVALID_SIGNATURE: {
    status: 422,
    message: "This QR code was not made by the phone that holds this budget.",
  },
  PERMIT_AMOUNT_EXCEEDED: {
    status: 422,
    message: "The amount is higher than the customer allowed in this QR code.",
  },
  PERMIT_WRONG_FUND: { status: 422, message: "This QR code belongs to another scheme." },

  // --- merchants, payments, refunds, payouts
  MERCHANT_NOT_APPROVED: { status: 422, message: "This shop is not (or no longer) approved for this scheme." },
  PAYMENT_UNKNOWN: { status: 404, message: "This payment was not found." },
  REFUND_EXCEEDED: { status: 422, message: "The refund is more than what is left of the payment." },
  RECEIVABLE_INSUFFICIENT: { status: 422, message: "The fund owes this shop less than that amount." },
  PAYOUT_RUN_NOT_FOUND: { status: 404, message: "This payout run was not found." },
  PAYOUT_RUN_STATE: { status: 409, message: "This payout run is not at the step that allows this." },
  PAYOUT_FOUR_EYES: { status: 403, message: "A second finance user, not the one who started this payout run, must approve it." },
  PAYOUT_NOTHING_OWED: { status: 422, message: "No shop is owed enough in this scheme right now to pay out." },
  BANK_UNAVAILABLE: { status: 503, message: "The bank cannot be reached right now. The payout stays pending and is never paid twice." },
  BANK_REFUSED: { status: 502, message: "The bank refused the transfer." },
  BANK_ACCOUNT_INVALID: { status: 422, message: "An IBAN or BIC is not valid for a SEPA transfer." },

  // --- the fund's money and administration
  FUND_PAUSED: { status: 422, message: "Payments in this scheme are paused by the municipality." },
  FUND_NOT_PAUSED: { status: 409, message: "This scheme is not paused." },
  FUND_UNKNOWN: { status: 404, message: "This scheme does not exist." },
  BANK_REF_USED: { status: 409, message: "This bank transfer was already recorded." },
  RESERVE_INSUFFICIENT: { status: 422, message: "The sponsor's reserve in this fund is too small for this." },
  SPONSOR_UNKNOWN: { status: 422, message: "This account is not a sponsor of the fund." },
  EXPIRY_IN_PAST: { status: 422, message: "The expiry date must be in the future." },
  ZERO_AMOUNT: { status: 422, message: "The amount must be more than zero." },
  AMOUNT_TOO_LARGE: { status: 422, message: "The amount is too large." },
  ZERO_ADDRESS: { status: 422, message: "An account address is missing." },

  ACTIVATION_CODE_INVALID: { status: 422, message: "This activation code is not right: check the letter and try again." },
  ACTIVATION_CODE_USED: { status: 409, message: "This activation code was already used: ask the municipality for a new one." },
  ACTIVATION_CODE_EXPIRED: { status: 410, message: "This activation code has expired: ask the municipality for a new one." },
  ACTIVATION_CODE_REPLACED: {
    status: 410,
    message: "This activation code was replaced by a newer letter: use the code from the newest letter of the municipality.",
  },
  LETTER_CODE_UNAVAILABLE: {
    status: 409,
    message: "This letter's code cannot be shown again: make a new code (the letter already sent then stops working).",
  },
  BUDGETS_NOT_ISSUED: { status: 409, message: "The children's budgets are not issued yet: try again later." },
  CSV_UNREADABLE: { status: 400, message: "The file could not be read as CSV with the expected columns." },

  // --- the Tegoed card (families without a smartphone)
  CARD_UNKNOWN: { status: 404, message: "This card is not known: check the card number." },
  CARD_PIN_WRONG: { status: 422, message: "The PIN is not right: the customer may try again." },
  CARD_BLOCKED: { status: 423, message: "This card is blocked: the family should contact the municipality." },
  CARD_REPLACED: { status: 410, message: "This card no longer works: it was replaced by a new card or by the app on a phone." },
  CARD_NOT_BLOCKED: { status: 409, message: "This card is not blocked." },
  CARD_EXISTS: { status: 409, message: "This family already has a card in use: replace it instead." },
  CARD_DAILY_LIMIT: { status: 422, message: "This card has reached its spending limit for today." },
  CARD_CHILD_UNKNOWN: { status: 422, message: "This child has no budget on this card." },
  // --- families applying (login through the identity provider or by email, the application, its review)
  LOGIN_FAILED: { status: 401, message: "Logging in did not succeed: please start again." },
  EMAIL_CODE_INVALID: { status: 422, message: "This code is not right or has expired: ask for a new one." },
  APPLICATIONS_CLOSED: { status: 409, message: "This fund does not take applications at the moment." },
  APPLICATION_NOT_EDITABLE: { status: 409, message: "This application cannot be changed any more in its current state." },
  APPLICATION_INCOMPLETE: { status: 422, message: "The application is not complete: answer every question and add the documents asked for." },
  APPLICATION_DUPLICATE_CHILD: { status: 409, message: "There is already an application or a budget for this child in this fund." },
  DOCUMENT_TYPE_REFUSED: { status: 415, message: "This file is not a PDF, JPEG or PNG, or it is not what its name says." },
  DOCUMENT_TOO_LARGE: { status: 413, message: "This file is too large: at most 5 MB." },
  SECOND_APPROVER_REQUIRED: { status: 409, message: "Another validator must give the second approval of this application." },
  BSN_REQUIRED: { status: 409, message: "This fund needs your citizen service number: log in through the identity provider (DigiD) and submit again." },

  // --- the chain itself
  NOT_AUTHORIZED_ON_CHAIN: {
    status: 500,
    message: "The service is not allowed to do this on the chain yet: the municipality must grant it the role.",
  },
  CHAIN_REVERTED: { status: 500, message: "The chain refused this for an unexpected reason." },
  CHAIN_UNAVAILABLE: { status: 503, message: "The payment network cannot be reached right now. Please try again." },
  CHAIN_TIMEOUT: {
    status: 504,
    message: "The payment network did not confirm in time. It may still go through: check before trying again.",
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/** Facts about a refusal: amounts in cents, ids and addresses, all as strings. */
export type ErrorDetails = Record<string, string>;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}

export function errorStatus(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

/**
 * A refusal with a stable code: thrown by services and adapters, turned into an HTTP answer by the
 * one error handler. It is not a bug: its message is meant for the user.
 */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message?: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message ?? ERROR_CODES[code].message, options);
    this.name = "DomainError";
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = details;
  }

  /** The JSON body of an error answer. */
  toBody(): ErrorBody {
    const error: ErrorBody["error"] = { code: this.code, message: this.message };
    if (Object.keys(this.details).length > 0) error.details = this.details;
    return { error };
  }
}

/**
 * A scanned text that is no payment QR, as the API's refusal (same code, the codec's message). Also the
 * compile-time check that every code of the QR codec is in the list above.
 */
export function domainErrorFromQr(error: PaymentQrError): DomainError {
  return new DomainError(error.code, error.message, {}, { cause: error });
}

export function isDomainError(error: unknown, code?: ErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}
