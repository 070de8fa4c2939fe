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
  knownFamilyId: null, familyId: null, fourEyes: false, firstApprovedBy: null,
};

function fakeRequest() {
  return vi.fn(async (method: string, path: string, options?: { body?: unknown }) => {
    if (method === "GET" && path.startsWith(`/api/funds/${FUND.id}/applications`)) {
      return { total: 1, applications: [{ id: APP_ID, status: "submitted", parentName: "Sanne de Jong", children: 1, submittedAt: REVIEW.submittedAt, failingCriteria: 1, openQuestion: false }] };
    }
    if (method === "GET" && path === `/api/applications/${APP_ID}`) return REVIEW;
    if (method === "POST" && path === `/api/applications/${APP_ID}/approve`) return { ...REVIEW, status: "approved", familyId: "3d0f6a8e-1b2c-4d5e-8f90-a1b2c3d4e5f6" };
    if (method === "GET" && path === `/api/funds/${FUND.id}/application-settings`) {
      return { open: false, fourEyes: false, retentionDays: 365, consentText: "", criteria: [], documents: [] };
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

  it("criteria that are not valid are refused with the field named; valid ones are saved", async () => {
    const request = fakeRequest();
    renderScreen(<ApplicationsPage />, { api: { request } as never, roles: ["validator"] });
    await userEvent.click(await screen.findByRole("button", { name: "Criteria and documents" }));
    const criteria = await screen.findByLabelText("Criteria (JSON)");
    await userEvent.clear(criteria);
    await userEvent.click(criteria);
    await userEvent.paste('[{"id":"income","kind":"number","label":"","max":2200}]');
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/^Not valid: criteria\.0\.label/);

    await userEvent.clear(criteria);
    await userEvent.click(criteria);
    await userEvent.paste('[{"id":"income","kind":"number","label":"Net income","max":2200}]');
    await userEvent.click(screen.getByLabelText("Families may apply for this fund"));
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await screen.findByText("Saved.");
    expect(request).toHaveBeenCalledWith("PUT", `/api/funds/${FUND.id}/application-settings`, expect.objectContaining({
      body: expect.objectContaining({ open: true, criteria: [expect.objectContaining({ id: "income", kind: "number", max: 2200, label: "Net income" })] }),
    }));
  });
});
