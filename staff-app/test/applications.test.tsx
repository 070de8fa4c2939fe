// The applications screen: the queue, one application against its criteria (a mark where an answer
// fails), its document inline, approve; and the fund's criteria, refused when not valid.
import { describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import type { ApplicationReview } from "@tegoed/sdk";
import { ApplicationsPage } from "../src/features/applications/ApplicationsPage.tsx";
import { FUND, renderScreen } from "./render.tsx";

const APP_ID = "9a0e2f4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b";
const DOC_ID = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";

const REVIEW: ApplicationReview = {
  id: APP_ID, fundId: FUND.id, fundName: FUND.name, status: "submitted",
  household: { parentName: "Sanne de Jong", addressLine1: "Hoofdstraat 41", addressLine2: "", postalCode: "9801 CE", city: "Zuidhorn", language: "nl" },
  children: [{ firstName: "Noor", birthDate: "2018-05-14" }], answers: { "lives-here": true, income: 2_450 },
  documents: [{ id: DOC_ID, documentKey: "income-statement", contentType: "application/pdf", sizeBytes: 1234, uploadedAt: "2026-12-01T10:00:00.000Z" }],
  messages: [], declineReason: null, submittedAt: "2026-12-01T10:00:00.000Z", decidedAt: null, canActivate: false,
  criteria: [
    { id: "lives-here", kind: "yes-no", label: "Lives in the municipality", explanation: "", expected: true },
    { id: "income", kind: "number", label: "Net income per month", explanation: "", max: 2_200, unit: "EUR" },
  ],
  requestedDocuments: [{ key: "income-statement", label: "Income statement", explanation: "", required: true }],
  results: [{ criterionId: "lives-here", passes: true }, { criterionId: "income", passes: false }],
  knownFamilyId: null, familyId: null, fourEyes: false, firstApprovedBy: null, hasBsn: true,
};

function fakeRequest() {
  return vi.fn(async (method: string, path: string, options?: { body?: unknown }) => {
    if (method === "GET" && path.startsWith(`/api/funds/${FUND.id}/applications`)) {
      return { total: 1, applications: [{ id: APP_ID, status: "submitted", parentName: "Sanne de Jong", children: 1, submittedAt: REVIEW.submittedAt, failingCriteria: 1, openQuestion: false }] };
    }
    if (method === "GET" && path === `/api/applications/${APP_ID}`) return REVIEW;
    if (method === "POST" && path === `/api/applications/${APP_ID}/bsn`) return { bsn: "999990019" };
    if (method === "POST" && path === `/api/applications/${APP_ID}/approve`) return { ...REVIEW, status: "approved", familyId: "3d0f6a8e-1b2c-4d5e-8f90-a1b2c3d4e5f6" };
    if (method === "GET" && path === `/api/funds/${FUND.id}/application-settings`) {
      return {
        open: false, fourEyes: false, retentionDays: 365, consentText: "", bsnRequired: false,
        criteria: [{ id: "lives-here", kind: "yes-no", label: "Lives in the municipality", explanation: "", expected: true }],
        documents: [],
      };
    }
    if (method === "PUT" && path === `/api/funds/${FUND.id}/application-settings`) return options!.body;
    throw new Error(`unexpected ${method} ${path}`);
  });
}

describe("ApplicationsPage", () => {
  it("lists the queue, shows an application against its criteria with its document inline, and approves it", async () => {
    const request = fakeRequest();
    renderScreen(<ApplicationsPage />, { api: { request } as never, roles: ["validator"] });
    const row = (await screen.findByRole("button", { name: "Sanne de Jong" })).closest("tr")!;
    expect(within(row).getByText("1 not met")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Sanne de Jong" }));

    const answers = await screen.findByRole("table", { name: "Answers against the criteria" });
    const income = within(answers).getByRole("row", { name: /Net income per month/ });
    expect(within(income).getByText("2450")).toBeTruthy();
    expect(within(income).getByText(/not met/)).toBeTruthy();
    expect(within(within(answers).getByRole("row", { name: /Lives in the municipality/ })).getByText("Yes")).toBeTruthy();
    expect(screen.getByTitle("Income statement").getAttribute("src")).toBe(`/api/applications/${APP_ID}/documents/${DOC_ID}`);

    await userEvent.click(screen.getByRole("button", { name: "Approve and issue the budgets" }));
    await screen.findByText("Done.");
    expect(request).toHaveBeenCalledWith("POST", `/api/applications/${APP_ID}/approve`, expect.anything());
    expect(screen.getByText("Approved")).toBeTruthy();
  });

  it("an auditor sees the queue but no settings and no decision buttons", async () => {
    renderScreen(<ApplicationsPage />, { api: { request: fakeRequest() } as never, roles: ["auditor"] });
    await userEvent.click(await screen.findByRole("button", { name: "Sanne de Jong" }));
    await screen.findByRole("table", { name: "Answers against the criteria" });
    expect(screen.queryByRole("button", { name: "Approve and issue the budgets" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Criteria and documents" })).toBeNull();
  });

  it("a validator sees the BSN only on request", async () => {
    const request = fakeRequest();
    renderScreen(<ApplicationsPage />, { api: { request } as never, roles: ["validator"] });
    await userEvent.click(await screen.findByRole("button", { name: "Sanne de Jong" }));
    await screen.findByRole("table", { name: "Answers against the criteria" });
    expect(screen.queryByText("999990019")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Show the BSN (this is logged)" }));
    expect(await screen.findByText("999990019")).toBeTruthy();
    expect(request).toHaveBeenCalledWith("POST", `/api/applications/${APP_ID}/bsn`, expect.anything());
  });

  it("an admin reviews but gets no BSN button (the BSN is the validators' alone)", async () => {
    renderScreen(<ApplicationsPage />, { api: { request: fakeRequest() } as never, roles: ["admin"] });
    await userEvent.click(await screen.findByRole("button", { name: "Sanne de Jong" }));
    await screen.findByRole("table", { name: "Answers against the criteria" });
    expect(screen.getByRole("button", { name: "Approve and issue the budgets" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Show the BSN (this is logged)" })).toBeNull();
  });

  it("the criteria editor: questions of every type added, reordered and removed, documents asked for; refusals name the field in words", async () => {
    const user = userEvent.setup({ delay: null });
    const request = fakeRequest();
    renderScreen(<ApplicationsPage />, { api: { request } as never, roles: ["validator"] });
    await user.click(await screen.findByRole("button", { name: "Criteria and documents" }));
    const first = await screen.findByRole("group", { name: "Question 1" });
    expect((within(first).getByLabelText("Question text") as HTMLInputElement).value).toBe("Lives in the municipality");

    // A number question with an empty text and no limit: refused, said in words.
    await user.click(screen.getByRole("button", { name: "Add a question" }));
    const second = screen.getByRole("group", { name: "Question 2" });
    await user.selectOptions(within(second).getByLabelText("Type of answer"), "number");
    await user.click(screen.getByRole("button", { name: "Save" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Question 2, Question text: must not be empty");
    expect(alert.textContent).toContain("Question 2, At most: must be a whole number");
    expect(request).not.toHaveBeenCalledWith("PUT", expect.anything(), expect.anything());

    await user.type(within(second).getByLabelText("Question text"), "Net income per month");
    await user.type(within(second).getByLabelText("At most"), "2200");
    await user.type(within(second).getByLabelText("Unit (e.g. EUR)"), "EUR");

    // A choice: three options, the second and third qualify.
    await user.click(screen.getByRole("button", { name: "Add a question" }));
    const third = screen.getByRole("group", { name: "Question 3" });
    await user.selectOptions(within(third).getByLabelText("Type of answer"), "choice");
    await user.type(within(third).getByLabelText("Question text"), "Your situation");
    await user.click(within(third).getByRole("button", { name: "Add an option" }));
    for (const [n, label] of [[1, "Employed"], [2, "Benefits"], [3, "Student"]] as const) await user.type(within(third).getByLabelText(`Option ${n}`), label);
    await user.click(within(third).getByLabelText("qualifies (option 1)"));
    await user.click(within(third).getByLabelText("qualifies (option 2)"));
    await user.click(within(third).getByLabelText("qualifies (option 3)"));

    // A date per child, then moved to the top; the yes/no question removed.
    await user.click(screen.getByRole("button", { name: "Add a question" }));
    const fourth = screen.getByRole("group", { name: "Question 4" });
    await user.selectOptions(within(fourth).getByLabelText("Type of answer"), "date");
    await user.type(within(fourth).getByLabelText("Question text"), "Date of birth");
    await user.type(within(fourth).getByLabelText("From date"), "2009-01-01");
    await user.click(within(fourth).getByLabelText("Asked per child (the child's date of birth)"));
    for (const n of [4, 3, 2]) await user.click(screen.getByRole("button", { name: `Move question ${n} up` }));
    await user.click(screen.getByRole("button", { name: "Remove question 2" }));

    await user.click(screen.getByRole("button", { name: "Add a document" }));
    await user.type(screen.getByLabelText("Name of the document"), "Income statement");
    await user.click(screen.getByLabelText("Families may apply for this fund"));
    await user.click(screen.getByLabelText(/This fund needs the applicant's BSN/));
    await user.click(screen.getByRole("button", { name: "Save" }));
    await screen.findByText("Saved.");
    const put = request.mock.calls.find(([method]) => method === "PUT")!;
    expect(put[2]!.body).toEqual({
      open: true, fourEyes: false, bsnRequired: true, retentionDays: 365, consentText: "",
      criteria: [
        { id: "question-4", kind: "date", label: "Date of birth", explanation: "", from: "2009-01-01", children: true },
        { id: "question-2", kind: "number", label: "Net income per month", explanation: "", max: 2200, unit: "EUR" },
        {
          id: "question-3", kind: "choice", label: "Your situation", explanation: "",
          options: [{ value: "option-1", label: "Employed" }, { value: "option-2", label: "Benefits" }, { value: "option-3", label: "Student" }],
          accepted: ["option-2", "option-3"],
        },
      ],
      documents: [{ key: "document-1", label: "Income statement", explanation: "", required: true }],
    });
  }, 30_000);

  it("the editor speaks Dutch in Dutch", async () => {
    renderScreen(<ApplicationsPage />, { api: { request: fakeRequest() } as never, roles: ["validator"], language: "nl" });
    await userEvent.click(await screen.findByRole("button", { name: "Voorwaarden en documenten" }));
    await userEvent.clear(within(await screen.findByRole("group", { name: "Vraag 1" })).getByLabelText("Tekst van de vraag"));
    await userEvent.click(screen.getByRole("button", { name: "Opslaan" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Vraag 1, Tekst van de vraag: mag niet leeg zijn");
  });
});
