import { describe, expect, it, vi } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { ActivationPage } from "../src/features/activation/activation-page.tsx";
import { memoryKeyStorage, unlockDeviceKey } from "../src/lib/keystore.ts";
import type { WalletApi } from "../src/lib/api.ts";
import { takeLetterCode } from "../src/lib/letter-link.ts";
import { apiError, fakeApi, renderWithI18n } from "./fixtures.tsx";
import { formatClock } from "@tegoed/sdk";

function setup(api: WalletApi = fakeApi(), language = "nl", initialCode?: string) {
  const keys = memoryKeyStorage();
  const onActivated = vi.fn();
  renderWithI18n(<ActivationPage api={api} keys={keys} pbkdf2Iterations={1000} initialCode={initialCode} onActivated={onActivated} />, language);
  return { api, keys, onActivated, user: userEvent.setup() };
}

async function fill(user: ReturnType<typeof userEvent.setup>, code: string, pin = "24680", repeat = pin) {
  if (code) await user.type(screen.getByLabelText("Activatiecode"), code);
  await user.type(screen.getByLabelText("Pincode (5 cijfers)"), pin);
  await user.type(screen.getByLabelText("Herhaal de pincode"), repeat);
  await user.click(screen.getByRole("button", { name: "Activeren" }));
}

describe("activation", () => {
  it("makes a key on the phone, registers only its address, and keeps it under the PIN", async () => {
    const { api, keys, onActivated, user } = setup();
    await fill(user, "abcd-efgh-jkmn");
    await vi.waitFor(() => expect(onActivated).toHaveBeenCalled());
    const stored = await keys.load();
    expect(api.activate).toHaveBeenCalledWith("abcd-efgh-jkmn", stored!.address);
    const key = await unlockDeviceKey(keys, "24680");
    expect(key.privateKey).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it("asks for the code and a PIN of five digits typed twice the same, before calling the API", async () => {
    const { api, user } = setup();
    await fill(user, "", "123", "123");
    expect(screen.getByText("Vul de activatiecode uit de brief in.")).toBeInTheDocument();
    expect(screen.getByLabelText("Activatiecode")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText("De pincode moet uit precies 5 cijfers bestaan.")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Activatiecode"), "ABCD");
    await user.clear(screen.getByLabelText("Pincode (5 cijfers)"));
    await user.type(screen.getByLabelText("Pincode (5 cijfers)"), "12345");
    await user.click(screen.getByRole("button", { name: "Activeren" }));
    expect(screen.getByText("De twee pincodes zijn niet gelijk.")).toBeInTheDocument();
    expect(api.activate).not.toHaveBeenCalled();
  });

  it.each([
    ["ACTIVATION_CODE_INVALID", 422, { attemptsLeft: "3" }, "Deze activatiecode klopt niet. Controleer de brief. U kunt het nog 3 keer proberen."],
    ["ACTIVATION_CODE_USED", 409, {}, "Deze activatiecode is al gebruikt. Vraag de gemeente om een nieuwe brief."],
    ["ACTIVATION_CODE_EXPIRED", 410, {}, "Deze activatiecode is verlopen. Vraag de gemeente om een nieuwe brief."],
    ["NETWORK", 0, {}, "Geen verbinding met internet. Probeer het opnieuw als u internet heeft."],
  ])("shows its own Dutch words for %s, never the server's English, and keeps no key", async (code, status, details, text) => {
    const { keys, onActivated, user } = setup(fakeApi({ activate: vi.fn(async () => { throw apiError(code, status, details); }) }));
    await fill(user, "ABCD-EFGH-JKMN");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(text);
    expect(alert).not.toHaveTextContent("English server message");
    expect(onActivated).not.toHaveBeenCalled();
    expect(await keys.load()).toBeUndefined();
  });

  it("says when to try again after too many attempts (the time from the answer)", async () => {
    const retryAt = new Date(Date.now() + 15 * 60_000);
    const api = fakeApi({ activate: vi.fn(async () => { throw apiError("RATE_LIMITED", 429, { retryAt: retryAt.toISOString(), retryAfterSeconds: "900" }); }) });
    const { user } = setup(api, "en");
    await user.type(screen.getByLabelText("Activation code"), "ABCD-EFGH-JKMN");
    await user.type(screen.getByLabelText("PIN (5 digits)"), "24680");
    await user.type(screen.getByLabelText("Repeat the PIN"), "24680");
    await user.click(screen.getByRole("button", { name: "Activate" }));
    const time = formatClock(retryAt, "en");
    expect(await screen.findByRole("alert")).toHaveTextContent(`Too many attempts. Try again at ${time}.`);
  });

  it("opened from the letter's QR, the code is filled in and only the PIN is left to choose", async () => {
    const { api, user, onActivated } = setup(fakeApi(), "nl", "ABCDEFGHJKMN");
    expect(screen.getByText("De code uit uw brief is al ingevuld. Kies een pincode om af te ronden.")).toBeInTheDocument();
    expect(screen.getByLabelText("Activatiecode")).toHaveValue("ABCDEFGHJKMN");
    await user.type(screen.getByLabelText("Pincode (5 cijfers)"), "13579");
    await user.type(screen.getByLabelText("Herhaal de pincode"), "13579");
    await user.click(screen.getByRole("button", { name: "Activeren" }));
    await waitFor(() => expect(onActivated).toHaveBeenCalled());
    expect(api.activate).toHaveBeenCalledWith("ABCDEFGHJKMN", expect.stringMatching(/^0x/));
  });

  it("says a code replaced by a newer letter is replaced, not expired", async () => {
    const { user } = setup(fakeApi({ activate: vi.fn(async () => { throw apiError("ACTIVATION_CODE_REPLACED", 410); }) }), "nl", "ABCDEFGHJKMN");
    await user.type(screen.getByLabelText("Pincode (5 cijfers)"), "13579");
    await user.type(screen.getByLabelText("Herhaal de pincode"), "13579");
    await user.click(screen.getByRole("button", { name: "Activeren" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Deze code werkt niet meer, want u heeft een nieuwere brief gekregen.");
  });
});

describe("takeLetterCode", () => {
  it("takes the code from the fragment once and removes it from the address", () => {
    window.history.replaceState(null, "", "/wallet/#code=ABCDEFGHJKMN");
    expect(takeLetterCode()).toBe("ABCDEFGHJKMN");
    expect(window.location.href).not.toContain("ABCDEFGHJKMN");
    expect(window.location.pathname).toBe("/wallet/");
    expect(takeLetterCode()).toBeUndefined();
  });
});
