// The demo's applications: the fund opens for applications with Zuidhorn-like criteria, and three demo
// citizens apply through the demo identity provider (one with a question waiting for the family).
// Citizens 0001 and 0002 are left for whoever tries the wallet's apply flow.
import { PDFDocument, StandardFonts } from "pdf-lib";
import { applicationsApi, createApiClient, SESSION_COOKIE, type ApiClient, type ApplicationSettingsInput } from "@tegoed/sdk";
import { loginAsDemoCitizen } from "../lib/demo-idp.ts";

export function demoApplicationSettings(year: number): ApplicationSettingsInput {
  return {
    open: true, fourEyes: false, retentionDays: 365,
    consentText: "Ik geef de gemeente toestemming mijn gegevens en documenten te gebruiken om deze aanvraag te beoordelen. / I allow the municipality to use my details and documents to decide on this application.",
    criteria: [
      { id: "lives-here", kind: "yes-no", label: "Woont u in de gemeente Westerkwartier? / Do you live in Westerkwartier?", expected: true },
      { id: "income", kind: "number", label: "Netto gezinsinkomen per maand in euro / Net household income per month in euros", min: 0, max: 2_200, unit: "EUR" },
      { id: "child-age", kind: "date", label: "Geboortedatum van elk kind (tot 18 jaar) / Each child's date of birth (under 18)", from: `${year - 17}-01-01`, to: `${year}-12-31`, children: true },
    ],
    documents: [{ key: "income-statement", label: "Inkomensverklaring / Income statement", explanation: "Een loonstrook of uitkeringsbrief van de laatste maand. / A payslip or benefit letter of last month.", required: true }],
  };
}

async function statementPdf(): Promise<string> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([420, 300]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  page.drawText("Loonstrook (demo document)", { x: 30, y: 240, size: 14, font });
  page.drawText("Netto per maand: EUR 1.650,00", { x: 30, y: 200, size: 12, font });
  return Buffer.from(await doc.save()).toString("base64");
}

/** A client logged in as the demo citizen through the backend's OpenID Connect routes. */
async function citizen(baseUrl: string, sub: string): Promise<ApiClient> {
  const start = await fetch(`${baseUrl}/api/applicant/oidc/start`, { redirect: "manual" });
  const loginCookie = start.headers.getSetCookie().map((l) => l.split(";")[0]!).find((p) => p.startsWith("tegoed_oidc="))!;
  const back = await loginAsDemoCitizen(start.headers.get("location")!, sub, `${baseUrl}/api/applicant/oidc/callback`);
  const done = await fetch(back, { redirect: "manual", headers: { cookie: loginCookie } });
  const session = done.headers.getSetCookie().map((l) => l.split(";")[0]!).find((p) => p.startsWith(`${SESSION_COOKIE}=`));
  if (!session) throw new Error(`demo citizen ${sub} could not log in (${done.headers.get("location")})`);
  const client = createApiClient({ baseUrl });
  client.sessionCookie = session.slice(SESSION_COOKIE.length + 1);
  await applicationsApi(client).session();
  return client;
}

export async function seedApplications(baseUrl: string, fundId: string, validator: ApiClient, log: (line: string) => void): Promise<void> {
  const year = new Date().getUTCFullYear();
  log("demo: the fund takes applications; three families apply through the demo DigiD …");
  await applicationsApi(validator).staff.saveSettings(fundId, demoApplicationSettings(year));
  const families = [
    { sub: "demo-citizen-0003", parentName: "Sanne de Jong", street: "Hoofdstraat 41", postalCode: "9801 CE", children: [{ firstName: "Lieke", birthDate: `${year - 9}-03-12` }, { firstName: "Tijn", birthDate: `${year - 6}-10-01` }], income: 1_640 },
    { sub: "demo-citizen-0004", parentName: "Piotr Nowak", street: "Molenweg 7", postalCode: "9801 KL", children: [{ firstName: "Zofia", birthDate: `${year - 12}-07-22` }], income: 1_980 },
    { sub: "demo-citizen-0005", parentName: "Aylin Yılmaz", street: "Stationsweg 2", postalCode: "9801 MN", children: [{ firstName: "Elif", birthDate: `${year - 4}-01-30` }], income: 2_450 },
  ];
  for (const [i, f] of families.entries()) {
    const api = applicationsApi(await citizen(baseUrl, f.sub));
    const draft = await api.create({
      fundId, household: { parentName: f.parentName, addressLine1: f.street, postalCode: f.postalCode, city: "Zuidhorn", language: "nl" },
      children: f.children, answers: { "lives-here": true, income: f.income },
    });
    await api.upload(draft.id, { documentKey: "income-statement", fileName: "loonstrook.pdf", contentBase64: await statementPdf() });
    await api.submit(draft.id, { consent: true });
    if (i === 1) await applicationsApi(validator).staff.ask(draft.id, { body: "Kunt u ook de loonstrook van de vorige maand sturen? / Could you also send last month's payslip?" });
  }
}
