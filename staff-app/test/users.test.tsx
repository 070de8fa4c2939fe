import { describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { ApiError, type StaffUser } from "@tegoed/sdk";
import { UsersPage } from "../src/features/users/UsersPage.tsx";
import { renderScreen } from "./render.tsx";

const ME = "6f1c0b9e-2f43-4c55-9a7e-0d7b3f1f2a10";
const user = (id: string, email: string, changes: Partial<StaffUser> = {}): StaffUser => ({
  id, email, roles: ["finance"], disabled: false, createdAt: "2026-11-01T10:00:00.000Z", totpEnabled: false, mustEnrolTotp: false, ...changes,
});
const PIETER = user("0d2c3b4a-1111-4c55-9a7e-0d7b3f1f2a11", "pieter@westerkwartier.test", { totpEnabled: true });
const ANNA = user("0d2c3b4a-2222-4c55-9a7e-0d7b3f1f2a12", "anna@westerkwartier.test", { roles: ["validator"] });

describe("staff accounts", () => {
  it("removes a colleague's second factor only after a confirmation that says what happens", async () => {
    const resetTotp = vi.fn().mockResolvedValue(undefined);
    const listUsers = vi.fn()
      .mockResolvedValueOnce({ users: [user(ME, "jan@westerkwartier.test", { roles: ["admin"] }), PIETER, ANNA] })
      .mockResolvedValue({ users: [user(ME, "jan@westerkwartier.test", { roles: ["admin"] }), { ...PIETER, totpEnabled: false }, ANNA] });
    renderScreen(<UsersPage />, { api: { staff: { listUsers, resetTotp } }, roles: ["admin"] });

    const row = (await screen.findByRole("rowheader", { name: /pieter@/ })).closest("tr")!;
    expect(within(row).getByRole("cell", { name: "on" })).toBeInTheDocument();
    // Only a colleague's own second factor can be removed, and not one's own account changed here.
    expect(screen.queryByRole("button", { name: "Remove second factor anna@westerkwartier.test" })).toBeNull();
    expect(screen.queryByRole("button", { name: /jan@westerkwartier.test/ })).toBeNull();

    await userEvent.click(within(row).getByRole("button", { name: "Remove second factor pieter@westerkwartier.test" }));
    const dialog = screen.getByRole("alertdialog", { name: "Remove the second factor of pieter@westerkwartier.test?" });
    expect(dialog).toHaveFocus();
    expect(dialog).toHaveTextContent("lost phone");
    expect(resetTotp).not.toHaveBeenCalled();
    await userEvent.click(within(dialog).getByRole("button", { name: "Remove second factor" }));
    expect(resetTotp).toHaveBeenCalledWith(PIETER.id);
    expect(await screen.findByRole("status")).toHaveTextContent("The second factor of pieter@westerkwartier.test is removed.");
    expect(within((await screen.findByRole("rowheader", { name: /pieter@/ })).closest("tr")!).getByRole("cell", { name: "off" })).toBeInTheDocument();
  });

  it("changes roles, disables an account and makes a new one, in Dutch, with the server's refusal in words", async () => {
    const updateUser = vi.fn().mockResolvedValue(ANNA);
    const createUser = vi.fn()
      .mockRejectedValueOnce(new ApiError("CONFLICT", 409, "An account with this email address exists."))
      .mockResolvedValueOnce(user("0d2c3b4a-3333-4c55-9a7e-0d7b3f1f2a13", "kees@westerkwartier.test"));
    renderScreen(<UsersPage />, { api: { staff: { listUsers: vi.fn().mockResolvedValue({ users: [ANNA] }), updateUser, createUser } }, roles: ["admin"], language: "nl" });

    const row = (await screen.findByRole("rowheader", { name: /anna@/ })).closest("tr")!;
    await userEvent.click(within(row).getByRole("button", { name: "Rollen wijzigen anna@westerkwartier.test" }));
    await userEvent.click(within(row).getByRole("checkbox", { name: "controleur" }));
    await userEvent.click(within(row).getByRole("button", { name: "Rollen opslaan" }));
    expect(updateUser).toHaveBeenCalledWith(ANNA.id, { roles: ["validator", "auditor"] });

    await userEvent.click(await screen.findByRole("button", { name: "Uitschakelen anna@westerkwartier.test" }));
    await userEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Uitschakelen" }));
    expect(updateUser).toHaveBeenLastCalledWith(ANNA.id, { disabled: true });

    const form = screen.getByRole("form", { name: "Nieuwe medewerker" });
    const create = within(form).getByRole("button", { name: "Account maken" });
    await userEvent.type(within(form).getByLabelText("E-mailadres"), "kees@westerkwartier.test");
    await userEvent.type(within(form).getByLabelText(/Eerste wachtwoord/), "correct horse battery");
    expect(create).toBeDisabled(); // no role yet
    await userEvent.click(within(form).getByRole("checkbox", { name: "financiën" }));
    await userEvent.click(create);
    expect(await within(form).findByRole("alert")).toHaveTextContent("Dit bestaat al");
    await userEvent.click(create);
    expect(createUser).toHaveBeenLastCalledWith({ email: "kees@westerkwartier.test", password: "correct horse battery", roles: ["finance"] });
    expect(await screen.findByRole("status")).toHaveTextContent("Het account van kees@westerkwartier.test is gemaakt.");
  });
});
