import { describe, expect, it, vi } from "vitest";
import { screen } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { ApproveAndIssue } from "../src/features/eligibility/FamiliesPage.tsx";
import { FUND, renderScreen } from "./render.tsx";

describe("issuing budgets", { timeout: 20_000 }, () => {
  it("shows how many budgets reached the chain while the batches go, then the report", async () => {
    const figures = (budgets: number, budgetsPending: number) => ({ budgets, budgetsPending });
    const dashboard = vi.fn().mockResolvedValueOnce(figures(10, 0)).mockResolvedValue(figures(60, 50));
    let finish: (value: unknown) => void = () => {};
    const issueBudgets = vi.fn().mockReturnValue(new Promise((resolve) => (finish = resolve)));
    renderScreen(<ApproveAndIssue fundId={FUND.id} onChanged={() => {}} />, { api: { reports: { dashboard }, eligibility: { issueBudgets } } });

    await userEvent.click(screen.getByRole("button", { name: "Issue budgets" }));
    // 10 were issued before; 50 more now, 50 still pending.
    expect(await screen.findByText("50 of 100 budgets on the chain", {}, { timeout: 5000 })).toBeInTheDocument();
    expect(screen.getByLabelText("Issuing budgets in batches on the chain…")).toHaveAttribute("value", "50");

    finish({ issued: 100, reconciled: 0, amountPerChildCents: 300_00, totalCents: 30_000_00, txHashes: ["0x1", "0x2"] });
    expect(await screen.findByText("100 budgets issued, €30,000.00 in total, in 2 transactions.")).toBeInTheDocument();
    expect(screen.queryByText(/budgets on the chain/)).not.toBeInTheDocument();
  });
});
