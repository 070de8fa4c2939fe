import { describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import type { FamilyOverview } from "@tegoed/sdk";
import { TopUpPage } from "../src/features/topup/TopUpPage.tsx";
import { GdprDelete } from "../src/features/intervene/GdprDelete.tsx";
import { IntervenePage } from "../src/features/intervene/IntervenePage.tsx";
import { FUND, renderScreen } from "./render.tsx";

const FAMILY: FamilyOverview = {
  id: "3d0f6a8e-1b2c-4d5e-8f90-a1b2c3d4e5f6", fundId: FUND.id, externalRef: "F1", displayName: "Jan Jansen", approvedAt: null, activatedAt: null,
  createdAt: "2026-11-01T10:00:00.000Z",
  children: [
    { id: "11111111-1b2c-4d5e-8f90-a1b2c3d4e5f6", firstName: "Anna", birthYear: 2018, budget: { budgetId: `0x${"ab".repeat(32)}`, status: "issued", issuedCents: 300_00, leftCents: 257_50 } },
    { id: "22222222-1b2c-4d5e-8f90-a1b2c3d4e5f6", firstName: "Bram", birthYear: 2016, budget: { budgetId: `0x${"cd".repeat(32)}`, status: "issued", issuedCents: 300_00, leftCents: 300_00 } },
  ],
};

describe("the top-up confirmation", () => {
  it("states the number of budgets, the amount each and the total for the whole fund before anything moves", async () => {
    const previewTopUp = vi.fn().mockResolvedValue({ budgets: 250, amountCents: 25_00, totalCents: 6_250_00 });
    const topUp = vi.fn().mockResolvedValue({ budgets: 250, amountCents: 25_00, totalCents: 6_250_00, txHashes: ["0x1"] });
    renderScreen(<TopUpPage />, { api: { eligibility: { previewTopUp, topUp } } });

    await userEvent.click(screen.getByLabelText("Every child in the fund"));
    await userEvent.type(screen.getByLabelText("Amount per child (euros)"), "25,00");
    await userEvent.click(screen.getByRole("button", { name: "Calculate the total" }));

    const dialog = await screen.findByRole("alertdialog", { name: "Confirm the top-up" });
    expect(dialog).toHaveTextContent("250 budgets each get €25.00 more: €6,250.00 in total, taken from the fund's reserve.");
    expect(previewTopUp).toHaveBeenCalledWith(FUND.id, { target: { all: true }, amountCents: 25_00 });
    expect(topUp).not.toHaveBeenCalled();
    expect(dialog).toHaveFocus();

    await userEvent.click(within(dialog).getByRole("button", { name: "Top up €6,250.00" }));
    expect(topUp).toHaveBeenCalledWith(FUND.id, { target: { all: true }, amountCents: 25_00 });
    expect(await screen.findByText("250 budgets topped up, €6,250.00 in total.")).toBeInTheDocument();
  });

  it("tops up one chosen child, in Dutch, and cancelling sends nothing", async () => {
    const previewTopUp = vi.fn().mockResolvedValue({ budgets: 1, amountCents: 10_00, totalCents: 10_00 });
    const topUp = vi.fn();
    const listFamilies = vi.fn().mockResolvedValue({ families: [FAMILY], total: 1 });
    renderScreen(<TopUpPage />, { api: { eligibility: { previewTopUp, topUp, listFamilies } }, language: "nl" });

    await userEvent.type(screen.getByLabelText("Gezin of kind zoeken"), "Jansen");
    await userEvent.click(screen.getByRole("button", { name: "Zoeken" }));
    await userEvent.click(await screen.findByRole("checkbox", { name: "Bram kiezen (Jan Jansen)" }));
    await userEvent.type(screen.getByLabelText("Bedrag per kind (euro)"), "10");
    await userEvent.click(screen.getByRole("button", { name: "Totaal berekenen" }));

    const dialog = await screen.findByRole("alertdialog");
    expect(dialog).toHaveTextContent("1 tegoed krijgt € 10,00 erbij: samen € 10,00, uit de reserve van de regeling.");
    expect(previewTopUp).toHaveBeenCalledWith(FUND.id, { target: { childIds: [FAMILY.children[1]!.id] }, amountCents: 10_00 });
    await userEvent.click(within(dialog).getByRole("button", { name: "Annuleren" }));
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(topUp).not.toHaveBeenCalled();
  });
});

describe("the freeze confirmation", () => {
  it("shows what is left on each budget, not only what was issued, before freezing", async () => {
    const listFamilies = vi.fn().mockResolvedValue({ families: [FAMILY], total: 1 });
    renderScreen(<IntervenePage />, {
      api: {
        eligibility: { listFamilies },
        cards: { ofFamily: vi.fn(async () => ({ cards: [] })) },
        notifications: { ofFamily: vi.fn(async () => ({ email: null, optional: [], language: "nl" as const })) },
      },
      language: "nl",
    });
    await userEvent.type(screen.getByLabelText("Gezin of kind zoeken"), "Jansen");
    await userEvent.click(screen.getByRole("button", { name: "Zoeken" }));
    const table = await screen.findByRole("table", { name: "Kinderen van Jan Jansen" });
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toContain("Nog over");
    expect(within(within(table).getByRole("row", { name: /Anna/ })).getByTestId("left")).toHaveTextContent("€ 257,50");

    await userEvent.click(screen.getByRole("button", { name: "Tegoed van Anna bevriezen" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog).toHaveTextContent("Er staat nog € 257,50 op het tegoed van Anna (uitgegeven: € 300,00).");
  });
});

describe("the GDPR deletion confirmation", () => {
  it("says what goes and what stays, and deletes only with a reason and an explicit tick", async () => {
    const deleteFamily = vi.fn().mockResolvedValue({ familyId: FAMILY.id, childrenDeleted: 2, budgetsAnonymised: 2, activationCodesDeleted: 1, sessionsDeleted: 0 });
    const onDeleted = vi.fn();
    renderScreen(<GdprDelete family={FAMILY} onDeleted={onDeleted} onCancel={() => {}} />, { api: { eligibility: { deleteFamily } }, roles: ["admin"] });

    const dialog = screen.getByRole("alertdialog", { name: "Delete all personal data of Jan Jansen?" });
    expect(dialog).toHaveTextContent("2 children's names and years of birth");
    expect(dialog).toHaveTextContent("The anonymous budgets and payments stay on the chain");
    expect(dialog).toHaveTextContent("This cannot be undone.");
    const confirm = within(dialog).getByRole("button", { name: "Delete the data of Jan Jansen" });
    expect(confirm).toBeDisabled();
    await userEvent.type(within(dialog).getByLabelText("Reason"), "Request of the parent, 2026-11-23");
    expect(confirm).toBeDisabled();
    await userEvent.click(within(dialog).getByRole("checkbox", { name: "I understand that the data of Jan Jansen is gone for good" }));
    expect(confirm).toBeEnabled();

    await userEvent.click(confirm);
    expect(deleteFamily).toHaveBeenCalledWith(FAMILY.id, { reason: "Request of the parent, 2026-11-23" });
    expect(onDeleted).toHaveBeenCalledWith(expect.objectContaining({ childrenDeleted: 2 }));
  });
});
