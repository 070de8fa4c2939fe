// Shop categories: stored as keys, shown as labels in the reader's language, one table for every app.
import { describe, expect, it } from "vitest";
import { OTHER_CATEGORY, SHOP_CATEGORIES, categoryLabel } from "../src/index.ts";

describe("category labels", () => {
  it("give every shop category and 'other' a label in Dutch and English that is not its key", () => {
    for (const language of ["nl", "en"]) {
      for (const category of [...SHOP_CATEGORIES, OTHER_CATEGORY]) {
        const label = categoryLabel(category, language);
        expect(label, `${language} ${category}`).not.toBe(category);
        expect(label).toMatch(/^\p{Lu}/u);
      }
    }
    expect([categoryLabel("books", "nl"), categoryLabel("books", "en"), categoryLabel("school", "nl")]).toEqual(["Boeken", "Books", "Schoolspullen"]);
  });

  it("show a fund's own category as typed, with a capital", () => {
    expect(categoryLabel("zwemles", "nl")).toBe("Zwemles");
  });
});
