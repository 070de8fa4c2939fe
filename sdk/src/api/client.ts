// The one typed fetch client of the Tegoed API, used by the apps and the tests. In a browser the session
// cookie travels by itself (same origin); elsewhere (Node, tests) the client keeps it, like a browser
// would. The CSRF token from the login answer is sent with every state-changing request. An error
// answer becomes a thrown ApiError with the API's stable `code`.
import type { z } from "zod";
import { AuditLogPageSchema, DashboardSchema, PublicFundListSchema, PublicFundSchema, SpendingByShopSchema, type AuditLogPage, type AuditLogQuery, type Dashboard, type DashboardQuery, type PublicFund, type PublicFundList, type SpendingByShop } from "./reports.ts";
import type { FamilyLanguage } from "../languages.ts";
import { ErrorBodySchema } from "./error-body.ts";
import { ApiError } from "./api-error.ts";
import {
  NotificationSettingsSchema, OutboxListSchema, UnsubscribeResultSchema,
  type NotificationSettings, type OutboxList, type UpdateNotificationSettings,
} from "./notifications.ts";
import {
  StaffSessionSchema,
  StaffUserListSchema,
  StaffUserSchema,
  TotpEnrolmentSchema,
  type TotpConfirmRequest,
  type TotpEnrolment,
  type CreateStaffUserRequest,
  type StaffLoginRequest,
  type StaffSession,
  type StaffUser,
  type StaffUserList,
  type UpdateStaffUserRequest,
  type ChangePasswordRequest,
  type ResetPasswordRequest,
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
  FundLettersSchema,
  ApprovedFamiliesSchema,
  FamilySearchResultSchema,
  BudgetSchema,
  FamilyDeletionSchema,
  FamilySchema,
  ImportReportSchema,
  IssueReportSchema,
  TopUpReceiptSchema,
  TopUpSummarySchema,
  type ActivationLetter,
  type FundLetters,
  type AddFamilyRequest,
  type ApproveFamiliesRequest,
  type ApprovedFamilies,
  type FamilySearchQuery,
  type FamilySearchResult,
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
import {
  FamilyChallengeSchema,
  FamilyChildrenSchema,
  FamilySessionSchema,
  ParticipatingMerchantsSchema,
  type ActivationRequest,
  type FamilyChallenge,
  type FamilyChallengeRequest,
  type FamilyKeyLoginRequest,
  type FamilyChildren,
  type FamilySession,
  type ParticipatingMerchants,
  type ParticipatingMerchantsQuery,
} from "./family.ts";
import {
  BalanceLetterSchema, CardBalanceSchema, CardListSchema, CardSchema, CardSettingsSchema, CardUnlockSchema, IssuedCardSchema, IssuedCardsSchema,
  type BalanceLetter, type BlockCardRequest, type Card, type CardBalance, type CardBalanceRequest, type CardChargeRequest, type CardList, type CardSettings,
  type CardUnlock, type CardUnlockRequest, type IssueCardsRequest, type IssuedCard, type IssuedCards,
} from "./cards.ts";
import {
  ApplicationStatusSchema,
  MerchantApplicationReceiptSchema,
  MerchantMeSchema,
  MerchantUserListSchema,
  MerchantListSchema,
  MerchantSchema,
  MerchantSessionSchema,
  MerchantUserSchema,
  type ApproveMerchantRequest,
  type CreateMerchantUserRequest,
  type Merchant,
  type ApplicationStatus,
  type MerchantApplicationReceipt,
  type MerchantMe,
  type MerchantUserList,
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
  PayCodeLookupSchema,
  PayCodeSchema,
  RefundReceiptSchema,
  type ChargeReceipt,
  type ChargeRequest,
  type PaymentList,
  type PaymentListQuery,
  type QrLookup,
  type PayCodeLookup,
  type PayCodeLookupRequest,
  type PayCode,
  type PayCodeRequest,
  type QrLookupRequest,
  type RefundReceipt,
  type RefundRequest,
} from "./payments.ts";
import {
  FundPayoutScheduleSchema,
  MerchantPayoutsSchema,
  OwedListSchema,
  PaidPerShopSchema,
  PayoutRunDetailSchema,
  PayoutRunListSchema,
  PayoutRunSchema,
  SepaFileSchema,
  StatementImportSchema,
  type FundPayoutSchedule,
  type ImportStatementRequest,
  type StatementImport,
  type MerchantPayouts,
  type OwedList,
  type PaidPerShop,
  type PaidPerShopQuery,
  type PayoutRun,
  type PayoutRunDetail,
  type PayoutRunList,
  type PayoutRunListQuery,
  type SepaFile,
  type SetPayoutScheduleRequest,
  type StartPayoutRunRequest,
} from "./payouts.ts";

export { ApiError } from "./api-error.ts";

export const SESSION_COOKIE = "tegoed_session";
export const CSRF_HEADER = "X-CSRF-Token";


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
  /** As `request`, for an answer that is a file (e.g. `application/pdf`): its bytes. */
  requestFile(method: Method, path: string, accept: string): Promise<Uint8Array>;
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
    /** Ends every session of the user; keeps the new one's CSRF token. */
    changePassword(body: ChangePasswordRequest): Promise<StaffSession>;
    resetPassword(id: string, body: ResetPasswordRequest): Promise<void>;
    /** A new second-factor secret for the logged-in user's authenticator app. */
    enrolTotp(): Promise<TotpEnrolment>;
    /** Turns the second factor on with the app's current code. */
    confirmTotp(body: TotpConfirmRequest): Promise<StaffUser>;
    /** An administrator removes a user's second factor (a lost phone). */
    resetTotp(id: string): Promise<void>;
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
    /** `idempotencyKey`: one per intended top-up; reuse it to retry safely. */
    topUp(fundId: string, body: TopUpRequest, idempotencyKey?: string): Promise<TopUpReceipt>;
    freezeBudget(budgetId: string, body: FreezeRequest): Promise<Budget>;
    unfreezeBudget(budgetId: string, body: FreezeRequest): Promise<Budget>;
    /** The family's letter with the code it has (the same each time), or its first code. */
    issueLetter(familyId: string): Promise<ActivationLetter>;
    /** The same letter as a PDF; `language`: in this family language instead of the family's own. */
    letterPdf(familyId: string, language?: FamilyLanguage): Promise<Uint8Array>;
    /** A new code: the letter already sent stops working (refused as replaced). */
    newActivationCode(familyId: string): Promise<ActivationLetter>;
    /** The letters of every approved family not yet activated: existing codes, new ones only where none. */
    fundLetters(fundId: string): Promise<FundLetters>;
    /** The same letters as one PDF, one family per page. */
    fundLettersPdf(fundId: string): Promise<Uint8Array>;
    reissueAccess(familyId: string): Promise<ActivationLetter>;
    deleteFamily(familyId: string, body: DeleteFamilyRequest): Promise<FamilyDeletion>;
    listFamilies(fundId: string, query?: FamilySearchQuery): Promise<FamilySearchResult>;
  };
  family: {
    /** Starts the family's session: keeps its CSRF token. */
    activate(body: ActivationRequest): Promise<FamilySession>;
    /** The live session after a reload (401 UNAUTHENTICATED when none): keeps its CSRF token. */
    session(): Promise<FamilySession>;
    /** A challenge for the device key to sign, to log in again without the letter. */
    challenge(body: FamilyChallengeRequest): Promise<FamilyChallenge>;
    /** Starts the family's session with the signed challenge: keeps its CSRF token. */
    loginWithKey(body: FamilyKeyLoginRequest): Promise<FamilySession>;
    logout(): Promise<void>;
    children(): Promise<FamilyChildren>;
    /** Registers the QR on screen; answers the short code a till can type instead. */
    registerPayCode(body: PayCodeRequest): Promise<PayCode>;
  };
  /** No login needed. */
  public: {
    /** The shops where budgets can be spent, optionally of one fund. */
    merchants(query?: ParticipatingMerchantsQuery): Promise<ParticipatingMerchants>;
    funds(): Promise<PublicFundList>;
    fund(id: string): Promise<PublicFund>;
  };
  reports: {
    dashboard(fundId: string, query?: DashboardQuery): Promise<Dashboard>;
    /** Every shop the fund paid (the dashboard names the largest only). */
    spendingByShop(fundId: string): Promise<SpendingByShop>;
    auditLog(query?: AuditLogQuery): Promise<AuditLogPage>;
  };
  merchants: {
    /** Public: a shop applies. */
    apply(body: MerchantApplicationRequest): Promise<MerchantApplicationReceipt>;
    /** Public: the shop follows its application with the receipt's statusToken. */
    applicationStatus(id: string, token: string): Promise<ApplicationStatus>;
    get(id: string): Promise<Merchant>;
    list(query?: MerchantListQuery): Promise<MerchantList>;
    approve(id: string, body: ApproveMerchantRequest): Promise<Merchant>;
    decline(id: string, body: MerchantReasonRequest): Promise<Merchant>;
    suspend(id: string, body: MerchantReasonRequest): Promise<Merchant>;
    createUser(id: string, body: CreateMerchantUserRequest): Promise<MerchantUser>;
    resetUserPassword(id: string, userId: string, body: ResetPasswordRequest): Promise<void>;
  };
  merchant: {
    /** Starts a shop user's session: keeps its CSRF token. */
    login(body: MerchantLoginRequest): Promise<MerchantSession>;
    logout(): Promise<void>;
    /** The user, their shop and the session after a reload: keeps its CSRF token. */
    me(): Promise<MerchantMe>;
    users(): Promise<MerchantUserList>;
    /** Ends every session of the user; keeps the new one's CSRF token. */
    changePassword(body: ChangePasswordRequest): Promise<MerchantSession>;
    createUser(body: CreateMerchantUserRequest): Promise<MerchantUser>;
    lookupQr(body: QrLookupRequest): Promise<QrLookup>;
    /** The QR a short code typed at the till stands for (then as a scanned QR). */
    lookupPayCode(body: PayCodeLookupRequest): Promise<PayCodeLookup>;
    /** `idempotencyKey`: one per intended payment (e.g. a UUID made when the amount is confirmed); reuse it to retry. */
    charge(body: ChargeRequest, idempotencyKey: string): Promise<ChargeReceipt>;
    /** `idempotencyKey`: one per intended refund; reuse it to retry safely. */
    refund(paymentId: string, body: RefundRequest, idempotencyKey?: string): Promise<RefundReceipt>;
    payments(query?: PaymentListQuery): Promise<PaymentList>;
    /** This shop's payouts (amount, date, reference, status) and what each fund owes it now. */
    payouts(): Promise<MerchantPayouts>;
  };
  /** The Tegoed card: staff (issue, block, unblock, replace, settings), the till (unlock, charge) and the public balance check. */
  cards: {
    ofFamily(familyId: string): Promise<CardList>;
    issue(familyId: string): Promise<IssuedCard>;
    issueMany(fundId: string, body?: IssueCardsRequest): Promise<IssuedCards>;
    block(cardId: string, body?: BlockCardRequest): Promise<Card>;
    unblock(cardId: string): Promise<Card>;
    replace(cardId: string): Promise<IssuedCard>;
    settings(fundId: string): Promise<CardSettings>;
    setSettings(fundId: string, body: CardSettings): Promise<CardSettings>;
    /** The till: the PIN checked, the children to choose from. */
    unlock(body: CardUnlockRequest): Promise<CardUnlock>;
    /** The till: `idempotencyKey` one per intended payment; reuse it to retry. */
    charge(body: CardChargeRequest, idempotencyKey: string): Promise<ChargeReceipt>;
    /** Public: the balance with the card's code and PIN. */
    balance(body: CardBalanceRequest): Promise<CardBalance>;
    /** Staff: the family's balance as of now, as a letter to print (PDF, base64). */
    balanceLetter(familyId: string): Promise<BalanceLetter>;
  };
  /** Settlement to shops (finance; auditors and admins may read). */
  payouts: {
    owed(fundId: string): Promise<OwedList>;
    schedule(fundId: string): Promise<FundPayoutSchedule>;
    setSchedule(fundId: string, body: SetPayoutScheduleRequest): Promise<FundPayoutSchedule>;
    /** Starts a run; it pays in the background (or waits for approval): follow it with `run(id)`. */
    start(body: StartPayoutRunRequest): Promise<PayoutRun>;
    approve(runId: string): Promise<PayoutRun>;
    reject(runId: string): Promise<PayoutRun>;
    runs(query?: PayoutRunListQuery): Promise<PayoutRunList>;
    run(runId: string): Promise<PayoutRunDetail>;
    sepaFile(runId: string): Promise<SepaFile>;
    markSent(runId: string): Promise<PayoutRun>;
    paid(query: PaidPerShopQuery): Promise<PaidPerShop>;
    /** A camt.053 statement: confirms the SEPA payouts it shows booked. */
    importStatement(body: ImportStatementRequest): Promise<StatementImport>;
  };
  /** Email notifications: the receiver's settings, the unsubscribe link, staff's view of the outbox. */
  notifications: {
    family(): Promise<NotificationSettings>;
    updateFamily(body: UpdateNotificationSettings): Promise<NotificationSettings>;
    shop(): Promise<NotificationSettings>;
    updateShop(body: UpdateNotificationSettings): Promise<NotificationSettings>;
    /** Staff (validator, admin): a family's address and settings. */
    ofFamily(familyId: string): Promise<NotificationSettings>;
    updateOfFamily(familyId: string, body: UpdateNotificationSettings): Promise<NotificationSettings>;
    unsubscribe(token: string): Promise<{ kind: string }>;
    outbox(query?: { status?: "pending" | "sending" | "sent" | "needs_person" }): Promise<OutboxList>;
    retry(id: string): Promise<void>;
  };
}

const idempotency = (key: string | undefined): Record<string, string> | undefined => (key === undefined ? undefined : { [IDEMPOTENCY_HEADER]: key });

/** Query values as the URL carries them. */
const stringify = (query: object): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v === undefined ? undefined : String(v)]));

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

    async requestFile(method: Method, path: string, accept: string) {
      const headers: Record<string, string> = { accept };
      if (!SAFE_METHODS.has(method) && client.csrfToken) headers[CSRF_HEADER] = client.csrfToken;
      if (keepCookies && client.sessionCookie) headers.cookie = `${SESSION_COOKIE}=${client.sessionCookie}`;
      let response: Response;
      try {
        response = await doFetch(`${base}${path}`, { method, headers, credentials: "same-origin" });
      } catch (error) {
        throw new ApiError("NETWORK", 0, `The server cannot be reached: ${(error as Error).message}`);
      }
      if (keepCookies) keepSessionCookie(response);
      if (!response.ok) {
        const parsed = ErrorBodySchema.safeParse(await response.json().catch(() => undefined));
        if (parsed.success) throw new ApiError(parsed.data.error.code, response.status, parsed.data.error.message, parsed.data.error.details);
        throw new ApiError("INTERNAL", response.status, `Unexpected answer ${response.status} from the server.`);
      }
      return new Uint8Array(await response.arrayBuffer());
    },

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
      async changePassword(body) {
        const session = await client.request("PUT", "/api/staff/me/password", { body, schema: StaffSessionSchema });
        client.csrfToken = session.csrfToken;
        return session;
      },
      resetPassword: (id, body) => client.request("PUT", `/api/staff/users/${encodeURIComponent(id)}/password`, { body }),
      enrolTotp: () => client.request("POST", "/api/staff/me/totp", { schema: TotpEnrolmentSchema }),
      confirmTotp: (body) => client.request("PUT", "/api/staff/me/totp", { body, schema: StaffUserSchema }),
      resetTotp: (id) => client.request("DELETE", `/api/staff/users/${encodeURIComponent(id)}/totp`),
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
      topUp: (fundId, body, idempotencyKey) =>
        client.request("POST", `/api/funds/${encodeURIComponent(fundId)}/top-ups`, { body, schema: TopUpReceiptSchema, headers: idempotency(idempotencyKey) }),
      freezeBudget: (budgetId, body) =>
        client.request("POST", `/api/budgets/${encodeURIComponent(budgetId)}/freeze`, { body, schema: BudgetSchema }),
      unfreezeBudget: (budgetId, body) =>
        client.request("POST", `/api/budgets/${encodeURIComponent(budgetId)}/unfreeze`, { body, schema: BudgetSchema }),
      issueLetter: (familyId) => client.request("POST", `/api/families/${encodeURIComponent(familyId)}/letters`, { schema: ActivationLetterSchema }),
      letterPdf: (familyId, language) =>
        client.requestFile("POST", `/api/families/${encodeURIComponent(familyId)}/letters${language ? `?lang=${language}` : ""}`, "application/pdf"),
      newActivationCode: (familyId) =>
        client.request("POST", `/api/families/${encodeURIComponent(familyId)}/letters/new-code`, { schema: ActivationLetterSchema }),
      fundLetters: (fundId) => client.request("POST", `/api/funds/${encodeURIComponent(fundId)}/letters`, { schema: FundLettersSchema }),
      fundLettersPdf: (fundId) => client.requestFile("POST", `/api/funds/${encodeURIComponent(fundId)}/letters`, "application/pdf"),
      reissueAccess: (familyId) => client.request("POST", `/api/families/${encodeURIComponent(familyId)}/reissue`, { schema: ActivationLetterSchema }),
      deleteFamily: (familyId, body) =>
        client.request("DELETE", `/api/families/${encodeURIComponent(familyId)}`, { body, schema: FamilyDeletionSchema }),
      listFamilies: (fundId, query = {}) =>
        client.request("GET", `/api/funds/${encodeURIComponent(fundId)}/families${queryString(stringify(query))}`, { schema: FamilySearchResultSchema }),
    },

    family: {
      async activate(body) {
        const session = await client.request("POST", "/api/family/activation", { body, schema: FamilySessionSchema });
        client.csrfToken = session.csrfToken;
        return session;
      },
      async session() {
        const session = await client.request("GET", "/api/family/session", { schema: FamilySessionSchema });
        client.csrfToken = session.csrfToken;
        return session;
      },
      challenge: (body) => client.request("POST", "/api/family/challenge", { body, schema: FamilyChallengeSchema }),
      async loginWithKey(body) {
        const session = await client.request("POST", "/api/family/session/key", { body, schema: FamilySessionSchema });
        client.csrfToken = session.csrfToken;
        return session;
      },
      async logout() {
        await client.request("DELETE", "/api/family/session");
        client.csrfToken = undefined;
        client.sessionCookie = undefined;
      },
      children: () => client.request("GET", "/api/family/children", { schema: FamilyChildrenSchema }),
      registerPayCode: (body) => client.request("POST", "/api/family/pay-codes", { body, schema: PayCodeSchema }),
    },

    public: {
      merchants: (query = {}) => client.request("GET", `/api/public/merchants${queryString(query)}`, { schema: ParticipatingMerchantsSchema }),
      funds: () => client.request("GET", "/api/public/funds", { schema: PublicFundListSchema }),
      fund: (id) => client.request("GET", `/api/public/funds/${encodeURIComponent(id)}`, { schema: PublicFundSchema }),
    },

    reports: {
      dashboard: (fundId, query = {}) =>
        client.request("GET", `/api/funds/${encodeURIComponent(fundId)}/dashboard${queryString(query)}`, { schema: DashboardSchema }),
      spendingByShop: (fundId) =>
        client.request("GET", `/api/funds/${encodeURIComponent(fundId)}/spending-by-shop`, { schema: SpendingByShopSchema }),
      auditLog: (query = {}) =>
        client.request("GET", `/api/audit-log${queryString({ ...query, limit: query.limit === undefined ? undefined : String(query.limit) })}`, { schema: AuditLogPageSchema }),
    },

    merchants: {
      apply: (body) => client.request("POST", "/api/merchants/applications", { body, schema: MerchantApplicationReceiptSchema }),
      applicationStatus: (id, token) =>
        client.request("GET", `/api/merchants/applications/${encodeURIComponent(id)}${queryString({ token })}`, { schema: ApplicationStatusSchema }),
      get: (id) => client.request("GET", `/api/merchants/${encodeURIComponent(id)}`, { schema: MerchantSchema }),
      list: (query = {}) => client.request("GET", `/api/merchants${queryString(query)}`, { schema: MerchantListSchema }),
      approve: (id, body) => client.request("POST", `/api/merchants/${encodeURIComponent(id)}/approve`, { body, schema: MerchantSchema }),
      decline: (id, body) => client.request("POST", `/api/merchants/${encodeURIComponent(id)}/decline`, { body, schema: MerchantSchema }),
      suspend: (id, body) => client.request("POST", `/api/merchants/${encodeURIComponent(id)}/suspend`, { body, schema: MerchantSchema }),
      createUser: (id, body) => client.request("POST", `/api/merchants/${encodeURIComponent(id)}/users`, { body, schema: MerchantUserSchema }),
      resetUserPassword: (id, userId, body) =>
        client.request("PUT", `/api/merchants/${encodeURIComponent(id)}/users/${encodeURIComponent(userId)}/password`, { body }),
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
      async me() {
        const me = await client.request("GET", "/api/merchant/me", { schema: MerchantMeSchema });
        client.csrfToken = me.csrfToken;
        return me;
      },
      users: () => client.request("GET", "/api/merchant/users", { schema: MerchantUserListSchema }),
      async changePassword(body) {
        const session = await client.request("PUT", "/api/merchant/me/password", { body, schema: MerchantSessionSchema });
        client.csrfToken = session.csrfToken;
        return session;
      },
      createUser: (body) => client.request("POST", "/api/merchant/users", { body, schema: MerchantUserSchema }),
      lookupQr: (body) => client.request("POST", "/api/merchant/qr-lookups", { body, schema: QrLookupSchema }),
      lookupPayCode: (body) => client.request("POST", "/api/merchant/pay-code-lookups", { body, schema: PayCodeLookupSchema }),
      charge: (body, idempotencyKey) =>
        client.request("POST", "/api/merchant/charges", { body, schema: ChargeReceiptSchema, headers: { [IDEMPOTENCY_HEADER]: idempotencyKey } }),
      refund: (paymentId, body, idempotencyKey) =>
        client.request("POST", `/api/merchant/payments/${encodeURIComponent(paymentId)}/refunds`, {
          body, schema: RefundReceiptSchema, headers: idempotency(idempotencyKey),
        }),
      payments: (query = {}) => client.request("GET", `/api/merchant/payments${queryString(query)}`, { schema: PaymentListSchema }),
      payouts: () => client.request("GET", "/api/merchant/payouts", { schema: MerchantPayoutsSchema }),
    },

    cards: {
      ofFamily: (familyId) => client.request("GET", `/api/families/${encodeURIComponent(familyId)}/cards`, { schema: CardListSchema }),
      issue: (familyId) => client.request("POST", `/api/families/${encodeURIComponent(familyId)}/cards`, { schema: IssuedCardSchema }),
      issueMany: (fundId, body = {}) => client.request("POST", `/api/funds/${encodeURIComponent(fundId)}/cards`, { body, schema: IssuedCardsSchema }),
      block: (cardId, body = {}) => client.request("POST", `/api/cards/${encodeURIComponent(cardId)}/block`, { body, schema: CardSchema }),
      unblock: (cardId) => client.request("POST", `/api/cards/${encodeURIComponent(cardId)}/unblock`, { schema: CardSchema }),
      replace: (cardId) => client.request("POST", `/api/cards/${encodeURIComponent(cardId)}/replace`, { schema: IssuedCardSchema }),
      settings: (fundId) => client.request("GET", `/api/funds/${encodeURIComponent(fundId)}/card-settings`, { schema: CardSettingsSchema }),
      setSettings: (fundId, body) => client.request("PUT", `/api/funds/${encodeURIComponent(fundId)}/card-settings`, { body, schema: CardSettingsSchema }),
      unlock: (body) => client.request("POST", "/api/merchant/card-unlocks", { body, schema: CardUnlockSchema }),
      charge: (body, idempotencyKey) =>
        client.request("POST", "/api/merchant/card-charges", { body, schema: ChargeReceiptSchema, headers: { [IDEMPOTENCY_HEADER]: idempotencyKey } }),
      balance: (body) => client.request("POST", "/api/public/card-balance", { body, schema: CardBalanceSchema }),
      balanceLetter: (familyId) => client.request("POST", `/api/families/${encodeURIComponent(familyId)}/balance-letter`, { schema: BalanceLetterSchema }),
    },

    payouts: {
      owed: (fundId) => client.request("GET", `/api/funds/${encodeURIComponent(fundId)}/payouts/owed`, { schema: OwedListSchema }),
      schedule: (fundId) => client.request("GET", `/api/funds/${encodeURIComponent(fundId)}/payout-schedule`, { schema: FundPayoutScheduleSchema }),
      setSchedule: (fundId, body) =>
        client.request("PUT", `/api/funds/${encodeURIComponent(fundId)}/payout-schedule`, { body, schema: FundPayoutScheduleSchema }),
      start: (body) => client.request("POST", "/api/payout-runs", { body, schema: PayoutRunSchema }),
      approve: (runId) => client.request("POST", `/api/payout-runs/${encodeURIComponent(runId)}/approve`, { schema: PayoutRunSchema }),
      reject: (runId) => client.request("POST", `/api/payout-runs/${encodeURIComponent(runId)}/reject`, { schema: PayoutRunSchema }),
      runs: (query = {}) => client.request("GET", `/api/payout-runs${queryString(query)}`, { schema: PayoutRunListSchema }),
      run: (runId) => client.request("GET", `/api/payout-runs/${encodeURIComponent(runId)}`, { schema: PayoutRunDetailSchema }),
      sepaFile: (runId) => client.request("GET", `/api/payout-runs/${encodeURIComponent(runId)}/sepa-file`, { schema: SepaFileSchema }),
      markSent: (runId) => client.request("POST", `/api/payout-runs/${encodeURIComponent(runId)}/mark-sent`, { schema: PayoutRunSchema }),
      paid: (query) => client.request("GET", `/api/payouts/paid${queryString(query)}`, { schema: PaidPerShopSchema }),
      importStatement: (body) => client.request("POST", "/api/payout-statements", { body, schema: StatementImportSchema }),
    },

    notifications: {
      family: () => client.request("GET", "/api/family/notifications", { schema: NotificationSettingsSchema }),
      updateFamily: (body) => client.request("PUT", "/api/family/notifications", { body, schema: NotificationSettingsSchema }),
      shop: () => client.request("GET", "/api/merchant/notifications", { schema: NotificationSettingsSchema }),
      updateShop: (body) => client.request("PUT", "/api/merchant/notifications", { body, schema: NotificationSettingsSchema }),
      ofFamily: (familyId) => client.request("GET", `/api/staff/families/${encodeURIComponent(familyId)}/notifications`, { schema: NotificationSettingsSchema }),
      updateOfFamily: (familyId, body) =>
        client.request("PUT", `/api/staff/families/${encodeURIComponent(familyId)}/notifications`, { body, schema: NotificationSettingsSchema }),
      unsubscribe: (token) => client.request("POST", "/api/notifications/unsubscribe", { body: { token }, schema: UnsubscribeResultSchema }),
      outbox: (query = {}) => client.request("GET", `/api/staff/notifications${queryString(query)}`, { schema: OutboxListSchema }),
      retry: (id) => client.request("POST", `/api/staff/notifications/${encodeURIComponent(id)}/retry`),
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
