// Demo data that looks like Zuidhorn's Kindpakket, made through the API as staff, shops and families
// would: the fund "Kindpakket 2027" (EUR 300 per child), 80 invented families with 200 children, 12
// approved shops in the real categories, most wallets activated, some payments and a refund, a payout
// to the shops, staff users for each role, a few activation codes left unused for visitors, and a few
// families without a smartphone who pay with a Tegoed card (its code and PIN read from the printed PDFs).
import { randomUUID } from "node:crypto";
import { Wallet } from "ethers";
import { pdfTextLines } from "../lib/pdf-text.ts";
import {
  ApiError, createApiClient, encodePaymentQr, qrFromPermit, signPaymentPermit, type ApiClient, type PayoutRun, type StaffRole,
} from "@tegoed/sdk";

export const DEMO_PASSWORD = "tegoed-demo-2027";
export const DEMO_CATEGORIES = ["books", "bike", "sport", "swimming", "computer", "clothing", "toys"] as const;

export interface DemoLogins {
  staff: { role: StaffRole; email: string }[];
  shops: { name: string; email: string }[];
  /** Activation codes of families whose wallet is not yet activated: a visitor can use one. */
  unusedCodes: { family: string; code: string }[];
  /** Tegoed cards as printed: the code under the QR (type it at the till) and the PIN letter's PIN. */
  cards: { family: string; code: string; pin: string }[];
  fundId: string;
}

const SURNAMES = [
  "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
  "van Dijk", "Dijkstra", "Kok", "Jacobs", "Postma", "Hoekstra", "Wiersma", "Zijlstra", "El Amrani", "Yilmaz", "Kuipers", "Veenstra",
  "Brouwer", "Hofman", "Boersma", "van der Veen", "Nijboer",
];
const PARENTS = ["Anna", "Sanne", "Fatima", "Esther", "Mirjam", "Ilse", "Jan", "Pieter", "Ahmed", "Mehmet", "Karin", "Linda", "Sjoerd", "Wouter", "Nadia"];
const CHILDREN = [
  "Noor", "Emma", "Julia", "Mila", "Tess", "Sara", "Zoë", "Lotte", "Eva", "Liv", "Daan", "Sem", "Lucas", "Levi", "Finn", "Milan", "Bram",
  "Jesse", "Luuk", "Thijs", "Yusuf", "Ayoub", "Amira", "Lina", "Mees", "Siem", "Fenna", "Jasmijn", "Ravi", "Ilias",
];
const STREETS = ["Hoofdstraat", "Dorpsstraat", "Kerkstraat", "Molenweg", "Stationsweg", "Wilhelminalaan", "Julianastraat", "Schoolstraat"];
export const DEMO_SHOPS: { name: string; category: (typeof DEMO_CATEGORIES)[number]; street: string }[] = [
  { name: "Boekhandel Het Leesteken", category: "books", street: "Hoofdstraat 12" },
  { name: "Primera Zuidhorn", category: "books", street: "Hoofdstraat 31" },
  { name: "Tweewielers Kooistra", category: "bike", street: "Molenweg 4" },
  { name: "Fietsplus Westerkwartier", category: "bike", street: "Industrieweg 9" },
  { name: "Sport 2000 Zuidhorn", category: "sport", street: "Hoofdstraat 58" },
  { name: "Voetbalvereniging Zuidhorn", category: "sport", street: "Sportlaan 1" },
  { name: "Zwembad De Holm", category: "swimming", street: "Zwembadweg 2" },
  { name: "Computerwinkel Bit & Byte", category: "computer", street: "Stationsweg 17" },
  { name: "Kinderkleding Lieve Lotje", category: "clothing", street: "Kerkstraat 6" },
  { name: "Zeeman Zuidhorn", category: "clothing", street: "Hoofdstraat 44" },
  { name: "Speelgoedwinkel De Tol", category: "toys", street: "Kerkstraat 21" },
  { name: "Intertoys Zuidhorn", category: "toys", street: "Hoofdstraat 70" },
];

/** Deterministic invented people: the same demo every fresh start. */
function* people() {
  let n = 0;
  while (true) {
    yield { surname: SURNAMES[n % SURNAMES.length]!, parent: PARENTS[(n * 7) % PARENTS.length]!, street: STREETS[n % STREETS.length]!, n: n++ };
  }
}

const kvkOf = (i: number) => String(40_100_000 + i * 1_317);
const ibanOf = (i: number) => ["NL91ABNA0417164300", "NL20INGB0001234567", "NL44RABO0123456789"][i % 3]!;

export async function seedDemo(baseUrl: string, admin: { email: string; password: string }, log: (line: string) => void): Promise<DemoLogins> {
  const client = (): ApiClient => createApiClient({ baseUrl });
  const root = client();
  await root.staff.login(admin);

  log("demo: staff users for each role …");
  const staffLogins: DemoLogins["staff"] = [{ role: "admin", email: admin.email }];
  for (const role of ["validator", "merchant_manager", "finance", "auditor"] as const) {
    const email = `${role.replace("_", "-")}@tegoed.example`;
    await root.staff.createUser({ email, password: DEMO_PASSWORD, roles: [role] });
    staffLogins.push({ role, email });
  }
  const as = async (role: StaffRole) => {
    const c = client();
    await c.staff.login({ email: staffLogins.find((s) => s.role === role)!.email, password: role === "admin" ? admin.password : DEMO_PASSWORD });
    return c;
  };
  const [validator, manager, finance] = [await as("validator"), await as("merchant_manager"), await as("finance")];

  const year = new Date().getUTCFullYear();
  const fund = await root.funds.create({ name: "Kindpakket 2027", amountPerChildCents: 300_00, budgetExpiry: `${year + 1}-12-31`, categories: [...DEMO_CATEGORIES] });
  await finance.funds.deposit(fund.id, { amountCents: 65_000_00, bankReference: "GEMEENTE-WESTERKWARTIER-2027-01" });

  log("demo: 80 families with 200 children …");
  const rows = ["family_ref,parent_name,address_line1,postal_code,city,language,child_first_name,child_birth_year"];
  const who = people();
  let children = 0;
  for (let f = 0; f < 80; f++) {
    const p = who.next().value!;
    const count = f < 40 ? 3 : 2; // 40×3 + 40×2 = 200
    for (let c = 0; c < count; c++) {
      rows.push([`ZH-${String(f + 1).padStart(3, "0")}`, `${p.parent} ${p.surname}`, `${p.street} ${f + 1}`, "9801 AB", "Zuidhorn",
        f % 9 === 0 ? "en" : "nl", CHILDREN[(children++ * 11) % CHILDREN.length]!, year - 4 - ((f + c * 3) % 13)].join(","));
    }
  }
  await validator.eligibility.importFamilies(fund.id, { csv: rows.join("\n") + "\n" });
  const { approved } = await validator.eligibility.approveFamilies(fund.id);
  log("demo: issuing 200 budgets on chain …");
  await validator.eligibility.issueBudgets(fund.id);

  log("demo: 12 shops apply and are approved on chain …");
  const tills: ApiClient[] = [];
  const shopLogins: DemoLogins["shops"] = [];
  for (const [i, shop] of DEMO_SHOPS.entries()) {
    const receipt = await client().merchants.apply({
      name: shop.name, kvkNumber: kvkOf(i), iban: ibanOf(i), categories: [shop.category], address: `${shop.street}, 9801 Zuidhorn`,
      contactEmail: `info@shop${i + 1}.tegoed.example`,
    });
    await manager.merchants.approve(receipt.id, { fundId: fund.id });
    const email = `kassa@shop${i + 1}.tegoed.example`;
    await manager.merchants.createUser(receipt.id, { email, password: DEMO_PASSWORD });
    const till = client();
    await till.merchant.login({ email, password: DEMO_PASSWORD });
    tills.push(till);
    shopLogins.push({ name: shop.name, email });
  }
  // One application still waiting for the merchant manager.
  await client().merchants.apply({
    name: "Muziekschool Westerkwartier", kvkNumber: kvkOf(99), iban: ibanOf(1), categories: ["sport"], address: "Schoolstraat 3, 9801 Zuidhorn",
    contactEmail: "info@muziekschool.tegoed.example",
  });

  log("demo: families activate their wallets and pay …");
  const unusedCodes: DemoLogins["unusedCodes"] = [];
  const cards: DemoLogins["cards"] = [];
  let payments = 0;
  const family = async (familyId: string, i: number) => {
    // Every tenth family gave an email address: its letter also arrives in the demo mailbox.
    if (i % 10 === 0) await validator.notifications.updateOfFamily(familyId, { email: `gezin-zh-${String(i + 1).padStart(3, "0")}@tegoed.example` });
    if (i >= 64 && i < 70) {
      // No smartphone: a Tegoed card. Every other card family has paid with it at a shop already.
      const issued = await validator.cards.issue(familyId);
      const cardText = pdfTextLines(Buffer.from(issued.cardPdf, "base64")).flat();
      const code = cardText.slice(cardText.findIndex((line) => line.startsWith("Code")) + 1).join(" ");
      const pin = pdfTextLines(Buffer.from(issued.pinLetterPdf, "base64")).flat().find((line) => /^\d{5}$/.test(line))!;
      cards.push({ family: `ZH-${String(i + 1).padStart(3, "0")}`, code, pin });
      if (i % 2 === 0) {
        const till = tills[i % tills.length]!;
        const { children: [child] } = await till.cards.unlock({ card: code, pin });
        await till.cards.charge({ card: code, pin, amountCents: [18_50, 32_00, 9_95][i % 3]!, childId: child!.childId }, randomUUID());
        payments++;
      }
      return;
    }
    const letter = await validator.eligibility.issueLetter(familyId);
    if (i >= 70) {
      unusedCodes.push({ family: `ZH-${String(i + 1).padStart(3, "0")}`, code: letter.code });
      return;
    }
    const phone = Wallet.createRandom();
    const wallet = client();
    await wallet.family.activate({ code: letter.code, holderAddress: phone.address });
    // Two thirds of the families have paid already: enough that the public page shows its categories.
    if (i % 3 === 2) return;
    const [child] = (await wallet.family.children()).children;
    if (!child || child.nonce === null) return;
    const permit = {
      fund: child.fund.chainAddress, budgetId: child.budgetId, maxAmount: 300_00n, nonce: BigInt(child.nonce),
      deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
    };
    const qr = encodePaymentQr(qrFromPermit(permit, child.fund.index, await signPaymentPermit(phone, BigInt(child.fund.chainId), permit)));
    const till = tills[i % tills.length]!; // every shop has some payments
    const amount = [12_95, 24_50, 42_50, 89_00, 7_50, 149_00][i % 6]!;
    const receipt = await till.merchant.charge({ qr, amountCents: amount }, randomUUID());
    payments++;
    if (i === 3) await till.merchant.refund(receipt.paymentId, { amountCents: 2_50 }, randomUUID());
  };
  // A few families at a time: the relayer's lanes and the database take them in parallel.
  const queue = approved.map((id, i) => [id, i] as const);
  await Promise.all(Array.from({ length: 6 }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await family(...next);
  }));
  unusedCodes.sort((a, b) => a.family.localeCompare(b.family));
  log(`demo: ${payments} payments made, ${unusedCodes.length} codes left unused`);

  log("demo: the shops are paid out (simulated bank) …");
  let run: PayoutRun;
  try {
    run = await finance.payouts.start({ fundId: fund.id });
  } catch (error) {
    // The fund's daily schedule (17:00 in the municipality's time zone) may have fired while the demo
    // was paying, when it runs in the evening: then that run holds every shop's payout; follow it.
    if (!(error instanceof ApiError && error.code === "PAYOUT_NOTHING_OWED")) throw error;
    const [scheduled] = (await finance.payouts.runs({ fundId: fund.id })).runs;
    if (!scheduled) throw error;
    run = scheduled;
  }
  for (let i = 0; i < 600 && run.status === "processing"; i++) {
    await new Promise((r) => setTimeout(r, 100));
    run = await finance.payouts.run(run.id);
  }
  log(`demo: payout run ${run.status}: ${run.payoutCount} shops, € ${(run.totalCents / 100).toFixed(2)}`);
  cards.sort((a, b) => a.family.localeCompare(b.family));
  return { staff: staffLogins, shops: shopLogins, unusedCodes, cards, fundId: fund.id };
}
