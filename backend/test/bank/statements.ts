// Realistic camt.053.001.08 statements of a municipality's account, as a bank exports them: a namespace
// prefix, Sts/Cd, entries of every kind (incoming credits, card and direct debits, batch bookings,
// charges nested in transaction details, a reversal), with our payouts somewhere among thousands.
export interface OurPayout {
  endToEndId: string;
  amount: string;
  currency?: string;
}

const amountOf = (cents: number) => (cents / 100).toFixed(2);

/** One statement file of `count` entries; `ours` are booked as one batch entry somewhere in the middle. */
export function bankStatement(day: string, count: number, ours: readonly OurPayout[] = [], seed = 1): string {
  let state = seed;
  const random = () => (state = (state * 48_271) % 2_147_483_647) / 2_147_483_647;
  const entries: string[] = [];
  const at = Math.floor(count / 2);
  for (let i = 0; i < count; i++) {
    if (i === at && ours.length > 0) {
      entries.push(`
      <c:Ntry>
        <c:NtryRef>BATCH-${day}-${i}</c:NtryRef>
        <c:Amt Ccy="EUR">${ours.reduce((s, o) => s + Number(o.amount), 0).toFixed(2)}</c:Amt>
        <c:CdtDbtInd>DBIT</c:CdtDbtInd>
        <c:Sts><c:Cd>BOOK</c:Cd></c:Sts>
        <c:BookgDt><c:Dt>${day}</c:Dt></c:BookgDt>
        <c:ValDt><c:Dt>${day}</c:Dt></c:ValDt>
        <c:BkTxCd><c:Domn><c:Cd>PMNT</c:Cd><c:Fmly><c:Cd>ICDT</c:Cd><c:SubFmlyCd>ESCT</c:SubFmlyCd></c:Fmly></c:Domn></c:BkTxCd>
        <c:NtryDtls>
          <c:Btch><c:NbOfTxs>${ours.length}</c:NbOfTxs></c:Btch>${ours.map((o) => `
          <c:TxDtls>
            <c:Refs><c:InstrId>${o.endToEndId}</c:InstrId><c:EndToEndId>${o.endToEndId}</c:EndToEndId></c:Refs>
            <c:Amt Ccy="${o.currency ?? "EUR"}">${o.amount}</c:Amt>
            <c:CdtDbtInd>DBIT</c:CdtDbtInd>
            <c:Chrgs><c:Rcrd><c:Amt Ccy="EUR">0.15</c:Amt><c:CdtDbtInd>DBIT</c:CdtDbtInd></c:Rcrd></c:Chrgs>
            <c:RltdPties><c:Cdtr><c:Pty><c:Nm>Winkel &amp; Zonen</c:Nm></c:Pty></c:Cdtr></c:RltdPties>
          </c:TxDtls>`).join("")}
        </c:NtryDtls>
      </c:Ntry>`);
      continue;
    }
    const cents = 100 + Math.floor(random() * 500_000);
    const kind = i % 7;
    const direction = kind === 0 || kind === 3 ? "CRDT" : "DBIT";
    const reference = kind === 4 ? "NOTPROVIDED" : `${direction === "CRDT" ? "IN" : "OUT"}-${day}-${i}`;
    entries.push(`
      <c:Ntry>
        <c:CdtDbtInd>${direction}</c:CdtDbtInd>
        <c:Amt Ccy="EUR">${amountOf(cents)}</c:Amt>${kind === 5 ? "\n        <c:RvslInd>true</c:RvslInd>" : ""}
        <c:Sts><c:Cd>${kind === 6 && i % 3 === 0 ? "PDNG" : "BOOK"}</c:Cd></c:Sts>
        <c:BookgDt><c:DtTm>${day}T${String(8 + (i % 10)).padStart(2, "0")}:15:00+01:00</c:DtTm></c:BookgDt>
        <c:NtryDtls><c:TxDtls>
          <c:Refs><c:EndToEndId>${reference}</c:EndToEndId></c:Refs>
          <c:AmtDtls><c:TxAmt><c:Amt Ccy="EUR">${amountOf(cents)}</c:Amt></c:TxAmt></c:AmtDtls>
          <c:RmtInf><c:Ustrd>Factuur ${1000 + i} &lt;gemeente&gt;</c:Ustrd></c:RmtInf>
        </c:TxDtls></c:NtryDtls>
      </c:Ntry>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<c:Document xmlns:c="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <c:BkToCstmrStmt>
    <c:GrpHdr><c:MsgId>STMT-${day}</c:MsgId><c:CreDtTm>${day}T23:59:00+01:00</c:CreDtTm></c:GrpHdr>
    <c:Stmt>
      <c:Id>STMT-${day}-1</c:Id>
      <c:ElctrncSeqNb>${seed}</c:ElctrncSeqNb>
      <c:CreDtTm>${day}T23:59:00+01:00</c:CreDtTm>
      <c:Acct><c:Id><c:IBAN>NL02ABNA0123456789</c:IBAN></c:Id><c:Ccy>EUR</c:Ccy></c:Acct>
      <c:Bal><c:Tp><c:CdOrPrtry><c:Cd>OPBD</c:Cd></c:CdOrPrtry></c:Tp><c:Amt Ccy="EUR">1000000.00</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Dt><c:Dt>${day}</c:Dt></c:Dt></c:Bal>${entries.join("")}
    </c:Stmt>
  </c:BkToCstmrStmt>
</c:Document>
`;
}
