// The family's Tegoed cards in the staff app: issue (two printables, apart), state and PIN tries left,
// block and unblock, the balance printed on request; and the public balance check with the card's code and PIN.
import { describe, expect, it, vi } from "vitest";
import { render, screen, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { I18nextProvider } from "react-i18next";
import type { Card } from "@tegoed/sdk";
import { FamilyCards } from "../src/features/cards/FamilyCards.tsx";
import { CardBalanceCheck } from "../src/public/CardBalance.tsx";
import { createI18n } from "../src/i18n/index.ts";
import { FUND, renderScreen } from "./render.tsx";

const FAMILY = "3d0f6a8e-1b2c-4d5e-8f90-a1b2c3d4e5f6";
const card = (over: Partial<Card> = {}): Card => ({
  id: "7d0f6a8e-1b2c-4d5e-8f90-a1b2c3d4e5f6", familyId: FAMILY, fundId: FUND.id, cardNumber: "171887568979", state: "printed", blockedReason: null,
  pinTriesLeft: 5, lastUsedAt: null, createdAt: "2026-12-01T10:00:00.000Z", replacedBy: null, ...over,
});

describe("the family's cards", () => {
  it("issues a card and offers the card and the PIN letter as two separate prints", async () => {
    const ofFamily = vi.fn().mockResolvedValueOnce({ cards: [] }).mockResolvedValue({ cards: [card()] });
    const issue = vi.fn().mockResolvedValue({ card: card(), cardPdf: "JVBERg==", pinLetterPdf: "JVBERg==" });
    const open = vi.spyOn(window, "open").mockReturnValue(null);
    URL.createObjectURL = vi.fn(() => "blob:x");
    renderScreen(<FamilyCards familyId={FAMILY} name="Jan Jansen" />, { api: { cards: { ofFamily, issue } } });
    await userEvent.click(await screen.findByRole("button", { name: "Issue a Tegoed card" }));
    expect(issue).toHaveBeenCalledWith(FAMILY);
    expect(await screen.findByText(/Card 1718 8756 8979 is issued/)).toBeInTheDocument();
    const table = screen.getByRole("table", { name: "Cards of Jan Jansen" });
    expect(within(table).getByRole("row", { name: /1718 8756 8979 printed — 5/ })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Print the card (PDF)" }));
    await userEvent.click(screen.getByRole("button", { name: "Print the PIN letter (PDF)" }));
    expect(open).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole("button", { name: "Issue a Tegoed card" })).not.toBeInTheDocument();
  });

  it("shows a card blocked by wrong PINs with no tries left (in Dutch) and unblocks it", async () => {
    const blocked = card({ state: "blocked", blockedReason: "pin", pinTriesLeft: 0, lastUsedAt: "2026-12-02T10:00:00.000Z" });
    const ofFamily = vi.fn().mockResolvedValueOnce({ cards: [blocked] }).mockResolvedValue({ cards: [card({ state: "active" })] });
    const unblock = vi.fn().mockResolvedValue(card({ state: "active" }));
    renderScreen(<FamilyCards familyId={FAMILY} name="Jan Jansen" />, { api: { cards: { ofFamily, unblock } }, language: "nl" });
    expect(await screen.findByText("geblokkeerd (te vaak verkeerde pincode)")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Deblokkeren" }));
    expect(unblock).toHaveBeenCalledWith(blocked.id);
    expect(await screen.findByText("in gebruik")).toBeInTheDocument();
  });

  it("prints the family's balance as of now when the family asks", async () => {
    const balanceLetter = vi.fn().mockResolvedValue({ familyId: FAMILY, asOf: "2026-12-07T10:00:00.000Z", cardNumber: "171887568979", children: [], pdf: "JVBERg==" });
    const open = vi.spyOn(window, "open").mockReturnValue(null);
    URL.createObjectURL = vi.fn(() => "blob:balance");
    renderScreen(<FamilyCards familyId={FAMILY} name="Jan Jansen" />, { api: { cards: { ofFamily: vi.fn().mockResolvedValue({ cards: [card({ state: "active" })] }), balanceLetter } }, language: "nl" });
    await userEvent.click(await screen.findByRole("button", { name: "Saldo nu afdrukken (pdf)" }));
    expect(balanceLetter).toHaveBeenCalledWith(FAMILY);
    expect(open).toHaveBeenCalledWith("blob:balance", "_blank");
  });

  it("an auditor sees the cards but no actions", async () => {
    renderScreen(<FamilyCards familyId={FAMILY} name="Jan Jansen" />, { api: { cards: { ofFamily: vi.fn().mockResolvedValue({ cards: [card()] }) } }, roles: ["auditor"] });
    expect(await screen.findByText("printed")).toBeInTheDocument();
    expect(screen.queryByRole("button")).not.toBeInTheDocument();
  });
});

describe("the public card balance", () => {
  it("shows each child's budget for the card's code and PIN, and a wrong PIN in our own words", async () => {
    const fetcher = vi.fn()
      .mockResolvedValueOnce(new Response(JSON.stringify({ fundName: "Kindpakket 2027", children: [{ firstName: "Anna", balanceCents: 260_00, expiresAt: "2027-12-31T23:59:59.000Z" }] })))
      .mockResolvedValueOnce(new Response(JSON.stringify({ error: { code: "CARD_PIN_WRONG", message: "server words" } }), { status: 422 }));
    render(<I18nextProvider i18n={createI18n("en")}><CardBalanceCheck fetcher={fetcher} /></I18nextProvider>);
    await userEvent.type(screen.getByLabelText("Card code"), "TKAE UAKT");
    await userEvent.type(screen.getByLabelText("PIN (5 digits)"), "12345");
    await userEvent.click(screen.getByRole("button", { name: "Show balance" }));
    expect(await screen.findByTestId("card-balance")).toHaveTextContent("€260.00");
    expect(JSON.parse(fetcher.mock.calls[0]![1].body)).toEqual({ card: "TKAE UAKT", pin: "12345" });
    await userEvent.type(screen.getByLabelText("PIN (5 digits)"), "11111");
    await userEvent.click(screen.getByRole("button", { name: "Show balance" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The PIN is not right.");
  });
});
