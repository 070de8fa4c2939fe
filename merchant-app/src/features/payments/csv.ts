// The payment list as CSV, made in the browser: one row per payment, amounts as plain decimals.
import type { PaymentList } from "@tegoed/sdk";
import { toCsv } from "@tegoed/sdk/csv";
import { centsToDecimal } from "@tegoed/ui/money";

export function paymentsCsv(list: PaymentList): string {
  const header = ["paid_at", "payment_id", "amount_eur", "refunded_eur", "net_eur", "confirmed", "tx_hash"];
  const rows = list.payments.map((p) => [
    p.paidAt, p.paymentId, centsToDecimal(p.amountCents), centsToDecimal(p.refundedCents), centsToDecimal(p.amountCents - p.refundedCents),
    p.confirmed ? "yes" : "no", p.txHash,
  ]);
  const totals = ["total", String(list.totals.count), centsToDecimal(list.totals.amountCents), centsToDecimal(list.totals.refundedCents), centsToDecimal(list.totals.netCents), "", ""];
  return toCsv(header, [...rows, totals]);
}

