import { describe, expect, it } from "vitest";
import {
  DomainError, ERROR_CODES, ERROR_CODE_LIST, ErrorBodySchema, PaymentQrError, decodePaymentQr, domainErrorFromQr, isDomainError,
} from "../src/index.ts";

describe("API error codes", () => {
  it("give every code an HTTP error status and a sentence for the user", () => {
    for (const code of ERROR_CODE_LIST) {
      const { status, message } = ERROR_CODES[code];
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
      expect(message, code).toMatch(/^[A-Z].*[.!?]$/);
      expect(code).toMatch(/^[A-Z][A-Z_]+$/);
    }
  });

  it("serialise a DomainError to the wire format the API client parses", () => {
    const error = new DomainError("BUDGET_INSUFFICIENT", undefined, { balance: "1250", amount: "2000" });
    expect(error.status).toBe(422);
    expect(isDomainError(error, "BUDGET_INSUFFICIENT")).toBe(true);
    expect(ErrorBodySchema.parse(JSON.parse(JSON.stringify(error.toBody())))).toEqual({
      error: { code: "BUDGET_INSUFFICIENT", message: "There is not enough money left in this budget.", details: { balance: "1250", amount: "2000" } },
    });
    expect(ErrorBodySchema.safeParse({ error: { code: "NO_SUCH_CODE", message: "x" } }).success).toBe(false);
  });

  it("carry the QR codec's refusals with their own codes", () => {
    let qrError: unknown;
    try {
      decodePaymentQr("https://example.org");
    } catch (e) {
      qrError = e;
    }
    expect(qrError).toBeInstanceOf(PaymentQrError);
    const error = domainErrorFromQr(qrError as PaymentQrError);
    expect(error.code).toBe("QR_NOT_TEGOED");
    expect(error.status).toBe(400);
  });
});
