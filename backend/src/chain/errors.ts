// Turns what a node answers into the API's DomainError: a contract's custom error (from eth_call,
// eth_estimateGas, a send, or a mined transaction with status 0) becomes a stable code with the facts
// in `details`; an unreachable node becomes CHAIN_UNAVAILABLE. Nothing here parses error strings.
import { AbiCoder, Interface, type ErrorDescription, id, isHexString } from "ethers";
import { DomainError, type ErrorCode, type ErrorDetails, fundAbi, fundFactoryAbi } from "@tegoed/sdk";

type AbiErrorName<Abi extends readonly { type: string }[]> = Extract<Abi[number], { type: "error"; name: string }>["name"];

/** Every custom error the Fund and the FundFactory can revert with, from the generated ABIs. */
export type ContractErrorName = AbiErrorName<typeof fundAbi> | AbiErrorName<typeof fundFactoryAbi>;

/**
 * The one mapping from a contract's custom error to an API error code. Typed over the generated ABIs,
 * so a new error in IFund.sol (or OpenZeppelin) without a code here fails `tsc`.
 */
export const REVERT_CODES: Readonly<Record<ContractErrorName, ErrorCode>> = {
  // IFund: fund
  FundZeroAmount: "ZERO_AMOUNT",
  FundBankRefUsed: "BANK_REF_USED",
  FundReserveInsufficient: "RESERVE_INSUFFICIENT",
  FundNotSponsor: "SPONSOR_UNKNOWN",
  FundExpiryInPast: "EXPIRY_IN_PAST",
  FundZeroAddress: "ZERO_ADDRESS",
  // IFund: budgets
  BudgetUnknown: "BUDGET_UNKNOWN",
  BudgetExists: "BUDGET_EXISTS",
  BudgetFrozen: "BUDGET_FROZEN",
  BudgetExpired: "BUDGET_EXPIRED",
  BudgetNotExpired: "BUDGET_NOT_EXPIRED",
  BudgetInsufficient: "BUDGET_INSUFFICIENT",
  BudgetNotActivated: "BUDGET_NOT_ACTIVATED",
  BudgetHolderAlreadySet: "BUDGET_ALREADY_ACTIVATED",
  BudgetNotFrozen: "BUDGET_NOT_FROZEN",
  BudgetBalanceTooLarge: "AMOUNT_TOO_LARGE",
  // IFund: permits
  PermitWrongFund: "PERMIT_WRONG_FUND",
  PermitExpired: "PERMIT_EXPIRED",
  PermitNonceUsed: "PERMIT_USED",
  PermitInvalidSigner: "PERMIT_INVALID_SIGNATURE",
  PermitAmountExceeded: "PERMIT_AMOUNT_EXCEEDED",
  // IFund: merchants and payments
  MerchantNotApproved: "MERCHANT_NOT_APPROVED",
  MerchantReceivableInsufficient: "RECEIVABLE_INSUFFICIENT",
  // A refund's payment proof that does not fold to the budget's head: built from the chain's own events,
  // it fails only when another payment of the budget landed in between (the client rebuilds it once).
  PaymentProofInvalid: "CONFLICT",
  PaymentRefundExceeded: "REFUND_EXCEEDED",
  // OpenZeppelin
  EnforcedPause: "FUND_PAUSED",
  ExpectedPause: "FUND_NOT_PAUSED",
  AccessControlUnauthorizedAccount: "NOT_AUTHORIZED_ON_CHAIN",
  AccessControlBadConfirmation: "NOT_AUTHORIZED_ON_CHAIN",
  SafeCastOverflowedUintDowncast: "AMOUNT_TOO_LARGE",
  // OpenZeppelin, only reachable by misuse of the contracts themselves
  InvalidInitialization: "CHAIN_REVERTED",
  NotInitializing: "CHAIN_REVERTED",
  StringTooLong: "CHAIN_REVERTED",
  InvalidShortString: "CHAIN_REVERTED",
  // FundFactory
  FactoryUnknownFund: "FUND_UNKNOWN",
  // Our own call is malformed (the backend builds the grants): a bug, not a refusal.
  FactoryAdminGrant: "INTERNAL",
  FactoryGrantsMismatch: "INTERNAL",
  FactoryZeroAdmin: "INTERNAL",
  FailedDeployment: "CHAIN_REVERTED",
  // Multicall's own failures (a payment's own reason is bubbled up unchanged).
  AddressEmptyCode: "CHAIN_REVERTED",
  FailedCall: "CHAIN_REVERTED",
};

/** The fund roles by their on-chain id, so a missing role is reported by name. */
const ROLE_NAMES = new Map<string, string>([
  ["0x" + "00".repeat(32), "DEFAULT_ADMIN"],
  ...["SPONSOR", "VALIDATOR", "MERCHANT_MANAGER", "SETTLER", "OPERATOR", "PAUSER", "FUND_CREATOR"].map(
    (role) => [id(`${role}_ROLE`), role] as [string, string],
  ),
]);

const contractErrors = new Interface([
  ...fundAbi.filter((item) => item.type === "error"),
  ...fundFactoryAbi.filter((item) => item.type === "error" && !fundAbi.some((f) => f.type === "error" && f.name === item.name)),
]);

/** A revert decoded against the contracts' ABIs. `args` holds each named argument as a string. */
export interface DecodedRevert {
  /** The custom error's name, or "Error" (a require string), "Panic", or "Unknown". */
  name: ContractErrorName | "Error" | "Panic" | "Unknown";
  args: ErrorDetails;
  /** The raw revert data, "0x" when the node returned none. */
  data: string;
}

/** Decodes revert data (a 4-byte selector and ABI-encoded arguments). */
export function decodeRevertData(data: string): DecodedRevert {
  let description: ErrorDescription | null = null;
  try {
    description = contractErrors.parseError(data);
  } catch {
    description = null; // a known selector with undecodable arguments
  }
  if (!description) return { name: "Unknown", args: data.length >= 10 ? { selector: data.slice(0, 10) } : {}, data };
  const args: ErrorDetails = {};
  const unnamed = description.name === "Error" ? "message" : description.name === "Panic" ? "code" : "arg";
  description.fragment.inputs.forEach((input, i) => {
    args[input.name || (i === 0 ? unnamed : `${unnamed}${i}`)] = stringify(description.args[i]);
  });
  return { name: description.name as DecodedRevert["name"], args, data };
}

function stringify(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  return String(value);
}

/**
 * Finds the revert data in whatever a node or ethers threw: `error.data` (ethers CallExceptionError),
 * `error.error.data` or `error.info.error.data` (raw JSON-RPC errors, as Hardhat's node sends on a
 * reverting `eth_sendRawTransaction`), and the same one level deeper.
 */
export function findRevertData(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): string | undefined => {
    if (value === null || typeof value !== "object" || depth > 5 || seen.has(value)) return undefined;
    seen.add(value);
    const record = value as Record<string, unknown>;
    const data = record.data;
    if (typeof data === "string" && isHexString(data)) {
      if (data.length >= 10) return data;
      if (data === "0x" && (record.code === "CALL_EXCEPTION" || record.code === 3)) return data;
    }
    for (const key of ["data", "error", "info", "cause", "revert"]) {
      const found = visit(record[key], depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(error, 0);
}

/** The contract error in whatever a node or ethers threw; undefined when it is not a revert with data. */
export function decodeRevert(error: unknown): DecodedRevert | undefined {
  const data = findRevertData(error);
  return data === undefined ? undefined : decodeRevertData(data);
}

/** Whether the node refused because the EVM reverted (with or without data). */
export function isRevert(error: unknown): boolean {
  if (findRevertData(error) !== undefined) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === "CALL_EXCEPTION";
}

/** The DomainError for a decoded revert: the mapped code, the default message, the facts. */
export function domainErrorFromRevert(revert: DecodedRevert, extra: ErrorDetails = {}): DomainError {
  const code: ErrorCode = revert.name in REVERT_CODES ? REVERT_CODES[revert.name as ContractErrorName] : "CHAIN_REVERTED";
  const details: ErrorDetails = { contractError: revert.name, ...revert.args, ...extra };
  if (revert.name === "AccessControlUnauthorizedAccount" && revert.args.neededRole) {
    details.role = ROLE_NAMES.get(revert.args.neededRole.toLowerCase()) ?? "unknown";
  }
  if (revert.name === "Unknown" || revert.name === "Error" || revert.name === "Panic") details.data = revert.data;
  return new DomainError(code, undefined, details);
}

const UNAVAILABLE_CODES = new Set(["NETWORK_ERROR", "TIMEOUT", "SERVER_ERROR", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT"]);
const UNAVAILABLE_MESSAGE = /fetch failed|ECONNREFUSED|ECONNRESET|socket hang up|provider destroyed/i;

/** Whether the node could not be reached or did not answer (as opposed to answering "no"). */
export function isUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === "object"; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
    if (typeof message === "string" && UNAVAILABLE_MESSAGE.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Any error from talking to the chain as a DomainError: a revert → its mapped code; a node that does
 * not answer → CHAIN_UNAVAILABLE; anything else → INTERNAL, with the original as `cause` for the log.
 */
export function toChainDomainError(error: unknown, extra: ErrorDetails = {}): DomainError {
  if (error instanceof DomainError) return error;
  const data = findRevertData(error);
  if (data !== undefined) return domainErrorFromRevert(decodeRevertData(data), extra);
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "CALL_EXCEPTION") return domainErrorFromRevert({ name: "Unknown", args: {}, data: "0x" }, extra);
  if (isUnavailable(error)) return new DomainError("CHAIN_UNAVAILABLE", undefined, extra, { cause: error });
  if (code === "INSUFFICIENT_FUNDS") {
    return new DomainError("INTERNAL", undefined, { ...extra, reason: "relayer account cannot pay for gas" }, { cause: error });
  }
  return new DomainError("INTERNAL", undefined, extra, { cause: error });
}

/**
 * Whether a failed call never reached the node (the connection was refused: the node is down or
 * restarting). Then nothing can have been sent, however late in a payment it happened.
 */
export function neverReachedNode(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === "object"; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (code === "ECONNREFUSED" || (typeof message === "string" && message.includes("ECONNREFUSED"))) return true;
    current = (current as { cause?: unknown; error?: unknown }).cause ?? (current as { error?: unknown }).error;
  }
  return false;
}

/** Encodes a contract error the way the EVM returns it: for tests of the mapping. */
export function encodeRevert(name: string, args: readonly unknown[] = []): string {
  if (name === "Error") return "0x08c379a0" + AbiCoder.defaultAbiCoder().encode(["string"], args).slice(2);
  if (name === "Panic") return "0x4e487b71" + AbiCoder.defaultAbiCoder().encode(["uint256"], args).slice(2);
  return contractErrors.encodeErrorResult(name, args);
}
