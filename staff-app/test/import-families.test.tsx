import { describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { ImportFamilies } from "../src/features/eligibility/ImportFamilies.tsx";
import { FUND, renderScreen } from "./render.tsx";
import nl from "../src/i18n/nl.json" with { type: "json" };

const HEADER = "family_ref,parent_name,address_line1,postal_code,city,language,child_first_name,child_birth_year";
const CSV = [HEADER, "F1,Jan Jansen,Dorpsstraat 1,9801 AA,Zuidhorn,nl,Anna,2018", "F2,Piet Bos,Dorpsstraat 2,98011 AA,Zuidhorn,nl,Bram,2017"].join("\n");

describe("ImportFamilies", () => {
  it("shows a preview with the rejected row and why, then imports the valid families and shows the server's report", async () => {
    const importFamilies = vi.fn().mockResolvedValue({ committed: true, accepted: 1, families: 1, rejected: [{ row: 3, field: "postal_code", reason: "is not a Dutch postal code (1234 AB)", code: "postalCode" }] });
    renderScreen(<ImportFamilies fundId={FUND.id} currentYear={2026} />, { api: { eligibility: { importFamilies } } });

    await userEvent.upload(screen.getByLabelText("CSV file"), new File([CSV], "families.csv", { type: "text/csv" }));

    const rejected = await screen.findByRole("table", { name: "Rejected rows and why" });
    const rows = within(rejected).getAllByRole("row").slice(1).map((r) => within(r).getAllByRole("cell").map((c) => c.textContent));
    expect(rows).toEqual([["3", "postal_code", "is not a Dutch postal code (1234 AB)"]]);
    expect(screen.getByText("2 rows read: 1 valid in 1 complete family, 1 rejected.")).toBeInTheDocument();
    // With a rejected row the whole file cannot be imported, only its valid families.
    expect(screen.queryByRole("button", { name: "Import the whole file" })).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Import the valid family" }));

    expect(importFamilies).toHaveBeenCalledWith(FUND.id, { csv: CSV, mode: "valid-rows" });
    expect(await screen.findByText("Imported 1 family with 1 child; 1 row rejected.")).toBeInTheDocument();
    expect(screen.getByRole("table", { name: "Rejected by the server" })).toHaveTextContent("is not a Dutch postal code (1234 AB)");
  });

  it("shows the server's reasons in the screen's language, never its English", async () => {
    const importFamilies = vi.fn().mockResolvedValue({
      committed: false, accepted: 0, families: 0,
      rejected: [
        { row: 2, field: "family_ref", reason: "this family was imported before", code: "importedBefore" },
        { row: 3, field: "family_ref", reason: "row 2 of the same family was rejected", code: "familyRejected", params: { other: 2 } },
      ],
    });
    renderScreen(<ImportFamilies fundId={FUND.id} currentYear={2026} />, { api: { eligibility: { importFamilies } }, language: "nl" });
    const file = [HEADER, "F1,Jan Jansen,Dorpsstraat 1,9801 AA,Zuidhorn,nl,Anna,2018", "F1,Jan Jansen,Dorpsstraat 1,9801 AA,Zuidhorn,nl,Bram,2017"].join("\n");
    await userEvent.upload(screen.getByLabelText("CSV-bestand"), new File([file], "gezinnen.csv", { type: "text/csv" }));
    await userEvent.click(await screen.findByRole("button", { name: nl.eligibility.importAll }));
    const table = await screen.findByRole("table", { name: nl.eligibility.serverRejectedCaption });
    expect(table).toHaveTextContent("dit gezin is al eerder geïmporteerd");
    expect(table).toHaveTextContent("regel 2 van hetzelfde gezin is afgekeurd");
    expect(table).not.toHaveTextContent("imported before");
    expect(screen.getByText("Er is niets geïmporteerd: 2 regels afgekeurd.")).toBeInTheDocument();
  });

  it("names missing columns in Dutch and offers no import", async () => {
    const importFamilies = vi.fn();
    renderScreen(<ImportFamilies fundId={FUND.id} currentYear={2026} />, { api: { eligibility: { importFamilies } }, language: "nl" });
    await userEvent.upload(screen.getByLabelText("CSV-bestand"), new File(["family_ref,parent_name\nF1,Jan\n"], "x.csv", { type: "text/csv" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Het bestand mist deze kolommen: address_line1, postal_code, city, child_first_name, child_birth_year.");
    expect(screen.queryByRole("button", { name: /importeren/ })).not.toBeInTheDocument();
    expect(importFamilies).not.toHaveBeenCalled();
  });

  it("imports a file without rejected rows whole, and shows a refusal in our own words", async () => {
    const { ApiError } = await import("@tegoed/sdk");
    const importFamilies = vi.fn().mockRejectedValue(new ApiError("CSV_UNREADABLE", 400, "server text"));
    renderScreen(<ImportFamilies fundId={FUND.id} currentYear={2026} />, { api: { eligibility: { importFamilies } } });
    await userEvent.upload(screen.getByLabelText("CSV file"), new File([CSV.split("\n").slice(0, 2).join("\n")], "ok.csv", { type: "text/csv" }));
    await userEvent.click(await screen.findByRole("button", { name: "Import the whole file" }));
    await waitFor(() => expect(importFamilies).toHaveBeenCalledWith(FUND.id, expect.objectContaining({ mode: "all-or-nothing" })));
    expect(await screen.findByRole("alert")).toHaveTextContent("The file is not CSV with the expected columns.");
  });
});
