// The API's refusal as the client throws it: in a module of its own, so an app can tell refusals apart
// without loading the client and every schema it checks answers with.
import type { ErrorCode, ErrorDetails } from "../errors.ts";

/** An error answer of the API (its stable code and status), or NETWORK with status 0 when the server cannot be reached. */
export class ApiError extends Error {
  readonly code: ErrorCode | "NETWORK";
  readonly status: number;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode | "NETWORK", status: number, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.details = details;
  }
}
