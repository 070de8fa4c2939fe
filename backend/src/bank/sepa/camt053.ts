// Reads what Tegoed needs from a bank statement in ISO 20022 camt.053 (001.02 up to 001.08): the booked
// debit transactions with their EndToEndId (our payout reference) and amount. A batch booking is one
// entry (Ntry) with a transaction (TxDtls) per payout. Only well-formed statements are read; anything
// else in them is ignored.
import { DomainError } from "@tegoed/sdk";

export interface StatementTransaction {
  endToEndId: string;
  amountCents: bigint;
  /** 'YYYY-MM-DD' of the booking, when given. */
  bookingDate: string | null;
}

const unescape = (text: string) =>
  text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");

function blocks(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => m[1]!);
}

function first(xml: string, tag: string): string | null {
  const match = new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`).exec(xml);
  return match ? unescape(match[1]!.trim()) : null;
}

function cents(amount: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(amount);
  if (!match) throw new DomainError("INVALID_INPUT", "The statement has an amount that is not in euros and cents.", { field: "Amt", value: amount.slice(0, 20) });
  return BigInt(match[1]!) * 100n + BigInt((match[2] ?? "0").padEnd(2, "0"));
}

/** The booked outgoing (DBIT) transactions of every statement in the document. */
export function readCamt053(xml: string): StatementTransaction[] {
  if (!/<Document[\s>][\s\S]*urn:iso:std:iso:20022:tech:xsd:camt\.053\./.test(xml.slice(0, 2000))) {
    throw new DomainError("INVALID_INPUT", "This is not a camt.053 bank statement.", { field: "statement" });
  }
  const out: StatementTransaction[] = [];
  for (const entry of blocks(xml, "Ntry")) {
    const withoutDetails = entry.replace(/<NtryDtls>[\s\S]*<\/NtryDtls>/, "");
    if (first(withoutDetails, "CdtDbtInd") !== "DBIT") continue;
    const status = first(withoutDetails, "Sts") ?? first(withoutDetails, "Cd");
    if (status !== "BOOK") continue;
    const bookingDate = first(blocks(withoutDetails, "BookgDt")[0] ?? "", "Dt");
    const details = blocks(entry, "TxDtls");
    for (const tx of details) {
      const endToEndId = first(blocks(tx, "Refs")[0] ?? "", "EndToEndId");
      if (!endToEndId || endToEndId === "NOTPROVIDED") continue;
      // The transaction's own amount; a single-transaction entry may give it only on the entry.
      const amount = first(blocks(tx, "TxAmt")[0] ?? "", "Amt") ?? first(tx, "Amt") ?? (details.length === 1 ? first(withoutDetails, "Amt") : null);
      if (amount === null) continue;
      out.push({ endToEndId, amountCents: cents(amount), bookingDate });
    }
  }
  return out;
}
