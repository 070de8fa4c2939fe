// The one typed fetch client of the Tegoed API, used by the apps and the tests. In a browser the session
// cookie travels by itself (same origin); elsewhere (Node, tests) the client keeps it, like a browser
// would. The CSRF token from the login answer is sent with every state-changing request. An error
// answer becomes a thrown ApiError with the API's stable `code`.
import type { z } from "zod";
import { ErrorBodySchema, type ErrorCode, type ErrorDetails } from "../errors.ts";
import {
  StaffSessionSchema,
  StaffUserListSchema,
  StaffUserSchema,
  type CreateStaffUserRequest,
  type StaffLoginRequest,
  type StaffSession,
  type StaffUser,
  type StaffUserList,
  type UpdateStaffUserRequest,
} from "./staff.ts";
import {
  DepositReceiptSchema,
  FundListSchema,
  FundSchema,
  type CreateFundRequest,
  type DepositReceipt,
  type DepositRequest,
  type Fund,
  type FundList,
  type PauseRequest,
} from "./funds.ts";
import {
  ActivationLetterSchema,
  ApprovedFamiliesSchema,
  BudgetSchema,
  FamilyDeletionSchema,
  FamilySchema,
  ImportReportSchema,
  IssueReportSchema,
  TopUpReceiptSchema,
  TopUpSummarySchema,
  type ActivationLetter,
  type AddFamilyRequest,
  type ApproveFamiliesRequest,
  type ApprovedFamilies,
  type Budget,
  type DeleteFamilyRequest,
  type Family,
  type FamilyDeletion,
  type FreezeRequest,
  type ImportFamiliesRequest,
  type ImportReport,
  type IssueReport,
  type TopUpReceipt,
  type TopUpRequest,
  type TopUpSummary,
} from "./eligibility.ts";
import { FamilyChildrenSchema, FamilySessionSchema, type ActivationRequest, type FamilyChildren, type FamilySession } from "./family.ts";
import {
  MerchantApplicationReceiptSchema,
  MerchantListSchema,
  MerchantSchema,
  MerchantSessionSchema,
  MerchantUserSchema,
  type ApproveMerchantRequest,
  type CreateMerchantUserRequest,
  type Merchant,
  type MerchantApplicationReceipt,
  type MerchantApplicationRequest,
  type MerchantList,
  type MerchantListQuery,
  type MerchantLoginRequest,
  type MerchantReasonRequest,
  type MerchantSession,
  type MerchantUser,
} from "./merchants.ts";
import {
  ChargeReceiptSchema,
  IDEMPOTENCY_HEADER,
  PaymentListSchema,
  QrLookupSchema,
  RefundReceiptSchema,
  type ChargeReceipt,
  type ChargeRequest,
  type PaymentList,
  type PaymentListQuery,
  type QrLookup,
  type QrLookupRequest,
  type RefundReceipt,
  type RefundRequest,
} from "./payments.ts";

export const SESSION_COOKIE = "tegoed_session";
export const CSRF_HEADER = "X-CSRF-Token";

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

export interface ApiClientOptions {
  /** e.g. "http://127.0.0.1:8080"; "" in a browser app served by the backend itself. */
  baseUrl: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Keep the session cookie in the client (Node, tests). Default: true outside a browser. */
  keepCookies?: boolean;
}

type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
const SAFE_METHODS: ReadonlySet<Method> = new Set(["GET"]);

export interface ApiClient {
  /** A raw call: for routes without a typed method yet, and for tests sending deliberately bad input. */
  request<T>(method: Method, path: string, options?: { body?: unknown; schema?: z.ZodType<T>; headers?: Record<string, string> }): Promise<T>;
  /** The CSRF token of the current session, if known. */
  csrfToken: string | undefined;
  /** The session cookie kept by this client (outside a browser), if any. */
  sessionCookie: string | undefined;
  staff: {
    login(body: StaffLoginRequest): Promise<StaffSession>;
    logout(): Promise<void>;
    me(): Promise<StaffSession>;
    listUsers(): Promise<StaffUserList>;
    createUser(body: CreateStaffUserRequest): Promise<StaffUser>;
    updateUser(id: string, body: UpdateStaffUserRequest): Promise<StaffUser>;
  };
  funds: {
    create(body: CreateFundRequest): Promise<Fund>;
    list(): Promise<FundList>;
    get(id: string): Promise<Fund>;
    deposit(id: string, body: DepositRequest): Promise<DepositReceipt>;
    pause(id: string, body: PauseRequest): Promise<Fund>;
    unpause(id: string, body: PauseRequest): Promise<Fund>;
  };
  eligibility: {
    importFamilies(fundId: string, body: ImportFamiliesRequest): Promise<ImportReport>;
    addFamily(fundId: string, body: AddFamilyRequest): Promise<Family>;
    approveFamilies(fundId: string, body?: ApproveFamiliesRequest): Promise<ApprovedFamilies>;
    issueBudgets(fundId: string): Promise<IssueReport>;
    previewTopUp(fundId: string, body: TopUpRequest): Promise<TopUpSummary>;
    topUp(fundId: string, body: TopUpRequest): Promise<TopUpReceipt>;
    freezeBudget(budgetId: string, body: FreezeRequest): Promise<Budget>;
    unfreezeBudget(budgetId: string, body: FreezeRequest): Promise<Budget>;
    issueLetter(familyId: string): Promise<ActivationLetter>;
    reissueAccess(familyId: string): Promise<ActivationLetter>;
    deleteFamily(familyId: string, body: DeleteFamilyRequest): Promise<FamilyDeletion>;
  };
  family: {
    /** Starts the family's session: keeps its CSRF token. */
    activate(body: ActivationRequest): Promise<FamilySession>;
    children(): Promise<FamilyChildren>;
  };
  merchants: {
    /** Public: a shop applies. */
    apply(body: MerchantApplicationRequest): Promise<MerchantApplicationReceipt>;
    list(query?: MerchantListQuery): Promise<MerchantList>;
    approve(id: string, body: ApproveMerchantRequest): Promise<Merchant>;
    decline(id: string, body: MerchantReasonRequest): Promise<Merchant>;
    suspend(id: string, body: MerchantReasonRequest): Promise<Merchant>;
    createUser(id: string, body: CreateMerchantUserRequest): Promise<MerchantUser>;
  };
  merchant: {
    /** Starts a shop user's session: keeps its CSRF token. */
    login(body: MerchantLoginRequest): Promise<MerchantSession>;
    logout(): Promise<void>;
    lookupQr(body: QrLookupRequest): Promise<QrLookup>;
    /** `idempotencyKey`: one per intended payment (e.g. a UUID made when the amount is confirmed); reuse it to retry. */
    charge(body: ChargeRequest, idempotencyKey: string): Promise<ChargeReceipt>;
    refund(paymentId: string, body: RefundRequest): Promise<RefundReceipt>;
    payments(query?: PaymentListQuery): Promise<PaymentList>;
  };
}

function queryString(query: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const keepCookies = options.keepCookies ?? typeof (globalThis as { document?: unknown }).document === "undefined";
  const base = options.baseUrl.replace(/\/+$/, "");

  const client: ApiClient = {
    csrfToken: undefined,
    sessionCookie: undefined,

    async request<T>(method: Method, path: string, { body, schema, headers: extra }: { body?: unknown; schema?: z.ZodType<T>; headers?: Record<string, string> } = {}) {
      const headers: Record<string, string> = { ...extra, accept: "application/json" };
      if (body !== undefined) headers["content-type"] = "application/json";
      if (!SAFE_METHODS.has(method) && client.csrfToken) headers[CSRF_HEADER] = client.csrfToken;
      if (keepCookies && client.sessionCookie) headers.cookie = `${SESSION_COOKIE}=${client.sessionCookie}`;

      let response: Response;
      try {
        response = await doFetch(`${base}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          credentials: "same-origin",
        });
      } catch (error) {
        throw new ApiError("NETWORK", 0, `The server cannot be reached: ${(error as Error).message}`);
      }
      if (keepCookies) keepSessionCookie(response);

      const text = await response.text();
      let json: unknown = undefined;
      if (text) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      if (!response.ok) {
        const parsed = ErrorBodySchema.safeParse(json);
        if (parsed.success) {
          const { code, message, details } = parsed.data.error;
          throw new ApiError(code, response.status, message, details);
        }
        throw new ApiError("INTERNAL", response.status, `Unexpected answer ${response.status} from the server.`);
      }
      return (schema ? schema.parse(json) : json) as T;
    },

    staff: {
      async login(body) {
        const session = await client.request("POST", "/api/staff/session", { body, schema: StaffSessionSchema });
        client.csrfToken = session.csrfToken;
        return session;
      },
      async logout() {
        await client.request("DELETE", "/api/staff/session");
        client.csrfToken = undefined;
        client.sessionCookie = undefined;
      },
      async me() {
        const session = await client.request("GET", "/api/staff/me", { schema: StaffSessionSchema });
        client.csrfToken = session.csrfToken;
        return session;
      },
      listUsers: () => client.request("GET", "/api/staff/users", { schema: StaffUserListSchema }),
      createUser: (body) => client.request("POST", "/api/staff/users", { body, schema: StaffUserSchema }),
      updateUser: (id, body) =>
        client.request("PATCH", `/api/staff/users/${encodeURIComponent(id)}`, { body, schema: StaffUserSchema }),
    },

    funds: {
      create: (body) => client.request("POST", "/api/funds", { body, schema: FundSchema }),
      list: () => client.request("GET", "/api/funds", { schema: FundListSchema }),
      get: (id) => client.request("GET", `/api/funds/${encodeURIComponent(id)}`, { schema: FundSchema }),
      deposit: (id, body) => client.request("POST", `/api/funds/${encodeURIComponent(id)}/deposits`, { body, schema: DepositReceiptSchema }),
      pause: (id, body) => client.request("POST", `/api/funds/${encodeURIComponent(id)}/pause`, { body, schema: FundSchema }),
      unpause: (id, body) => client.request("POST", `/api/funds/${encodeURIComponent(id)}/unpause`, { body, schema: FundSchema }),
    },

    eligibility: {
      importFamilies: (fundId, body) =>
        client.request("POST", `/api/funds/${encodeURIComponent(fundId)}/families/import`, { body, schema: ImportReportSchema }),
      addFamily: (fundId, body) => client.request("POST", `/api/funds/${encodeURIComponent(fundId)}/families`, { body, schema: FamilySchema }),
      approveFamilies: (fundId, body = {}) =>
        client.request("POST", `/api/funds/${encodeURIComponent(fundId)}/families/approve`, { body, schema: ApprovedFamiliesSchema }),
      issueBudgets: (fundId) => client.request("POST", `/api/funds/${encodeURIComponent(fundId)}/budgets/issue`, { schema: IssueReportSchema }),
      previewTopUp: (fundId, body) =>
        client.request("POST", `/api/funds/${encodeURIComponent(fundId)}/top-ups/preview`, { body, schema: TopUpSummarySchema }),
      topUp: (fundId, body) => client.request("POST", `/api/funds/${encodeURIComponent(fundId)}/top-ups`, { body, schema: TopUpReceiptSchema }),
      freezeBudget: (budgetId, body) =>
        client.request("POST", `/api/budgets/${encodeURIComponent(budgetId)}/freeze`, { body, schema: BudgetSchema }),
      unfreezeBudget: (budgetId, body) =>
        client.request("POST", `/api/budgets/${encodeURIComponent(budgetId)}/unfreeze`, { body, schema: BudgetSchema }),
      issueLetter: (familyId) => client.request("POST", `/api/families/${encodeURIComponent(familyId)}/letters`, { schema: ActivationLetterSchema }),
      reissueAccess: (familyId) => client.request("POST", `/api/families/${encodeURIComponent(familyId)}/reissue`, { schema: ActivationLetterSchema }),
      deleteFamily: (familyId, body) =>
        client.request("DELETE", `/api/families/${encodeURIComponent(familyId)}`, { body, schema: FamilyDeletionSchema }),
    },

    family: {
      async activate(body) {
        const session = await client.request("POST", "/api/family/activation", { body, schema: FamilySessionSchema });
        client.csrfToken = session.csrfToken;
        return session;
      },
      children: () => client.request("GET", "/api/family/children", { schema: FamilyChildrenSchema }),
    },

    merchants: {
      apply: (body) => client.request("POST", "/api/merchants/applications", { body, schema: MerchantApplicationReceiptSchema }),
      list: (query = {}) => client.request("GET", `/api/merchants${queryString(query)}`, { schema: MerchantListSchema }),
      approve: (id, body) => client.request("POST", `/api/merchants/${encodeURIComponent(id)}/approve`, { body, schema: MerchantSchema }),
      decline: (id, body) => client.request("POST", `/api/merchants/${encodeURIComponent(id)}/decline`, { body, schema: MerchantSchema }),
      suspend: (id, body) => client.request("POST", `/api/merchants/${encodeURIComponent(id)}/suspend`, { body, schema: MerchantSchema }),
      createUser: (id, body) => client.request("POST", `/api/merchants/${encodeURIComponent(id)}/users`, { body, schema: MerchantUserSchema }),
    },

    merchant: {
      async login(body) {
        const session = await client.request("POST", "/api/merchant/session", { body, schema: MerchantSessionSchema });
        client.csrfToken = session.csrfToken;
        return session;
      },
      async logout() {
        await client.request("DELETE", "/api/merchant/session");
        client.csrfToken = undefined;
        client.sessionCookie = undefined;
      },
      lookupQr: (body) => client.request("POST", "/api/merchant/qr-lookups", { body, schema: QrLookupSchema }),
      charge: (body, idempotencyKey) =>
        client.request("POST", "/api/merchant/charges", { body, schema: ChargeReceiptSchema, headers: { [IDEMPOTENCY_HEADER]: idempotencyKey } }),
      refund: (paymentId, body) =>
        client.request("POST", `/api/merchant/payments/${encodeURIComponent(paymentId)}/refunds`, { body, schema: RefundReceiptSchema }),
      payments: (query = {}) => client.request("GET", `/api/merchant/payments${queryString(query)}`, { schema: PaymentListSchema }),
    },
  };

  function keepSessionCookie(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair!.indexOf("=");
      if (eq < 0 || pair!.slice(0, eq).trim() !== SESSION_COOKIE) continue;
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "";
      client.sessionCookie = expired ? undefined : value;
    }
  }

  return client;
}
