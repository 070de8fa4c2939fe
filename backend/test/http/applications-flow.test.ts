// Families apply, validators review: on a real local chain (one hardhat node for the file) and both
// database engines. Applicants log in with an emailed code here (the identity provider's flow is
// applicant-login.test.ts); what follows is the same for both ways in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "ethers";
import {
  applicationsApi, MAX_DOCUMENT_BYTES, SESSION_COOKIE, type ApiClient, type ApplicationDraftRequest, type ApplicationSettingsInput, type Fund,
} from "@tegoed/sdk";
import { withApplicationTables } from "../../src/db/applications-schema.ts";
import { auditLogRepository } from "../../src/db/audit-log.repository.ts";
import { purgeApplications } from "../../src/domain/applications/index.ts";
import { devLoginCodeMailer } from "../../src/mail/login-codes.ts";
import { ENGINES } from "../support/engines.ts";
import { startDomainChain, type DomainChain } from "../domain/eligibility/support.ts";
import { HTML_AS_PDF, PNG_1x1, b64, pdfBytes } from "../domain/applications/fixtures.ts";
import { refusal, useApp } from "./harness.ts";

const YEAR = new Date().getUTCFullYear();
const DAY_MS = 24 * 60 * 60 * 1000;

let chain: DomainChain;
beforeAll(async () => {
  chain = await startDomainChain();
});
afterAll(async () => {
  await chain?.t.stop();
});

const SETTINGS: ApplicationSettingsInput = {
  open: true, fourEyes: false, retentionDays: 90, consentText: "Ik geef toestemming mijn gegevens te gebruiken voor deze aanvraag.",
  criteria: [
    { id: "lives-here", kind: "yes-no", label: "Woont u in de gemeente Westerkwartier?", expected: true },
    { id: "income", kind: "number", label: "Netto gezinsinkomen per maand (euro)", min: 0, max: 2_200, unit: "EUR" },
    { id: "child-age", kind: "date", label: "Geboortedatum van elk kind", from: `${YEAR - 17}-01-01`, to: `${YEAR}-12-31`, children: true },
  ],
  documents: [{ key: "income-statement", label: "Inkomensverklaring", explanation: "Een loonstrook of uitkeringsbrief van de laatste maand.", required: true }],
};

describe.each(ENGINES)("applications on a real chain on $name", (engine) => {
  const mailer = devLoginCodeMailer();
  const app = useApp(engine, {
    ledger: () => ({ factory: chain.factory, fundClient: chain.fundClient, sponsor: chain.t.relayer.addresses[0]! }),
    applicants: () => ({ identityKey: "test-identity-key-0123456789abcdef0123456789abcdef", mailer }),
  });
  let admin: ApiClient;
  let validator: ApiClient;
  let secondValidator: ApiClient;
  const tag = () => Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    admin = (await app.loginAs(["admin"])).client;
    validator = (await app.loginAs(["validator"])).client;
    secondValidator = (await app.loginAs(["validator"])).client;
  });

  async function newFund(settings: Partial<ApplicationSettingsInput> = {}): Promise<Fund> {
    const fund = await admin.funds.create({ name: `Kindpakket ${tag()}`, amountPerChildCents: 300_00, budgetExpiry: `${YEAR + 1}-12-31`, categories: ["sport"] });
    const finance = (await app.loginAs(["finance"])).client;
    await finance.funds.deposit(fund.id, { amountCents: 5_000_00, bankReference: `DEP-${tag()}` });
    await applicationsApi(validator).staff.saveSettings(fund.id, { ...SETTINGS, ...settings });
    return fund;
  }

  /** A family's phone: logged in with a code sent to a fresh address. */
  async function applicant() {
    const client = app.client();
    const api = applicationsApi(client);
    const email = `ouder-${tag()}@example.nl`;
    await api.requestEmailCode({ email });
    await api.emailLogin({ email, code: mailer.sentTo(email).at(-1)!.code });
    return { client, api };
  }

  const draft = (fundId: string, children = [{ firstName: "Noor", birthDate: `${YEAR - 8}-05-14` }], parentName = "Fatima el Amrani", postalCode = "9801 AB"): ApplicationDraftRequest => ({
    fundId,
    household: { parentName, addressLine1: "Dorpsstraat 12", postalCode, city: "Zuidhorn", language: "nl" },
    children,
    answers: { "lives-here": true, income: 1_650 },
  });

  /** A submitted application with a PDF income statement. */
  async function submitted(fundId: string, request = draft(fundId)) {
    const family = await applicant();
    const created = await family.api.create(request);
    await family.api.upload(created.id, { documentKey: "income-statement", fileName: "loonstrook.pdf", contentBase64: b64(await pdfBytes()) });
    const sent = await family.api.submit(created.id, { consent: true });
    return { ...family, application: sent };
  }

  it("the pre-check says honestly whether applying makes sense, before anything is stored", async () => {
    const fund = await newFund();
    const pub = applicationsApi(app.client());
    expect((await pub.openFunds()).funds.find((f) => f.fundId === fund.id)).toMatchObject({ name: fund.name, criteria: [{ id: "lives-here" }, { id: "income" }, { id: "child-age" }] });
    expect(await pub.precheck(fund.id, { answers: { "lives-here": true, income: 1_650 }, childBirthDates: [`${YEAR - 8}-05-14`] })).toMatchObject({ outcome: "likely" });
    const over = await pub.precheck(fund.id, { answers: { "lives-here": true, income: 2_500 }, childBirthDates: [`${YEAR - 8}-05-14`] });
    expect(over.outcome).toBe("unlikely");
    expect(over.results.find((r) => r.criterionId === "income")!.passes).toBe(false);
    expect((await pub.precheck(fund.id, { answers: { "lives-here": true } })).outcome).toBe("incomplete");
  });

  it("the whole flow: apply with a document → queue → question → answer → approve (family as an import makes it, budgets on chain) → activate on the phone", async () => {
    const fund = await newFund();
    const family = await applicant();
    const request = draft(fund.id, [{ firstName: "Noor", birthDate: `${YEAR - 8}-05-14` }, { firstName: "Sami", birthDate: `${YEAR - 3}-01-20` }]);
    const created = await family.api.create(request);
    expect(created).toMatchObject({ status: "draft", fundName: fund.name, children: request.children, canActivate: false });

    // Not complete without the income statement; a document that is not what it claims is refused.
    expect(await refusal(family.api.submit(created.id, { consent: true }))).toMatchObject({ status: 422, code: "APPLICATION_INCOMPLETE", details: { missing: "documents.income-statement" } });
    expect(await refusal(family.api.upload(created.id, { documentKey: "income-statement", fileName: "loonstrook.pdf", contentBase64: b64(HTML_AS_PDF) })))
      .toMatchObject({ status: 415, code: "DOCUMENT_TYPE_REFUSED" });
    expect(await refusal(family.api.upload(created.id, { documentKey: "income-statement", fileName: "loonstrook.pdf", contentBase64: b64(PNG_1x1) })))
      .toMatchObject({ status: 415, code: "DOCUMENT_TYPE_REFUSED" });
    const pdf = await pdfBytes();
    const doc = await family.api.upload(created.id, { documentKey: "income-statement", fileName: "loonstrook.pdf", contentBase64: b64(pdf) });
    expect(doc).toMatchObject({ documentKey: "income-statement", contentType: "application/pdf", sizeBytes: pdf.length });
    const sent = await family.api.submit(created.id, { consent: true });
    expect(sent.status).toBe("submitted");
    expect(await refusal(family.api.update(created.id, { household: request.household, children: request.children, answers: {} })))
      .toMatchObject({ status: 409, code: "APPLICATION_NOT_EDITABLE" });

    // The validator's queue and review: answers next to the criteria, the document inline.
    const staff = applicationsApi(validator).staff;
    const queue = await staff.queue(fund.id);
    expect(queue).toEqual({ total: 1, applications: [expect.objectContaining({ id: created.id, status: "submitted", parentName: "Fatima el Amrani", children: 2, failingCriteria: 0, openQuestion: false })] });
    const review = await staff.review(created.id);
    expect(review.results).toEqual([
      { criterionId: "lives-here", passes: true }, { criterionId: "income", passes: true }, { criterionId: "child-age", passes: true },
    ]);
    expect(review.knownFamilyId).toBeNull();
    const inline = await app.fetch(staff.documentPath(created.id, doc.id), { headers: { cookie: `${SESSION_COOKIE}=${validator.sessionCookie}` } });
    expect(inline.status).toBe(200);
    expect(inline.headers.get("content-type")).toBe("application/pdf");
    expect(inline.headers.get("content-disposition")).toBe("inline");
    expect(Buffer.from(await inline.arrayBuffer()).equals(Buffer.from(pdf))).toBe(true);
    // Not for the family's session, nor for another applicant.
    expect((await app.fetch(staff.documentPath(created.id, doc.id), { headers: { cookie: `${SESSION_COOKIE}=${family.client.sessionCookie}` } })).status).toBe(401);
    expect(await refusal((await applicant()).api.get(created.id))).toMatchObject({ status: 404, code: "NOT_FOUND" });

    // A question, the family's answer.
    const asked = await staff.ask(created.id, { body: "Kunt u ook de loonstrook van vorige maand sturen?" });
    expect(asked.status).toBe("questions");
    const seen = await family.api.get(created.id);
    expect(seen.status).toBe("questions");
    expect(seen.messages).toEqual([expect.objectContaining({ author: "staff", body: "Kunt u ook de loonstrook van vorige maand sturen?" })]);
    await family.api.upload(created.id, { documentKey: "income-statement", fileName: "loonstrook-mei.pdf", contentBase64: b64(await pdfBytes("mei")) });
    const answered = await family.api.reply(created.id, { body: "Bijgevoegd, de loonstrook van mei." });
    expect(answered.status).toBe("submitted");
    expect(answered.messages.map((m) => m.author)).toEqual(["staff", "applicant"]);

    // Approve: a family with both children, approved, budgets issued on chain.
    const approved = await staff.approve(created.id);
    expect(approved).toMatchObject({ status: "approved", familyId: expect.any(String) });
    const families = await validator.eligibility.listFamilies(fund.id);
    expect(families.families).toEqual([expect.objectContaining({
      id: approved.familyId, displayName: "Fatima el Amrani", externalRef: `application:${created.id}`, approvedAt: expect.any(String),
      children: expect.arrayContaining([
        expect.objectContaining({ firstName: "Noor", birthYear: YEAR - 8, budget: expect.objectContaining({ status: "issued", issuedCents: 300_00 }) }),
        expect.objectContaining({ firstName: "Sami", birthYear: YEAR - 3, budget: expect.objectContaining({ status: "issued", issuedCents: 300_00 }) }),
      ]),
    })]);
    const fundClient = chain.fundClient(fund.chainAddress);
    for (const child of families.families[0]!.children) expect((await fundClient.budgetOf(child.budget!.budgetId)).balance).toBe(300_00n);
    // Approving again changes nothing (it only retries the issuing).
    expect((await staff.approve(created.id)).familyId).toBe(approved.familyId);
    expect((await validator.eligibility.listFamilies(fund.id)).total).toBe(1);

    // The family activates at once, in the app in which it applied: the key made on the phone holds the budgets.
    expect((await family.api.get(created.id))).toMatchObject({ status: "approved", canActivate: true });
    const phone = Wallet.createRandom();
    const session = await family.api.activate(created.id, { holderAddress: phone.address });
    expect(session).toMatchObject({ familyId: approved.familyId, holderAddress: phone.address });
    for (const budgetId of session.budgetIds) expect((await fundClient.budgetOf(budgetId)).holder).toBe(phone.address);
    const children = await family.client.family.children();
    expect(children.children.map((c) => [c.firstName, c.balanceCents, c.activated])).toEqual(expect.arrayContaining([["Noor", 300_00, true], ["Sami", 300_00, true]]));

    const audit = auditLogRepository(app.db);
    for (const action of ["application.create", "application.document", "application.submit", "application.question", "application.reply", "application.approve", "family.activate"]) {
      expect((await audit.list({ action })).some((e) => e.subjectId === created.id || e.subjectId === approved.familyId), action).toBe(true);
    }
  });

  it("approving one application issues that family's budgets only: another approved family and another application wait", async () => {
    const fund = await newFund();
    // Approved by staff, its budgets not issued yet (staff run the issue for imports themselves).
    const imported = await validator.eligibility.addFamily(fund.id, {
      displayName: "Jeroen Bakker", addressLines: ["Kerkstraat 9", "9801 ZZ  Zuidhorn"], children: [{ firstName: "Daan", birthYear: YEAR - 9 }],
    });
    await validator.eligibility.approveFamilies(fund.id, { familyIds: [imported.id] });
    const first = await submitted(fund.id);
    const second = await submitted(fund.id, draft(fund.id, [{ firstName: "Lina", birthDate: `${YEAR - 7}-02-02` }], "Aylin Yilmaz", "9801 QQ"));

    const approved = await applicationsApi(validator).staff.approve(first.application.id);
    const families = (await validator.eligibility.listFamilies(fund.id)).families;
    const budgetOf = (familyId: string) => families.find((f) => f.id === familyId)!.children.map((c) => c.budget?.status ?? "none");
    expect(budgetOf(approved.familyId!)).toEqual(["issued"]);
    expect(budgetOf(imported.id)).toEqual(["none"]);
    expect(families).toHaveLength(2); // the second application has no family yet
    const fundClient = chain.fundClient(fund.chainAddress);
    // On chain: one budget of € 300 left the sponsor's reserve of € 5,000, not three.
    expect(await fundClient.reserveOf(chain.t.relayer.addresses[0]!)).toBe(4_700_00n);
    const noor = families.find((f) => f.id === approved.familyId)!.children[0]!;
    expect((await fundClient.budgetOf(noor.budget!.budgetId)).balance).toBe(300_00n);
    expect((await applicationsApi(validator).staff.review(second.application.id)).status).toBe("submitted");
  });

  it("decline with a reason: the family sees it; the child's place is free again", async () => {
    const fund = await newFund();
    const { api, application } = await submitted(fund.id);
    const declined = await applicationsApi(validator).staff.decline(application.id, { reason: "Uw inkomen is hoger dan de grens." });
    expect(declined.status).toBe("declined");
    expect(await api.get(application.id)).toMatchObject({ status: "declined", declineReason: "Uw inkomen is hoger dan de grens.", canActivate: false });
    expect(await refusal(applicationsApi(validator).staff.approve(application.id))).toMatchObject({ status: 409, code: "APPLICATION_NOT_EDITABLE" });
    // The same child may be applied for again.
    expect((await submitted(fund.id)).application.status).toBe("submitted");
  });

  describe("duplicates", () => {
    it("a second application for the same child in the same fund is refused (another applicant, other case of the name)", async () => {
      const fund = await newFund();
      await submitted(fund.id);
      const other = await applicant();
      const created = await other.api.create(draft(fund.id, [{ firstName: "NOOR", birthDate: `${YEAR - 8}-05-14` }], "Jan de Vries", "9801 XY"));
      await other.api.upload(created.id, { documentKey: "income-statement", fileName: "a.pdf", contentBase64: b64(await pdfBytes()) });
      expect(await refusal(other.api.submit(created.id, { consent: true }))).toMatchObject({ status: 409, code: "APPLICATION_DUPLICATE_CHILD", details: { child: "0", reason: "applied" } });
      // The same child in another fund is fine.
      const elsewhere = await newFund();
      expect((await submitted(elsewhere.id)).application.status).toBe("submitted");
    });

    it("one applicant has one application under way per fund", async () => {
      const fund = await newFund();
      const { api } = await submitted(fund.id);
      expect(await refusal(api.create(draft(fund.id, [{ firstName: "Bram", birthDate: `${YEAR - 5}-02-02` }])))).toMatchObject({ status: 409, code: "CONFLICT" });
    });

    it("a child the fund knows from the import is refused; the known family's new child is added to it, not a second family", async () => {
      const fund = await newFund();
      const imported = await validator.eligibility.addFamily(fund.id, {
        displayName: "Piotr Nowak", addressLines: ["Kerkstraat 3", "9801 CD  Zuidhorn"], children: [{ firstName: "Ola", birthYear: YEAR - 10 }],
      });
      await validator.eligibility.approveFamilies(fund.id, { familyIds: [imported.id] });
      await validator.eligibility.issueBudgets(fund.id);

      const known = await applicant();
      const again = await known.api.create(draft(fund.id, [{ firstName: "Ola", birthDate: `${YEAR - 10}-07-07` }], "Piotr Nowak", "9801 CD"));
      await known.api.upload(again.id, { documentKey: "income-statement", fileName: "a.pdf", contentBase64: b64(await pdfBytes()) });
      expect(await refusal(known.api.submit(again.id, { consent: true }))).toMatchObject({ code: "APPLICATION_DUPLICATE_CHILD", details: { reason: "known" } });

      const { application } = await submitted(fund.id, draft(fund.id, [{ firstName: "Kasia", birthDate: `${YEAR - 1}-03-03` }], "piotr nowak", "9801 cd"));
      const review = await applicationsApi(validator).staff.review(application.id);
      expect(review.knownFamilyId).toBe(imported.id);
      expect((await applicationsApi(validator).staff.approve(application.id)).familyId).toBe(imported.id);
      const list = await validator.eligibility.listFamilies(fund.id);
      expect(list.total).toBe(1);
      expect(list.families[0]!.children.map((c) => [c.firstName, c.budget?.status])).toEqual(expect.arrayContaining([["Ola", "issued"], ["Kasia", "issued"]]));
    });
  });

  it("four-eyes: the first approval waits (the family sees submitted), the same validator cannot give the second, another can", async () => {
    const fund = await newFund({ fourEyes: true });
    const { api, application } = await submitted(fund.id);
    const first = await applicationsApi(validator).staff.approve(application.id);
    expect(first).toMatchObject({ status: "awaiting_second", familyId: null, fourEyes: true });
    expect((await api.get(application.id)).status).toBe("submitted");
    expect(await refusal(applicationsApi(validator).staff.approve(application.id))).toMatchObject({ status: 409, code: "SECOND_APPROVER_REQUIRED" });
    expect(await applicationsApi(secondValidator).staff.approve(application.id)).toMatchObject({ status: "approved", familyId: expect.any(String) });
  });

  it("retention: a decided application and its documents are deleted after the fund's days; the family's deletion takes its applications", async () => {
    const fund = await newFund({ retentionDays: 30 });
    const declined = await submitted(fund.id);
    await applicationsApi(validator).staff.decline(declined.application.id, { reason: "Niet in de gemeente." });
    const approvedOne = await submitted(fund.id, draft(fund.id, [{ firstName: "Lotte", birthDate: `${YEAR - 6}-06-06` }], "Sanne de Jong", "9801 EF"));
    const approved = await applicationsApi(validator).staff.approve(approvedOne.application.id);
    const db = withApplicationTables(app.db);
    const docsOf = async (id: string) => (await db.selectFrom("application_documents").select("id").where("application_id", "=", id).execute()).length;
    expect(await docsOf(declined.application.id)).toBe(1);

    await purgeApplications({ db: app.db, clock: () => new Date(Date.now() + 29 * DAY_MS) });
    expect(await docsOf(declined.application.id)).toBe(1);
    await purgeApplications({ db: app.db, clock: () => new Date(Date.now() + 31 * DAY_MS) });
    expect(await db.selectFrom("applications").select("id").where("id", "in", [declined.application.id, approvedOne.application.id]).execute()).toEqual([]);
    expect(await docsOf(declined.application.id)).toBe(0);

    // GDPR: an approved family's deletion deletes its application with it (before the retention ends).
    const other = await submitted(fund.id, draft(fund.id, [{ firstName: "Mees", birthDate: `${YEAR - 4}-04-04` }], "Aylin Yilmaz", "9801 GH"));
    const otherApproved = await applicationsApi(validator).staff.approve(other.application.id);
    const deletion = await admin.eligibility.deleteFamily(otherApproved.familyId!, { reason: "verzoek van de ouder" });
    expect(deletion.applicationsDeleted).toBe(1);
    expect(await docsOf(other.application.id)).toBe(0);
    expect(approved.status).toBe("approved");
  });

  it("refusals: a closed fund, an incomplete child list, a document over 5 MB, staff routes for an applicant", async () => {
    const fund = await newFund({ open: false });
    const family = await applicant();
    expect(await refusal(family.api.create(draft(fund.id)))).toMatchObject({ status: 409, code: "APPLICATIONS_CLOSED" });
    expect(await refusal(family.api.create({ ...draft(fund.id), children: [] }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    expect(await refusal(family.api.create({ ...draft(fund.id), children: [{ firstName: "X", birthDate: "2020-02-30" }] }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });

    const open = await newFund();
    const created = await family.api.create(draft(open.id));
    const big = Buffer.concat([PNG_1x1.subarray(0, 33), Buffer.alloc(MAX_DOCUMENT_BYTES + 1 - PNG_1x1.length), PNG_1x1.subarray(33)]);
    expect(await refusal(family.api.upload(created.id, { documentKey: "income-statement", fileName: "scan.png", contentBase64: b64(big) })))
      .toMatchObject({ status: 413, code: "DOCUMENT_TOO_LARGE" });
    expect(await refusal(family.api.upload(created.id, { documentKey: "passport", fileName: "scan.png", contentBase64: b64(PNG_1x1) })))
      .toMatchObject({ status: 400, code: "INVALID_INPUT" });
    expect(await refusal(applicationsApi(family.client).staff.queue(open.id))).toMatchObject({ status: 401 });
    // Finance reviews no applications (the admin may: it may do the validator's work).
    const finance = (await app.loginAs(["finance"])).client;
    expect(await refusal(applicationsApi(finance).staff.approve(created.id))).toMatchObject({ status: 403, code: "FORBIDDEN" });
  });
});
