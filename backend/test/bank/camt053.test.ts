// Reading a camt.053 bank statement: the booked debits with their EndToEndId and amount; credits,
// pending entries and anything not a camt.053 are left out or refused.
import { describe, expect, it } from "vitest";
import { readCamt053 } from "../../src/bank/sepa/camt053.ts";
import { camt053 } from "../domain/payouts/support.ts";
import { bankStatement } from "./statements.ts";

describe("camt.053", () => {
  it("reads each transaction of a batch booking with its EndToEndId and amount in cents", () => {
    const xml = camt053([{ transactions: [{ endToEndId: "TGD-20261123-AAAAAAAAAA", amount: "12.50" }, { endToEndId: "TGD-20261123-BBBBBBBBBB", amount: "7.05" }] }]);
    expect(readCamt053(xml)).toEqual([
      { endToEndId: "TGD-20261123-AAAAAAAAAA", amountCents: 12_50n, currency: "EUR", bookingDate: "2026-11-24" },
      { endToEndId: "TGD-20261123-BBBBBBBBBB", amountCents: 7_05n, currency: "EUR", bookingDate: "2026-11-24" },
    ]);
  });

  it("leaves out incoming credits and entries not yet booked", () => {
    const xml = camt053([{ status: "PDNG", transactions: [{ endToEndId: "TGD-P", amount: "1.00" }] }]);
    expect(readCamt053(xml)).toEqual([]);
  });

  it("refuses a document that is no camt.053", () => {
    expect(() => readCamt053('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>')).toThrow(/not a camt.053/);
  });

  it("reads 5,000 entries over three daily files with namespace prefixes: only our booked debits, each with its own amount and currency", () => {
    const files = [
      bankStatement("2026-11-24", 1_700, [{ endToEndId: "TGD-A", amount: "12.50" }, { endToEndId: "TGD-B", amount: "7.05" }], 1),
      bankStatement("2026-11-25", 1_700, [{ endToEndId: "TGD-C", amount: "300.00", currency: "USD" }], 2),
      bankStatement("2026-11-26", 1_600, [], 3),
    ];
    const all = files.flatMap((file) => readCamt053(file));
    const ours = all.filter((t) => t.endToEndId.startsWith("TGD-"));
    expect(ours).toEqual([
      { endToEndId: "TGD-A", amountCents: 12_50n, currency: "EUR", bookingDate: "2026-11-24" },
      { endToEndId: "TGD-B", amountCents: 7_05n, currency: "EUR", bookingDate: "2026-11-24" },
      { endToEndId: "TGD-C", amountCents: 300_00n, currency: "USD", bookingDate: "2026-11-25" },
    ]);
    // Credits, reversals, pending entries and NOTPROVIDED references are left out; every other debit is read.
    expect(all.every((t) => !t.endToEndId.startsWith("IN-"))).toBe(true);
    expect(all.length).toBeGreaterThan(1_500);
    expect(all.length).toBeLessThan(5_000);
  });

  it("takes a single transaction's amount from its entry, never a charge nested inside its details", () => {
    const xml = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Ntry>
      <CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><Amt Ccy="EUR">12.50</Amt>
      <NtryDtls><TxDtls><Chrgs><Amt Ccy="EUR">0.50</Amt></Chrgs><Refs><EndToEndId>TGD-X</EndToEndId></Refs></TxDtls></NtryDtls>
    </Ntry></Stmt></BkToCstmrStmt></Document>`;
    expect(readCamt053(xml)).toEqual([{ endToEndId: "TGD-X", amountCents: 12_50n, currency: "EUR", bookingDate: null }]);
  });

  it("leaves out a transaction that says it is a credit inside a debit entry", () => {
    const xml = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04"><BkToCstmrStmt><Stmt><Ntry>
      <Amt Ccy="EUR">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
      <NtryDtls><TxDtls><Refs><EndToEndId>TGD-Y</EndToEndId></Refs><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></TxDtls></NtryDtls>
    </Ntry></Stmt></BkToCstmrStmt></Document>`;
    expect(readCamt053(xml)).toEqual([]);
  });

  it("refuses XML that is not well-formed", () => {
    expect(() => readCamt053('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>')).toThrow(/not well-formed/);
  });
});
