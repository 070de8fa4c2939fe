import { describe, expect, it } from "vitest";
import {
  CARD_QR_PREFIX, PaymentQrError, cardNumberFrom, decodeCardQr, decodeScannedQr, encodeCardQr, encodePaymentQr, formatCardCode,
  formatCardNumber, normalizeCardNumber,
} from "../src/index.ts";

const CARD = { cardNumber: cardNumberFrom("47210839125"), secret: "00112233445566778899aabbccddeeff" };

function qrError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PaymentQrError);
    return (error as PaymentQrError).code;
  }
  throw new Error("expected a PaymentQrError");
}

describe("the card QR", () => {
  it("round-trips the card number and secret in 41 QR-alphanumeric characters under its own prefix", () => {
    const text = encodeCardQr(CARD);
    expect(text).toMatch(/^TK[A-Z2-7]{39}$/);
    expect(decodeCardQr(text)).toEqual(CARD);
  });

  it("reads the code as typed from the card: groups, dashes, lower case, 0 and 1 for O and I", () => {
    const text = encodeCardQr(CARD);
    const typed = formatCardCode(text).toLowerCase().replace(/o/g, "0").replace(/i/g, "1").replace(/ /g, " - ");
    expect(decodeCardQr(typed)).toEqual(CARD);
  });

  it("refuses a mistyped code as QR_MALFORMED (never to be taken for a wrong PIN)", () => {
    const text = encodeCardQr(CARD);
    const slip = text.slice(0, 20) + (text[20] === "A" ? "B" : "A") + text.slice(21);
    expect(qrError(() => decodeCardQr(slip))).toBe("QR_MALFORMED");
    expect(qrError(() => decodeCardQr(text.slice(0, -2)))).toBe("QR_MALFORMED");
  });

  it("the till tells a card from a phone's payment QR by itself", () => {
    const payment = encodePaymentQr({ fundIndex: 1, budgetId: "0x" + "ab".repeat(32), maxAmount: 100n, nonce: 0n, deadline: 2_000_000_000n, signature: "0x" + "11".repeat(32) + "22".repeat(32) });
    expect(decodeScannedQr(payment).kind).toBe("payment");
    expect(decodeScannedQr(encodeCardQr(CARD))).toEqual({ kind: "card", card: CARD });
    expect(qrError(() => decodeCardQr(payment))).toBe("QR_NOT_TEGOED");
    expect(qrError(() => decodeScannedQr(`${CARD_QR_PREFIX}9${encodeCardQr(CARD).slice(3)}`))).toBe("QR_MALFORMED");
  });

  it("card numbers: 12 digits with a Luhn check, printed in groups of four", () => {
    expect(CARD.cardNumber).toHaveLength(12);
    expect(formatCardNumber(CARD.cardNumber)).toBe(`${CARD.cardNumber.slice(0, 4)} ${CARD.cardNumber.slice(4, 8)} ${CARD.cardNumber.slice(8)}`);
    expect(normalizeCardNumber(formatCardNumber(CARD.cardNumber))).toBe(CARD.cardNumber);
    const wrongCheck = CARD.cardNumber.slice(0, 11) + String((Number(CARD.cardNumber[11]) + 1) % 10);
    expect(normalizeCardNumber(wrongCheck)).toBeNull();
  });
});
