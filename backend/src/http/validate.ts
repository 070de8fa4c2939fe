// Routes as data: each operation states its method, path, guard and zod schemas once. The same
// declaration registers the Express handler (which validates with those schemas) and feeds the
// OpenAPI document (openapi.ts), so the documentation cannot drift from what is checked.
import { Router, type Request, type RequestHandler, type Response } from "express";
import type { z } from "zod";
import type { ErrorCode } from "@tegoed/sdk";
import { describeZodError, invalidInput } from "./errors.ts";
import { nameRoute } from "./observability.ts";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

/** A guard: Express middleware plus what it requires, for the documentation. */
export interface Guard {
  middleware: RequestHandler;
  subject: "staff" | "merchant" | "family" | "applicant";
  /** Any of these roles; empty: any user of this subject type. */
  roles: readonly string[];
}

type Schema = z.ZodType;
type Out<S> = S extends Schema ? z.output<S> : undefined;
type In<S> = S extends Schema ? z.input<S> : void;

export interface Operation<
  B extends Schema | undefined = Schema | undefined,
  P extends Schema | undefined = Schema | undefined,
  Q extends Schema | undefined = Schema | undefined,
  R extends Schema | undefined = Schema | undefined,
> {
  method: HttpMethod;
  /** Express syntax: `/api/staff/users/:id`. */
  path: string;
  /** Unique, camelCase: the client's method name. */
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Absent: public. */
  guard?: Guard;
  body?: B;
  params?: P;
  query?: Q;
  /** The success answer's schema; absent: 204 No Content. */
  response?: R;
  /** Default 200 (204 without `response`). */
  status?: number;
  /** Refusals this operation may answer with, besides INVALID_INPUT and the guard's. */
  errors?: readonly ErrorCode[];
}

export interface Input<B, P, Q> {
  body: B;
  params: P;
  query: Q;
  req: Request;
  res: Response;
}

export type Handler<B extends Schema | undefined, P extends Schema | undefined, Q extends Schema | undefined, R extends Schema | undefined> = (
  input: Input<Out<B>, Out<P>, Out<Q>>,
) => Promise<In<R>>;

export interface Api {
  /** Mount under the app root; holds every route added with `route`. */
  readonly router: Router;
  /** Every operation added, in order: the OpenAPI document's source. */
  readonly operations: readonly Operation[];
  route<B extends Schema | undefined, P extends Schema | undefined, Q extends Schema | undefined, R extends Schema | undefined>(
    operation: Operation<B, P, Q, R>,
    handler: Handler<B, P, Q, R>,
  ): void;
}

/** `/api/merchant/charges` → the group `/api/merchant` and, within it, `/charges`. */
const GROUPED = /^(\/[\w.-]+\/[\w.-]+)(\/.*)?$/;

export function createApi(): Api {
  const router = Router();
  const operations: Operation[] = [];
  // Each operation's route sits in a router of its first two segments (`/api/merchant`), mounted at
  // that prefix: a request is tried against the groups' prefixes, then only its group's routes, not
  // every route in turn. The prefixes are literal and differ, so one path matches one group at most,
  // and within a group the routes keep their order. A route reads its own path as req.baseUrl + req.path,
  // and routeOf (observability.ts) names it by its whole pattern.
  const groups = new Map<string, Router>();
  const groupOf = (path: string): { group: Router; rest: string } => {
    const parts = GROUPED.exec(path);
    if (!parts) throw new Error(`${path}: a route's path starts with two literal segments (/api/<area>)`);
    const prefix = parts[1]!.toLowerCase();
    let group = groups.get(prefix);
    if (!group) {
      group = Router();
      groups.set(prefix, group);
      router.use(prefix, group);
    }
    return { group, rest: parts[2] ?? "/" };
  };
  return {
    router,
    operations,
    route(operation, handler) {
      if (operations.some((o) => o.operationId === operation.operationId)) {
        throw new Error(`operationId ${operation.operationId} is used twice`);
      }
      operations.push(operation as Operation);
      const status = operation.status ?? (operation.response ? 200 : 204);
      const run: RequestHandler = async (req, res) => {
        // Bad input becomes 400 INVALID_INPUT naming the field (or the part: body, query).
        const body = operation.body ? parsePart(operation.body, req.body ?? undefined, "body") : undefined;
        const params = operation.params ? parsePart(operation.params, req.params, "params") : undefined;
        const query = operation.query ? parsePart(operation.query, req.query, "query") : undefined;
        const result = await handler({ body, params, query, req, res } as never);
        // A handler may answer itself in another format (e.g. an HTML page when asked for one).
        if (res.headersSent) return;
        // A handler may set another status itself (e.g. 503 from health); else the operation's.
        if (res.statusCode === 200) res.status(status);
        if (operation.response) res.json(result);
        else res.end();
      };
      const chain: RequestHandler[] = operation.guard ? [operation.guard.middleware, run] : [run];
      const { group, rest } = groupOf(operation.path);
      const route = group.route(rest);
      route[operation.method](...chain);
      nameRoute(route, operation.path);
    },
  };
}

function parsePart<T>(schema: z.ZodType<T>, value: unknown, part: "body" | "params" | "query"): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { message, field } = describeZodError(parsed.error, part);
  throw invalidInput(message, { field });
}
