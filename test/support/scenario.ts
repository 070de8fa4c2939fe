// Ready-made situations for browser tests, made through the API as staff would: a fund with money,
// families approved and budgets issued (with their activation codes), and an approved shop with a login.
import type { ApiClient, Fund } from "@tegoed/sdk";
import { STAFF_PASSWORD, type System } from "./system.ts";

export interface FamilyInput {
  displayName: string;
  addressLines?: string[];
  children: { firstName: string; birthYear: number }[];
}

export interface IssuedFamily {
  familyId: string;
  /** The activation code as printed on the letter. */
  code: string;
}

export const YEAR = new Date().getUTCFullYear();
const tag = () => Math.random().toString(36).slice(2, 8);

/** One staff user holding every role, for setting scenes quickly. */
export async function backOffice(system: System): Promise<ApiClient> {
  return (await system.staff(["admin", "finance", "validator", "merchant_manager"])).client;
}

/** A fund (EUR 300 per child by default) with enough money, these families approved and budgets issued. */
export async function fundWithFamilies(
  system: System,
  families: FamilyInput[],
  options: { amountPerChildCents?: number; name?: string; categories?: string[] } = {},
): Promise<{ fund: Fund; families: IssuedFamily[]; staff: ApiClient }> {
  const staff = await backOffice(system);
  const amount = options.amountPerChildCents ?? 300_00;
  const fund = await staff.funds.create({
    name: options.name ?? `Kindpakket ${YEAR + 1}`, amountPerChildCents: amount, budgetExpiry: `${YEAR + 1}-12-31`,
    categories: options.categories ?? ["books", "bike", "sport", "swimming", "computer", "clothing", "toys"],
  });
  const children = families.reduce((n, f) => n + f.children.length, 0);
  await staff.funds.deposit(fund.id, { amountCents: Math.max(1, children) * amount * 2, bankReference: `DEP-${tag()}` });
  const ids: string[] = [];
  for (const family of families) {
    const added = await staff.eligibility.addFamily(fund.id, {
      displayName: family.displayName, addressLines: family.addressLines ?? ["Hoofdstraat 1", "9801 AA  Zuidhorn"], children: family.children,
    });
    ids.push(added.id);
  }
  await staff.eligibility.approveFamilies(fund.id, { familyIds: ids });
  await staff.eligibility.issueBudgets(fund.id);
  const issued: IssuedFamily[] = [];
  for (const familyId of ids) issued.push({ familyId, code: (await staff.eligibility.issueLetter(familyId)).code });
  return { fund, families: issued, staff };
}

const kvk = () => String(10_000_000 + Math.floor(Math.random() * 89_999_999));

/** A shop that applied, was approved for the fund (on chain), and has a login. */
export async function approvedShop(
  system: System,
  fundId: string,
  shop: { name?: string; categories?: string[] } = {},
): Promise<{ merchantId: string; email: string; password: string }> {
  const staff = await backOffice(system);
  const { id } = await system.client().merchants.apply({
    name: shop.name ?? "Sportwinkel De Bal", kvkNumber: kvk(), iban: "NL91 ABNA 0417 1643 00", categories: shop.categories ?? ["sport"],
    address: "Hoofdstraat 12, 9801 AA Zuidhorn", contactEmail: `info-${tag()}@debal.example`,
  });
  await staff.merchants.approve(id, { fundId });
  const email = `kassa-${tag()}@debal.example`;
  await staff.merchants.createUser(id, { email, password: STAFF_PASSWORD });
  return { merchantId: id, email, password: STAFF_PASSWORD };
}
