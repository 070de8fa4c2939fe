// Reads what Tegoed needs from a bank statement in ISO 20022 camt.053 (001.02 up to 001.08): the booked
// debit transactions with their EndToEndId (our payout reference), amount and currency. Parsed as XML
// (fast-xml-parser), so namespace prefixes, element order and nesting are the document's business: an
// amount is read only where the standard puts it. A batch booking is one entry (Ntry) with a transaction
// (TxDtls) per payout. Credits, reversals and entries not booked are left out; anything else in the
// statement is ignored.
import { XMLParser } from "fast-xml-parser";
import { DomainError } from "@tegoed/sdk";

export interface StatementTransaction {
  endToEndId: string;
  amountCents: bigint;
  /** ISO 4217 code of the amount (a payout is in EUR; anything else is not ours to confirm). */
  currency: string;
  /** 'YYYY-MM-DD' of the booking, when given. */
  bookingDate: string | null;
}

type Node = Record<string, unknown>;

const REPEATED = new Set(["Stmt", "Ntry", "NtryDtls", "TxDtls"]);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => REPEATED.has(name),
});

const CAMT053 = /^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d{2}$/;

function invalid(message: string, details: Record<string, string> = {}): DomainError {
  return new DomainError("INVALID_INPUT", message, { field: "camt053", ...details });
}

const node = (value: unknown): Node | undefined => (value && typeof value === "object" && !Array.isArray(value) ? (value as Node) : undefined);
const list = (value: unknown): Node[] => (Array.isArray(value) ? value.map(node).filter((n): n is Node => n !== undefined) : []);
const text = (value: unknown): string | null => {
  if (typeof value === "string") return value;
  const n = node(value);
  return n && typeof n["#text"] === "string" ? n["#text"] : null;
};
const at = (from: unknown, ...path: string[]): unknown => path.reduce<unknown>((n, key) => node(n)?.[key], from);

/** An `Amt` element: its value in cents and its currency. */
function amount(value: unknown): { cents: bigint; currency: string } | null {
  const n = node(value);
  const raw = text(value);
  if (!n || raw === null) return null;
  const match = /^(\d{1,15})(?:\.(\d{1,2}))?$/.exec(raw);
  if (!match) throw invalid("The statement has an amount that is not in units and cents.", { value: raw.slice(0, 20) });
  const currency = typeof n["@Ccy"] === "string" ? n["@Ccy"] : "";
  if (!/^[A-Z]{3}$/.test(currency)) throw invalid("The statement has an amount without its currency.", { value: raw.slice(0, 20) });
  return { cents: BigInt(match[1]!) * 100n + BigInt((match[2] ?? "0").padEnd(2, "0")), currency };
}

/** Booked: `<Sts>BOOK</Sts>` (001.02-05) or `<Sts><Cd>BOOK</Cd></Sts>` (001.06 on). */
const booked = (entry: Node) => (text(entry.Sts) ?? text(at(entry, "Sts", "Cd"))) === "BOOK";
const reversed = (n: Node) => text(n.RvslInd) === "true";

/** The booked outgoing (DBIT) transactions of every statement in the document. */
export function readCamt053(xml: string): StatementTransaction[] {
  // The root and its namespace, before anything else is read.
  const root = /<(?:([\w.-]+):)?Document\b([^>]*)>/.exec(xml.slice(0, 4000));
  const ns = root && new RegExp(`xmlns${root[1] ? `:${root[1]}` : ""}\\s*=\\s*["']([^"']+)["']`).exec(root[2]!)?.[1];
  if (!ns || !CAMT053.test(ns)) throw invalid("This is not a camt.053 bank statement.", { field: "statement" });
  let doc: Node;
  try {
    doc = parser.parse(xml, true) as Node;
  } catch (error) {
    throw invalid("The statement is not well-formed XML.", { reason: String((error as Error).message).slice(0, 200) });
  }
  const out: StatementTransaction[] = [];
  for (const statement of list(at(doc, "Document", "BkToCstmrStmt", "Stmt"))) {
    for (const entry of list(statement.Ntry)) {
      if (!booked(entry) || reversed(entry)) continue;
      const entryDirection = text(entry.CdtDbtInd);
      const bookingDate = (text(at(entry, "BookgDt", "Dt")) ?? text(at(entry, "BookgDt", "DtTm"))?.slice(0, 10)) ?? null;
      const details = list(entry.NtryDtls).flatMap((d) => list(d.TxDtls));
      for (const tx of details) {
        // A transaction may state its own direction (001.03 on); else it is the entry's.
        if ((text(tx.CdtDbtInd) ?? entryDirection) !== "DBIT") continue;
        const endToEndId = text(at(tx, "Refs", "EndToEndId"));
        if (!endToEndId || endToEndId === "NOTPROVIDED") continue;
        // The transaction's own amount (AmtDtls/TxAmt, or Amt from 001.03 on); a single transaction's may
        // be on the entry only.
        const own = amount(at(tx, "AmtDtls", "TxAmt", "Amt")) ?? amount(tx.Amt) ?? (details.length === 1 ? amount(entry.Amt) : null);
        if (!own) continue;
        out.push({ endToEndId, amountCents: own.cents, currency: own.currency, bookingDate });
      }
    }
  }
  return out;
}
