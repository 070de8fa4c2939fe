// Shared set-up of the payout tests: shops owed money on a real chain, payout deps over the simulated
// bank, the simulated bank's ledger as a user (the shop) would check it, and xmllint for SEPA files.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Db } from "../../../src/db/transaction.ts";
import { simulatedBank, type SimulatedBankOptions } from "../../../src/bank/simulated.ts";
import type { BankAdapter } from "../../../src/bank/index.ts";
import { InjectedCrash, type CrashPoint, type PayoutDeps } from "../../../src/domain/payouts/index.ts";
import type { Merchant } from "../../../src/domain/merchants/merchants.service.ts";
import { type TestChain, activeBudgets, signPermit } from "../../chain/harness.ts";
import { approvedMerchant, depsFor, type ChainFunds } from "../payments/support.ts";

export const XSD = fileURLToPath(new URL("../../../src/bank/sepa/pain.001.001.03.xsd", import.meta.url));

/** Runs xmllint --schema on the document; returns its verdict and messages. */
export function xmllint(xml: string): { valid: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "tegoed-pain001-"));
  const file = join(dir, "pain.001.xml");
  writeFileSync(file, xml);
  const result = spawnSync("xmllint", ["--noout", "--schema", XSD, file], { encoding: "utf8", maxBuffer: 64 << 20 });
  return { valid: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

export function payoutDeps(db: Db, t: TestChain, extra: Partial<PayoutDeps> & { bankOptions?: SimulatedBankOptions } = {}): PayoutDeps {
  const { bankOptions, ...rest } = extra;
  const bank: BankAdapter = rest.bank ?? simulatedBank(db, bankOptions);
  return { db, fund: depsFor(db, t).fund, bank, log: () => {}, ...rest };
}

/** A crash hook that stops the first payout reaching `point`, once. */
export function crashOnceAt(point: CrashPoint) {
  let fired = false;
  return (at: CrashPoint) => {
    if (at === point && !fired) {
      fired = true;
      throw new InjectedCrash(at);
    }
  };
}

/** A new shop approved for the main fund, owed `cents` after a family paid it on chain. */
export async function owedShop(db: Db, t: TestChain, funds: ChainFunds, cents: bigint): Promise<Merchant> {
  const shop = await approvedMerchant(depsFor(db, t), funds);
  await pay(t, shop.chainAddress!, cents);
  return shop;
}

export async function pay(t: TestChain, shopAddress: string, cents: bigint): Promise<void> {
  const [budget] = await activeBudgets(t, 1, cents);
  const { permit, signature } = await signPermit(t, budget!.family, t.fund, budget!.budgetId, { maxAmount: cents });
  await t.fund.pay(permit, signature, shopAddress, cents);
}

/** What the simulated bank transferred under each of these references. */
export async function bankTransfers(db: Db, references: readonly string[]) {
  if (references.length === 0) return [];
  return db.selectFrom("simulated_bank_transfers").selectAll().where("reference", "in", references).orderBy("id").execute();
}

export async function payoutsOf(db: Db, merchantId: string) {
  return db.selectFrom("payouts").selectAll().where("merchant_id", "=", merchantId).orderBy("created_at").execute();
}

/** A camt.053.001.02 statement with one batch-booked debit entry per list (and an incoming credit, to be ignored). */
export function camt053(entries: { status?: "BOOK" | "PDNG"; transactions: { endToEndId: string; amount: string }[] }[]): string {
  const ntry = entries.map((e) => `
      <Ntry>
        <Amt Ccy="EUR">${e.transactions.reduce((s, t) => s + Number(t.amount.replace(".", "")), 0) / 100}</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>${e.status ?? "BOOK"}</Sts>
        <BookgDt><Dt>2026-11-24</Dt></BookgDt>
        <ValDt><Dt>2026-11-24</Dt></ValDt>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <Btch><NbOfTxs>${e.transactions.length}</NbOfTxs></Btch>${e.transactions.map((t) => `
          <TxDtls>
            <Refs><EndToEndId>${t.endToEndId}</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">${t.amount}</Amt></TxAmt></AmtDtls>
            <RltdPties><Cdtr><Nm>Winkel</Nm></Cdtr></RltdPties>
          </TxDtls>`).join("")}
        </NtryDtls>
      </Ntry>`).join("");
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>STMT-20261124</MsgId><CreDtTm>2026-11-24T06:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-20261124-1</Id>
      <CreDtTm>2026-11-24T06:00:00</CreDtTm>
      <Acct><Id><IBAN>NL02ABNA0123456789</IBAN></Id></Acct>
      <Ntry>
        <Amt Ccy="EUR">500.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <NtryDtls><TxDtls><Refs><EndToEndId>SPONSOR-DEPOSIT-1</EndToEndId></Refs></TxDtls></NtryDtls>
      </Ntry>${ntry}
    </Stmt>
  </BkToCstmrStmt>
</Document>
`;
}
