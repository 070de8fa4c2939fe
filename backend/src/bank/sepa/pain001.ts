// Writes a SEPA credit-transfer batch as ISO 20022 pain.001.001.03, the way the EPC implementation
// guidelines and the Dutch ZVP (Betaalvereniging) ask: SEPA characters only, ids of at most 35
// characters without a leading or double slash, one PmtInf with service level SEPA and charges SLEV,
// amounts in euros with two decimals, NbOfTxs and CtrlSum equal to the transactions'. Hand-written
// XML with every text escaped; IBANs and BICs checked with ibantools first.
import { electronicFormatIBAN, isValidBIC, isValidIBAN } from "ibantools";
import { DomainError } from "@tegoed/sdk";
import type { DebtorAccount } from "../index.ts";

export const PAIN_001_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03";
/** EPC: the largest amount of one SEPA credit transfer. */
export const MAX_SEPA_CENTS = 999_999_999_99n;

export interface SepaTransfer {
  /** Our payout reference: the EndToEndId the shop's bank passes on. */
  endToEndId: string;
  amountCents: bigint;
  creditorName: string;
  iban: string;
  bic: string | null;
  /** Unstructured remittance information (Ustrd): at most 140 characters. */
  remittance: string;
}

export interface Pain001Input {
  messageId: string;
  /** Used as PmtInfId too: one payment information block per file. */
  createdAt: Date;
  /** 'YYYY-MM-DD'. */
  executionDate: string;
  initiatingPartyName: string;
  debtor: DebtorAccount;
  transfers: readonly SepaTransfer[];
}

// EPC's basic Latin set: a-z A-Z 0-9 / - ? : ( ) . , ' + and space.
const NOT_SEPA = /[^A-Za-z0-9/\-?:().,'+ ]/g;
const ID = /^[A-Za-z0-9/\-?:().,'+ ]{1,35}$/;

/** Text in EPC's character set: accents dropped (é → e), "&" as "+", anything else as a space, trimmed to `max`. */
export function sepaText(text: string, max: number): string {
  const plain = text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/ß/g, "ss")
    .replace(/&/g, "+")
    .replace(NOT_SEPA, " ")
    .replace(/\s+/g, " ")
    .trim();
  return plain.slice(0, max).trim() || "NOTPROVIDED";
}

function checkId(value: string, field: string): string {
  if (!ID.test(value) || value.startsWith("/") || value.includes("//")) {
    throw new DomainError("INVALID_INPUT", undefined, { field, reason: "not a SEPA identifier (1 to 35 SEPA characters, no leading or double slash)" });
  }
  return value;
}

export function checkIban(iban: string, field: string): string {
  const electronic = electronicFormatIBAN(iban) ?? "";
  if (!isValidIBAN(electronic)) throw new DomainError("BANK_ACCOUNT_INVALID", undefined, { field, reason: "IBAN" });
  return electronic;
}

export function checkBic(bic: string, field: string): string {
  const upper = bic.trim().toUpperCase();
  if (!isValidBIC(upper)) throw new DomainError("BANK_ACCOUNT_INVALID", undefined, { field, reason: "BIC" });
  return upper;
}

const escapeXml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");

/** Cents as euros with two decimals, no float on the way. */
export function euros(cents: bigint): string {
  const whole = cents / 100n;
  const rest = (cents % 100n).toString().padStart(2, "0");
  return `${whole}.${rest}`;
}

/** Local wall-clock time without zone, as ZVP examples write CreDtTm. */
function isoDateTime(date: Date): string {
  return date.toISOString().slice(0, 19);
}

/** The pain.001.001.03 document. Throws BANK_ACCOUNT_INVALID or INVALID_INPUT before writing anything. */
export function buildPain001(input: Pain001Input): string {
  if (input.transfers.length === 0) throw new DomainError("INVALID_INPUT", "A SEPA file needs at least one transfer.", { field: "transfers" });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.executionDate)) throw new DomainError("INVALID_INPUT", undefined, { field: "executionDate" });
  const messageId = checkId(input.messageId, "messageId");
  const debtorIban = checkIban(input.debtor.iban, "debtor.iban");
  const debtorBic = checkBic(input.debtor.bic, "debtor.bic");
  const seen = new Set<string>();
  let total = 0n;
  const lines: string[] = [];
  for (const [i, t] of input.transfers.entries()) {
    const e2e = checkId(t.endToEndId, `transfers.${i}.endToEndId`);
    if (seen.has(e2e)) throw new DomainError("INVALID_INPUT", undefined, { field: `transfers.${i}.endToEndId`, reason: "listed twice" });
    seen.add(e2e);
    if (t.amountCents <= 0n || t.amountCents > MAX_SEPA_CENTS) {
      throw new DomainError("INVALID_INPUT", undefined, { field: `transfers.${i}.amountCents`, reason: "not 0.01 to 999999999.99 EUR" });
    }
    const iban = checkIban(t.iban, `transfers.${i}.iban`);
    const bic = t.bic ? checkBic(t.bic, `transfers.${i}.bic`) : null;
    total += t.amountCents;
    lines.push(
      "      <CdtTrfTxInf>",
      `        <PmtId><EndToEndId>${escapeXml(e2e)}</EndToEndId></PmtId>`,
      `        <Amt><InstdAmt Ccy="EUR">${euros(t.amountCents)}</InstdAmt></Amt>`,
      // EPC and ZVP: the creditor's BIC is optional within the EEA ("IBAN only").
      ...(bic ? [`        <CdtrAgt><FinInstnId><BIC>${bic}</BIC></FinInstnId></CdtrAgt>`] : []),
      `        <Cdtr><Nm>${escapeXml(sepaText(t.creditorName, 70))}</Nm></Cdtr>`,
      `        <CdtrAcct><Id><IBAN>${iban}</IBAN></Id></CdtrAcct>`,
      `        <RmtInf><Ustrd>${escapeXml(sepaText(t.remittance, 140))}</Ustrd></RmtInf>`,
      "      </CdtTrfTxInf>",
    );
  }
  const count = String(input.transfers.length);
  const sum = euros(total);
  const initiator = escapeXml(sepaText(input.initiatingPartyName, 70));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Document xmlns="${PAIN_001_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`,
    "  <CstmrCdtTrfInitn>",
    "    <GrpHdr>",
    `      <MsgId>${escapeXml(messageId)}</MsgId>`,
    `      <CreDtTm>${isoDateTime(input.createdAt)}</CreDtTm>`,
    `      <NbOfTxs>${count}</NbOfTxs>`,
    `      <CtrlSum>${sum}</CtrlSum>`,
    `      <InitgPty><Nm>${initiator}</Nm></InitgPty>`,
    "    </GrpHdr>",
    "    <PmtInf>",
    `      <PmtInfId>${escapeXml(messageId)}</PmtInfId>`,
    "      <PmtMtd>TRF</PmtMtd>",
    "      <BtchBookg>true</BtchBookg>",
    `      <NbOfTxs>${count}</NbOfTxs>`,
    `      <CtrlSum>${sum}</CtrlSum>`,
    "      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>",
    `      <ReqdExctnDt>${input.executionDate}</ReqdExctnDt>`,
    `      <Dbtr><Nm>${escapeXml(sepaText(input.debtor.name, 70))}</Nm></Dbtr>`,
    `      <DbtrAcct><Id><IBAN>${debtorIban}</IBAN></Id><Ccy>EUR</Ccy></DbtrAcct>`,
    `      <DbtrAgt><FinInstnId><BIC>${debtorBic}</BIC></FinInstnId></DbtrAgt>`,
    "      <ChrgBr>SLEV</ChrgBr>",
    ...lines,
    "    </PmtInf>",
    "  </CstmrCdtTrfInitn>",
    "</Document>",
    "",
  ].join("\n");
}
