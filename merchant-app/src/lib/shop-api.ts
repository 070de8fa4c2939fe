// Shop calls beyond the till itself, typed by the sdk: session restore, application status, colleagues.
import type { ApiClient, ApplicationStatus, MerchantMe, MerchantUser } from "@tegoed/sdk";

export type ShopMe = MerchantMe;
export type { ApplicationStatus };
export type ShopUser = MerchantUser;

/** The logged-in shop user and shop (keeps the CSRF token); throws ApiError UNAUTHENTICATED without a session. */
export function fetchMe(client: ApiClient): Promise<ShopMe> {
  return client.merchant.me();
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
