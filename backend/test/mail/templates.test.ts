// Every notification has its template in every language of its audience (a family's: every family
// language; a shop's and staff's: nl and en), and it renders with sample data.
import { describe, expect, it } from "vitest";
import { FAMILY_LANGUAGES, NOTIFICATION_KINDS, STAFF_LANGUAGES, directionOf } from "@tegoed/sdk";
import { hasTemplate, MAIL_LANGUAGES, placeholders, renderMail } from "../../src/mail/index.ts";
import { KINDS, KIND_NAMES, type Audience } from "../../src/domain/notifications/kinds.ts";

const LANGUAGES_OF: Record<Audience, readonly (typeof MAIL_LANGUAGES)[number][]> = { family: FAMILY_LANGUAGES, shop: STAFF_LANGUAGES, staff: STAFF_LANGUAGES };

const links = { walletUrl: "https://t.example/wallet/", shopUrl: "https://t.example/shop/", staffUrl: "https://t.example/staff/", shopsUrl: "https://t.example/wallet/#shops", unsubscribeUrl: "https://t.example/u?token=x" };

describe("mail templates", () => {
  it("knows every kind the API names, and the API every kind", () => {
    expect([...KIND_NAMES].sort()).toEqual([...NOTIFICATION_KINDS].sort());
  });

  for (const kind of KIND_NAMES) {
    for (const language of LANGUAGES_OF[KINDS[kind].audience]) {
      it(`${language}/${kind} exists and renders with its sample data`, () => {
        expect(hasTemplate(kind, language)).toBe(true);
        const data = { ...links, ...KINDS[kind].sample };
        const used = placeholders(kind, language);
        for (const name of used) expect(data, `{{${name}}} of ${language}/${kind}`).toHaveProperty(name);
        const mail = renderMail(kind, language, data, KINDS[kind].optional ? "unsubscribe_footer" : undefined);
        expect(mail.subject.length).toBeGreaterThan(5);
        expect(mail.subject).not.toMatch(/\{\{|\n/);
        expect(mail.text).not.toContain("{{");
        expect(mail.html).toContain(`<html lang="${language}" dir="${directionOf(language)}">`);
        expect(mail.html).not.toMatch(/\{\{|<script/);
        if (KINDS[kind].optional) expect(mail.text).toContain(links.unsubscribeUrl);
      });
    }
  }

  it("puts no secret in a subject: the activation and login codes are only in the body", () => {
    for (const language of FAMILY_LANGUAGES) {
      for (const kind of ["activation_letter", "login_code"] as const) {
        const mail = renderMail(kind, language, { ...links, ...KINDS[kind].sample });
        expect(mail.subject).not.toContain(KINDS[kind].sample.code);
        expect(mail.text).toContain(KINDS[kind].sample.code);
      }
    }
  });

  it("writes a shop's or staff mail in Dutch for a language it has no template in", () => {
    const mail = renderMail("merchant_declined", "ar", { senderName: "Fund", shopName: "Shop", reason: "r" });
    expect(mail.html).toContain('<html lang="nl" dir="ltr">');
    expect(mail.subject).toBe("Uw aanmelding bij Fund");
  });

  it("escapes values in the HTML part and links only http(s) values named *Url", () => {
    const mail = renderMail("merchant_declined", "en", { senderName: "Fund", shopName: "<b>Shop</b>", reason: `"><img src=x onerror=alert(1)>` });
    expect(mail.html).toContain("&lt;b&gt;Shop&lt;/b&gt;");
    expect(mail.html).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(mail.html).not.toContain("<img");
    expect(mail.text).toContain("<b>Shop</b>");
    const approved = renderMail("merchant_approved", "nl", { ...KINDS.merchant_approved.sample, shopUrl: "javascript:alert(1)" });
    expect(approved.html).not.toContain("href=\"javascript");
    expect(renderMail("merchant_approved", "nl", KINDS.merchant_approved.sample).html).toContain('<a href="https://tegoed.example/shop/">');
  });

  it("formats cents and days in the language", () => {
    const data = { ...KINDS.budget_expiring.sample, leftCents: "123456", expiresOn: "2027-12-31" };
    expect(renderMail("budget_expiring", "nl", data).text).toContain("€ 1.234,56");
    expect(renderMail("budget_expiring", "nl", data).text).toContain("31 december 2027");
    expect(renderMail("budget_expiring", "en", data).text).toContain("€ 1,234.56");
    expect(renderMail("budget_expiring", "nl", { ...data, weeks: "1" }).subject).toBe("Het tegoed van Sam verloopt over 1 week");
    expect(renderMail("budget_expiring", "nl", { ...data, weeks: "6" }).subject).toBe("Het tegoed van Sam verloopt over 6 weken");
  });
});
