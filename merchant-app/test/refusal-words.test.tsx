// Every refusal the till can meet has its own words in both languages, and the reason screen shows them.
import { describe, expect, it } from "vitest";
import { screen } from "@testing-library/react";
import { ERROR_CODE_LIST } from "@tegoed/sdk";
import { ChargeResult } from "../src/features/scan/components/charge-result.tsx";
import { WORDED_CODES, refusalText } from "../src/lib/refusal.ts";
import { createI18n } from "../src/lib/i18n/index.ts";
const files = import.meta.glob<{ refusal: Record<string, string> }>("../src/lib/i18n/*.json", { eager: true, import: "default" });
import { refusal, renderWith } from "./support/render.tsx";

const EXPECTED: Record<string, { nl: string; en: string }> = {
  BUDGET_INSUFFICIENT: {
    nl: "Budget te laag — reken € 7,25 af met het budget en de rest op een andere manier.",
    en: "Budget too low — charge €7.25 to the budget and take the rest another way.",
  },
  PERMIT_EXPIRED: {
    nl: "QR-code verlopen — vraag de klant de code te vernieuwen en scan opnieuw.",
    en: "QR code expired — ask the customer to refresh the code and scan again.",
  },
  PERMIT_USED: { nl: "Deze QR-code is al gebruikt — vraag de klant om een nieuwe code.", en: "This QR code was already used — ask the customer for a new code." },
  MERCHANT_NOT_APPROVED: {
    nl: "Uw winkel is niet goedgekeurd voor deze regeling — deze code kunt u niet afrekenen.",
    en: "Your shop is not approved for this scheme — this code cannot be charged here.",
  },
  BUDGET_FROZEN: {
    nl: "Dit budget is geblokkeerd door de gemeente — reken op een andere manier af.",
    en: "This budget is blocked by the municipality — take payment another way.",
  },
  PERMIT_WRONG_FUND: {
    nl: "Deze code hoort bij een regeling waar uw winkel niet aan meedoet.",
    en: "This code belongs to a scheme your shop does not take part in.",
  },
  NETWORK: {
    nl: "Geen verbinding met de server — controleer het internet en probeer opnieuw.",
    en: "No connection to the server — check the internet and try again.",
  },
};

describe("refusal words", () => {
  for (const language of ["nl", "en"] as const) {
    describe(`in ${language}`, () => {
      for (const [code, words] of Object.entries(EXPECTED)) {
        it(`REFUSED for ${code} says: ${words[language]}`, () => {
          const i18n = createI18n(language);
          const reason = refusalText(i18n.t, language, refusal(code), { spendableCents: 7_25 });
          renderWith(<ChargeResult outcome={{ kind: "refused", reason }} onNext={() => {}} />, { language });
          expect(screen.getByRole("heading", { name: language === "nl" ? "Geweigerd" : "Refused" })).toBeInTheDocument();
          expect(screen.getByRole("status")).toHaveTextContent(words[language]);
        });
      }
    });
  }

  it("every API error code (the sdk's list) and NETWORK has a sentence in every language of the till", () => {
    expect(WORDED_CODES).toEqual([...ERROR_CODE_LIST, "NETWORK"]);
    for (const [path, file] of Object.entries(files)) {
      for (const code of WORDED_CODES) expect(file.refusal[code], `${path} ${code}`).toBeTruthy();
    }
  });

  it("every QR and charge refusal the backend lists has its own words, never the server's English", () => {
    const charge = [
      "QR_NOT_TEGOED", "QR_VERSION_UNSUPPORTED", "QR_MALFORMED", "FUND_UNKNOWN", "MERCHANT_NOT_APPROVED", "PERMIT_WRONG_FUND", "PERMIT_EXPIRED",
      "PERMIT_USED", "PERMIT_INVALID_SIGNATURE", "PERMIT_AMOUNT_EXCEEDED", "BUDGET_UNKNOWN", "BUDGET_FROZEN", "BUDGET_EXPIRED", "BUDGET_INSUFFICIENT",
      "BUDGET_NOT_ACTIVATED", "CHAIN_UNAVAILABLE", "CHAIN_TIMEOUT", "CHAIN_REVERTED", "CONFLICT", "AMOUNT_TOO_LARGE",
    ];
    const i18n = createI18n("nl");
    for (const code of charge) {
      const text = refusalText(i18n.t, "nl", refusal(code), { spendableCents: 100 });
      expect(text).not.toContain("server text");
      expect(text).not.toContain("code " + code);
    }
  });

  it("SERVICE_UNAVAILABLE: at the till's charge it says nothing was charged; elsewhere only that Tegoed is away", () => {
    const nl = createI18n("nl");
    const en = createI18n("en");
    expect(refusalText(nl.t, "nl", refusal("SERVICE_UNAVAILABLE"), { charging: true })).toBe("Tegoed is even niet bereikbaar — niets afgeschreven");
    expect(refusalText(en.t, "en", refusal("SERVICE_UNAVAILABLE"), { charging: true })).toBe("Tegoed cannot be reached right now — nothing was charged");
    expect(refusalText(nl.t, "nl", refusal("SERVICE_UNAVAILABLE"))).toBe("Tegoed is even niet bereikbaar — probeer het zo opnieuw.");
  });

  it("PERMIT_USED while another charge of the QR is under way: wait and look at the payments, in every language of the till; else ask for a new code", () => {
    const nl = createI18n("nl");
    const en = createI18n("en");
    const charging = refusal("PERMIT_USED", { budgetId: "0x01", nonce: "0", state: "charging" });
    expect(refusalText(nl.t, "nl", charging)).toBe("Deze QR-code wordt al afgerekend — wacht even en kijk bij Betalingen of het gelukt is voordat u het opnieuw probeert.");
    expect(refusalText(en.t, "en", charging)).toBe("This QR code is already being charged — wait a moment and check Payments before you try again.");
    expect(refusalText(nl.t, "nl", refusal("PERMIT_USED", { budgetId: "0x01", nonce: "0" }))).toBe("Deze QR-code is al gebruikt — vraag de klant om een nieuwe code.");
    for (const [path, file] of Object.entries(files)) {
      expect(file.refusal.PERMIT_USED_charging, path).toBeTruthy();
      expect(file.refusal.PERMIT_USED_charging, path).not.toBe(file.refusal.PERMIT_USED);
    }
  });

  it("an unknown code falls back to a general sentence naming the code", () => {
    const i18n = createI18n("en");
    expect(refusalText(i18n.t, "en", refusal("FROM_A_NEWER_SERVER"))).toBe("Did not work (code FROM_A_NEWER_SERVER) — please try again.");
  });

  it("budget too low uses the lowest figure known: the chain's balance at paying time over the older lookup", () => {
    const i18n = createI18n("nl");
    expect(refusalText(i18n.t, "nl", refusal("BUDGET_INSUFFICIENT", { balance: "300" }), { spendableCents: 4250 })).toContain("€\u00a03,00"); // Intl puts a no-break space after the sign
  });
});
