import { beforeEach, describe, expect, it, vi } from "vitest";
import { screen } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { ApplyScreen } from "../src/features/apply/apply-screen.tsx";
import { StatusScreen } from "../src/features/apply/status-screen.tsx";
import { loadApplication, saveApplication } from "../src/features/apply/application-store.ts";
import { fakeApi, refusal, renderWith } from "./support/render.tsx";

const ID = "3d6f0a2b-8c1e-4f5a-9b7d-2e4c6a8b0d1f";

beforeEach(() => localStorage.clear());

describe("ApplyScreen", { timeout: 20_000 }, () => {
  it("checks the IBAN while it is typed", async () => {
    renderWith(<ApplyScreen onApplied={() => {}} onBack={() => {}} />);
    const user = userEvent.setup({ delay: null });
    const iban = screen.getByLabelText("IBAN (rekeningnummer voor uitbetalingen)");
    await user.type(iban, "NL91 ABNA");
    expect(iban).toHaveAccessibleDescription(expect.stringContaining("Nog niet compleet"));
    await user.type(iban, " 0417 1643 01");
    expect(iban).toHaveAccessibleDescription(expect.stringContaining("Dit IBAN klopt niet"));
    expect(iban).toHaveAttribute("aria-invalid", "true");
    await user.clear(iban);
    await user.type(iban, "nl91abna0417164300");
    expect(iban).toHaveAccessibleDescription(expect.stringContaining("IBAN klopt."));
  });

  it("names every missing or wrong field and sends nothing", async () => {
    const api = fakeApi();
    renderWith(<ApplyScreen onApplied={() => {}} onBack={() => {}} />, { api });
    const user = userEvent.setup({ delay: null });
    await user.type(screen.getByLabelText("KvK-nummer"), "1234567");
    await user.click(screen.getByRole("button", { name: "Aanmelding versturen" }));
    expect(screen.getByRole("alert")).toHaveTextContent("Niet alle gegevens kloppen");
    expect(screen.getByLabelText("KvK-nummer")).toHaveAccessibleDescription(expect.stringContaining("Een KvK-nummer heeft 8 cijfers."));
    expect(screen.getByLabelText("Naam van de winkel")).toHaveAccessibleDescription("Vul dit in.");
    expect(screen.getByRole("group", { name: "Wat verkoopt u?" })).toHaveAccessibleDescription("Kies minstens één soort winkel.");
    expect(api.merchants.apply).not.toHaveBeenCalled();
  });

  it("sends a clean application and keeps its id and status token on the device", async () => {
    const api = fakeApi();
    api.merchants.apply!.mockResolvedValue({ id: ID, status: "pending", createdAt: "2026-11-23T13:00:00.000Z", statusToken: "tok-123" });
    const onApplied = vi.fn();
    renderWith(<ApplyScreen onApplied={onApplied} onBack={() => {}} />, { api });
    const user = userEvent.setup({ delay: null });
    await user.type(screen.getByLabelText("Naam van de winkel"), "Boekhandel Het Blad");
    await user.type(screen.getByLabelText("KvK-nummer"), "1234 5678");
    await user.type(screen.getByLabelText("IBAN (rekeningnummer voor uitbetalingen)"), "nl91 abna 0417 1643 00");
    await user.click(screen.getByLabelText("Boeken"));
    await user.click(screen.getByLabelText("Muziek"));
    await user.type(screen.getByLabelText("Adres"), "Hoofdstraat 3, Zuidhorn");
    await user.type(screen.getByLabelText("E-mailadres voor contact"), "info@hetblad.example");
    await user.click(screen.getByRole("button", { name: "Aanmelding versturen" }));
    expect(api.merchants.apply).toHaveBeenCalledExactlyOnceWith({
      name: "Boekhandel Het Blad", kvkNumber: "12345678", iban: "NL91ABNA0417164300", bic: null, categories: ["books", "music"],
      address: "Hoofdstraat 3, Zuidhorn", contactEmail: "info@hetblad.example", language: "nl",
    });
    expect(onApplied).toHaveBeenCalled();
    expect(loadApplication()).toEqual({ id: ID, token: "tok-123" });
  });

  it("says so when the backend refuses the application", async () => {
    const api = fakeApi();
    api.merchants.apply!.mockRejectedValue(refusal("INVALID_INPUT"));
    renderWith(<ApplyScreen onApplied={() => {}} onBack={() => {}} />, { api, language: "en" });
    const user = userEvent.setup({ delay: null });
    await user.type(screen.getByLabelText("Shop name"), "X");
    await user.type(screen.getByLabelText("KvK number (Chamber of Commerce)"), "12345678");
    await user.type(screen.getByLabelText("IBAN (account for payouts)"), "NL91ABNA0417164300");
    await user.click(screen.getByLabelText("Books"));
    await user.type(screen.getByLabelText("Address"), "Somewhere 1");
    await user.type(screen.getByLabelText("Contact email address"), "a@b.example");
    await user.click(screen.getByRole("button", { name: "Send application" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The municipality could not accept this information");
  });
});

describe("StatusScreen", () => {
  it.each([
    ["pending", null, "In behandeling bij de gemeente"],
    ["approved", null, "Goedgekeurd"],
    ["declined", "Geen vestiging in de gemeente.", "Afgewezen"],
  ] as const)("shows a %s application", async (status, reason, words) => {
    saveApplication({ id: ID, token: "tok" });
    const api = fakeApi();
    api.merchants.applicationStatus!.mockResolvedValue({ id: ID, name: "Het Blad", status, declineReason: reason, createdAt: "2026-11-20T10:00:00.000Z" });
    renderWith(<StatusScreen onBack={() => {}} />, { api });
    expect(await screen.findByText(words, { exact: false })).toBeInTheDocument();
    expect(api.merchants.applicationStatus).toHaveBeenCalledWith(ID, "tok");
    if (reason) expect(screen.getByText(`Reden: ${reason}`)).toBeInTheDocument();
  });

  it("says when no application is kept on this device", () => {
    renderWith(<StatusScreen onBack={() => {}} />);
    expect(screen.getByText("Op dit apparaat is geen aanmelding bewaard.")).toBeInTheDocument();
  });
});
