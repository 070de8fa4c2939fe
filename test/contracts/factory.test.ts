// FundFactory (createFund, fundAt, fundCount, indexOf, isFund) and Fund.initialize.
import { expect } from "chai";
import { Contract, MaxUint256, TypedDataEncoder, ZeroAddress, ZeroHash, id } from "ethers";
import { fundAbi, fundDomain } from "@tegoed/sdk";
import { currencyCode } from "../../scripts/lib/deploy.ts";
import {
  DAY, as, deployedFund, ethers, fundWithEur300Budget, networkHelpers, permitDigest, signPermit,
} from "./fixtures.ts";

const { loadFixture, time } = networkHelpers;

const FUND_CREATOR_ROLE = id("FUND_CREATOR_ROLE");
const EUR = currencyCode("EUR");

/** The runtime code of an EIP-1167 minimal proxy delegating to `implementation`. */
function minimalProxyCode(implementation: string) {
  return `0x363d3d373d3d3d363d73${implementation.slice(2).toLowerCase()}5af43d82803e903d91602b57fd5bf3`;
}

describe("FundFactory", () => {
  describe("constructor", () => {
    it("deploys one Fund implementation and gives the admin DEFAULT_ADMIN_ROLE and FUND_CREATOR_ROLE", async () => {
      const { factory, admin, deployer } = await loadFixture(deployedFund);
      const implementation: string = await factory.implementation();
      expect(await ethers.provider.getCode(implementation)).to.have.length.above(2);
      expect(await factory.FUND_CREATOR_ROLE()).to.equal(FUND_CREATOR_ROLE);
      expect(await factory.hasRole(ZeroHash, admin.address)).to.equal(true);
      expect(await factory.hasRole(FUND_CREATOR_ROLE, admin.address)).to.equal(true);
      expect(await factory.hasRole(ZeroHash, deployer.address)).to.equal(false);
      expect(await factory.hasRole(FUND_CREATOR_ROLE, deployer.address)).to.equal(false);
    });
  });

  describe("createFund", () => {
    describe("when a fund creator creates a fund", () => {
      it("emits FundCreated with the next index, lists the clone and initializes it for its admin", async () => {
        const { factory, admin, stranger } = await loadFixture(deployedFund);
        const expiry = BigInt(await time.latest()) + 100n * DAY;
        const creator = as(factory, admin);
        const predicted: string = await creator.getFunction("createFund").staticCall(stranger.address, "Kindpakket 2029", EUR, expiry);
        const fund = new Contract(predicted, fundAbi, stranger);
        const tx = creator.createFund(stranger.address, "Kindpakket 2029", EUR, expiry);
        await expect(tx).to.emit(factory, "FundCreated").withArgs(predicted, stranger.address, 2n, "Kindpakket 2029", EUR, expiry);
        await expect(tx).to.emit(fund, "DefaultBudgetExpiryChanged").withArgs(expiry);
        await expect(tx).to.emit(fund, "RoleGranted").withArgs(ZeroHash, stranger.address, await factory.getAddress());
        expect(await factory.fundCount()).to.equal(3n);
        expect(await factory.fundAt(2n)).to.equal(predicted);
        expect(await factory.indexOf(predicted)).to.equal(2n);
        expect(await factory.isFund(predicted)).to.equal(true);
        expect([await fund.name(), await fund.currency(), await fund.defaultBudgetExpiry()]).to.deep.equal(["Kindpakket 2029", EUR, expiry]);
        expect(await fund.hasRole(ZeroHash, stranger.address)).to.equal(true);
        expect(await fund.hasRole(ZeroHash, await factory.getAddress())).to.equal(false);
      });

      it("deploys the fund as its own contract running the implementation's code (no proxy to delegate through)", async () => {
        const { factory, fundAddress } = await loadFixture(deployedFund);
        const code = await ethers.provider.getCode(fundAddress);
        expect(code).to.equal(await ethers.provider.getCode(await factory.implementation()));
        expect(code).to.not.equal(minimalProxyCode(await factory.implementation()));
      });

      it("numbers the funds in order of creation", async () => {
        const { factory, fundAddress, otherFund } = await loadFixture(deployedFund);
        expect(await factory.fundCount()).to.equal(2n);
        expect([await factory.fundAt(0n), await factory.fundAt(1n)]).to.deep.equal([fundAddress, await otherFund.getAddress()]);
        expect([await factory.indexOf(fundAddress), await factory.indexOf(await otherFund.getAddress())]).to.deep.equal([0n, 1n]);
      });

      it("lets an account the admin made fund creator create funds", async () => {
        const { factory, admin, stranger } = await loadFixture(deployedFund);
        await (await as(factory, admin).grantRole(FUND_CREATOR_ROLE, stranger.address)).wait();
        const creator = as(factory, stranger);
        const predicted: string = await creator.getFunction("createFund").staticCall(stranger.address, "Sportfonds 2027", EUR, 0n);
        await expect(creator.createFund(stranger.address, "Sportfonds 2027", EUR, 0n))
          .to.emit(factory, "FundCreated").withArgs(predicted, stranger.address, 2n, "Sportfonds 2027", EUR, 0n);
        expect(await factory.fundAt(2n)).to.equal(predicted);
      });
    });

    describe("when the admin is the zero address", () => {
      it("refuses with the fund's FundZeroAddress", async () => {
        const { factory, admin, fund } = await loadFixture(deployedFund);
        await expect(as(factory, admin).createFund(ZeroAddress, "Kindpakket 2029", EUR, 0n))
          .to.be.revertedWithCustomError(fund, "FundZeroAddress");
        expect(await factory.fundCount()).to.equal(2n);
      });
    });

    describe("when the caller lacks FUND_CREATOR_ROLE", () => {
      const lacking = ["deployer", "sponsor", "validator", "merchantManager", "settler", "operator", "pauser", "shop", "stranger"] as const;
      for (const account of lacking) {
        it(`refuses the ${account} with AccessControlUnauthorizedAccount`, async () => {
          const ctx = await loadFixture(deployedFund);
          const caller = ctx[account];
          await expect(as(ctx.factory, caller).createFund(caller.address, "Kindpakket 2029", EUR, 0n))
            .to.be.revertedWithCustomError(ctx.factory, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, FUND_CREATOR_ROLE);
        });
      }
    });
  });

  describe("createFundWithRoles", () => {
    const OPERATOR = id("OPERATOR_ROLE");
    const SETTLER = id("SETTLER_ROLE");

    describe("when a fund creator creates a fund with grants", () => {
      it("grants each role to its account and leaves the admin role with the admin alone", async () => {
        const { factory, admin, operator, settler, stranger } = await loadFixture(deployedFund);
        const expiry = BigInt(await time.latest()) + 100n * DAY;
        const creator = as(factory, admin);
        const args = [stranger.address, "Kindpakket 2030", EUR, expiry, [OPERATOR, SETTLER], [operator.address, settler.address]] as const;
        const predicted: string = await creator.getFunction("createFundWithRoles").staticCall(...args);
        const fund = new Contract(predicted, fundAbi, stranger);
        const tx = creator.createFundWithRoles(...args);
        await expect(tx).to.emit(factory, "FundCreated").withArgs(predicted, stranger.address, 2n, "Kindpakket 2030", EUR, expiry);
        await expect(tx).to.emit(fund, "RoleRevoked").withArgs(ZeroHash, await factory.getAddress(), await factory.getAddress());
        expect(await fund.hasRole(OPERATOR, operator.address)).to.equal(true);
        expect(await fund.hasRole(SETTLER, settler.address)).to.equal(true);
        expect(await fund.hasRole(OPERATOR, settler.address)).to.equal(false);
        expect(await fund.hasRole(ZeroHash, stranger.address)).to.equal(true);
        expect(await fund.hasRole(ZeroHash, admin.address)).to.equal(false);
        expect(await fund.hasRole(ZeroHash, await factory.getAddress())).to.equal(false);
      });

      it("lets only the admin grant further roles afterwards", async () => {
        const { factory, admin, operator, stranger } = await loadFixture(deployedFund);
        const expiry = BigInt(await time.latest()) + 100n * DAY;
        const creator = as(factory, admin);
        const args = [stranger.address, "Kindpakket 2030", EUR, expiry, [OPERATOR], [operator.address]] as const;
        const address: string = await creator.getFunction("createFundWithRoles").staticCall(...args);
        await (await creator.createFundWithRoles(...args)).wait();
        const fund = new Contract(address, fundAbi, operator);
        await expect(fund.grantRole(SETTLER, operator.address))
          .to.be.revertedWithCustomError(fund, "AccessControlUnauthorizedAccount").withArgs(operator.address, ZeroHash);
        await expect(as(fund, admin).grantRole(SETTLER, operator.address))
          .to.be.revertedWithCustomError(fund, "AccessControlUnauthorizedAccount").withArgs(admin.address, ZeroHash);
        await expect(as(fund, stranger).grantRole(SETTLER, operator.address)).to.emit(fund, "RoleGranted");
      });
    });

    describe("when a grant is the admin role", () => {
      it("reverts with FactoryAdminGrant", async () => {
        const { factory, admin, operator, stranger } = await loadFixture(deployedFund);
        const expiry = BigInt(await time.latest()) + 100n * DAY;
        await expect(as(factory, admin).createFundWithRoles(stranger.address, "X", EUR, expiry, [ZeroHash], [operator.address]))
          .to.be.revertedWithCustomError(factory, "FactoryAdminGrant").withArgs(operator.address);
      });
    });

    describe("when roles and accounts differ in length", () => {
      it("reverts with FactoryGrantsMismatch", async () => {
        const { factory, admin, operator, stranger } = await loadFixture(deployedFund);
        const expiry = BigInt(await time.latest()) + 100n * DAY;
        await expect(as(factory, admin).createFundWithRoles(stranger.address, "X", EUR, expiry, [OPERATOR, SETTLER], [operator.address]))
          .to.be.revertedWithCustomError(factory, "FactoryGrantsMismatch").withArgs(2n, 1n);
      });
    });

    describe("when the admin is the zero address", () => {
      it("reverts with FactoryZeroAdmin", async () => {
        const { factory, admin, operator } = await loadFixture(deployedFund);
        const expiry = BigInt(await time.latest()) + 100n * DAY;
        await expect(as(factory, admin).createFundWithRoles(ZeroAddress, "X", EUR, expiry, [OPERATOR], [operator.address]))
          .to.be.revertedWithCustomError(factory, "FactoryZeroAdmin");
      });
    });

    describe("when the caller is not a fund creator", () => {
      it("reverts with AccessControlUnauthorizedAccount", async () => {
        const { factory, operator, stranger } = await loadFixture(deployedFund);
        const expiry = BigInt(await time.latest()) + 100n * DAY;
        await expect(as(factory, stranger).createFundWithRoles(stranger.address, "X", EUR, expiry, [OPERATOR], [operator.address]))
          .to.be.revertedWithCustomError(factory, "AccessControlUnauthorizedAccount").withArgs(stranger.address, FUND_CREATOR_ROLE);
      });
    });
  });

  describe("fundAt", () => {
    it("refuses an index past the last fund with FactoryUnknownFund", async () => {
      const { factory } = await loadFixture(deployedFund);
      await expect(factory.fundAt(2n)).to.be.revertedWithCustomError(factory, "FactoryUnknownFund").withArgs(2n);
    });
  });

  describe("indexOf and isFund", () => {
    it("refuse an address the factory did not create: FactoryUnknownFund(max uint256) and false", async () => {
      const { factory, stranger } = await loadFixture(deployedFund);
      await expect(factory.indexOf(stranger.address)).to.be.revertedWithCustomError(factory, "FactoryUnknownFund").withArgs(MaxUint256);
      expect(await factory.isFund(stranger.address)).to.equal(false);
    });

    it("do not count the implementation as a fund", async () => {
      const { factory } = await loadFixture(deployedFund);
      const implementation = await factory.implementation();
      expect(await factory.isFund(implementation)).to.equal(false);
      await expect(factory.indexOf(implementation)).to.be.revertedWithCustomError(factory, "FactoryUnknownFund").withArgs(MaxUint256);
    });
  });
});

describe("Fund.initialize", () => {
  it("sets the name, currency, default expiry and admin of a clone", async () => {
    const { fund, admin, settings } = await loadFixture(deployedFund);
    expect(await fund.name()).to.equal("Kindpakket 2027");
    expect(await fund.currency()).to.equal(EUR);
    expect(await fund.defaultBudgetExpiry()).to.equal(settings.defaultBudgetExpiry);
    expect(await fund.hasRole(ZeroHash, admin.address)).to.equal(true);
  });

  it("refuses a second call on a clone with InvalidInitialization", async () => {
    const { fund, admin, stranger } = await loadFixture(deployedFund);
    for (const caller of [admin, stranger]) {
      await expect(as(fund, caller).initialize(caller.address, "Hijack", EUR, 0n)).to.be.revertedWithCustomError(fund, "InvalidInitialization");
    }
    expect(await fund.hasRole(ZeroHash, stranger.address)).to.equal(false);
    expect(await fund.name()).to.equal("Kindpakket 2027");
  });

  it("refuses to initialize the implementation with InvalidInitialization", async () => {
    const { factory, stranger } = await loadFixture(deployedFund);
    const implementation = new Contract(await factory.implementation(), fundAbi, stranger);
    await expect(implementation.initialize(stranger.address, "Hijack", EUR, 0n)).to.be.revertedWithCustomError(implementation, "InvalidInitialization");
    expect(await implementation.hasRole(ZeroHash, stranger.address)).to.equal(false);
  });
});

describe("Fund EIP-712 domain", () => {
  it("is the SDK's domain of the clone's own address, distinct per fund", async () => {
    const { fund, fundAddress, otherFund, chainId } = await loadFixture(deployedFund);
    expect(await fund.DOMAIN_SEPARATOR()).to.equal(TypedDataEncoder.hashDomain(fundDomain(fundAddress, chainId)));
    expect(await otherFund.DOMAIN_SEPARATOR()).to.equal(TypedDataEncoder.hashDomain(fundDomain(await otherFund.getAddress(), chainId)));
    expect(await fund.DOMAIN_SEPARATOR()).not.to.equal(await otherFund.DOMAIN_SEPARATOR());
  });

  it("gives the digest the SDK signs for a permit", async () => {
    const ctx = await loadFixture(fundWithEur300Budget);
    const { permit } = await signPermit(ctx, ctx.family, ctx.budgetId);
    expect(await ctx.fund.permitDigest(permit)).to.equal(permitDigest(ctx.fundAddress, ctx.chainId, permit));
    expect(await ctx.fund.PAYMENT_PERMIT_TYPEHASH()).to.equal(
      id("PaymentPermit(address fund,bytes32 budgetId,uint256 maxAmount,uint256 nonce,uint256 deadline)"),
    );
  });
});
