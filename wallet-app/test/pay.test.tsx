import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, screen } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { Signature, verifyTypedData } from "ethers";
import { PAYMENT_PERMIT_TYPES, decodePaymentQr, fundDomain, permitFromQr, formatClock } from "@tegoed/sdk";
import { PayPage, POLL_MS } from "../src/features/pay/pay-page.tsx";
import { detectPayment, watchFrom } from "../src/features/pay/paid.ts";
import { MAX_CODES, RENEW_MS } from "../src/features/pay/use-renewing-qr.ts";
import { createDeviceKey, memoryKeyStorage, type KeyStorage, type StoredKey } from "../src/lib/keystore.ts";
import type { WalletChild } from "../src/lib/api.ts";
import { FUND, bram, child, plain, renderWithI18n } from "./fixtures.tsx";

const NOW = Date.parse("2026-11-23T14:00:00Z");
let stored: StoredKey;
let keys: KeyStorage;

beforeEach(async () => {
  localStorage.clear(); // the remembered maximum per payment
  ({ stored } = await createDeviceKey("13579", 1000));
  keys = memoryKeyStorage(stored);
  // Only the QR's clock and intervals are fake: the PIN's WebCrypto and Testing Library's waits stay real.
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"], now: NOW });
});
afterEach(() => vi.useRealTimers());

function renderPay(
  children: WalletChild[] = [child()], chosen: string | null = children[0]!.childId, registerPayCode?: (qr: string) => Promise<string>,
) {
  const childId = chosen ?? undefined;
  const poll = vi.fn(async () => {});
  const onDone = vi.fn();
  const onChooseChild = vi.fn();
  const props = { keys, childId, poll, onDone, onChooseChild, registerPayCode };
  const view = renderWithI18n(<PayPage children={children} {...props} />);
  const rerender = (next: WalletChild[]) => view.rerender(<PayPage children={next} {...props} />);
  return { poll, onDone, onChooseChild, rerender, user: userEvent.setup() };
}


async function unlock(user: ReturnType<typeof userEvent.setup>, pin = "13579") {
  await user.type(screen.getByLabelText("Pincode"), pin);
  await user.click(screen.getByRole("button", { name: "Toon QR-code" }));
}

const qrElement = () => screen.findByRole("img", { name: /Betaal-QR-code voor Anna/ });
const tick = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));

describe("pay", () => {
  it("asks which child when there are several, listing what each has left", async () => {
    const { onChooseChild, user } = renderPay([child(), bram()], null);
    await user.click(screen.getByRole("button", { name: /Bram: nog €\s120,50/ }));
    expect(onChooseChild).toHaveBeenCalledWith(bram().childId);
  });

  it("a wrong PIN shows how many tries are left and no QR", async () => {
    const { user } = renderPay();
    await unlock(user, "11111");
    expect(await screen.findByRole("alert")).toHaveTextContent("Deze pincode klopt niet. U kunt het nog 4 keer proberen.");
    expect(screen.queryByRole("img")).toBeNull();
  });

  it("after five wrong PINs it says why, for how long and until when to wait, and then even the right PIN waits", async () => {
    const { user } = renderPay();
    for (let i = 0; i < 5; i++) await unlock(user, "11111");
    const until = Date.now() + 5 * 60_000;
    const time = formatClock(until, "nl");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      `U heeft 5 keer een verkeerde pincode ingevuld. Om uw tegoed te beschermen kunt u het 5 minuten niet opnieuw proberen, tot ${time}.`);
    await unlock(user);
    expect(await screen.findByRole("alert")).toHaveTextContent("5 keer een verkeerde pincode");
    expect(screen.queryByRole("img")).toBeNull();
  });

  it("shows a QR with a permit up to the default maximum of € 50, signed by the phone's key, valid 90 s", async () => {
    const { user } = renderPay();
    expect(screen.getByLabelText("Hoogste bedrag per betaling")).toHaveValue("50,00");
    await unlock(user);
    const qr = decodePaymentQr((await qrElement()).getAttribute("data-qr")!);
    expect(qr).toMatchObject({ fundIndex: FUND.index, budgetId: child().budgetId, maxAmount: 50_00n, nonce: 0n, deadline: BigInt(NOW / 1000 + 90) });
    const permit = permitFromQr(qr, FUND.chainAddress);
    const signer = verifyTypedData(fundDomain(FUND.chainAddress, FUND.chainId), PAYMENT_PERMIT_TYPES, { ...permit }, Signature.from(qr.signature));
    expect(signer).toBe(stored.address);
    expect(plain(screen.getByText(/^Hoogstens/).textContent)).toBe("Hoogstens € 50,00");
  });

  it("remembers the parent's own maximum for the next payment; an empty one allows the whole balance", async () => {
    const first = renderPay();
    await first.user.clear(screen.getByLabelText("Hoogste bedrag per betaling"));
    await first.user.type(screen.getByLabelText("Hoogste bedrag per betaling"), "120");
    await unlock(first.user);
    expect(decodePaymentQr((await qrElement()).getAttribute("data-qr")!).maxAmount).toBe(120_00n);
    document.body.innerHTML = "";

    const second = renderPay();
    expect(screen.getByLabelText("Hoogste bedrag per betaling")).toHaveValue("120,00");
    await second.user.clear(screen.getByLabelText("Hoogste bedrag per betaling"));
    await unlock(second.user);
    expect(decodePaymentQr((await qrElement()).getAttribute("data-qr")!).maxAmount).toBe(300_00n);
    document.body.innerHTML = "";

    renderPay();
    expect(screen.getByLabelText("Hoogste bedrag per betaling")).toHaveValue("");
  });

  it("shows under each QR the short code the backend gave for it, for a till that cannot scan", async () => {
    const register = vi.fn(async (qr: string) => (qr === register.mock.calls[0]![0] ? "ABC-DEF-GHJ" : "KMN-PQR-STU"));
    const { user } = renderPay([child()], child().childId, register);
    await unlock(user);
    const first = (await qrElement()).getAttribute("data-qr")!;
    expect(await screen.findByTestId("short-code")).toHaveTextContent("ABC-DEF-GHJ");
    expect(screen.getByText(/Werkt de camera niet\? De winkel kan deze code typen/)).toBeInTheDocument();
    expect(register).toHaveBeenCalledExactlyOnceWith(first);
    await tick(RENEW_MS);
    expect(await screen.findByTestId("short-code")).toHaveTextContent("KMN-PQR-STU");
    expect(register).toHaveBeenCalledTimes(2);
  });

  it("without a connection the QR still shows, and it says that the shop can only scan it", async () => {
    const register = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    const { user } = renderPay([child()], child().childId, register);
    await unlock(user);
    await qrElement();
    expect(await screen.findByText("Geen internet. De winkel kan nu alleen de QR-code scannen. Een code typen kan nu niet.")).toBeInTheDocument();
    expect(screen.queryByTestId("short-code")).toBeNull();
  });

  it("uses the parent's lower limit and the last known nonce", async () => {
    const { user } = renderPay([child({ nonce: 4, balanceCents: 80_00 })]);
    await user.clear(screen.getByLabelText("Hoogste bedrag per betaling"));
    await user.type(screen.getByLabelText("Hoogste bedrag per betaling"), "25,50");
    await unlock(user);
    const qr = decodePaymentQr((await qrElement()).getAttribute("data-qr")!);
    expect(qr.maxAmount).toBe(25_50n);
    expect(qr.nonce).toBe(4n);
  });

  it("refuses a limit that is not an amount before trying the PIN", async () => {
    const { user } = renderPay();
    await user.clear(screen.getByLabelText("Hoogste bedrag per betaling"));
    await user.type(screen.getByLabelText("Hoogste bedrag per betaling"), "veel");
    await unlock(user);
    expect(screen.getByText("Vul een bedrag in euro's in, bijvoorbeeld 25,00.")).toBeInTheDocument();
    expect((await keys.load())!.failedAttempts).toBe(0);
  });

  it("when the code cannot be signed it says so and offers to try again", async () => {
    const { user } = renderPay([child({ fund: { ...FUND, chainAddress: "not an address" } })]);
    await unlock(user);
    expect(await screen.findByRole("alert")).toHaveTextContent("De code kon niet gemaakt worden. Probeer het opnieuw.");
    expect(screen.getByRole("button", { name: "Nieuwe code tonen" })).toBeInTheDocument();
    expect(screen.queryByRole("img")).toBeNull();
  });

  it("counts down and signs a new permit each minute", async () => {
    const { user } = renderPay();
    await unlock(user);
    const first = (await qrElement()).getAttribute("data-qr")!;
    expect(screen.getByText("Nieuwe code over 60 seconden")).toBeInTheDocument();
    await tick(1000);
    expect(screen.getByText("Nieuwe code over 59 seconden")).toBeInTheDocument();
    await tick(RENEW_MS - 1000);
    const second = (await qrElement()).getAttribute("data-qr")!;
    expect(second).not.toBe(first);
    expect(decodePaymentQr(second).deadline).toBe(decodePaymentQr(first).deadline + 60n);
    expect(screen.getByText("Nieuwe code over 60 seconden")).toBeInTheDocument();
  });

  it("stops after ten codes: the last one runs out, then 'expired' and a button for a new code", async () => {
    const { user } = renderPay();
    await unlock(user);
    await qrElement();
    for (let code = 2; code <= MAX_CODES; code++) await tick(RENEW_MS);
    expect(screen.getByText("Code geldig nog 90 seconden")).toBeInTheDocument();
    await tick(90_000);
    expect(screen.getByRole("alert")).toHaveTextContent("Deze code is verlopen.");
    expect(screen.queryByRole("img")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Nieuwe code tonen" }));
    const qr = decodePaymentQr((await qrElement()).getAttribute("data-qr")!);
    expect(qr.deadline).toBe(BigInt(Math.floor(Date.now() / 1000) + 90));
  });

  it("the status region speaks when the code is ready, when it will not renew, 20 s before it runs out; never the ticking seconds", async () => {
    const { user } = renderPay();
    await unlock(user);
    await qrElement();
    const status = screen.getByRole("status");
    expect(document.activeElement).toBe(screen.getByRole("heading", { name: "QR-code voor Anna" }));
    expect(status).toHaveTextContent("QR-code klaar. Laat hem scannen bij de kassa");
    await tick(5000);
    expect(status).toHaveTextContent("QR-code klaar."); // unchanged while the seconds tick
    for (let code = 2; code <= MAX_CODES; code++) await tick(RENEW_MS);
    expect(status).toHaveTextContent("De app maakt hierna geen nieuwe code meer. Kies ‘Nog een minuut’ als u meer tijd nodig heeft.");
    await tick(69_000);
    expect(status).toHaveTextContent("De app maakt hierna geen nieuwe code meer.");
    await tick(1000);
    expect(status).toHaveTextContent("Nog 20 seconden, dan verloopt de code. Kies ‘Nog een minuut’ voor meer tijd.");
    await tick(1000);
    expect(status).toHaveTextContent("Nog 20 seconden, dan verloopt de code.");
  });

  it("'Nog een minuut' on the last code signs a fresh one without the PIN, as often as asked; earlier codes renew by themselves", async () => {
    const { user } = renderPay();
    await unlock(user);
    await qrElement();
    expect(screen.queryByRole("button", { name: "Nog een minuut" })).toBeNull();
    for (let code = 2; code <= MAX_CODES; code++) await tick(RENEW_MS);
    for (let extra = 0; extra < 3; extra++) {
      await tick(80_000);
      const before = decodePaymentQr((await qrElement()).getAttribute("data-qr")!);
      const asked = Date.now();
      await user.click(screen.getByRole("button", { name: "Nog een minuut" }));
      await tick(1000);
      const after = decodePaymentQr((await qrElement()).getAttribute("data-qr")!);
      expect(after.deadline).toBe(BigInt(Math.floor(asked / 1000) + 90));
      expect(after.deadline).toBeGreaterThan(before.deadline);
      expect(screen.getByText(/Code geldig nog (89|90) seconden/)).toBeInTheDocument();
    }
    expect(screen.queryByLabelText("Pincode")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("polls every 2 s while the QR shows, and turns to 'Paid' with the shop and the new balance", async () => {
    const { poll, rerender, user } = renderPay();
    await unlock(user);
    await qrElement();
    await tick(POLL_MS);
    expect(poll).toHaveBeenCalledTimes(1);
    rerender([child({
      nonce: 1, balanceCents: 257_50, spentCents: 42_50,
      history: [{ type: "payment", paymentId: `0x${"c3".repeat(32)}`, merchant: "m1", merchantName: "Sportwinkel De Bal", amountCents: 42_50, at: new Date(NOW).toISOString(), txHash: "0x1" }],
    })]);
    const status = await screen.findByRole("status");
    expect(plain(status.textContent)).toContain("Betaald € 42,50 bij Sportwinkel De Bal");
    expect(plain(status.textContent)).toContain("Nog te besteden voor Anna: € 257,50");
    expect(screen.queryByRole("img")).toBeNull();
    await tick(POLL_MS * 3);
    expect(poll).toHaveBeenCalledTimes(1); // no polling once paid
  });

  it("a payment of the whole balance still ends on 'Paid' (the budget is empty now)", async () => {
    const { rerender, user } = renderPay([child({ balanceCents: 15_00 })]);
    await unlock(user);
    await qrElement();
    rerender([child({
      nonce: 1, balanceCents: 0, spentCents: 300_00,
      history: [{ type: "payment", paymentId: `0x${"e5".repeat(32)}`, merchant: "0x1", merchantName: "Boekhandel Lees", amountCents: 15_00, at: new Date(NOW).toISOString(), txHash: "0x3" }],
    })]);
    expect(plain((await screen.findByRole("status")).textContent)).toContain("Betaald € 15,00 bij Boekhandel Lees");
  });

  it("an earlier payment in the history is not taken for this one", async () => {
    const earlier = { type: "payment" as const, paymentId: `0x${"d4".repeat(32)}`, merchant: "m2", merchantName: "Boekhandel Lees", amountCents: 10_00, at: "2026-11-01T10:00:00Z", txHash: "0x2" };
    const { rerender, user } = renderPay([child({ nonce: 1, balanceCents: 290_00, history: [earlier] })]);
    await unlock(user);
    await qrElement();
    rerender([child({ nonce: 1, balanceCents: 290_00, history: [earlier] })]);
    expect(screen.queryByText(/Betaald/)).toBeNull();
    expect(decodePaymentQr((await qrElement()).getAttribute("data-qr")!).nonce).toBe(1n);
  });
});


describe("detectPayment", () => {
  it("takes the amount from the balance when the chain's nonce moved before the history shows the payment", () => {
    const before = child({ nonce: 2, balanceCents: 100_00 });
    const watch = watchFrom(before, 2);
    expect(detectPayment(watch, before)).toBeNull();
    expect(detectPayment(watch, child({ nonce: 3, balanceCents: 75_00 }))).toEqual({ amountCents: 25_00, shop: null, balanceCents: 75_00 });
  });
});
