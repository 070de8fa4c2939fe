import { describe, expect, it } from "vitest";
import QRCode from "qrcode";
import { Signature, Wallet, hexlify, randomBytes, verifyTypedData } from "ethers";
import {
  PAYMENT_PERMIT_TYPES, PaymentQrError, decodePaymentQr, encodePaymentQr, fundDomain, permitFromQr,
  SHORT_CODE_ALPHABET, formatShortCode, normalizeShortCode, qrFromPermit, signPaymentPermit, type PaymentPermit,
} from "../src/index.ts";

const FUND = "0xB7A5bd0345EF1Cc5E66bf61BdeC17D2461fBd968";
const CHAIN_ID = 31337n;

async function signedPermit(overrides: Partial<PaymentPermit> = {}) {
  const family = Wallet.createRandom();
  const permit: PaymentPermit = {
    fund: FUND, budgetId: hexlify(randomBytes(32)), maxAmount: 300_00n, nonce: 3n, deadline: 1_830_000_000n, ...overrides,
  };
  return { family, permit, signature: await signPaymentPermit(family, CHAIN_ID, permit) };
}

describe("payment QR codec", () => {
  it("round-trips a signed permit, and the signature still recovers the family's key", async () => {
    const { family, permit, signature } = await signedPermit();
    const text = encodePaymentQr(qrFromPermit(permit, 7, signature));
    const decoded = decodePaymentQr(text);
    expect(decoded.fundIndex).toBe(7);
    const back = permitFromQr(decoded, FUND);
    expect(back).toEqual(permit);
    const signer = verifyTypedData(fundDomain(FUND, CHAIN_ID), PAYMENT_PERMIT_TYPES, back, decoded.signature);
    expect(signer).toBe(family.address);
  });

  it("reads the signature as ethers reads a compact one, whatever its 64 bytes (either y parity, any s)", async () => {
    const { permit } = await signedPermit();
    for (let i = 0; i < 200; i++) {
      const raw = randomBytes(64);
      if (i % 2) raw[32]! |= 0x80;
      else raw[32]! &= 0x7f;
      const signature = Signature.from(hexlify(raw)).compactSerialized;
      expect(decodePaymentQr(encodePaymentQr(qrFromPermit(permit, i, signature))).signature).toBe(signature);
    }
  });

  it("uses only QR alphanumeric characters and fits QR version 10 at error correction M", async () => {
    const { permit, signature } = await signedPermit({
      maxAmount: 2n ** 48n - 1n, nonce: 2n ** 32n - 1n, deadline: 2n ** 40n - 1n,
    });
    const text = encodePaymentQr(qrFromPermit(permit, 2 ** 32 - 1, signature));
    expect(text).toMatch(/^[0-9A-Z $%*+\-./:]+$/);
    const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
    expect(qr.version).toBeLessThanOrEqual(10);
    expect(text.length).toBe(188);
  });

  it("refuses amounts, nonces and deadlines that do not fit, instead of truncating them", async () => {
    const { permit, signature } = await signedPermit();
    expect(() => encodePaymentQr(qrFromPermit({ ...permit, maxAmount: 2n ** 48n }, 0, signature))).toThrow(/max amount/);
    expect(() => encodePaymentQr(qrFromPermit({ ...permit, nonce: -1n }, 0, signature))).toThrow(/nonce/);
    expect(() => encodePaymentQr(qrFromPermit({ ...permit, deadline: 2n ** 40n }, 0, signature))).toThrow(/deadline/);
  });

  it("reads a code typed or scanned in lower case or with spaces around it", async () => {
    const { permit, signature } = await signedPermit();
    const text = encodePaymentQr(qrFromPermit(permit, 1, signature));
    expect(decodePaymentQr(`  ${text.toLowerCase()}\n`)).toEqual(decodePaymentQr(text));
  });

  describe("refuses text that is not a payment QR", () => {
    const codeOf = (text: string) => {
      try {
        decodePaymentQr(text);
      } catch (error) {
        expect(error).toBeInstanceOf(PaymentQrError);
        return (error as PaymentQrError).code;
      }
      return "accepted";
    };

    it("another QR (a web address) → QR_NOT_TEGOED", () => {
      expect(codeOf("https://example.org/")).toBe("QR_NOT_TEGOED");
    });

    it("a cut-off code → QR_MALFORMED", async () => {
      const { permit, signature } = await signedPermit();
      expect(codeOf(encodePaymentQr(qrFromPermit(permit, 1, signature)).slice(0, 100))).toBe("QR_MALFORMED");
    });

    it("characters outside base32 → QR_MALFORMED", () => {
      expect(codeOf("TG0189!!")).toBe("QR_MALFORMED");
    });

    it("a future version → QR_VERSION_UNSUPPORTED", async () => {
      const { permit, signature } = await signedPermit();
      const text = encodePaymentQr(qrFromPermit(permit, 1, signature));
      // version byte 2 instead of 1: the first base32 character carries its top five bits
      const future = "TGAI" + text.slice(4);
      expect(codeOf(future)).toBe("QR_VERSION_UNSUPPORTED");
    });
  });
});

describe("the short code under the QR", () => {
  it("reads a typed code in any case, with spaces or dashes, and refuses look-alikes and wrong lengths", () => {
    expect(normalizeShortCode("abc-def-ghj")).toBe("ABCDEFGHJ");
    expect(normalizeShortCode(" ABC DEF  GHJ ")).toBe("ABCDEFGHJ");
    expect(normalizeShortCode("ABC-DEF-GH0")).toBeNull(); // 0 is not in the alphabet (it looks like O)
    expect(normalizeShortCode("ABC-DEF-GHI")).toBeNull(); // nor I (1, l)
    expect(normalizeShortCode("ABC-DEF-GH")).toBeNull();
    expect(normalizeShortCode(`TG${"A".repeat(186)}`)).toBeNull(); // a whole payment QR is not a short code
  });

  it("is shown in three groups of three", () => {
    expect(formatShortCode("ABCDEFGHJ")).toBe("ABC-DEF-GHJ");
    expect(SHORT_CODE_ALPHABET).not.toMatch(/[01IOL]/);
  });
});
