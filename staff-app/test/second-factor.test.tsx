import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { I18nextProvider } from "react-i18next";
import { ApiError, type ApiClient, type StaffUser } from "@tegoed/sdk";
import { App } from "../src/app/App.tsx";
import { ApiContext } from "../src/lib/api.ts";
import { createI18n } from "../src/i18n/index.ts";
import { FUND } from "./render.tsx";

const USER: StaffUser = {
  id: "6f1c0b9e-2f43-4c55-9a7e-0d7b3f1f2a10", email: "jan@westerkwartier.test", roles: ["finance"], disabled: false,
  createdAt: "2026-11-01T10:00:00.000Z", totpEnabled: false, mustEnrolTotp: false,
};
const SESSION = { csrfToken: "x", expiresAt: "2026-11-23T20:00:00.000Z" };

function renderApp(api: Partial<Record<keyof ApiClient, unknown>>) {
  window.location.hash = "#/funds";
  render(
    <I18nextProvider i18n={createI18n("en")}>
      <ApiContext.Provider value={{ request: vi.fn(), ...api } as unknown as ApiClient}>
        <App />
      </ApiContext.Provider>
    </I18nextProvider>,
  );
}

describe("the second factor in the staff app", () => {
  it("the login asks for the authenticator's code when the account has one, and sends it", async () => {
    const login = vi.fn()
      .mockRejectedValueOnce(new ApiError("OTP_REQUIRED", 401, "x"))
      .mockResolvedValueOnce({ user: { ...USER, totpEnabled: true }, ...SESSION });
    renderApp({
      staff: { me: vi.fn().mockRejectedValue(new ApiError("UNAUTHENTICATED", 401, "x")), login },
      funds: { list: vi.fn().mockResolvedValue({ funds: [FUND] }) },
    });
    await userEvent.type(await screen.findByLabelText("Email address"), USER.email);
    await userEvent.type(screen.getByLabelText("Password"), "correct horse battery staple");
    expect(screen.queryByLabelText(/Code from the authenticator app/)).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Enter the 6-digit code from your authenticator app.");
    await userEvent.type(screen.getByLabelText(/Code from the authenticator app/), "123456");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(login).toHaveBeenLastCalledWith({ email: USER.email, password: "correct horse battery staple", otp: "123456", language: "en" });
    expect(await screen.findByRole("navigation", { name: "Main menu" })).toBeInTheDocument();
  });

  it("a user who must set it up sees only the set-up screen until it is on", async () => {
    const confirmTotp = vi.fn().mockResolvedValue({ ...USER, totpEnabled: true });
    const list = vi.fn().mockResolvedValue({ funds: [FUND] });
    renderApp({
      staff: {
        me: vi.fn().mockResolvedValue({ user: { ...USER, mustEnrolTotp: true }, ...SESSION }),
        enrolTotp: vi.fn().mockResolvedValue({ secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", uri: "otpauth://totp/Tegoed:jan?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" }),
        confirmTotp,
      },
      funds: { list },
    });
    expect(await screen.findByRole("heading", { name: "Second factor" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("set up a second factor before you go on");
    expect(list).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "Set up" }));
    expect(await screen.findByLabelText("Key for the authenticator app")).toHaveTextContent("JBSW Y3DP EHPK 3PXP");
    await userEvent.type(screen.getByLabelText("Code from the app (6 digits)"), "654321");
    await userEvent.click(screen.getByRole("button", { name: "Turn on" }));
    expect(confirmTotp).toHaveBeenCalledWith({ code: "654321" });
    await vi.waitFor(() => expect(list).toHaveBeenCalled());
  });
});
