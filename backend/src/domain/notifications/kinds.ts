// Every notification Tegoed sends: who receives it, whether the receiver may switch it off, and sample
// data (the template test renders each in every language with it).

export type Audience = "shop" | "staff" | "family";

export interface KindInfo {
  audience: Audience;
  /** The receiver may switch it off (unsubscribe link, app setting). Security notices and decisions never. */
  optional: boolean;
  sample: Record<string, string>;
}

const fund = { senderName: "Kindpakket Westerkwartier 2027" };
const shop = { ...fund, shopName: "Fietsen Bakker & Zn" };
const staffLink = { staffUrl: "https://tegoed.example/staff/" };
const family = { ...fund, parentName: "J. de Vries", walletUrl: "https://tegoed.example/wallet/" };

export const KINDS = {
  // Shop
  merchant_application_received: { audience: "shop", optional: false, sample: { ...shop } },
  merchant_approved: { audience: "shop", optional: false, sample: { ...shop, shopUrl: "https://tegoed.example/shop/" } },
  merchant_declined: { audience: "shop", optional: false, sample: { ...shop, reason: "Geen winkel in de gemeente <Westerkwartier>" } },
  merchant_suspended: { audience: "shop", optional: false, sample: { ...shop, reason: "Betalingen voor andere producten" } },
  merchant_colleague_added: { audience: "shop", optional: true, sample: { ...shop, colleagueEmail: "anna@bakker.example" } },
  payout_sent: { audience: "shop", optional: true, sample: { ...shop, amountCents: "12350", reference: "TGD-20270301-ABC123", ibanLast4: "4300" } },
  // Staff
  payout_run_awaiting_approval: { audience: "staff", optional: false, sample: { ...fund, ...staffLink, payoutCount: "3", totalCents: "720000" } },
  payout_needs_person: { audience: "staff", optional: false, sample: { ...fund, ...staffLink, reference: "TGD-20270301-ABC123", shopName: "Fietsen Bakker", amountCents: "12350" } },
  statement_line_unmatched: { audience: "staff", optional: false, sample: { ...fund, ...staffLink, reference: "TGD-20270301-XYZ999", amountCents: "5000" } },
  applications_digest: { audience: "staff", optional: false, sample: { ...fund, ...staffLink, count: "4", day: "2027-03-01" } },
  // Family
  activation_letter: { audience: "family", optional: false, sample: { ...family, code: "ABCD-EFGH-JKLM", expiresOn: "2027-04-01", childNames: "Sam, Noor" } },
  budget_topped_up: { audience: "family", optional: true, sample: { ...family, childName: "Sam", amountCents: "5000" } },
  budget_expiring: { audience: "family", optional: true, sample: { ...family, childName: "Sam", leftCents: "4250", expiresOn: "2027-12-31", weeks: "6", shopsUrl: "https://tegoed.example/wallet/#shops" } },
  phone_replaced: { audience: "family", optional: false, sample: { ...family } },
  payment_receipt: { audience: "family", optional: true, sample: { ...family, childName: "Sam", amountCents: "1250", shopName: "Fietsen Bakker", leftCents: "28750" } },
  // Family, while applying (an applicant becomes a family once approved)
  login_code: { audience: "family", optional: false, sample: { ...fund, code: "482913", minutes: "15" } },
  application_received: { audience: "family", optional: false, sample: { ...family } },
  application_question: { audience: "family", optional: false, sample: { ...family } },
  application_approved: { audience: "family", optional: false, sample: { ...family, childNames: "Sam, Noor" } },
  application_declined: { audience: "family", optional: false, sample: { ...family, reason: "Het inkomen is hoger dan de grens <van de regeling>" } },
  // Family, the card (security notices)
  card_issued: { audience: "family", optional: false, sample: { ...family } },
  card_replaced: { audience: "family", optional: false, sample: { ...family } },
  card_blocked: { audience: "family", optional: false, sample: { ...family } },
} as const satisfies Record<string, KindInfo>;

export type NotificationKind = keyof typeof KINDS;
export const KIND_NAMES = Object.keys(KINDS) as NotificationKind[];

export function isKind(value: string): value is NotificationKind {
  return Object.hasOwn(KINDS, value);
}
