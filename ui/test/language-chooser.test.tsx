// The shared set-up as a family meets it: a list of languages in their own names, the chosen one loaded
// when chosen, kept on the device, and the page's lang and dir following (Arabic right-to-left).
import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { I18nextProvider, useTranslation } from "react-i18next";
import { appLanguages, type Messages } from "../src/i18n.ts";
import { LanguageChooser } from "../src/language-chooser.tsx";

const nl: Messages = { greeting: "Welkom", tries_one: "Nog {{count}} poging", tries_other: "Nog {{count}} pogingen", language: "Taal" };
const MESSAGES: Record<string, Messages> = {
  en: { greeting: "Welcome", tries_one: "{{count}} try left", tries_other: "{{count}} tries left", language: "Language" },
  ar: {
    greeting: "أهلاً", language: "اللغة",
    tries_zero: "لا محاولات", tries_one: "محاولة واحدة", tries_two: "محاولتان", tries_few: "{{count}} محاولات", tries_many: "{{count}} محاولة", tries_other: "{{count}} محاولةً",
  },
  pl: { greeting: "Witamy", language: "Język", tries_one: "{{count}} próba", tries_few: "{{count}} próby", tries_many: "{{count}} prób", tries_other: "{{count}} próby" },
};

function testApp() {
  const loaded: string[] = [];
  const lazy = Object.fromEntries(Object.entries(MESSAGES).map(([code, messages]) => [`./${code}.json`, async () => {
    loaded.push(code);
    return messages;
  }]));
  // "uk" is declared but has no file: it is not offered.
  return { languages: appLanguages({ app: "wallet", languages: ["nl", "en", "ar", "pl", "uk"], bundled: { "./nl.json": nl }, lazy }), loaded };
}

function Screen({ onLanguageChosen, compact }: { onLanguageChosen?: (language: string) => void; compact?: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      <LanguageChooser languages={["nl", "en", "ar", "pl"]} label={t("language")} onLanguageChosen={onLanguageChosen} compact={compact} />
      <h1>{t("greeting")}</h1>
    </>
  );
}

beforeEach(() => localStorage.clear());

describe("the language chooser", () => {
  it("lists each language in its own name and script, each marked with its own lang", () => {
    const { languages } = testApp();
    render(<I18nextProvider i18n={languages.create()}><Screen /></I18nextProvider>);
    const group = screen.getByRole("group", { name: "Taal" });
    const names = [...group.querySelectorAll("button")].map((b) => [b.textContent, b.lang]);
    expect(names).toEqual([["Nederlands", "nl"], ["English", "en"], ["العربية", "ar"], ["Polski", "pl"]]);
    expect(languages.languages).toEqual(["nl", "en", "ar", "pl"]);
    expect(screen.getByRole("button", { name: "Nederlands" })).toHaveAttribute("aria-pressed", "true");
  });

  it("Arabic: loads its texts only when chosen, turns the page right-to-left, and is remembered for next time", async () => {
    const { languages, loaded } = testApp();
    const onLanguageChosen = vi.fn();
    const user = userEvent.setup();
    render(<I18nextProvider i18n={languages.create()}><Screen onLanguageChosen={onLanguageChosen} /></I18nextProvider>);
    expect(loaded).toEqual([]);
    expect(document.documentElement.dir).toBe("ltr");

    await user.click(screen.getByRole("button", { name: "العربية" }));
    expect(await screen.findByRole("heading", { name: "أهلاً" })).toBeInTheDocument();
    expect(loaded).toEqual(["ar"]);
    expect(document.documentElement.lang).toBe("ar");
    expect(document.documentElement.dir).toBe("rtl");
    expect(screen.getByRole("group", { name: "اللغة" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "العربية" })).toHaveAttribute("aria-pressed", "true");
    await waitFor(() => expect(onLanguageChosen).toHaveBeenCalledWith("ar"));
    expect(localStorage.getItem("tegoed.wallet.language")).toBe("ar");

    // The next visit opens in Arabic, right-to-left, before the first render.
    document.documentElement.lang = "nl";
    document.documentElement.dir = "ltr";
    const next = await testApp().languages.load();
    expect(next.language).toBe("ar");
    expect(next.t("greeting")).toBe("أهلاً");
    expect(document.documentElement.dir).toBe("rtl");

    await user.click(screen.getByRole("button", { name: "Nederlands" }));
    expect(await screen.findByRole("heading", { name: "Welkom" })).toBeInTheDocument();
    expect(document.documentElement.dir).toBe("ltr");
    await waitFor(() => expect(localStorage.getItem("tegoed.wallet.language")).toBe("nl"));
  });

  it("a remembered language whose file cannot be fetched (offline) opens in Dutch, and stays remembered", async () => {
    localStorage.setItem("tegoed.wallet.language", "ar");
    const languages = appLanguages({ app: "wallet", languages: ["nl", "ar"], bundled: { nl }, lazy: { ar: () => Promise.reject(new TypeError("offline")) } });
    const i18n = await languages.load();
    expect(i18n.language).toBe("nl");
    expect(i18n.t("greeting")).toBe("Welkom");
    expect(document.documentElement.dir).toBe("ltr");
    expect(localStorage.getItem("tegoed.wallet.language")).toBe("ar");
  });

  it("a language whose file cannot be fetched (offline) leaves the screen as it was, and is not kept", async () => {
    const languages = appLanguages({ app: "wallet", languages: ["nl", "ar"], bundled: { nl }, lazy: { ar: () => Promise.reject(new TypeError("offline")) } });
    const onLanguageChosen = vi.fn();
    const user = userEvent.setup();
    render(<I18nextProvider i18n={languages.create()}><Screen onLanguageChosen={onLanguageChosen} /></I18nextProvider>);
    await user.click(screen.getByRole("button", { name: "العربية" }));
    await waitFor(() => expect(screen.getByRole("button", { name: "Nederlands" })).toHaveAttribute("aria-pressed", "true"));
    expect(screen.getByRole("heading", { name: "Welkom" })).toBeInTheDocument();
    expect(document.documentElement.dir).toBe("ltr");
    expect(localStorage.getItem("tegoed.wallet.language")).toBeNull();
    expect(onLanguageChosen).not.toHaveBeenCalled();
  });

  it("a remembered language the app no longer offers falls back to Dutch", () => {
    localStorage.setItem("tegoed.wallet.language", "uk");
    expect(testApp().languages.saved()).toBe("nl");
  });
});

describe("the compact language chooser (a phone's header)", () => {
  it("is one button naming the current language; it opens the list, and a choice closes it with focus back on the button", async () => {
    const { languages } = testApp();
    const onLanguageChosen = vi.fn();
    const user = userEvent.setup();
    render(<I18nextProvider i18n={languages.create()}><Screen compact onLanguageChosen={onLanguageChosen} /></I18nextProvider>);
    const toggle = screen.getByRole("button", { name: "Taal: Nederlands" });
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByRole("group")).toBeNull();

    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    const group = screen.getByRole("group", { name: "Taal" });
    expect(toggle).toHaveAttribute("aria-controls", group.id);
    expect([...group.querySelectorAll("button")].map((b) => b.textContent)).toEqual(["Nederlands", "English", "العربية", "Polski"]);

    await user.click(screen.getByRole("button", { name: "English" }));
    expect(await screen.findByRole("heading", { name: "Welcome" })).toBeInTheDocument();
    expect(screen.queryByRole("group")).toBeNull();
    const after = screen.getByRole("button", { name: "Language: English" });
    expect(after).toHaveAttribute("aria-expanded", "false");
    expect(after).toHaveFocus();
    await waitFor(() => expect(onLanguageChosen).toHaveBeenCalledWith("en"));
  });

  it("Escape closes the list without a change, focus back on the button", async () => {
    const { languages } = testApp();
    const user = userEvent.setup();
    render(<I18nextProvider i18n={languages.create()}><Screen compact /></I18nextProvider>);
    await user.click(screen.getByRole("button", { name: "Taal: Nederlands" }));
    await user.tab();
    expect(screen.getByRole("button", { name: "Nederlands" })).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("group")).toBeNull();
    expect(screen.getByRole("button", { name: "Taal: Nederlands" })).toHaveFocus();
    expect(screen.getByRole("heading", { name: "Welkom" })).toBeInTheDocument();
  });
});

describe("plurals through i18next", () => {
  it("Arabic uses its six forms, Polish its four", async () => {
    const ar = await testApp().languages.load("ar");
    expect([0, 1, 2, 3, 11, 100].map((count) => ar.t("tries", { count }))).toEqual([
      "لا محاولات", "محاولة واحدة", "محاولتان", "3 محاولات", "11 محاولة", "100 محاولةً",
    ]);
    const pl = await testApp().languages.load("pl");
    expect([1, 3, 5, 22].map((count) => pl.t("tries", { count }))).toEqual(["1 próba", "3 próby", "5 prób", "22 próby"]);
  });

  it("formats {{count, number}} in the language's locale, Arabic with Latin digits", () => {
    const extra = { ar: { n: "{{count, number}}" }, nl: { n: "{{count, number}}" } };
    const { languages } = testApp();
    expect(languages.create("nl", { nl: { ...nl, ...extra.nl } }).t("n", { count: 12345 })).toBe("12.345");
    expect(languages.create("ar", { ar: { ...MESSAGES.ar, ...extra.ar } }).t("n", { count: 12345 })).toBe("12,345");
  });
});
