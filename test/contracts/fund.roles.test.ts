// Fund: who may call what. Every role-restricted function, refused for every account without its role.
import { expect } from "chai";
import { Wallet, ZeroHash, id } from "ethers";
import { as, fundWithEur100Payment, networkHelpers, randomId } from "./fixtures.ts";

const { loadFixture } = networkHelpers;

type Ctx = Awaited<ReturnType<typeof fundWithEur100Payment>>;

const ROLE_IDS = {
  DEFAULT_ADMIN_ROLE: ZeroHash,
  SPONSOR_ROLE: id("SPONSOR_ROLE"),
  VALIDATOR_ROLE: id("VALIDATOR_ROLE"),
  MERCHANT_MANAGER_ROLE: id("MERCHANT_MANAGER_ROLE"),
  SETTLER_ROLE: id("SETTLER_ROLE"),
  OPERATOR_ROLE: id("OPERATOR_ROLE"),
  PAUSER_ROLE: id("PAUSER_ROLE"),
} as const;
type Role = keyof typeof ROLE_IDS;

/** The fixture's accounts and the one role each holds (shop and stranger hold none). */
const ACCOUNTS = ["admin", "sponsor", "validator", "merchantManager", "settler", "operator", "pauser", "shop", "stranger"] as const;
type Account = (typeof ACCOUNTS)[number];
const ROLE_OF: Record<Account, Role | null> = {
  admin: "DEFAULT_ADMIN_ROLE",
  sponsor: "SPONSOR_ROLE",
  validator: "VALIDATOR_ROLE",
  merchantManager: "MERCHANT_MANAGER_ROLE",
  settler: "SETTLER_ROLE",
  operator: "OPERATOR_ROLE",
  pauser: "PAUSER_ROLE",
  shop: null,
  stranger: null,
};

/** Every role-restricted function of Fund, with arguments that are well-formed in {fundWithEur100Payment}. */
const RESTRICTED: { fn: string; role: Role; args: (ctx: Ctx) => unknown[] }[] = [
  { fn: "deposit", role: "SPONSOR_ROLE", args: () => [1_00n, randomId()] },
  { fn: "withdraw", role: "SPONSOR_ROLE", args: () => [1_00n, randomId()] },
  { fn: "issueBudgets", role: "VALIDATOR_ROLE", args: (c) => [c.sponsor.address, [{ budgetId: randomId(), amount: 1_00n, expiry: 0 }]] },
  { fn: "topUp", role: "VALIDATOR_ROLE", args: (c) => [[c.budgetId], 1_00n] },
  { fn: "setHolder", role: "VALIDATOR_ROLE", args: (c) => [c.budgetId, Wallet.createRandom().address] },
  { fn: "rekey", role: "VALIDATOR_ROLE", args: (c) => [c.budgetId, Wallet.createRandom().address] },
  { fn: "freeze", role: "VALIDATOR_ROLE", args: (c) => [c.budgetId] },
  { fn: "unfreeze", role: "VALIDATOR_ROLE", args: (c) => [c.budgetId] },
  { fn: "reclaim", role: "VALIDATOR_ROLE", args: (c) => [[c.budgetId]] },
  { fn: "approveMerchant", role: "MERCHANT_MANAGER_ROLE", args: (c) => [c.otherShop.address, 1] },
  { fn: "suspendMerchant", role: "MERCHANT_MANAGER_ROLE", args: (c) => [c.shop.address] },
  { fn: "refund", role: "OPERATOR_ROLE", args: (c) => [c.budgetId, 1_00n, c.proof.headBefore, c.proof.links] },
  { fn: "settle", role: "SETTLER_ROLE", args: (c) => [c.shop.address, 1_00n, randomId()] },
  { fn: "pause", role: "PAUSER_ROLE", args: () => [] },
  { fn: "unpause", role: "PAUSER_ROLE", args: () => [] },
  { fn: "setDefaultBudgetExpiry", role: "DEFAULT_ADMIN_ROLE", args: () => [4_000_000_000n] },
  { fn: "grantRole", role: "DEFAULT_ADMIN_ROLE", args: (c) => [ROLE_IDS.SPONSOR_ROLE, c.stranger.address] },
  { fn: "revokeRole", role: "DEFAULT_ADMIN_ROLE", args: (c) => [ROLE_IDS.SPONSOR_ROLE, c.sponsor.address] },
];

describe("Fund roles", () => {
  describe("the role constants", () => {
    it("are the keccak256 of their names, and the fixture gives each role to exactly its account", async () => {
      const ctx = await loadFixture(fundWithEur100Payment);
      for (const [name, roleId] of Object.entries(ROLE_IDS)) {
        expect(await ctx.fund.getFunction(name)(), name).to.equal(roleId);
      }
      for (const account of ACCOUNTS) {
        for (const role of Object.keys(ROLE_IDS) as Role[]) {
          const expected = ROLE_OF[account] === role;
          expect(await ctx.fund.hasRole(ROLE_IDS[role], ctx[account].address), `${account} ${role}`).to.equal(expected);
        }
      }
    });
  });

  for (const { fn, role, args } of RESTRICTED) {
    describe(`Fund.${fn} (${role})`, () => {
      for (const account of ACCOUNTS.filter((a) => ROLE_OF[a] !== role)) {
        it(`refuses the ${account} with AccessControlUnauthorizedAccount`, async () => {
          const ctx = await loadFixture(fundWithEur100Payment);
          const caller = ctx[account];
          await expect(as(ctx.fund, caller).getFunction(fn)(...args(ctx)))
            .to.be.revertedWithCustomError(ctx.fund, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, ROLE_IDS[role]);
        });
      }

      const holder = ACCOUNTS.find((a) => ROLE_OF[a] === role)!;
      it(`lets the ${holder} past the role check`, async () => {
        const ctx = await loadFixture(fundWithEur100Payment);
        await expect(as(ctx.fund, ctx[holder]).getFunction(fn)(...args(ctx)))
          .not.to.be.revertedWithCustomError(ctx.fund, "AccessControlUnauthorizedAccount");
      });
    });
  }
});
