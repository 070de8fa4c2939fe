import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import { HomePage, expiryState } from "../src/features/home/home-page.tsx";
import type { WalletChild } from "../src/lib/api.ts";
import { bram, child, plain, renderWithI18n } from "./fixtures.tsx";

const NOW = Date.parse("2026-11-23T12:00:00Z");

function renderHome(children: WalletChild[], now = NOW, language = "nl") {
  return renderWithI18n(
    <HomePage children={children} now={now}
      payHref={(c) => <a href={`/pay/${c.childId}`}>Betalen voor {c.firstName}</a>}
      historyHref={(c) => <a href={`/history/${c.childId}`}>Bestedingen van {c.firstName}</a>} />,
    language,
  );
}

const card = (name: string) => screen.getByRole("article", { name });
const definition = (article: HTMLElement, term: string) => plain(within(article).getByText(term).nextElementSibling?.textContent);

describe("home", () => {
  it("shows each child with what is left, what was spent and until when, in Dutch euros", () => {
    renderHome([child(), bram({ expiresAt: "2027-06-30T21:59:59.000Z" })]);
    const anna = card("Anna");
    expect(definition(anna, "Nog te besteden")).toBe("€ 300,00");
    expect(definition(anna, "Al besteed")).toBe("€ 0,00");
    expect(definition(anna, "Geldig tot en met")).toBe("31 december 2027");
    const b = card("Bram");
    expect(definition(b, "Nog te besteden")).toBe("€ 120,50");
    expect(definition(b, "Al besteed")).toBe("€ 179,50");
    expect(within(anna).getByRole("link", { name: "Betalen voor Anna" })).toBeInTheDocument();
  });

  it("the expiry (midnight UTC after the last day, as the chain keeps it) shows as the last valid day", () => {
    renderHome([child({ expiresAt: "2028-01-01T00:00:00.000Z" })]);
    expect(definition(card("Anna"), "Geldig tot en met")).toBe("31 december 2027");
  });

  it("in English the amounts and dates are British", () => {
    renderHome([child()], NOW, "en");
    const anna = card("Anna");
    expect(definition(anna, "Left to spend")).toBe("€300.00");
    expect(definition(anna, "Valid until")).toBe("31 December 2027");
  });

  it("warns in words (not only colour) six weeks before the budget expires", () => {
    renderHome([child({ expiresAt: "2026-12-31T22:59:59.000Z" }), bram({ expiresAt: "2027-12-31T22:59:59.000Z" })]);
    const note = within(card("Anna")).getByRole("note");
    expect(plain(note.textContent).trim()).toBe("Let op: het tegoed van Anna is geldig tot en met 31 december 2026. Gebruik het op tijd.");
    // The sign is drawn (SVG), not a character from an emoji font the phone may lack.
    expect(note.querySelector('svg[data-icon="warning"]')).not.toBeNull();
    expect(within(card("Bram")).queryByRole("note")).toBeNull();
  });

  it("an expired or frozen budget says so and offers no pay button; a pending one has no amounts", () => {
    renderHome([
      child({ expiresAt: "2026-10-31T22:59:59.000Z" }),
      bram({ frozen: true, status: "frozen" }),
      child({ childId: "c3", firstName: "Cas", status: "pending", balanceCents: null, spentCents: null, expiresAt: null }),
    ]);
    expect(within(card("Anna")).getByText(/Dit tegoed is verlopen. Het was geldig tot en met 31 oktober 2026./)).toBeInTheDocument();
    expect(within(card("Anna")).queryByRole("link", { name: /Betalen/ })).toBeNull();
    expect(within(card("Bram")).getByText(/De gemeente heeft dit tegoed geblokkeerd/)).toBeInTheDocument();
    expect(within(card("Bram")).queryByRole("link", { name: /Betalen/ })).toBeNull();
    expect(within(card("Cas")).getByText(/Nog niet beschikbaar/)).toBeInTheDocument();
    expect(within(card("Cas")).queryByText("Nog te besteden")).toBeNull();
  });

  it("expiryState: ok far ahead, soon within 42 days, expired after", () => {
    expect(expiryState("2027-12-31T00:00:00Z", NOW)).toBe("ok");
    expect(expiryState("2027-01-04T00:00:00Z", NOW)).toBe("soon");
    expect(expiryState("2026-11-01T00:00:00Z", NOW)).toBe("expired");
    expect(expiryState(null, NOW)).toBe("ok");
  });
});
