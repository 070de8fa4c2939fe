import { describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import type { PayoutRun, StaffRole } from "@tegoed/sdk";
import { PayoutsPage } from "../src/features/payouts/PayoutsPage.tsx";
import { FUND, renderScreen } from "./render.tsx";

const ME = "6f1c0b9e-2f43-4c55-9a7e-0d7b3f1f2a10";
const run = (id: string, startedBy: string, status: PayoutRun["status"] = "awaiting_approval"): PayoutRun => ({
  id, fundId: FUND.id, trigger: "manual", bank: { name: "simulated", label: "simulated bank" }, status, totalCents: 6000_00, payoutCount: 2,
  progress: { pending: 2, sent: 0, confirmed: 0, settled: 0, failed: 0 }, startedBy, approvedBy: null, approvedAt: null, messageId: null, hasFile: false,
  sentAt: null, createdAt: "2026-11-23T12:00:00.000Z", completedAt: null,
});

function api() {
  return {
    payouts: {
      owed: vi.fn().mockResolvedValue({ fundId: FUND.id, bank: { name: "simulated", label: "simulated bank" }, shops: [{ merchantId: "3d6f0a2b-8c1e-4f5a-9b7d-2e4c6a8b0d1f", name: "De Bal", receivableCents: 6000_00, openCents: 0, owedCents: 6000_00 }], totalOwedCents: 6000_00 }),
      runs: vi.fn().mockResolvedValue({ runs: [run("11111111-1111-4111-8111-111111111111", "someone-else"), run("22222222-2222-4222-8222-222222222222", ME)] }),
      approve: vi.fn(),
      schedule: vi.fn().mockResolvedValue({ fundId: FUND.id, schedule: { kind: "daily", at: "17:00" }, minimumCents: 25_00, lastDailyRunOn: null }),
      setSchedule: vi.fn().mockImplementation(async (_id: string, body: { schedule: unknown; minimumCents: number }) => ({ fundId: FUND.id, ...body, lastDailyRunOn: null })),
      start: vi.fn(),
    },
  };
}

async function rows(roles: StaffRole[]) {
  const fake = api();
  renderScreen(<PayoutsPage />, { api: fake, roles });
  const table = await screen.findByRole("table", { name: "Runs, newest first" });
  return { fake, rows: within(table).getAllByRole("row").slice(1) };
}

describe("payouts by role (four eyes)", () => {
  it("finance may approve a run someone else started, not its own, and may start one", async () => {
    const { rows: [other, own] } = await rows(["finance"]);
    expect(within(other!).getByRole("button", { name: "Approve" })).toBeInTheDocument();
    expect(within(own!).queryByRole("button", { name: "Approve" })).not.toBeInTheDocument();
    expect(own).toHaveTextContent("A colleague must approve this run.");
    await userEvent.click(screen.getByRole("button", { name: "Start a payout run" }));
    expect(screen.getByRole("alertdialog")).toHaveTextContent("1 shop is paid, €6,000.00 in total, through simulated bank (no real money).");
  });

  it("shows a run's time on the fund's own clock", async () => {
    renderScreen(<PayoutsPage />, { api: api(), roles: ["finance"], fund: { ...FUND, timeZone: "America/Kralendijk" } });
    const table = await screen.findByRole("table", { name: "Runs, newest first" });
    // 12:00 UTC is 08:00 on Bonaire (13:00 in Amsterdam).
    expect(within(table).getAllByRole("row")[1]).toHaveTextContent(/23 Nov 2026,? 08:00/);
  });

  it("finance changes the payout schedule; an auditor only reads it", async () => {
    const { fake } = await rows(["finance"]);
    expect(await screen.findByText("Now: Daily at 17:00, from €25.00 per shop.")).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText("Instantly"));
    await userEvent.clear(screen.getByLabelText("Smallest payout per shop (euros)"));
    await userEvent.type(screen.getByLabelText("Smallest payout per shop (euros)"), "10.00");
    await userEvent.click(screen.getByRole("button", { name: "Save the schedule" }));
    expect(fake.payouts.setSchedule).toHaveBeenCalledWith(FUND.id, { schedule: { kind: "instant" }, minimumCents: 10_00 });
    expect(await screen.findByText("Now: Instantly, from €10.00 per shop.")).toBeInTheDocument();
    document.body.innerHTML = "";

    await rows(["auditor"]);
    expect(await screen.findByText("Now: Daily at 17:00, from €25.00 per shop.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Save the schedule" })).not.toBeInTheDocument();
  });

  it("an auditor and an admin only read: no start, approve or reject", async () => {
    for (const role of ["auditor", "admin"] as const) {
      const { rows: list } = await rows([role]);
      for (const row of list) expect(within(row).queryByRole("button", { name: /Approve|Reject/ })).not.toBeInTheDocument();
      expect(screen.queryByRole("button", { name: "Start a payout run" })).not.toBeInTheDocument();
      expect(screen.getByRole("table", { name: "Owed per shop: €6,000.00 in total" })).toBeInTheDocument();
      document.body.innerHTML = "";
    }
  });
});
