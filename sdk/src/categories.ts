// Shop categories: stored and sent as keys ("books"), shown only as their label in the reader's language.
// One table for the apps (wallet, till, staff, public page) and their exports. A fund may name a category
// of its own: it is shown as typed, with a capital.

/** The categories a shop can choose when it applies. */
export const SHOP_CATEGORIES = ["books", "bike", "sport", "swimming", "computer", "clothing", "toys", "school", "culture", "music"] as const;
export type ShopCategory = (typeof SHOP_CATEGORIES)[number];

/** The public figures' smallest group: counts below it show as "<10", and the money sums wait until this many
 * children hold a budget. */
export const PUBLIC_MIN_GROUP = 10;

/** A category of the public figures is shown apart once this many different families paid in it; smaller
 * ones merge into "other", itself shown from this many families on. Families, not payments: one family's ten
 * purchases must not make a category stand out. */
export const PUBLIC_MIN_FAMILIES_PER_CATEGORY = 5;

/** Spending of shops without a category of the fund, and small categories merged for privacy. */
export const OTHER_CATEGORY = "other";

const LABELS: Record<string, Record<ShopCategory | typeof OTHER_CATEGORY, string>> = {
  nl: {
    books: "Boeken", bike: "Fietsen", sport: "Sport", swimming: "Zwemmen", computer: "Computers", clothing: "Kleding",
    toys: "Speelgoed", school: "Schoolspullen", culture: "Cultuur", music: "Muziek", other: "Overig",
  },
  en: {
    books: "Books", bike: "Bikes", sport: "Sport", swimming: "Swimming", computer: "Computers", clothing: "Clothing",
    toys: "Toys", school: "School supplies", culture: "Culture", music: "Music", other: "Other",
  },
};

/** "books" → "Boeken" (nl) / "Books" (en); a fund's own category as typed, with a capital. */
export function categoryLabel(category: string, language: string): string {
  const labels = LABELS[language] ?? LABELS.nl!;
  if (Object.hasOwn(labels, category)) return labels[category as keyof typeof labels];
  return category.charAt(0).toLocaleUpperCase(language) + category.slice(1);
}
