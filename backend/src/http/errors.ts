// The one error handler of the HTTP API. A DomainError is a refusal: its status and
// `{ "error": { "code", "message", "details"? } }`. Bad input is 400 INVALID_INPUT naming the field.
// Anything else is a bug: 500 INTERNAL with a generic message, and the stack in the server log only
// (without the error's message, which may quote personal data from the database).
import type { ErrorRequestHandler, RequestHandler } from "express";
import { z } from "zod";
import { DomainError, type ErrorBody } from "@tegoed/sdk";
import { isDatabaseUnavailable } from "../db/index.ts";
import { routeOf } from "./observability.ts";

/** What a refusal for a database that went away tells the client to wait before trying again. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  /** A request's access line (observability.ts), logged as info "request"; absent: through `info`. */
  request?(line: RequestLine): void;
}

/** What the access line of a request holds, and nothing else: no path, query, body or header but the id. */
export interface RequestLine {
  requestId: string;
  method: string;
  /** The matched route's pattern, or "(unmatched)": never the path. */
  route: string;
  status: number;
  ms: number;
}

/** One JSON line per event on stderr; never bodies, cookies or messages of unexpected errors. */
export const consoleLogger: Logger = {
  error: (message, fields) => console.error(JSON.stringify({ level: "error", at: new Date().toISOString(), message, ...fields })),
  info: (message, fields) => console.log(JSON.stringify({ level: "info", at: new Date().toISOString(), message, ...fields })),
};

const MAX_LISTED_ISSUES = 3;

/** "email: must be an email address; roles.1: Invalid option: …" */
export function describeZodError(error: z.ZodError, root = "body"): { message: string; field: string } {
  const issues = error.issues.slice(0, MAX_LISTED_ISSUES).map((issue) => {
    const field = issue.path.length ? issue.path.map(String).join(".") : root;
    return { field, text: `${field}: ${issue.message}` };
  });
  const more = error.issues.length > MAX_LISTED_ISSUES ? ` (and ${error.issues.length - MAX_LISTED_ISSUES} more)` : "";
  return { message: issues.map((i) => i.text).join("; ") + more, field: issues[0]?.field ?? root };
}

export function invalidInput(message: string, details: Record<string, string> = {}): DomainError {
  return new DomainError("INVALID_INPUT", message, details);
}

/** Maps whatever a route threw to a DomainError; undefined for a bug. */
export function toDomainError(error: unknown): DomainError | undefined {
  if (error instanceof DomainError) return error;
  if (isDatabaseUnavailable(error)) {
    return new DomainError("SERVICE_UNAVAILABLE", undefined, { retryAfterSeconds: String(DATABASE_RETRY_AFTER_SECONDS) }, { cause: error });
  }
  if (error instanceof z.ZodError) {
    const { message, field } = describeZodError(error);
    return invalidInput(message, { field });
  }
  // body-parser's refusals carry `type` and a 4xx status.
  const type = (error as { type?: unknown } | null)?.type;
  if (type === "entity.parse.failed") return invalidInput("The request body is not valid JSON.");
  if (type === "entity.too.large") return invalidInput("The request body is too large.");
  if (type === "encoding.unsupported" || type === "charset.unsupported") {
    return invalidInput("The request body must be UTF-8 JSON.");
  }
  return undefined;
}

export function errorBody(error: DomainError): ErrorBody {
  return error.toBody();
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const requestId = res.locals.requestId as string | undefined;
    let refusal = toDomainError(error);
    if (!refusal) {
      const stack = error instanceof Error && error.stack ? error.stack.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("at ")) : [];
      logger.error("request failed", {
        requestId,
        method: req.method,
        route: routeOf(req),
        error: error instanceof Error ? error.name : typeof error,
        // PostgreSQL's SQLSTATE, when it is a database error: safe, and says what kind.
        sqlState: typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : undefined,
        stack,
      });
      refusal = new DomainError("INTERNAL");
    } else if (refusal.status >= 500) {
      logger.error("request refused by a dependency", { requestId, method: req.method, code: refusal.code });
    }
    if (res.headersSent) return res.end();
    const retryAfter = refusal.details.retryAfterSeconds;
    if ((refusal.code === "RATE_LIMITED" || refusal.code === "SERVICE_UNAVAILABLE") && retryAfter !== undefined) res.setHeader("Retry-After", retryAfter);
    const body = errorBody(refusal);
    if (requestId !== undefined) body.error.requestId = requestId;
    res.status(refusal.status).json(body);
  };
}

/** Last in the chain: no route matched. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new DomainError("NOT_FOUND", `There is no ${req.method} ${req.path.slice(0, 200)} in this API.`));
};
