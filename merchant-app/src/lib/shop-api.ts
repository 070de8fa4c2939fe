// Shop calls beyond the till itself, typed by the sdk: session restore, application status, colleagues.
import { FUND_TIME_ZONE, type ApiClient, type ApplicationStatus, type MerchantMe, type MerchantUser } from "@tegoed/sdk";

export type ShopMe = MerchantMe;
export type { ApplicationStatus };
export type ShopUser = MerchantUser;

/** The logged-in shop user and shop (keeps the CSRF token); throws ApiError UNAUTHENTICATED without a session. */
export function fetchMe(client: ApiClient): Promise<ShopMe> {
  return client.merchant.me();
}

/** The clock the till shows its days and times on: its funds' (the first it may take payments from), else the default. */
export function shopTimeZone(me: ShopMe | null): string {
  const funds = me?.merchant.funds ?? [];
  return (funds.find((f) => f.suspendedAt === null) ?? funds[0])?.timeZone ?? FUND_TIME_ZONE;
}

export function fetchApplicationStatus(client: ApiClient, id: string, token: string): Promise<ApplicationStatus> {
  return client.merchants.applicationStatus(id, token);
}

export async function listShopUsers(client: ApiClient): Promise<ShopUser[]> {
  return (await client.merchant.users()).users;
}

export function createShopUser(client: ApiClient, body: { email: string; password: string }): Promise<ShopUser> {
  return client.merchant.createUser(body);
}
