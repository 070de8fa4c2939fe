import { describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { ApiError } from "@tegoed/sdk";
import { ScanScreen } from "../src/features/scan/scan-screen.tsx";
import { LOOKUP, RECEIPT, deferred, fakeApi, refusal, renderWith } from "./support/render.tsx";

const QR = "TGAEAAAAAB";

async function toAmount(language: "nl" | "en" = "nl", api = fakeApi()) {
  api.merchant.lookupQr!.mockResolvedValue(LOOKUP);
  const view = renderWith(<ScanScreen camera={false} />, { api, language });
  const user = userEvent.setup();
  await user.type(screen.getByLabelText(language === "nl" ? "Code handmatig invoeren" : "Enter the code by hand"), QR);
  await user.click(screen.getByRole("button", { name: language === "nl" ? "Code controleren" : "Check code" }));
  await screen.findByTestId("spendable");
  return { ...view, user, api };
}

describe("ScanScreen", () => {
  it("looks up a typed QR, shows what the budget can pay, charges the amount and shows PAID", async () => {
    const { user, api } = await toAmount();
    expect(api.merchant.lookupQr).toHaveBeenCalledWith({ qr: QR });
    expect(screen.getByTestId("spendable")).toHaveTextContent("€ 42,50");
    expect(screen.getByText("Kindpakket 2027")).toBeInTheDocument();
    api.merchant.charge!.mockResolvedValue(RECEIPT);
    await user.type(screen.getByLabelText("Bedrag in euro"), "12,5");
    await user.click(screen.getByRole("button", { name: "€\u00a012,50 afrekenen" }));
    await screen.findByRole("heading", { name: "Betaald" });
    // Enter starts the next customer: the button has the focus and tells what happened.
    const next = screen.getByRole("button", { name: "Volgende klant" });
    expect(next).toHaveFocus();
    expect(next).toHaveAccessibleDescription(/Betaald.*€\s12,50/);
    expect(screen.getByTestId("charge-result")).toHaveClass("result-paid");
    expect(screen.getByTestId("charge-result")).toHaveTextContent("€ 12,50");
    expect(screen.getByTestId("charge-result")).toHaveTextContent("Nog over op het budget: € 30,00");
    expect(api.merchant.charge).toHaveBeenCalledExactlyOnceWith({ qr: QR, amountCents: 1250 }, expect.stringMatching(/^[0-9a-f-]{36}$/));
  });

  it("a double tap on confirm sends one charge with one key; the button is disabled while it runs", async () => {
    const { user, api } = await toAmount();
    const answer = deferred<typeof RECEIPT>();
    api.merchant.charge!.mockReturnValue(answer.promise);
    await user.type(screen.getByLabelText("Bedrag in euro"), "12,50");
    const button = screen.getByRole("button", { name: "€\u00a012,50 afrekenen" });
    await user.dblClick(button);
    await user.keyboard("{Enter}");
    expect(screen.getByRole("button", { name: "Bezig met afrekenen…" })).toBeDisabled();
    expect(api.merchant.charge).toHaveBeenCalledTimes(1);
    answer.resolve(RECEIPT);
    await screen.findByRole("heading", { name: "Betaald" });
    expect(api.merchant.charge).toHaveBeenCalledTimes(1);
  });

  it("after a network drop, the retry sends the same Idempotency-Key; the next customer gets a new one", async () => {
    const { user, api } = await toAmount();
    api.merchant.charge!.mockRejectedValueOnce(new ApiError("NETWORK", 0, "fetch failed")).mockResolvedValueOnce(RECEIPT);
    await user.type(screen.getByLabelText("Bedrag in euro"), "12,50");
    await user.click(screen.getByRole("button", { name: "€\u00a012,50 afrekenen" }));
    expect(await screen.findByText(/niet zeker of er betaald is/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Opnieuw proberen (€\u00a012,50)" }));
    await screen.findByRole("heading", { name: "Betaald" });
    const [first, second] = api.merchant.charge!.mock.calls;
    expect(second![1]).toBe(first![1]);

    // Retrying by confirming the same amount again also keeps the key; a new customer starts a new one.
    await user.click(screen.getByRole("button", { name: "Volgende klant" }));
    api.merchant.lookupQr!.mockResolvedValue(LOOKUP);
    api.merchant.charge!.mockRejectedValueOnce(new ApiError("CHAIN_TIMEOUT", 504, "slow")).mockResolvedValueOnce(RECEIPT);
    await user.type(screen.getByLabelText("Code handmatig invoeren"), QR);
    await user.click(screen.getByRole("button", { name: "Code controleren" }));
    await user.type(await screen.findByLabelText("Bedrag in euro"), "12,50");
    await user.click(screen.getByRole("button", { name: "€\u00a012,50 afrekenen" }));
    await screen.findByText(/niet zeker of er betaald is/);
    await user.click(screen.getByRole("button", { name: "€\u00a012,50 afrekenen" }));
    await screen.findByRole("heading", { name: "Betaald" });
    const [, , third, fourth] = api.merchant.charge!.mock.calls;
    expect(fourth![1]).toBe(third![1]);
    expect(third![1]).not.toBe(first![1]);
  });

  it("database away before anything was sent: refused, saying nothing was charged; the next try is a new charge", async () => {
    const { user, api } = await toAmount();
    api.merchant.charge!.mockRejectedValueOnce(refusal("SERVICE_UNAVAILABLE", { charged: "nothing" })).mockResolvedValueOnce(RECEIPT);
    await user.type(screen.getByLabelText("Bedrag in euro"), "12,50");
    await user.click(screen.getByRole("button", { name: "€\u00a012,50 afrekenen" }));
    expect(await screen.findByRole("heading", { name: "Geweigerd" })).toBeInTheDocument();
    expect(screen.getByTestId("charge-result")).toHaveTextContent("Tegoed is even niet bereikbaar — niets afgeschreven");
  });

  it("database away on the retry of an interrupted charge: still not sure, the key is kept and nothing claims 'niets afgeschreven'", async () => {
    const { user, api } = await toAmount();
    api.merchant.charge!
      .mockRejectedValueOnce(new ApiError("NETWORK", 0, "fetch failed"))
      .mockRejectedValueOnce(refusal("SERVICE_UNAVAILABLE"))
      .mockResolvedValueOnce(RECEIPT);
    await user.type(screen.getByLabelText("Bedrag in euro"), "12,50");
    await user.click(screen.getByRole("button", { name: "€\u00a012,50 afrekenen" }));
    await screen.findByText(/niet zeker of er betaald is/);
    await user.click(screen.getByRole("button", { name: "Opnieuw proberen (€\u00a012,50)" }));
    await screen.findByText(/niet zeker of er betaald is/);
    expect(screen.queryByText(/niets afgeschreven/)).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Opnieuw proberen (€\u00a012,50)" }));
    await screen.findByRole("heading", { name: "Betaald" });
    const keys = api.merchant.charge!.mock.calls.map((call) => call[1]);
    expect(new Set(keys).size).toBe(1);
  });

  it("a refused charge shows REFUSED in red with the budget-too-low words and the amount the budget can pay", async () => {
    const { user, api } = await toAmount();
    api.merchant.charge!.mockRejectedValue(refusal("BUDGET_INSUFFICIENT", { balance: "4250", amount: "5000" }));
    await user.type(screen.getByLabelText("Bedrag in euro"), "42,50");
    await user.click(screen.getByRole("button", { name: "€\u00a042,50 afrekenen" }));
    await screen.findByRole("heading", { name: "Geweigerd" });
    expect(screen.getByRole("button", { name: "Volgende klant" })).toHaveFocus();
    expect(screen.getByTestId("charge-result")).toHaveClass("result-refused");
    expect(screen.getByTestId("charge-result")).toHaveTextContent(
      "Budget te laag — reken € 42,50 af met het budget en de rest op een andere manier.",
    );
    expect(screen.queryByText(/server text/)).not.toBeInTheDocument();
    await user.keyboard("{Enter}");
    expect(await screen.findByLabelText("Code handmatig invoeren")).toBeInTheDocument();
  });

  it("the typed code's field is described by both hints: what to type, above it, and when the phone shows it, below it", () => {
    renderWith(<ScanScreen camera={false} />, { api: fakeApi() });
    const field = screen.getByLabelText("Code handmatig invoeren");
    expect(field).toHaveAccessibleDescription(
      "Lukt scannen niet? Typ de code onder de QR-code op de telefoon van de klant (bijvoorbeeld ABC-DEF-GHJ). " +
      "De telefoon toont die alleen als hij online is; scan anders de QR-code.",
    );
  });

  it("a dead QR is refused at the lookup, before any amount is typed", async () => {
    const api = fakeApi();
    api.merchant.lookupQr!.mockRejectedValue(refusal("PERMIT_USED"));
    renderWith(<ScanScreen camera={false} />, { api });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Code handmatig invoeren"), QR);
    await user.click(screen.getByRole("button", { name: "Code controleren" }));
    expect(await screen.findByRole("heading", { name: "Geweigerd" })).toBeInTheDocument();
    expect(screen.getByTestId("charge-result")).toHaveTextContent("Deze QR-code is al gebruikt — vraag de klant om een nieuwe code.");
    expect(api.merchant.charge).not.toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Volgende klant" }));
    await waitFor(() => expect(screen.getByLabelText("Code handmatig invoeren")).toBeInTheDocument());
  });

  it("when the check itself does not get through, the same code can be checked again; nothing is charged", async () => {
    const api = fakeApi();
    api.merchant.lookupQr!.mockRejectedValueOnce(new ApiError("NETWORK", 0, "offline")).mockResolvedValueOnce(LOOKUP);
    renderWith(<ScanScreen camera={false} />, { api });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Code handmatig invoeren"), QR);
    await user.click(screen.getByRole("button", { name: "Code controleren" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Geen verbinding met de server");
    expect(screen.queryByRole("heading", { name: "Geweigerd" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Opnieuw controleren" }));
    expect(await screen.findByTestId("spendable")).toHaveTextContent("€ 42,50");
    expect(api.merchant.lookupQr).toHaveBeenNthCalledWith(2, { qr: QR });
    expect(api.merchant.charge).not.toHaveBeenCalled();
  });

  it("a short code typed from under the QR (any case, spaces) is looked up to its QR, which is then checked and charged", async () => {
    const api = fakeApi();
    api.merchant.lookupPayCode!.mockResolvedValue({ qr: QR });
    api.merchant.lookupQr!.mockResolvedValue(LOOKUP);
    renderWith(<ScanScreen camera={false} />, { api });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Code handmatig invoeren"), "abc def ghj");
    await user.click(screen.getByRole("button", { name: "Code controleren" }));
    expect(await screen.findByTestId("spendable")).toHaveTextContent("€ 42,50");
    expect(api.merchant.lookupPayCode).toHaveBeenCalledWith({ code: "abc def ghj" });
    expect(api.merchant.lookupQr).toHaveBeenCalledWith({ qr: QR });
    api.merchant.charge!.mockResolvedValue(RECEIPT);
    await user.type(screen.getByLabelText("Bedrag in euro"), "12,50");
    await user.click(screen.getByRole("button", { name: "€\u00a012,50 afrekenen" }));
    await screen.findByRole("heading", { name: "Betaald" });
    expect(api.merchant.charge).toHaveBeenCalledWith({ qr: QR, amountCents: 12_50 }, expect.any(String));
  });

  it("an unknown short code is refused in words", async () => {
    const api = fakeApi();
    api.merchant.lookupPayCode!.mockRejectedValue(refusal("PAY_CODE_UNKNOWN"));
    renderWith(<ScanScreen camera={false} />, { api });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Code handmatig invoeren"), "ABC-DEF-GHJ");
    await user.click(screen.getByRole("button", { name: "Code controleren" }));
    expect(await screen.findByTestId("charge-result")).toHaveTextContent("Code niet gevonden — controleer de code onder de QR-code");
    expect(api.merchant.lookupQr).not.toHaveBeenCalled();
  });

  it("shows PAID and REFUSED in English", async () => {
    const { user, api } = await toAmount("en");
    api.merchant.charge!.mockRejectedValueOnce(refusal("PERMIT_EXPIRED"));
    await user.type(screen.getByLabelText("Amount in euros"), "5");
    await user.click(screen.getByRole("button", { name: "Charge €5.00" }));
    expect(await screen.findByRole("heading", { name: "Refused" })).toBeInTheDocument();
    expect(screen.getByTestId("charge-result")).toHaveTextContent("QR code expired — ask the customer to refresh the code and scan again.");
  });
});
