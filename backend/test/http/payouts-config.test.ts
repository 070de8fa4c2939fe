// The payout settings of the configuration: simulated bank by default, bunq and sepa need their
// settings, a bad value stops start-up with one line naming it.
import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_PAYOUT_CONFIG, loadConfig } from "../../src/config.ts";
import { chooseBank } from "../../src/bank/choose.ts";

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain("\n");
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("payout configuration", () => {
  it("without payout variables: the simulated bank, named so, with the demo debtor", () => {
    expect(loadConfig({}).payouts).toBeUndefined();
    expect(DEFAULT_PAYOUT_CONFIG).toMatchObject({ bank: "simulated", fourEyesCents: 5_000_00n, debtor: { iban: "NL02ABNA0123456789", bic: "ABNANL2A" } });
    expect(chooseBank(DEFAULT_PAYOUT_CONFIG, null as never).label).toBe("simulated bank (no real money)");
  });

  it("sepa with the municipality's account and a four-eyes threshold", () => {
    const config = loadConfig({
      BANK_ADAPTER: "sepa", PAYOUT_DEBTOR_NAME: "Gemeente Westerkwartier", PAYOUT_DEBTOR_IBAN: "NL91 ABNA 0417 1643 00", PAYOUT_DEBTOR_BIC: "abnanl2a",
      PAYOUT_FOUR_EYES_CENTS: "250000", PAYOUT_INTERVAL_SECONDS: "60",
    });
    expect(config.payouts).toEqual({
      bank: "sepa", fourEyesCents: 2_500_00n, intervalMs: 60_000, debtor: { name: "Gemeente Westerkwartier", iban: "NL91ABNA0417164300", bic: "ABNANL2A" },
    });
    expect(chooseBank(config.payouts!, null as never)).toMatchObject({ kind: "file", name: "sepa" });
  });

  it("bunq with its API key; the key file defaults to the data folder", () => {
    const config = loadConfig({ BANK_ADAPTER: "bunq", BUNQ_API_KEY: "sandbox_0123456789abcdef", DATA_DIR: "/var/lib/tegoed" });
    expect(config.payouts?.bunq).toEqual({
      apiUrl: "https://public-api.sandbox.bunq.com/v1", apiKey: "sandbox_0123456789abcdef", privateKeyFile: "/var/lib/tegoed/bunq-private-key.pem",
    });
  });

  it("refuses with one line naming the variable", () => {
    expect(refusal({ BANK_ADAPTER: "paypal" })).toBe("BANK_ADAPTER must be simulated, bunq or sepa");
    expect(refusal({ BANK_ADAPTER: "bunq" })).toBe("BUNQ_API_KEY is required when BANK_ADAPTER=bunq");
    expect(refusal({ BANK_ADAPTER: "sepa", PAYOUT_DEBTOR_NAME: "X", PAYOUT_DEBTOR_BIC: "ABNANL2A" })).toMatch(/^PAYOUT_DEBTOR_IBAN is required/);
    expect(refusal({ PAYOUT_DEBTOR_IBAN: "NL91ABNA0417164301" })).toBe("PAYOUT_DEBTOR_IBAN must be a valid IBAN");
    expect(refusal({ PAYOUT_DEBTOR_BIC: "ABN" })).toBe("PAYOUT_DEBTOR_BIC must be a valid BIC");
    expect(refusal({ PAYOUT_FOUR_EYES_CENTS: "12.50" })).toBe("PAYOUT_FOUR_EYES_CENTS must be a whole number of cents");
  });
});
