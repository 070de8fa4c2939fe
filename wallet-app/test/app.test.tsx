import { describe, expect, it, vi } from "vitest";
import { act, render, screen, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { computeAddress, type SigningKey } from "ethers";
import { App } from "../src/app/App.tsx";
import { createDeviceKey, memoryKeyStorage } from "../src/lib/keystore.ts";
import { walletLanguages } from "../src/i18n/index.ts";
import { SESSION, apiError, child, fakeApi, memoryCache, plain, type FakeApi } from "./fixtures.tsx";
import type { ChildrenSnapshot } from "../src/lib/cache.ts";
import { formatClock } from "@tegoed/sdk";

async function renderApp(api: FakeApi, { withKey = true, cached, path = "/", onLanguageChosen }: { withKey?: boolean; cached?: ChildrenSnapshot; path?: string; onLanguageChosen?: (language: string) => void } = {}) {
  const stored = withKey ? (await createDeviceKey("13579", 1000)).stored : undefined;
  const keys = memoryKeyStorage(stored);
  if (stored) api.holder = stored.address; // the session names the key this phone holds
  const cache = memoryCache(cached);
  localStorage.clear();
  // Only Dutch loaded, as in the app: other languages load when chosen.
  render(<App services={{ api, keys, cache, pbkdf2Iterations: 1000, onLanguageChosen }} i18n={walletLanguages.create("nl")} initialPath={path} />);
  return { keys, cache, user: userEvent.setup() };
}

describe("the app", () => {
  it("without a key on the phone it asks for activation, then shows the children", async () => {
    const api = fakeApi();
    const { user, keys } = await renderApp(api, { withKey: false });
    await user.type(await screen.findByLabelText("Activatiecode"), "ABCD-EFGH-JKMN");
    await user.type(screen.getByLabelText("Pincode (5 cijfers)"), "24680");
    await user.type(screen.getByLabelText("Herhaal de pincode"), "24680");
    await user.click(screen.getByRole("button", { name: "Activeren" }));
    expect(await screen.findByRole("heading", { name: "Tegoed van uw kinderen" })).toBeInTheDocument();
    expect(api.activate).toHaveBeenCalledWith("ABCD-EFGH-JKMN", (await keys.load())!.address);
    expect(screen.getByRole("navigation", { name: "Hoofdmenu" })).toBeInTheDocument();
  });

  it("opening the app leaves focus (and so the scroll) at the top, with the header; a new screen's heading takes focus without scrolling", async () => {
    const focus = vi.spyOn(HTMLElement.prototype, "focus");
    const { user } = await renderApp(fakeApi());
    await screen.findByRole("article", { name: "Anna" });
    expect(focus).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(document.body);
    await user.click(within(screen.getByRole("navigation")).getByRole("link", { name: "Winkels" }));
    // The shops screen loads its code first: focus moves once its heading is there.
    const heading = await screen.findByRole("heading", { name: "Winkels", level: 1 });
    await vi.waitFor(() => expect(document.activeElement).toBe(heading));
    expect(focus).toHaveBeenCalledWith({ preventScroll: true });
    focus.mockRestore();
  });

  it("the footer's link opens the accessibility statement: standard, status, date, gaps with a plan, and a contact with an answer time", async () => {
    const { user } = await renderApp(fakeApi(), { withKey: false });
    await user.click(within(await screen.findByRole("contentinfo")).getByRole("link", { name: "Toegankelijkheid" }));
    const statement = await screen.findByRole("region", { name: "Toegankelijkheidsverklaring" });
    const text = plain(statement.textContent);
    expect(text).toContain("WCAG 2.1 AA, uit de Europese norm EN 301 549");
    expect(text).toContain("Status C: eerste maatregelen genomen.");
    expect(text).toContain("Deze verklaring is bijgewerkt op 7 december 2026.");
    expect(within(statement).getAllByRole("listitem")).toHaveLength(3);
    expect(text).toContain("U krijgt binnen 5 werkdagen antwoord.");
    expect(document.activeElement).toBe(screen.getByRole("heading", { name: "Toegankelijkheidsverklaring", level: 1 }));
  });

  it("a restored session shows home and caches the children for offline use", async () => {
    const { cache } = await renderApp(fakeApi());
    expect(await screen.findByRole("article", { name: "Anna" })).toBeInTheDocument();
    expect(cache.load()!.children[0]!.firstName).toBe("Anna");
  });

  it("switches to English and back: headings, menu and amounts follow, html lang too, and the choice is passed on", async () => {
    const onLanguageChosen = vi.fn();
    const { user } = await renderApp(fakeApi(), { onLanguageChosen });
    await screen.findByRole("article", { name: "Anna" });
    // Once in, the header names the current language only; the list opens from it.
    expect(screen.queryByRole("button", { name: "English" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Taal: Nederlands" }));
    await user.click(screen.getByRole("button", { name: "English" }));
    expect(await screen.findByRole("heading", { name: "Your children's credit" })).toBeInTheDocument();
    expect(onLanguageChosen).toHaveBeenCalledWith("en");
    expect(within(screen.getByRole("navigation")).getByRole("link", { name: "Shops" })).toBeInTheDocument();
    expect(screen.getByText("€300.00")).toBeInTheDocument();
    expect(document.documentElement.lang).toBe("en");
    await user.click(screen.getByRole("button", { name: "Language: English" }));
    expect(screen.getByRole("button", { name: "English" })).toHaveAttribute("aria-pressed", "true");
    // Left open, the list closes when the family goes to another screen.
    await user.click(within(screen.getByRole("navigation")).getByRole("link", { name: "Shops" }));
    expect(screen.queryByRole("group", { name: "Language" })).toBeNull();
    await user.click(within(screen.getByRole("navigation")).getByRole("link", { name: "Overview" }));
    await user.click(screen.getByRole("button", { name: "Language: English" }));
    await user.click(screen.getByRole("button", { name: "Nederlands" }));
    expect(screen.getByRole("heading", { name: "Tegoed van uw kinderen" })).toBeInTheDocument();
    expect(localStorage.getItem("tegoed.wallet.language")).toBe("nl");
  });

  it("offline: the last known children with a notice saying from when, and paying still offered", async () => {
    const savedAt = Date.parse("2026-11-23T09:30:00Z");
    const api = fakeApi({
      session: vi.fn(async () => { throw apiError("NETWORK", 0); }),
      children: vi.fn(async () => { throw apiError("NETWORK", 0); }),
    });
    await renderApp(api, { cached: { children: [child({ balanceCents: 257_50 })], savedAt } });
    const notice = await screen.findByText(/Geen internet/);
    // On the fund's clock (Amsterdam, UTC+1 in November), naming the zone when the device keeps another.
    const time = formatClock(savedAt, "nl");
    expect(time).toMatch(/^10:30( CET)?$/);
    expect(plain(notice.parentElement!.textContent)).toContain(`U ziet de gegevens van ${time}. Betalen met de QR-code werkt gewoon.`);
    expect(plain(screen.getByRole("article", { name: "Anna" }).textContent)).toContain("€ 257,50");
    expect(screen.getByRole("link", { name: "Betalen voor Anna" })).toBeInTheDocument();
  });

  it("offline with nothing cached says so and offers a retry", async () => {
    const api = fakeApi({ session: vi.fn(async () => { throw apiError("NETWORK", 0); }) });
    await renderApp(api);
    expect(await screen.findByRole("alert")).toHaveTextContent("Geen internet en nog geen gegevens op deze telefoon.");
    expect(screen.getByRole("button", { name: "Opnieuw proberen" })).toBeInTheDocument();
  });

  it("a refusal of the server (the chain is down) is said in Dutch with a retry that fetches again", async () => {
    const children = vi.fn().mockRejectedValueOnce(apiError("CHAIN_UNAVAILABLE", 503)).mockResolvedValue([child()]);
    const { user } = await renderApp(fakeApi({ children }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Het betaalnetwerk is even niet bereikbaar. Probeer het over een paar minuten opnieuw.");
    await user.click(screen.getByRole("button", { name: "Opnieuw proberen" }));
    expect(await screen.findByRole("article", { name: "Anna" })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("an ended session logs in again with the PIN: the phone's key signs the challenge, no letter code", async () => {
    const api = fakeApi({ session: vi.fn(async () => { throw apiError("UNAUTHENTICATED", 401); }) });
    const { user, keys } = await renderApp(api);
    expect(await screen.findByText(/U bent afgemeld/)).toBeInTheDocument();
    expect(screen.queryByLabelText("Activatiecode")).toBeNull();
    await user.type(screen.getByLabelText("Pincode"), "13579");
    await user.click(screen.getByRole("button", { name: "Inloggen" }));
    await vi.waitFor(() => expect(api.loginWithKey).toHaveBeenCalled());
    const [key, address] = (api.loginWithKey as ReturnType<typeof vi.fn>).mock.calls[0]!;
    expect(address).toBe((await keys.load())!.address);
    expect(computeAddress((key as SigningKey).publicKey)).toBe(address);
    expect(api.activate).not.toHaveBeenCalled();
  });

  it("a phone whose budgets were moved to another phone's key says so and asks for the new letter's code", async () => {
    const api = fakeApi({ session: vi.fn(async () => ({ ...SESSION, holderAddress: "0x00000000000000000000000000000000000000aa" })) });
    await renderApp(api);
    expect(await screen.findByText(/Uw tegoed werkt niet meer op deze telefoon/)).toBeInTheDocument();
    expect(screen.getByLabelText("Activatiecode")).toBeInTheDocument();
    expect(screen.queryByRole("navigation")).toBeNull();
  });

  it("coming back to the app during activation (after reading the letter elsewhere) keeps the form as it was", async () => {
    const api = fakeApi({ children: vi.fn(async () => { throw apiError("UNAUTHENTICATED", 401); }) });
    await renderApp(api, { withKey: false });
    await screen.findByLabelText("Activatiecode");
    await act(async () => {
      document.dispatchEvent(new Event("visibilitychange"));
      window.dispatchEvent(new Event("online"));
    });
    expect(api.children).not.toHaveBeenCalled();
    expect(screen.queryByText(/U bent afgemeld/)).toBeNull();
    expect(screen.getByLabelText("Pincode (5 cijfers)")).toBeInTheDocument();
  });

  it("with children cached, home shows them at once while the server is still silent (a weak signal at a till)", async () => {
    const api = fakeApi({ session: vi.fn(() => new Promise<never>(() => {})) });
    await renderApp(api, { cached: { children: [child({ balanceCents: 123_45 })], savedAt: Date.now() } });
    expect(plain((await screen.findByRole("article", { name: "Anna" })).textContent)).toContain("€ 123,45");
    expect(document.title).toBe("Tegoed van uw kinderen – Tegoed");
  });

  it("the help page opens even before activation (a parent with a lost phone)", async () => {
    await renderApp(fakeApi(), { withKey: false, path: "/help" });
    expect(await screen.findByRole("heading", { name: "Telefoon kwijt of kapot?" })).toBeInTheDocument();
  });
});
