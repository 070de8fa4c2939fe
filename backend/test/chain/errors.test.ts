// The revert → DomainError mapping, checked with real reverts from a Hardhat node wherever the
// contracts can be made to revert that way, and with encoded revert data for the rest.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HDNodeWallet, Interface, JsonRpcProvider, Network, Wallet, ZeroAddress, ZeroHash, id } from "ethers";
import { DomainError, ERROR_CODES, type ErrorCode, fundAbi, fundFactoryAbi, isErrorCode } from "@tegoed/sdk";
import {
  type ContractErrorName, REVERT_CODES, decodeRevertData, domainErrorFromRevert, encodeRevert, toChainDomainError,
} from "../../src/chain/errors.ts";
import { Relayer } from "../../src/chain/relayer.ts";
import {
  DAY, STRANGER_KEY, type TestChain, activeBudgets, approvedShop, chainTime, randomId, signPermit, startTestChain,
} from "./harness.ts";

const fundInterface = new Interface(fundAbi);
const factoryInterface = new Interface(fundFactoryAbi);

let t: TestChain;
let stranger: Relayer;
let state: {
  shop: string;
  unapprovedShop: string;
  budget: Awaited<ReturnType<typeof activeBudgets>>[number];
  frozen: string;
  inactive: string;
  expired: string;
  paidNonce: bigint;
  usedBankRef: string;
};

beforeAll(async () => {
  t = await startTestChain("hardhat");
  stranger = new Relayer({ provider: t.provider, keys: [STRANGER_KEY], pollIntervalMs: 20 });
  const [budget, frozen] = await activeBudgets(t, 2);
  const shop = await approvedShop(t.fund);
  const usedBankRef = randomId();
  await t.fund.deposit(t.sponsor, 1_000_00n, usedBankRef);
  const inactive = randomId();
  const expired = randomId();
  const now = await chainTime(t.provider);
  await t.fund.issueBudgets(t.sponsor, [
    { budgetId: inactive, amountCents: 10_00n },
    { budgetId: expired, amountCents: 10_00n, expiry: now + 60n },
  ]);
  await t.fund.freeze(frozen!.budgetId);
  const { permit, signature } = await signPermit(t, budget!.family, t.fund, budget!.budgetId);
  const paid = await t.fund.pay(permit, signature, shop, 20_00n);
  // Let the short budget expire (permits signed below use the new chain time).
  await t.provider.send("evm_increaseTime", [120]);
  await t.provider.send("evm_mine", []);
  state = {
    shop, unapprovedShop: Wallet.createRandom().address, budget: budget!, frozen: frozen!.budgetId, inactive, expired,
    paidNonce: paid.nonce, usedBankRef,
  };
});

afterAll(async () => {
  await t?.stop();
});

/** Sends `method(args)` to the fund through a relayer (which simulates first) and returns the refusal. */
async function refusal(method: string, args: readonly unknown[], relayer: Relayer = t.relayer, to = t.fundAddress) {
  const iface = to === t.factoryAddress ? factoryInterface : fundInterface;
  const error = await relayer.send({ to, data: iface.encodeFunctionData(method, args), label: method }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `${method} should be refused`).toBeInstanceOf(DomainError);
  return error as DomainError;
}

async function payArgs(overrides: {
  budgetId?: string; key?: Wallet | HDNodeWallet; fund?: string; nonce?: bigint; deadline?: bigint; maxAmount?: bigint; merchant?: string; amount?: bigint;
}) {
  const budgetId = overrides.budgetId ?? state.budget.budgetId;
  const { permit, signature } = await signPermit(t, overrides.key ?? state.budget.family, t.fund, budgetId, {
    ...(overrides.fund !== undefined && { fund: overrides.fund }),
    ...(overrides.nonce !== undefined && { nonce: overrides.nonce }),
    ...(overrides.deadline !== undefined && { deadline: overrides.deadline }),
    ...(overrides.maxAmount !== undefined && { maxAmount: overrides.maxAmount }),
  });
  return [
    [permit.fund, permit.budgetId, permit.maxAmount, permit.nonce, permit.deadline],
    signature,
    overrides.merchant ?? state.shop,
    overrides.amount ?? 1_00n,
  ] as const;
}

interface RevertCase {
  error: ContractErrorName;
  code: ErrorCode;
  trigger: () => Promise<DomainError>;
  /** Facts the details must carry. */
  details?: () => Record<string, string>;
}

const realReverts: RevertCase[] = [
  { error: "FundZeroAmount", code: "ZERO_AMOUNT", trigger: () => refusal("deposit", [0n, randomId()]) },
  {
    error: "FundBankRefUsed", code: "BANK_REF_USED", trigger: () => refusal("deposit", [1n, state.usedBankRef]),
    details: () => ({ bankRef: state.usedBankRef }),
  },
  {
    error: "FundReserveInsufficient", code: "RESERVE_INSUFFICIENT",
    trigger: () => refusal("topUp", [[state.budget.budgetId], 10n ** 12n]),
    details: () => ({ sponsor: t.sponsor, amount: "1000000000000" }),
  },
  {
    error: "FundNotSponsor", code: "SPONSOR_UNKNOWN",
    trigger: () => refusal("issueBudgets", [state.shop, [[randomId(), 1n, 0n]]]),
    details: () => ({ account: state.shop }),
  },
  {
    error: "FundExpiryInPast", code: "EXPIRY_IN_PAST",
    trigger: () => refusal("issueBudgets", [t.sponsor, [[randomId(), 1n, 1n]]]),
    details: () => ({ expiry: "1" }),
  },
  { error: "FundZeroAddress", code: "ZERO_ADDRESS", trigger: () => refusal("setHolder", [state.inactive, ZeroAddress]) },
  {
    error: "BudgetUnknown", code: "BUDGET_UNKNOWN", trigger: () => refusal("freeze", ["0x" + "ab".repeat(32)]),
    details: () => ({ budgetId: "0x" + "ab".repeat(32) }),
  },
  {
    error: "BudgetExists", code: "BUDGET_EXISTS",
    trigger: () => refusal("issueBudgets", [t.sponsor, [[state.inactive, 1n, 0n]]]),
    details: () => ({ budgetId: state.inactive }),
  },
  { error: "BudgetFrozen", code: "BUDGET_FROZEN", trigger: () => refusal("freeze", [state.frozen]) },
  {
    error: "BudgetExpired", code: "BUDGET_EXPIRED", trigger: () => refusal("topUp", [[state.expired], 1n]),
    details: () => ({ budgetId: state.expired }),
  },
  { error: "BudgetNotExpired", code: "BUDGET_NOT_EXPIRED", trigger: () => refusal("reclaim", [[state.budget.budgetId]]) },
  {
    error: "BudgetInsufficient", code: "BUDGET_INSUFFICIENT",
    trigger: async () => refusal("pay", await payArgs({ maxAmount: 10n ** 9n, amount: 500_00n })),
    details: () => ({ budgetId: state.budget.budgetId, balance: "28000", amount: "50000" }),
  },
  {
    error: "BudgetNotActivated", code: "BUDGET_NOT_ACTIVATED",
    trigger: async () => refusal("pay", await payArgs({ budgetId: state.inactive })),
  },
  {
    error: "BudgetHolderAlreadySet", code: "BUDGET_ALREADY_ACTIVATED",
    trigger: () => refusal("setHolder", [state.budget.budgetId, Wallet.createRandom().address]),
    details: () => ({ holder: state.budget.family.address }),
  },
  { error: "BudgetNotFrozen", code: "BUDGET_NOT_FROZEN", trigger: () => refusal("unfreeze", [state.budget.budgetId]) },
  {
    error: "PermitWrongFund", code: "PERMIT_WRONG_FUND",
    trigger: async () => refusal("pay", await payArgs({ fund: t.otherFundAddress })),
    details: () => ({ fund: t.otherFundAddress }),
  },
  {
    error: "PermitExpired", code: "PERMIT_EXPIRED",
    trigger: async () => refusal("pay", await payArgs({ deadline: (await chainTime(t.provider)) - 1n })),
  },
  {
    error: "PermitNonceUsed", code: "PERMIT_USED", trigger: async () => refusal("pay", await payArgs({ nonce: 0n })),
    details: () => ({ budgetId: state.budget.budgetId, current: "1", nonce: "0" }),
  },
  {
    error: "PermitInvalidSigner", code: "PERMIT_INVALID_SIGNATURE",
    trigger: async () => refusal("pay", await payArgs({ key: Wallet.createRandom() })),
    details: () => ({ holder: state.budget.family.address }),
  },
  {
    error: "PermitAmountExceeded", code: "PERMIT_AMOUNT_EXCEEDED",
    trigger: async () => refusal("pay", await payArgs({ maxAmount: 5_00n, amount: 6_00n })),
    details: () => ({ maxAmount: "500", amount: "600" }),
  },
  {
    error: "MerchantNotApproved", code: "MERCHANT_NOT_APPROVED",
    trigger: async () => refusal("pay", await payArgs({ merchant: state.unapprovedShop })),
    details: () => ({ merchant: state.unapprovedShop }),
  },
  {
    error: "MerchantReceivableInsufficient", code: "RECEIVABLE_INSUFFICIENT",
    trigger: () => refusal("settle", [state.shop, 21_00n, randomId()]),
    details: () => ({ merchant: state.shop, receivable: "2000", amount: "2100" }),
  },
  {
    // The genuine link, but a wrong head before it: the proof does not fold to the budget's head.
    error: "PaymentProofInvalid", code: "CONFLICT",
    trigger: () => refusal("refund", [state.budget.budgetId, 1n, ZeroHash, [[state.shop, 20_00n, state.paidNonce]]]),
    details: () => ({ budgetId: state.budget.budgetId }),
  },
  {
    error: "PaymentRefundExceeded", code: "REFUND_EXCEEDED",
    trigger: async () => {
      const proof = await t.fund.paymentProof(state.budget.budgetId, state.paidNonce);
      const links = proof.links.map((link) => [link.merchant, link.amount, link.nonce]);
      return refusal("refund", [state.budget.budgetId, 20_01n, proof.headBefore, links]);
    },
    details: () => ({ refundable: "2000", amount: "2001" }),
  },
  {
    error: "EnforcedPause", code: "FUND_PAUSED",
    trigger: async () => {
      await t.fund.pause();
      try {
        return await refusal("pay", await payArgs({}));
      } finally {
        await t.fund.unpause();
      }
    },
  },
  { error: "ExpectedPause", code: "FUND_NOT_PAUSED", trigger: () => refusal("unpause", []) },
  {
    error: "AccessControlUnauthorizedAccount", code: "NOT_AUTHORIZED_ON_CHAIN",
    trigger: () => refusal("pause", [], stranger),
    details: () => ({ account: stranger.addresses[0]!, role: "PAUSER", neededRole: id("PAUSER_ROLE") }),
  },
  {
    error: "AccessControlBadConfirmation", code: "NOT_AUTHORIZED_ON_CHAIN",
    trigger: () => refusal("renounceRole", [id("PAUSER_ROLE"), stranger.addresses[0]]),
  },
  {
    error: "SafeCastOverflowedUintDowncast", code: "AMOUNT_TOO_LARGE",
    trigger: () => refusal("issueBudgets", [t.sponsor, [[randomId(), 1n, 2n ** 32n]]]), // an expiry past 2106
    details: () => ({ bits: "32", value: (2n ** 32n).toString() }),
  },
  {
    error: "BudgetBalanceTooLarge", code: "AMOUNT_TOO_LARGE",
    trigger: () => refusal("issueBudgets", [t.sponsor, [[randomId(), 2n ** 32n, 0n]]]),
    details: () => ({ balance: (2n ** 32n).toString(), max: (2n ** 32n - 1n).toString() }),
  },
  {
    error: "InvalidInitialization", code: "CHAIN_REVERTED",
    trigger: () => refusal("initialize", [t.sponsor, "again", "0x455552", 2n ** 40n]),
  },
  {
    error: "FactoryUnknownFund", code: "FUND_UNKNOWN",
    trigger: () => refusal("fundAt", [99n], t.relayer, t.factoryAddress),
    details: () => ({ index: "99" }),
  },
];

/** Errors the deployed contracts cannot be driven into: checked from encoded revert data. */
const encodedOnly: { error: ContractErrorName; args: unknown[]; code: ErrorCode }[] = [
  { error: "NotInitializing", args: [], code: "CHAIN_REVERTED" },
  { error: "StringTooLong", args: ["x".repeat(40)], code: "CHAIN_REVERTED" },
  { error: "InvalidShortString", args: [], code: "CHAIN_REVERTED" },
  { error: "FailedDeployment", args: [], code: "CHAIN_REVERTED" },
  { error: "AddressEmptyCode", args: ["0x0000000000000000000000000000000000000001"], code: "CHAIN_REVERTED" },
  { error: "FailedCall", args: [], code: "CHAIN_REVERTED" },
  // The backend builds createFundWithRoles' grants itself: these would be its own bug.
  { error: "FactoryAdminGrant", args: ["0x0000000000000000000000000000000000000001"], code: "INTERNAL" },
  { error: "FactoryGrantsMismatch", args: [2n, 1n], code: "INTERNAL" },
  { error: "FactoryZeroAdmin", args: [], code: "INTERNAL" },
];

describe("chain errors: revert → DomainError mapping", () => {
  it("covers every custom error of the Fund and FundFactory ABIs, each with a code of the API's closed list", () => {
    const abiErrors = [...fundAbi, ...fundFactoryAbi].filter((item) => item.type === "error").map((item) => item.name);
    expect(Object.keys(REVERT_CODES).sort()).toEqual([...new Set(abiErrors)].sort());
    for (const code of Object.values(REVERT_CODES)) expect(isErrorCode(code)).toBe(true);
    const tested = [...realReverts.map((c) => c.error), ...encodedOnly.map((c) => c.error)];
    expect(tested.sort()).toEqual(Object.keys(REVERT_CODES).sort());
  });

  describe("when the node refuses the call (real reverts from the simulation)", () => {
    it.each(realReverts.map((c) => [c.error, c.code, c] as const))("%s → %s", async (name, code, c) => {
      const error = await c.trigger();
      expect(error.code).toBe(code);
      expect(error.status).toBe(ERROR_CODES[code].status);
      expect(error.message).toBe(ERROR_CODES[code].message);
      expect(error.details.contractError).toBe(name);
      for (const value of Object.values(error.details)) expect(typeof value).toBe("string");
      if (c.details) expect(error.details).toMatchObject(c.details());
    });
  });

  describe("when the revert data is all there is", () => {
    it.each(encodedOnly.map((c) => [c.error, c.code, c] as const))("%s → %s", (name, code, c) => {
      const error = domainErrorFromRevert(decodeRevertData(encodeRevert(name, c.args)));
      expect(error.code).toBe(code);
      expect(error.details.contractError).toBe(name);
    });

    it("a require string, a panic, an unknown selector and empty data → CHAIN_REVERTED with the raw data", () => {
      for (const data of [encodeRevert("Error", ["nope"]), encodeRevert("Panic", [0x11n]), "0xdeadbeef", "0x"]) {
        const error = toChainDomainError({ code: "CALL_EXCEPTION", data });
        expect(error.code).toBe("CHAIN_REVERTED");
        expect(error.details.data).toBe(data);
      }
      expect(toChainDomainError({ code: "CALL_EXCEPTION", data: encodeRevert("Error", ["nope"]) }).details.message).toBe("nope");
      expect(toChainDomainError({ code: "CALL_EXCEPTION", data: encodeRevert("Panic", [0x11n]) }).details.code).toBe("17");
    });

    it("finds revert data nested the way Hardhat's node answers a reverting eth_sendRawTransaction", () => {
      const data = encodeRevert("BudgetFrozen", ["0x" + "12".repeat(32)]);
      const error = toChainDomainError({ code: "UNKNOWN_ERROR", error: { code: 3, message: "VM Exception…", data } });
      expect(error.code).toBe("BUDGET_FROZEN");
      expect(error.details.budgetId).toBe("0x" + "12".repeat(32));
    });
  });

  describe("when the node does not answer", () => {
    it("maps to CHAIN_UNAVAILABLE, also through the relayer, before anything is sent", async () => {
      const dead = new JsonRpcProvider("http://127.0.0.1:9", Network.from(31337n), { staticNetwork: true, cacheTimeout: -1 });
      try {
        const relayer = new Relayer({ provider: dead, keys: [STRANGER_KEY] });
        const error = await relayer.send({ to: t.fundAddress, data: fundInterface.encodeFunctionData("pause") }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).code).toBe("CHAIN_UNAVAILABLE");
        expect((error as DomainError).status).toBe(503);
      } finally {
        dead.destroy();
      }
    });

    it("anything else that is not a refusal becomes INTERNAL, keeping the cause for the log", () => {
      const cause = new TypeError("boom");
      const error = toChainDomainError(cause);
      expect(error.code).toBe("INTERNAL");
      expect(error.cause).toBe(cause);
    });
  });

  it("a DomainError's body is the API's wire format", () => {
    const body = new DomainError("BUDGET_FROZEN", undefined, { budgetId: "0x01" }).toBody();
    expect(body).toEqual({ error: { code: "BUDGET_FROZEN", message: "This budget is frozen by the municipality.", details: { budgetId: "0x01" } } });
    expect(new DomainError("NOT_FOUND").toBody()).toEqual({ error: { code: "NOT_FOUND", message: "This was not found." } });
  });

  it("budgets expire by the chain's clock", async () => {
    // Sanity check of the fixture the BudgetExpired case relies on.
    const budget = await t.fund.budgetOf(state.expired);
    expect(budget.expiry).toBeLessThanOrEqual(await chainTime(t.provider));
    expect(budget.expiry).toBeGreaterThan((await chainTime(t.provider)) - DAY);
  });
});
