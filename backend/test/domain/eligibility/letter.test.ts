// The letter's content and its two renderings, without a chain: the PDF is read back with pdftotext
// (Debian's poppler-utils), as a printer or a screen reader would see its text.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_SENDER, letterContent, renderLetterHtml, type LetterFacts } from "../../../src/domain/eligibility/letter.ts";
import { renderLettersPdf } from "../../../src/domain/eligibility/letter-pdf.ts";
import { renderBalanceLetter, renderPinLetters, type BalanceLetter, type PinLetter } from "../../../src/domain/cards/print.ts";
import { letterTexts } from "../../../src/domain/letters/texts.ts";
import { FAMILY_LANGUAGES } from "@tegoed/sdk";

const settings = { publicBaseUrl: "https://tegoed.westerkwartier.nl/", sender: DEMO_SENDER };
const facts = (over: Partial<LetterFacts> = {}): LetterFacts => ({
  language: "nl", kind: "activation", date: new Date("2026-12-07T10:00:00Z"), reference: "ZH-101/1", fundName: "Kindpakket 2027",
  budgetValidUntil: "2027-12-31", categories: ["books", "sport"], recipient: { name: "Fam. de Vries", addressLines: ["Dorpsstraat 1", "9801 AB  Zuidhorn"] },
  children: [{ firstName: "Anna", amountCents: 300_00n }, { firstName: "Bram", amountCents: 150_50n }],
  code: "ABCD-EFGH-JKMN", codeExpiresAt: new Date("2027-03-07T22:59:59.999Z"), ...over,
});

const folder = mkdtempSync(join(tmpdir(), "tegoed-letter-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Arabic letters that share a shape without their dots, folded to one (and hamza forms of alef to alef). */
const SKELETON: [RegExp, string][] = [[/[بتثنيىئ]/g, "ى"], [/[جحخ]/g, "ح"], [/[دذ]/g, "د"], [/[رز]/g, "ر"], [/[سش]/g, "س"],
  [/[صض]/g, "ص"], [/[طظ]/g, "ط"], [/[عغ]/g, "ع"], [/[فق]/g, "ف"], [/[هة]/g, "ه"], [/[أإآا]/g, "ا"], [/[\u064b-\u065f]/g, ""]];
const skeleton = (text: string) => SKELETON.reduce((t, [letters, base]) => t.replace(letters, base), text);

/** Where the first word starting with `start` is on the first page (pdftotext -bbox), in points from the left. */
function wordBox(bytes: Uint8Array, start: string): { x: number } {
  const file = join(folder, `${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, bytes);
  const html = execFileSync("pdftotext", ["-bbox", "-f", "1", "-l", "1", file, "-"], { encoding: "utf8" });
  const word = [...html.matchAll(/<word xMin="([\d.]+)"[^>]*>([^<]*)<\/word>/g)].find((m) => m[2]!.replace(/[^\p{L}\p{N}]/gu, "").startsWith(start));
  if (!word) throw new Error(`no word starting with ${start}`);
  return { x: Number(word[1]) };
}

function pdfText(bytes: Uint8Array): string[] {
  const file = join(folder, `${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, bytes);
  return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" }).split("\f").filter((page) => page.trim());
}

describe("letterContent", () => {
  it("says everything a municipality's letter says, for one child or more", () => {
    const c = letterContent(facts(), settings);
    expect(c.code).toEqual({
      display: "ABCD-EFGH-JKMN",
      qrText: "https://tegoed.westerkwartier.nl/wallet/#code=ABCDEFGHJKMN",
      shortUrl: "tegoed.westerkwartier.nl/wallet",
      validity: "Deze code werkt één keer, tot en met 7 maart 2027.",
    });
    expect(c.intro[0]).toMatch(/^Uw kinderen krijgen een tegoed van Kindpakket 2027/);
    expect(c.children).toEqual([{ name: "Anna", amount: "€ 300,00" }, { name: "Bram", amount: "€ 150,50" }]);
    expect(c.budgetValidity).toBe("Het tegoed is geldig tot en met 31 december 2027.");
    expect(c.spendOn).toBe("U kunt het besteden aan boeken en sport.");
    expect(c.help).toBe(`Bel ${DEMO_SENDER.phone} of mail naar ${DEMO_SENDER.email}.`);
    expect(c.shops).toContain("tegoed.westerkwartier.nl/public");
    expect(c.date).toBe("7 december 2026");
    expect(letterContent(facts({ children: [{ firstName: "Anna", amountCents: 300_00n }] }), settings).intro[0]).toMatch(/^Uw kind krijgt/);
    expect(letterContent(facts({ language: "en", children: [{ firstName: "Anna", amountCents: 300_00n }] }), settings).intro[0]).toMatch(/^Your child receives/);
  });
});

describe("the letters as a PDF", () => {
  it("has one A4 page per family with the address, the children, the amounts, the code and where to type it", async () => {
    const pdf = await renderLettersPdf([
      letterContent(facts(), settings),
      letterContent(facts({ language: "en", recipient: { name: "J. Smith", addressLines: ["Kerkstraat 2", "9801 AC  Zuidhorn"] }, code: "PQRS-TUVW-XYZ2" }), settings),
    ]);
    const pages = pdfText(pdf);
    expect(pages).toHaveLength(2);
    for (const want of ["Fam. de Vries", "Dorpsstraat 1", "9801 AB Zuidhorn", "Anna", "€ 300,00", "Bram", "€ 150,50", "ABCD-EFGH-JKMN",
      "tegoed.westerkwartier.nl/wallet", "Kenmerk", "ZH-101/1", "7 december 2026", "31 december 2027", DEMO_SENDER.email]) {
      expect(pages[0]!.replace(/ +/g, " ")).toContain(want.replace(/ +/g, " "));
    }
    expect(pages[1]).toContain("J. Smith");
    expect(pages[1]).toContain("PQRS-TUVW-XYZ2");
    expect(pages[1]).toContain("Your activation code");
    const size = execFileSync("pdfinfo", ["-f", "1", "-l", "1", "-"], { input: pdf, encoding: "utf8" });
    expect(size).toMatch(/Page\s+1 size:\s+595\.276? x 841\.89 pts \(A4\)/);
  });

  it("prints every family language in its own script: Polish, Turkish, German and French letters, Ukrainian Cyrillic, Arabic joined and right to left", async () => {
    const letters = (["pl", "tr", "uk", "ar", "de", "fr"] as const).map((language) => letterContent(facts({
      language, recipient: { name: "Łukasz Żak", addressLines: ["Dorpsstraat 1", "9801 AB  Zuidhorn"] },
    }), settings));
    const pages = pdfText(await renderLettersPdf(letters)).map((page) => page.replace(/[\u200e\u200f\u202a-\u202e]/g, ""));
    expect(pages).toHaveLength(6);
    expect(pages.join("\n")).not.toContain("?ukasz");
    for (const page of pages) expect(page).toContain("Łukasz Żak");
    expect(pages[0]).toContain("Twój kod aktywacyjny");
    expect(pages[0]).toContain("Środki są ważne do 31 grudnia 2027 włącznie.");
    expect(pages[1]).toContain("Aktivasyon kodunuz");
    expect(pages[1]).toContain("Çocuklarınız");
    expect(pages[2]).toContain("Ваш код активації");
    expect(pages[2]).toContain("Ваші діти отримують кошти від програми Kindpakket 2027.");
    // pdftotext reads the Arabic back in reading order. The font draws letters that differ only by their
    // dots (ت ي ن ب, ز ر …) on one shared base glyph, which its text map names after one of them, so the
    // words are compared by their skeleton (the dots were checked by eye in a pdftoppm rendering).
    for (const words of ["رمز التفعيل الخاص بك", "يحصل أطفالك على رصيد من", "الرصيد صالح حتى", "مع أطيب التحيات"]) {
      expect(skeleton(pages[3]!)).toContain(skeleton(words));
    }
    expect(pages[3]).toContain("ABCD-EFGH-JKMN");
    expect(pages[3]).toContain(DEMO_SENDER.phone);
    expect(pages[4]).toContain("Ihr Aktivierungscode");
    expect(pages[4]).toContain("Das Guthaben gilt bis einschließlich 31. Dezember 2027.");
    expect(pages[5]).toContain("Votre code d’activation");
    expect(pages[5]).toContain("Le crédit est valable jusqu’au 31 décembre 2027 inclus.");
  });

  it("the card's PIN letter too: Ukrainian in Cyrillic, Arabic right to left, the PIN itself as digits", async () => {
    const letter = (language: PinLetter["language"]): PinLetter => ({
      language, fundName: "Kindpakket 2027", cardNumber: "1234567890123456", pin: "48213", parentName: "Łukasz Żak", addressLines: ["Dorpsstraat 1"], helpPhone: "14 0594",
    });
    const pages = pdfText(await renderPinLetters([letter("uk"), letter("ar")])).map((page) => page.replace(/[\u200e\u200f\u202a-\u202e]/g, ""));
    expect(pages[0]).toContain("Ваш PIN-код для картки Tegoed");
    expect(pages[0]).toContain("48213");
    expect(skeleton(pages[1]!)).toContain(skeleton("رمزك السري لبطاقة"));
    expect(pages[1]).toContain("48213");
    expect(pages[1]).toContain("1234 5678 9012 3456");
    expect(pages[1]).toContain("14 0594");
    expect(pages[1]).toContain("Łukasz Żak");
  });

  it("the balance letter in each family language: its title, the amounts in the language's way, and right to left in Arabic", async () => {
    const letter = (language: BalanceLetter["language"]): BalanceLetter => ({
      language, fundName: "Kindpakket 2027", cardNumber: "1234567890123456", parentName: "Łukasz Żak", addressLines: ["Dorpsstraat 1"],
      asOf: new Date("2027-03-01T09:30:00Z"), timeZone: "Europe/Amsterdam", helpPhone: "14 0594",
      children: [{ firstName: "Anna", balanceCents: 287_50n, expiresAt: new Date("2028-01-01T00:00:00Z") }],
    });
    const amounts = { nl: "€ 287,50", en: "€ 287.50", ar: "287.50", tr: "287,50", pl: "287,50", uk: "287,50", de: "287,50", fr: "287,50" };
    for (const language of FAMILY_LANGUAGES) {
      const pdf = await renderBalanceLetter(letter(language));
      const [page] = pdfText(pdf).map((text) => text.replace(/[\u200e\u200f\u202a-\u202e]/g, "").replace(/[\u00a0\u202f]/g, " "));
      const title = letterTexts(language).balanceLetter.title;
      if (language === "ar") expect(skeleton(page!), language).toContain(skeleton(title));
      else expect(page, language).toContain(title);
      expect(page, language).toContain(amounts[language]);
      // Numbers keep their order inside right-to-left text: a phone number must not read "0594 14".
      expect(page, language).toContain("1234 5678 9012 3456");
      expect(page, language).toContain("14 0594");
      expect(page, language).toContain("Łukasz Żak");
      // The table: the child's name first in reading order, so left of the amount, and right of it in Arabic.
      const anna = wordBox(pdf, "Anna");
      const amount = wordBox(pdf, "287");
      if (language === "ar") expect(anna.x, language).toBeGreaterThan(amount.x);
      else expect(anna.x, language).toBeLessThan(amount.x);
    }
  });

  it("takes a language without a text file yet as Dutch, and fills amounts in the language's way", () => {
    expect(letterContent(facts({ language: "xx" as never }), settings).greeting).toBe("Beste Fam. de Vries,");
    expect(letterContent(facts({ language: "en" }), settings).children[1]).toEqual({ name: "Bram", amount: "€ 150.50" });
    expect(letterContent(facts({ language: "uk" }), settings).children[1]!.amount).toBe("€ 150,50");
  });
});

describe("the letters as a printable page", () => {
  it("puts every family on its own A4 sheet with the address in the window position", async () => {
    const html = await renderLetterHtml([letterContent(facts(), settings), letterContent(facts(), settings)]);
    expect(html.match(/<section class="letter"/g)).toHaveLength(2);
    expect(html).toContain("@page { size: A4; margin: 0; }");
    expect(html).toContain(".address { position: absolute; top: 50mm; left: 20mm; width: 85mm; height: 40mm;");
    expect(html).toContain("break-after: page");
  });
});
