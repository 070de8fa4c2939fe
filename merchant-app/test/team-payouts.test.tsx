import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { TeamScreen } from "../src/features/team/team-screen.tsx";
import { PayoutsScreen } from "../src/features/payouts/payouts-screen.tsx";
import { fakeApi, refusal, renderWith } from "./support/render.tsx";

const SHOP = "3d6f0a2b-8c1e-4f5a-9b7d-2e4c6a8b0d1f";
const user1 = { id: "5a0c8f52-64d5-4c8e-a7c4-2f1b3b8c9d10", merchantId: SHOP, email: "kassa@debal.example", createdAt: "2026-11-01T10:00:00.000Z" };

describe("TeamScreen", () => {
  it("lists the shop's logins and adds a colleague", async () => {
    const api = fakeApi();
    const added = { ...user1, id: "6b1d9f63-75e6-4d9f-b8d5-3a2c4c9d0e21", email: "anna@debal.example" };
    api.merchant.users!.mockResolvedValueOnce({ users: [user1] }).mockResolvedValue({ users: [user1, added] });
    api.merchant.createUser!.mockResolvedValue(added);
    renderWith(<TeamScreen />, { api });
    const user = userEvent.setup();
    await screen.findByText("kassa@debal.example");
    await user.type(screen.getByLabelText("E-mailadres"), "anna@debal.example");
    await user.type(screen.getByLabelText("Eerste wachtwoord"), "kort");
    await user.click(screen.getByRole("button", { name: "Collega toevoegen" }));
    expect(screen.getByRole("alert")).toHaveTextContent("minstens 10 tekens");
    expect(api.merchant.createUser).not.toHaveBeenCalled();
    await user.type(screen.getByLabelText("Eerste wachtwoord"), " maar nu lang genoeg");
    await user.click(screen.getByRole("button", { name: "Collega toevoegen" }));
    expect(api.merchant.createUser).toHaveBeenCalledWith({ email: "anna@debal.example", password: "kort maar nu lang genoeg" });
    expect(await screen.findByText("anna@debal.example kan nu inloggen.")).toBeInTheDocument();
    expect(within(screen.getByRole("list", { name: "Accounts van deze winkel" })).getAllByRole("listitem")).toHaveLength(2);
  });

  it("says when the e-mail address already has an account", async () => {
    const api = fakeApi();
    api.merchant.createUser!.mockRejectedValue(refusal("CONFLICT"));
    renderWith(<TeamScreen />, { api, language: "en" });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email address"), "kassa@debal.example");
    await user.type(screen.getByLabelText("First password"), "a long password");
    await user.click(screen.getByRole("button", { name: "Add colleague" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("There is already an account with this email address.");
  });
});

describe("PayoutsScreen", () => {
  it("shows what the fund owes and each payout with date, amount, reference and status in words", async () => {
    const api = fakeApi();
    api.merchant.payouts!.mockResolvedValue({
      bank: { name: "simulated", label: "simulated bank (no real money)" },
      owed: [{ fundId: "0b8f5f3e-7c1d-4a43-9b1e-5a7c3d2e1f00", fundName: "Kindpakket 2027", owedCents: 45_10, openCents: 10_00 }],
      payouts: [
        {
          reference: "TGD-2026-000123", fundId: "0b8f5f3e-7c1d-4a43-9b1e-5a7c3d2e1f00", amountCents: 120_50, status: "settled", description: "Tegoed Kindpakket",
          periodFrom: "2026-11-20T00:00:00.000Z", periodTo: "2026-11-21T00:00:00.000Z", createdAt: "2026-11-21T06:00:00.000Z", paidAt: "2026-11-21T06:01:00.000Z",
        },
        {
          reference: "TGD-2026-000124", fundId: "0b8f5f3e-7c1d-4a43-9b1e-5a7c3d2e1f00", amountCents: 3_00, status: "failed", description: "Tegoed Kindpakket",
          periodFrom: "2026-11-21T00:00:00.000Z", periodTo: "2026-11-22T00:00:00.000Z", createdAt: "2026-11-22T06:00:00.000Z", paidAt: null,
        },
      ],
    });
    renderWith(<PayoutsScreen />, { api });
    expect(await screen.findByTestId("owed")).toHaveTextContent("Kindpakket 2027€ 45,10 · € 10,00 wordt nu uitbetaald");
    expect(screen.getByText(/gesimuleerde bank/)).toBeInTheDocument();
    const [paid, failed] = within(screen.getByRole("list", { name: "Uitbetalingen" })).getAllByRole("listitem");
    expect(paid).toHaveTextContent("€ 120,50");
    expect(paid).toHaveTextContent("Overgemaakt en vastgelegd · Kenmerk: TGD-2026-000123");
    expect(paid).toHaveTextContent("21 nov 2026");
    expect(failed).toHaveTextContent("Mislukt — het bedrag blijft openstaan");
  });
});

describe("the shop's mail settings (on the colleagues screen)", () => {
  it("switches off the payout messages and says so", async () => {
    const api = fakeApi();
    renderWith(<TeamScreen />, { api, language: "en" });
    const payouts = await screen.findByRole("checkbox", { name: "a message for every payout" });
    expect(payouts).toBeChecked();
    expect(screen.getByText(/Mails to the shop go to info@debal.example/)).toBeInTheDocument();
    await userEvent.setup().click(payouts);
    await userEvent.setup().click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Saved.")).toBeInTheDocument();
    expect(api.notifications.updateShop).toHaveBeenCalledWith({ optional: { payout_sent: false, merchant_colleague_added: true } });
    expect(screen.getByRole("checkbox", { name: "a message for every payout" })).not.toBeChecked();
  });
});
