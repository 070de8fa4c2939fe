import { describe, expect, it, vi } from "vitest";
import { render, screen, within } from "@testing-library/react";
import { I18nextProvider } from "react-i18next";
import type { ApiClient, StaffRole } from "@tegoed/sdk";
import { App } from "../src/app/App.tsx";
import { ApiContext } from "../src/lib/api.ts";
import { createI18n } from "../src/lib/i18n.ts";
import { can } from "../src/lib/roles.ts";
import { FUND } from "./render.tsx";

function fakeApi(roles: StaffRole[]): ApiClient {
  const user = { id: "6f1c0b9e-2f43-4c55-9a7e-0d7b3f1f2a10", email: "jan@westerkwartier.test", roles, disabled: false, createdAt: "2026-11-01T10:00:00.000Z" };
  return {
    request: vi.fn(),
    staff: { me: vi.fn().mockResolvedValue({ user, csrfToken: "x", expiresAt: "2026-11-23T20:00:00.000Z" }) },
    funds: { list: vi.fn().mockResolvedValue({ funds: [FUND] }) },
    reports: { dashboard: vi.fn().mockReturnValue(new Promise(() => {})) },
  } as unknown as ApiClient;
}

async function navFor(roles: StaffRole[]): Promise<string[]> {
  // The funds screen: light to render (the dashboard would load the chart library first).
  window.location.hash = "#/funds";
  render(
    <I18nextProvider i18n={createI18n("en")}>
      <ApiContext.Provider value={fakeApi(roles)}>
        <App />
      </ApiContext.Provider>
    </I18nextProvider>,
  );
  const nav = await screen.findByRole("navigation", { name: "Main menu" });
  return within(nav).getAllByRole("link").map((a) => a.textContent ?? "");
}

describe("role-based visibility", { timeout: 20_000 }, () => {
  it.each([
    [["auditor"], ["Dashboard", "Funds", "Applications", "Intervene", "Audit log", "Email"]],
    [["validator"], ["Dashboard", "Funds", "Families", "Applications", "Top up", "Intervene"]],
    [["merchant_manager"], ["Dashboard", "Funds", "Shops"]],
    [["finance"], ["Dashboard", "Funds", "Email"]],
    // The admin sees every screen (payouts only with a payouts API, which this fake has not).
    [["admin"], ["Dashboard", "Funds", "Families", "Applications", "Top up", "Intervene", "Shops", "Audit log", "Email", "Staff accounts"]],
  ] as [StaffRole[], string[]][])("%s sees %s", async (roles, links) => {
    expect(await navFor(roles)).toEqual(links);
  });

  it("decides the controls inside the screens by the sdk's table, which the backend's guards are built from", () => {
    expect(can(["auditor"], "families.delete")).toBe(false);
    expect(can(["auditor"], "budgets.freeze")).toBe(false);
    expect(can(["auditor"], "fund.create")).toBe(false);
    expect(can(["admin"], "families.delete")).toBe(true);
    expect(can(["admin"], "families.import")).toBe(true);
    expect(can(["admin"], "payouts.run")).toBe(false);
    expect(can(["validator"], "payouts.approve")).toBe(false);
    expect(can(["validator"], "budgets.freeze")).toBe(true);
    expect(can(["finance"], "fund.deposit")).toBe(true);
    expect(can(["merchant_manager"], "shops.review")).toBe(true);
  });
});

describe("a session that ends while working", () => {
  it("brings back the login page with a notice", async () => {
    const { ApiError } = await import("@tegoed/sdk");
    const { userEvent } = await import("@testing-library/user-event");
    const api = fakeApi(["validator"]);
    // The raw request refuses from now on, as the server does once the session expired.
    (api as unknown as { request: unknown }).request = vi.fn().mockRejectedValue(new ApiError("UNAUTHENTICATED", 401, "x"));
    (api.eligibility as unknown) = { listFamilies: (fundId: string) => api.request("GET", `/api/funds/${fundId}/families`) };
    window.location.hash = "#/intervene";
    render(
      <I18nextProvider i18n={createI18n("en")}>
        <ApiContext.Provider value={api}>
          <App />
        </ApiContext.Provider>
      </I18nextProvider>,
    );
    await userEvent.click(await screen.findByRole("button", { name: "Search" }));
    expect(await screen.findByRole("heading", { name: "Log in to Tegoed staff" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("Your session has ended. Please log in again.");
  });
});
