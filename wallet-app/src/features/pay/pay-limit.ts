// The parent's default maximum per payment. A photographed QR can be charged by any approved shop within
// its minute, up to the QR's maximum: a modest default (€ 50) limits what such a photo is worth, while
// the parent can raise it (or clear it: the whole balance) for a larger purchase. Kept on this phone only.
export const DEFAULT_PAY_LIMIT_CENTS = 50_00;
const STORAGE_KEY = "tegoed.wallet.payLimitCents";

/** The saved default in cents; null when the parent chose no maximum. */
export function loadPayLimit(storage: Storage = localStorage): number | null {
  const saved = storage.getItem(STORAGE_KEY);
  if (saved === null) return DEFAULT_PAY_LIMIT_CENTS;
  if (saved === "none") return null;
  const cents = Number(saved);
  return Number.isSafeInteger(cents) && cents > 0 ? cents : DEFAULT_PAY_LIMIT_CENTS;
}

export function savePayLimit(cents: number | null, storage: Storage = localStorage): void {
  storage.setItem(STORAGE_KEY, cents === null ? "none" : String(cents));
}
