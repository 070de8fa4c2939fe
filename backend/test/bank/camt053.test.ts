// Reading a camt.053 bank statement: the booked debits with their EndToEndId and amount; credits,
// pending entries and anything not a camt.053 are left out or refused.
import { describe, expect, it } from "vitest";
import { readCamt053 } from "../../src/bank/sepa/camt053.ts";
import { camt053 } from "../domain/payouts/support.ts";

describe("camt.053", () => {
  it("reads each transaction of a batch booking with its EndToEndId and amount in cents", () => {
    const xml = camt053([{ transactions: [{ endToEndId: "TGD-20261123-AAAAAAAAAA", amount: "12.50" }, { endToEndId: "TGD-20261123-BBBBBBBBBB", amount: "7.05" }] }]);
    expect(readCamt053(xml)).toEqual([
      { endToEndId: "TGD-20261123-AAAAAAAAAA", amountCents: 12_50n, bookingDate: "2026-11-24" },
      { endToEndId: "TGD-20261123-BBBBBBBBBB", amountCents: 7_05n, bookingDate: "2026-11-24" },
    ]);
  });

  it("leaves out incoming credits and entries not yet booked", () => {
    const xml = camt053([{ status: "PDNG", transactions: [{ endToEndId: "TGD-P", amount: "1.00" }] }]);
    expect(readCamt053(xml)).toEqual([]);
  });

  it("refuses a document that is no camt.053", () => {
    expect(() => readCamt053('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>')).toThrow(/not a camt.053/);
  });
});
